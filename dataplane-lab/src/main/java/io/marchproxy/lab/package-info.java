/**
 * Lab fixtures shared by the tests, perf-lab and the node's lab mode, kept out of the dataplane library: veth labs in
 * network namespaces the lab creates and deletes ({@link io.marchproxy.lab.VethLab}) and paced UDP lab traffic
 * ({@link io.marchproxy.lab.LabTrafficSource}). Depends on dataplane-core; nothing in the library depends on it.
 */
package io.marchproxy.lab;
