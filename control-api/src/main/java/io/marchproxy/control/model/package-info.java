/**
 * Immutable records of the control plane's domain: clusters, services, mappings, proxies, certificates, QoS
 * policies, users and the licence. Values only: no I/O, no validation beyond what a constructor must guarantee;
 * {@link io.marchproxy.control.model.ModelJson} is the Jackson set-up every JSON form of them starts from. Every other
 * package may depend on this one; it depends on nothing but Jackson.
 */
package io.marchproxy.control.model;
