package io.marchproxy.dataplane.packet;

/**
 * What kind of problem a {@link DropReason} is, for grouping drops on dashboards and in alerts (the reason stays the
 * detail). The drops the kernel counts (the XDP program's access-rule drops, an AF_XDP socket's full RX ring) are of
 * the same classes: {@link #ACCESS} and {@link #RING_FULL}.
 */
public enum DropClass
{
    /** The frame is broken: truncated, bad lengths or header fields. */
    MALFORMED,
    /** Well formed but not something the node handles: other EtherTypes, fragments, long extension chains. */
    UNSUPPORTED,
    /** The access rules deny it (in XDP or in Java). */
    ACCESS,
    /** QoS: rate limit, full priority queue, or queueing delay past the class's bound. */
    QOS,
    /** A ring was full: the AF_XDP socket's RX ring (counted by the kernel) or a ring between agents. */
    RING_FULL,
    /** The service has no backend that may take the flow. */
    NO_BACKEND,
    /** The XDP flow-offload table is full. */
    OFFLOAD_FULL,
    /** Nowhere to send it: no service, no flow, no next-hop MAC, TTL expired. */
    UNROUTABLE,
    /** A resource of the node ran out: the flow table or the SNAT ports. */
    EXHAUSTED
}
