/**
 * What an embedder writes on dataplane-core alone, run by CI on labs it builds and shown verbatim in README.md and
 * docs/EMBEDDING.md: {@link io.marchproxy.examples.ExampleLab} (client, node and backend namespaces made with the
 * library's namespace calls), {@link io.marchproxy.examples.L4ProxyExample} (an L4 proxy on the node),
 * {@link io.marchproxy.examples.XskForwardExample} (AF_XDP forwarding with an in-place frame rewrite) and their
 * traffic, {@link io.marchproxy.examples.UdpEcho}. Depends on dataplane-core and agrona only.
 */
package io.marchproxy.examples;
