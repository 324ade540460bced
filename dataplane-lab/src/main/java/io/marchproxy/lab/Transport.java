package io.marchproxy.lab;

/** The transport protocols lab services, servers and the kernel NAT path handle. */
public enum Transport
{
    TCP("tcp"),
    UDP("udp");

    private final String keyword;

    Transport(final String keyword)
    {
        this.keyword = keyword;
    }

    /** The protocol's name in nftables rules ({@code tcp dport 80}). */
    public String keyword()
    {
        return keyword;
    }
}
