package io.marchproxy.dataplane.net;

/**
 * A mutable 5-tuple (family, protocol, source and destination address and port), the key of a flow in one direction.
 * Mutable on purpose: the per-packet path fills one instance per thread again and again instead of allocating a
 * value per packet. Owned by one thread; never shared.
 */
public final class FlowTuple
{
    private int family;
    private int protocol;
    private long sourceHi;
    private long sourceLo;
    private long destinationHi;
    private long destinationLo;
    private int sourcePort;
    private int destinationPort;

    /** An all-zero tuple, to be filled with the setters (one instance reused per thread). */
    public FlowTuple()
    {
    }

    /**
     * Sets every field; ports are taken modulo 2^16. Returns this.
     *
     * @param family {@link IpFamily#IPV4} or {@link IpFamily#IPV6}
     * @param protocol the IP protocol
     * @param sourceHi the source address' high 64 bits (IPv4: 0)
     * @param sourceLo its low 64 bits (IPv4: the address)
     * @param sourcePort the source port
     * @param destinationHi the destination address' high 64 bits
     * @param destinationLo its low 64 bits
     * @param destinationPort the destination port
     * @return this tuple
     */
    public FlowTuple set(
        final int family,
        final int protocol,
        final long sourceHi,
        final long sourceLo,
        final int sourcePort,
        final long destinationHi,
        final long destinationLo,
        final int destinationPort)
    {
        this.family = family;
        this.protocol = protocol;
        this.sourceHi = sourceHi;
        this.sourceLo = sourceLo;
        this.sourcePort = sourcePort & 0xFFFF;
        this.destinationHi = destinationHi;
        this.destinationLo = destinationLo;
        this.destinationPort = destinationPort & 0xFFFF;
        return this;
    }

    /**
     * Sets an IPv4 tuple from the {@code int}s of the network-order addresses. Returns this.
     *
     * @param protocol the IP protocol
     * @param source the source address
     * @param sourcePort the source port
     * @param destination the destination address
     * @param destinationPort the destination port
     * @return this tuple
     */
    public FlowTuple setIpv4(
        final int protocol, final int source, final int sourcePort, final int destination, final int destinationPort)
    {
        return set(IpFamily.IPV4, protocol, 0, source & 0xFFFF_FFFFL, sourcePort,
            0, destination & 0xFFFF_FFFFL, destinationPort);
    }

    /**
     * Sets the tuple from configuration values (allocation-free itself). Returns this.
     *
     * @param protocol the IP protocol
     * @param source the source address
     * @param sourcePort the source port
     * @param destination the destination address, of the source's family
     * @param destinationPort the destination port
     * @return this tuple
     */
    public FlowTuple set(
        final int protocol,
        final IpAddress source,
        final int sourcePort,
        final IpAddress destination,
        final int destinationPort)
    {
        if (source.family() != destination.family())
        {
            throw new IllegalArgumentException("source and destination families differ");
        }
        return set(source.family(), protocol, source.hi(), source.lo(), sourcePort,
            destination.hi(), destination.lo(), destinationPort);
    }

    /**
     * Copies {@code other}. Returns this.
     *
     * @param other the tuple to copy
     * @return this tuple
     */
    public FlowTuple copyOf(final FlowTuple other)
    {
        return set(other.family, other.protocol, other.sourceHi, other.sourceLo, other.sourcePort,
            other.destinationHi, other.destinationLo, other.destinationPort);
    }

    /**
     * Sets this to {@code other} seen from the other end: source and destination swapped. Returns this.
     *
     * @param other the tuple to reverse
     * @return this tuple
     */
    public FlowTuple reverseOf(final FlowTuple other)
    {
        return set(other.family, other.protocol, other.destinationHi, other.destinationLo, other.destinationPort,
            other.sourceHi, other.sourceLo, other.sourcePort);
    }

    /**
     * Sets both ports. Returns this.
     *
     * @param sourcePort the source port
     * @param destinationPort the destination port
     * @return this tuple
     */
    public FlowTuple ports(final int sourcePort, final int destinationPort)
    {
        this.sourcePort = sourcePort & 0xFFFF;
        this.destinationPort = destinationPort & 0xFFFF;
        return this;
    }

    /**
     * Sets the source address and port. Returns this.
     *
     * @param hi the address' high 64 bits (IPv4: 0)
     * @param lo its low 64 bits
     * @param port the port
     * @return this tuple
     */
    public FlowTuple source(final long hi, final long lo, final int port)
    {
        this.sourceHi = hi;
        this.sourceLo = lo;
        this.sourcePort = port & 0xFFFF;
        return this;
    }

    /**
     * Sets the destination address and port. Returns this.
     *
     * @param hi the address' high 64 bits (IPv4: 0)
     * @param lo its low 64 bits
     * @param port the port
     * @return this tuple
     */
    public FlowTuple destination(final long hi, final long lo, final int port)
    {
        this.destinationHi = hi;
        this.destinationLo = lo;
        this.destinationPort = port & 0xFFFF;
        return this;
    }

    /** {@return {@link IpFamily#IPV4} or {@link IpFamily#IPV6}} */
    public int family()
    {
        return family;
    }

    /** {@return the IP protocol} */
    public int protocol()
    {
        return protocol;
    }

    /** {@return the source address' high 64 bits (IPv4: 0)} */
    public long sourceHi()
    {
        return sourceHi;
    }

    /** {@return the source address' low 64 bits (IPv4: the address)} */
    public long sourceLo()
    {
        return sourceLo;
    }

    /** {@return the source port} */
    public int sourcePort()
    {
        return sourcePort;
    }

    /** {@return the destination address' high 64 bits (IPv4: 0)} */
    public long destinationHi()
    {
        return destinationHi;
    }

    /** {@return the destination address' low 64 bits (IPv4: the address)} */
    public long destinationLo()
    {
        return destinationLo;
    }

    /** {@return the destination port} */
    public int destinationPort()
    {
        return destinationPort;
    }

    /** {@return a 64-bit hash of the tuple ({@link TupleHash}); the two directions of a flow hash differently} */
    public long hash()
    {
        final long rest = ((long)family << 56) | ((long)protocol << 32) | ((long)sourcePort << 16) | destinationPort;
        if (family == IpFamily.IPV4)
        {
            // Both IPv4 addresses fit one word: three words to mix instead of five.
            return TupleHash.hash(sourceLo << 32 | destinationLo, rest, 0);
        }
        return TupleHash.hash(sourceHi, sourceLo, destinationHi, destinationLo, rest);
    }

    /**
     * {@return true when every field equals {@code other}'s}
     *
     * @param other another tuple
     */
    public boolean matches(final FlowTuple other)
    {
        return family == other.family
            && protocol == other.protocol
            && sourceHi == other.sourceHi
            && sourceLo == other.sourceLo
            && sourcePort == other.sourcePort
            && destinationHi == other.destinationHi
            && destinationLo == other.destinationLo
            && destinationPort == other.destinationPort;
    }

    /** {@return the source address as a value (allocates; for logs and tests)} */
    public IpAddress sourceAddress()
    {
        return new IpAddress(family, sourceHi, sourceLo);
    }

    /** {@return the destination address as a value (allocates; for logs and tests)} */
    public IpAddress destinationAddress()
    {
        return new IpAddress(family, destinationHi, destinationLo);
    }

    @Override
    public String toString()
    {
        return "proto " + protocol + " " + sourceAddress() + ":" + sourcePort
            + " -> " + destinationAddress() + ":" + destinationPort;
    }
}
