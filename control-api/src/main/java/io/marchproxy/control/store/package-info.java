/**
 * Durable state of the control plane: the {@link io.marchproxy.control.store.ConfigStore} interface, its immutable
 * {@link io.marchproxy.control.store.StoreState}, transactions, change events and the Chronicle Queue journal plus
 * snapshot implementation. Depends only on the model; the REST, config and auth layers depend on it.
 */
package io.marchproxy.control.store;
