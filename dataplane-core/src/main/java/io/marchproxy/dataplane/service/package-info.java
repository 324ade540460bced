/**
 * Which service a packet is for: {@link io.marchproxy.dataplane.service.ServiceTable} maps (VIP, protocol, port or
 * port range) to a service index, an immutable snapshot built by its
 * {@link io.marchproxy.dataplane.service.ServiceTable.Builder} from
 * {@link io.marchproxy.dataplane.service.ServiceBinding}s. A configuration change builds a new table and publishes it
 * (a {@code volatile} field or {@code AtomicReference} the dataplane thread reads once per batch); lookups are
 * allocation-free and may run on any number of threads. Depends on {@code io.marchproxy.dataplane.net}.
 */
package io.marchproxy.dataplane.service;
