package io.marchproxy.dataplane.packet;

/**
 * IP protocol numbers (IPv4 protocol field, IPv6 next header) the parser knows, from IANA's "Assigned Internet
 * Protocol Numbers". The hot path compares {@code int}s; {@link io.marchproxy.dataplane.net.L4Protocol} is the
 * configuration-side enum of the two that services use.
 */
public final class IpProtocol
{
    public static final int HOP_BY_HOP = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int ICMPV6 = 58;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    private IpProtocol()
    {
    }

    /** True for TCP and UDP, the protocols whose flows carry ports. */
    public static boolean hasPorts(final int protocol)
    {
        return protocol == TCP || protocol == UDP;
    }
}
