/**
 * Network namespaces for embedders and labs: {@link io.marchproxy.dataplane.netns.NetNamespace} creates or opens a
 * namespace and runs code inside it on the calling thread ({@code setns}), so sockets and XDP attachments made there
 * belong to it; {@link io.marchproxy.dataplane.netns.Interfaces} resolves interface indexes. Setup-time code that may
 * shell out to iproute2 ({@link io.marchproxy.dataplane.netns.HostCommand}); nothing here touches the host's own
 * interfaces. Depends only on ffm-bindings.
 */
package io.marchproxy.dataplane.netns;
