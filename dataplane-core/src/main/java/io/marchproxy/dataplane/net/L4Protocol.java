package io.marchproxy.dataplane.net;

/** The transport protocols the L4 proxy balances, with their IP protocol numbers (IANA). */
public enum L4Protocol
{
    /** TCP, IP protocol 6. */
    TCP(6),
    /** UDP, IP protocol 17. */
    UDP(17);

    private final int number;

    L4Protocol(final int number)
    {
        this.number = number;
    }

    /** {@return the IP protocol number: 6 or 17} */
    public int number()
    {
        return number;
    }

    /**
     * {@return the protocol with IP protocol number {@code number}, or {@code null} when it is neither TCP nor UDP}
     *
     * @param number an IP protocol number
     */
    public static L4Protocol ofNumber(final int number)
    {
        return number == 6 ? TCP : number == 17 ? UDP : null;
    }
}
