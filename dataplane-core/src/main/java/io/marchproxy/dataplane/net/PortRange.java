package io.marchproxy.dataplane.net;

/**
 * An inclusive range of TCP/UDP ports, {@code first <= last}, both in 0..65535.
 *
 * @param first the lowest port of the range
 * @param last  the highest port of the range
 */
public record PortRange(int first, int last)
{
    /** Every port. */
    public static final PortRange ALL = new PortRange(0, 65535);

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException unless {@code 0 <= first <= last <= 65535}
     */
    public PortRange
    {
        if (first < 0 || last > 65535 || first > last)
        {
            throw new IllegalArgumentException("a port range is first <= last within 0..65535: " + first + "-" + last);
        }
    }

    /**
     * {@return the range holding the one port {@code port}}
     *
     * @param port a port
     */
    public static PortRange of(final int port)
    {
        return new PortRange(port, port);
    }

    /**
     * {@return true when {@code port} lies in the range}
     *
     * @param port a port
     */
    public boolean contains(final int port)
    {
        return port >= first && port <= last;
    }

    /**
     * {@return true when the two ranges share a port}
     *
     * @param other another range
     */
    public boolean overlaps(final PortRange other)
    {
        return first <= other.last && other.first <= last;
    }

    /** {@return true for a range of one port} */
    public boolean isSinglePort()
    {
        return first == last;
    }

    @Override
    public String toString()
    {
        return first == last ? Integer.toString(first) : first + "-" + last;
    }
}
