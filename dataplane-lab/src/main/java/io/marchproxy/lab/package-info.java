/**
 * Lab fixtures shared by the tests, perf-lab and the node's lab mode, kept out of the dataplane library: veth labs in
 * network namespaces the lab creates and deletes ({@link io.marchproxy.lab.VethLab}), and the L4 proxy's lab ({@link io.marchproxy.lab.L4Lab}: clients, a
 * node with a front and a back interface, backends) with the kernel's own NAT path as the reference
 * ({@link io.marchproxy.lab.KernelNat}) and real servers and clients in its namespaces
 * ({@link io.marchproxy.lab.LabServer}, {@link io.marchproxy.lab.LabClient}); for rate, priority and marking tests a
 * paced sender ({@link io.marchproxy.lab.UdpStream}), a recording receiver ({@link io.marchproxy.lab.UdpSink}) over
 * {@link io.marchproxy.lab.RateRecorder}, and nftables DSCP counters ({@link io.marchproxy.lab.DscpCounters}). Every lab is deleted on close, at JVM
 * exit, or by the next lab when its process died. Depends on dataplane-core; nothing in the library depends on it.
 */
package io.marchproxy.lab;
