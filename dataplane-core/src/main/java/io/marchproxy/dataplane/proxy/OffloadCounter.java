package io.marchproxy.dataplane.proxy;

/** What the L4 proxy counts about flow offload, indexing {@link L4Proxy#offloadCounters()}. */
public enum OffloadCounter
{
    /** Flows whose two slots were written: the XDP program forwards them from then on. */
    OFFLOADED,
    /** Flows offloaded now (a gauge: offloaded and not recalled yet). */
    ACTIVE,
    /**
     * Flows refused because no slot their key may take was free, or the limit of offloaded flows was reached: they
     * stay on the Java path.
     */
    FAILED_FULL,
    /** Offloaded flows recalled because a SYN, FIN or RST came their way (the XDP program hands those back). */
    HANDED_BACK,
    /**
     * Offloaded flows recalled because what was decided for them changed: their backend was removed or disabled or
     * its MAC changed, their service was removed or its offload turned off.
     */
    INVALIDATED,
    /** Offloaded flows recalled because they were closed: idle past their timeout, or revoked by the access rules. */
    CLOSED,
    /** Frames of offloaded flows that reached the Java path anyway (in flight when the slots were written). */
    STRAY_FRAMES
}
