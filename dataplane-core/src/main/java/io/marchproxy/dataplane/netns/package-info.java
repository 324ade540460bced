/**
 * Network namespaces and veth labs: {@link io.marchproxy.dataplane.netns.NetNamespace} creates a namespace and runs code
 * inside it on the calling thread ({@code setns}); {@link io.marchproxy.dataplane.netns.VethLab} builds the two-namespace
 * veth lab that tests, the lab node and perf-lab send their traffic through. Setup-time code that shells out to
 * iproute2; nothing here touches the host's own interfaces.
 */
package io.marchproxy.dataplane.netns;
