/**
 * Immutable records of the control plane's domain: clusters, services, mappings, proxies, certificates, QoS
 * policies, users and the licence, and the value types and rules every layer must read alike: address prefixes
 * ({@link io.marchproxy.control.model.Cidr}), port specifications and the ports a service claims
 * ({@link io.marchproxy.control.model.PortClaim}, the listener rule the API and the Envoy translation share). Values
 * only: no I/O, no validation beyond what a constructor must guarantee;
 * {@link io.marchproxy.control.model.ModelJson} is the Jackson set-up every JSON form of them starts from. Every other
 * package may depend on this one; it depends on nothing but Jackson.
 */
package io.marchproxy.control.model;
