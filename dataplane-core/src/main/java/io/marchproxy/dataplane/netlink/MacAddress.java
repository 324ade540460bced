package io.marchproxy.dataplane.netlink;

/**
 * An Ethernet (EUI-48) address as the low 48 bits of a {@code long}, first octet most significant: the form the packet
 * path writes into frames, with the usual {@code 02:4d:50:00:01:0a} text.
 *
 * @param bits the address in the low 48 bits
 */
public record MacAddress(long bits)
{
    public static final int LENGTH = 6;

    private static final long MASK = (1L << 48) - 1;

    /**
     * Checks that nothing is set above the low 48 bits.
     *
     * @throws IllegalArgumentException when something is
     */
    public MacAddress
    {
        if ((bits & ~MASK) != 0)
        {
            throw new IllegalArgumentException("a MAC address has 48 bits, not " + Long.toHexString(bits));
        }
    }

    /**
     * {@return the address in {@code octets} (network order, exactly six)}
     *
     * @param octets the six octets
     */
    public static MacAddress of(final byte[] octets)
    {
        if (octets.length != LENGTH)
        {
            throw new IllegalArgumentException("a MAC address has 6 octets, not " + octets.length);
        }
        long bits = 0;
        for (final byte octet : octets)
        {
            bits = (bits << 8) | (octet & 0xff);
        }
        return new MacAddress(bits);
    }

    /**
     * Parses {@code 02:4d:50:00:01:0a} (six hex octets separated by colons).
     *
     * @param text the address' text
     * @return the address
     * @throws IllegalArgumentException when it is not six colon-separated hex octets
     */
    public static MacAddress parse(final String text)
    {
        final String[] parts = text.split(":");
        if (parts.length != LENGTH)
        {
            throw new IllegalArgumentException("not a MAC address (six hex octets separated by ':'): " + text);
        }
        final byte[] octets = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            if (parts[i].isEmpty() || parts[i].length() > 2)
            {
                throw new IllegalArgumentException("not a MAC address (six hex octets separated by ':'): " + text);
            }
            octets[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return of(octets);
    }

    /** {@return the six octets in network order (a new array)} */
    public byte[] octets()
    {
        final byte[] octets = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            octets[i] = (byte)(bits >>> (8 * (LENGTH - 1 - i)));
        }
        return octets;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder(17);
        for (final byte octet : octets())
        {
            if (!text.isEmpty())
            {
                text.append(':');
            }
            text.append(Character.forDigit((octet >> 4) & 0xf, 16)).append(Character.forDigit(octet & 0xf, 16));
        }
        return text.toString();
    }
}
