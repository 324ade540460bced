package io.marchproxy.dataplane.packet;

import java.lang.foreign.MemorySegment;

/**
 * The common part of every header flyweight: where it points. A flyweight is one long-lived object per thread,
 * re-pointed at each frame with {@link #wrap}; its accessors read and write in place at constant offsets from
 * {@link #offset()} and check nothing themselves ({@code isComplete()} of each subclass says whether its header fits
 * the wrapped length; {@link PacketParser} checks before it reads).
 *
 * @param <T> the concrete flyweight, returned by {@link #wrap} for chaining
 */
public abstract class HeaderFlyweight<T extends HeaderFlyweight<T>>
{
    MemorySegment segment;
    long offset;
    int length;

    HeaderFlyweight()
    {
    }

    /**
     * Points this flyweight at {@code length} bytes of {@code segment} from {@code offset}. Returns this.
     *
     * @param segment the frame's memory
     * @param offset the header's first byte
     * @param length bytes available from {@code offset}
     * @return this flyweight
     */
    @SuppressWarnings("unchecked")
    public final T wrap(final MemorySegment segment, final long offset, final int length)
    {
        if (this.segment != segment)
        {
            // Stored only when it changes: a reference store pays G1's post-write barrier (see ParsedPacket#reset).
            this.segment = segment;
        }
        this.offset = offset;
        this.length = length;
        return (T)this;
    }

    /** {@return the wrapped segment} */
    public final MemorySegment segment()
    {
        return segment;
    }

    /** {@return offset of the header's first byte in {@link #segment()}} */
    public final long offset()
    {
        return offset;
    }

    /** {@return bytes available from {@link #offset()}, as given to {@link #wrap}} */
    public final int length()
    {
        return length;
    }
}
