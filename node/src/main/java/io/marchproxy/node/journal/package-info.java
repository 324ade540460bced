/**
 * The node's flow journal on the command line: {@link io.marchproxy.node.journal.JournalTail} ({@code marchproxy
 * journal tail}: filter by service and time, follow). Reads through {@code io.marchproxy.journal}'s reader; depends on nothing else
 * of the node.
 */
package io.marchproxy.node.journal;
