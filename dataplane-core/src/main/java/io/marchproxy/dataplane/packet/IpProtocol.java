package io.marchproxy.dataplane.packet;

/**
 * IP protocol numbers (IPv4 protocol field, IPv6 next header) the parser knows, from IANA's "Assigned Internet
 * Protocol Numbers". The hot path compares {@code int}s; {@link io.marchproxy.dataplane.net.L4Protocol} is the
 * configuration-side enum of the two that services use.
 */
public final class IpProtocol
{
    /** IPv6 hop-by-hop options extension header. */
    public static final int HOP_BY_HOP = 0;
    /** ICMP (IPv4). */
    public static final int ICMP = 1;
    /** TCP. */
    public static final int TCP = 6;
    /** UDP. */
    public static final int UDP = 17;
    /** IPv6 routing extension header. */
    public static final int ROUTING = 43;
    /** IPv6 fragment extension header. */
    public static final int FRAGMENT = 44;
    /** ICMPv6. */
    public static final int ICMPV6 = 58;
    /** IPv6: no next header. */
    public static final int NO_NEXT_HEADER = 59;
    /** IPv6 destination options extension header. */
    public static final int DESTINATION_OPTIONS = 60;

    private IpProtocol()
    {
    }

    /**
     * {@return true for TCP and UDP, the protocols whose flows carry ports}
     *
     * @param protocol an IP protocol number
     */
    public static boolean hasPorts(final int protocol)
    {
        return protocol == TCP || protocol == UDP;
    }
}
