package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over one received packet in the UMEM: no copy, reused for every packet of a socket. {@link #frame()} and
 * {@link #offset()} give garbage-free access to the bytes in place; {@link #address()} is what goes into a TX
 * descriptor to forward the packet without copying it.
 */
public final class Packet
{
    private final Umem umem;
    private long address;
    private int length;

    Packet(final Umem umem)
    {
        this.umem = umem;
    }

    Packet wrap(final long address, final int length)
    {
        this.address = address;
        this.length = length;
        return this;
    }

    /**
     * Skips {@code bytes} at the front, e.g. a header the XDP program put before the frame: from now on the packet
     * starts after them (what is transmitted if it is forwarded). Allocation-free.
     *
     * @param bytes how many bytes to skip, 0 to the packet's length
     * @return this packet
     */
    public Packet skip(final int bytes)
    {
        if (bytes < 0 || bytes > length)
        {
            throw new IllegalArgumentException("cannot skip " + bytes + " of " + length + " bytes");
        }
        address += bytes;
        length -= bytes;
        return this;
    }

    /** {@return UMEM address of the packet's first byte} */
    public long address()
    {
        return address;
    }

    /** {@return length of the packet in bytes} */
    public int length()
    {
        return length;
    }

    /**
     * {@return the whole UMEM frame holding the packet: a segment made once per frame, so reading through it allocates
     * nothing}
     */
    public MemorySegment frame()
    {
        return umem.frame(address);
    }

    /** {@return offset of the packet's first byte within {@link #frame()}} */
    public int offset()
    {
        return umem.offsetInFrame(address);
    }

    /**
     * The packet's bytes as an exact slice (address, length) of the UMEM, zero-copy. The slice object itself is new
     * unless the JIT scalar-replaces it; loops that must not allocate use {@link #frame()} and {@link #offset()}.
     *
     * @return the packet's bytes
     */
    public MemorySegment data()
    {
        return umem.segment().asSlice(address, length);
    }
}
