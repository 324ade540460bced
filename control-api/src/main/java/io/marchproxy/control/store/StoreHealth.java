package io.marchproxy.control.store;

/**
 * What health checks need: whether the last write succeeded, how many journal events are not yet covered by a
 * snapshot (replayed on restart), and the journal's size on disk.
 */
public record StoreHealth(boolean writable, long eventsSinceSnapshot, long journalBytes, String lastError) {
}
