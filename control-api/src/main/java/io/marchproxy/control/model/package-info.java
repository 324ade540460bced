/**
 * Immutable records of the control plane's domain: clusters, services, mappings, proxies, certificates, QoS
 * policies, users and the licence. Values only: no I/O, no validation beyond what a constructor must guarantee.
 * Every other package may depend on this one; it depends on nothing but Jackson annotations.
 */
package io.marchproxy.control.model;
