package io.marchproxy.dataplane.net;

/** The transport protocols the L4 proxy balances, with their IP protocol numbers (IANA). */
public enum L4Protocol
{
    TCP(6),
    UDP(17);

    private final int number;

    L4Protocol(final int number)
    {
        this.number = number;
    }

    /** The IP protocol number: 6 or 17. */
    public int number()
    {
        return number;
    }

    /** The protocol with IP protocol number {@code number}, or {@code null} when it is neither TCP nor UDP. */
    public static L4Protocol ofNumber(final int number)
    {
        return number == 6 ? TCP : number == 17 ? UDP : null;
    }
}
