/**
 * The L4 proxy's flow journal: {@link io.marchproxy.journal.FlowJournal} appends flow open and close records and drop
 * samples to a Chronicle Queue (one file per UTC day, days past the retention deleted);
 * {@link io.marchproxy.journal.JournalWriter} is the dataplane thread's side, a
 * {@link io.marchproxy.dataplane.proxy.FlowEvents} that hands each record through a ring of its own (agrona
 * {@code OneToOneRingBuffer}) to the journal's agent thread and never waits;
 * {@link io.marchproxy.journal.FlowJournalReader} reads it back as {@link io.marchproxy.journal.FlowRecord}s.
 *
 * <p>Its own module, not in dataplane-core: Chronicle Queue is a large dependency with JVM flags of its own
 * ({@code --add-opens}/{@code --add-exports}, {@code -Dchronicle.analytics.disable=true}), which an embedder of the
 * dataplane that wants no journal should not carry; the core only defines {@code FlowEvents}. Depends on
 * dataplane-core, agrona and Chronicle Queue; used by the node.
 */
package io.marchproxy.journal;
