/**
 * Choosing a backend for a new flow: {@link io.marchproxy.dataplane.balance.BackendSelector} and its algorithms,
 * round-robin, smooth weighted round-robin (nginx's), weighted least-connections and consistent hashing with a Maglev
 * table (Google's Maglev paper, weights the way Katran's MaglevHashV2 does them). Selectors index the
 * {@link io.marchproxy.dataplane.balance.Backend} list they were built from; backends that are disabled, unhealthy or
 * of weight 0 never get a new flow. A selector is mutable state of the one dataplane thread that opens and closes
 * flows (health changes are handed to that thread, e.g. through a queue); selection is allocation-free. Depends on
 * {@code io.marchproxy.dataplane.net}.
 */
package io.marchproxy.dataplane.balance;
