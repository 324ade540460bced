package io.marchproxy.dataplane.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Unaligned big-endian (network order) reads and writes of 8-, 16-, 32- and 64-bit unsigned fields in a frame. Every
 * header flyweight and the checksum code go through these layouts, so byte order is decided in one place. The
 * methods check nothing beyond what {@link MemorySegment} checks: callers check a field lies inside the frame first.
 */
public final class NetworkByteOrder
{
    /** A 16-bit field in network order at any alignment. */
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A 32-bit field in network order at any alignment. */
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** A 64-bit field in network order at any alignment. */
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkByteOrder()
    {
    }

    /**
     * {@return the unsigned byte at {@code offset}}
     *
     * @param segment the memory
     * @param offset the field's offset
     */
    public static int u8(final MemorySegment segment, final long offset)
    {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /**
     * {@return the unsigned 16-bit field at {@code offset}}
     *
     * @param segment the memory
     * @param offset the field's offset
     */
    public static int u16(final MemorySegment segment, final long offset)
    {
        return segment.get(U16, offset) & 0xFFFF;
    }

    /**
     * {@return the 32-bit field at {@code offset}, as the {@code int} of its bytes read big-endian}
     *
     * @param segment the memory
     * @param offset the field's offset
     */
    public static int u32(final MemorySegment segment, final long offset)
    {
        return segment.get(U32, offset);
    }

    /**
     * {@return the 64-bit field at {@code offset}, read big-endian}
     *
     * @param segment the memory
     * @param offset the field's offset
     */
    public static long u64(final MemorySegment segment, final long offset)
    {
        return segment.get(U64, offset);
    }

    /**
     * {@return the 48-bit field at {@code offset} (a MAC address) in the low bits of a {@code long}}
     *
     * @param segment the memory
     * @param offset the field's offset
     */
    public static long u48(final MemorySegment segment, final long offset)
    {
        return ((long)u16(segment, offset) << 32) | (u32(segment, offset + 2) & 0xFFFF_FFFFL);
    }

    /**
     * Writes the low 8 bits of {@code value} at {@code offset}.
     *
     * @param segment the memory
     * @param offset the field's offset
     * @param value the value
     */
    public static void putU8(final MemorySegment segment, final long offset, final int value)
    {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte)value);
    }

    /**
     * Writes the low 16 bits of {@code value} at {@code offset}, big-endian.
     *
     * @param segment the memory
     * @param offset the field's offset
     * @param value the value
     */
    public static void putU16(final MemorySegment segment, final long offset, final int value)
    {
        segment.set(U16, offset, (short)value);
    }

    /**
     * Writes {@code value} at {@code offset}, big-endian.
     *
     * @param segment the memory
     * @param offset the field's offset
     * @param value the value
     */
    public static void putU32(final MemorySegment segment, final long offset, final int value)
    {
        segment.set(U32, offset, value);
    }

    /**
     * Writes {@code value} at {@code offset}, big-endian.
     *
     * @param segment the memory
     * @param offset the field's offset
     * @param value the value
     */
    public static void putU64(final MemorySegment segment, final long offset, final long value)
    {
        segment.set(U64, offset, value);
    }

    /**
     * Writes the low 48 bits of {@code value} (a MAC address) at {@code offset}, big-endian.
     *
     * @param segment the memory
     * @param offset the field's offset
     * @param value the value
     */
    public static void putU48(final MemorySegment segment, final long offset, final long value)
    {
        putU16(segment, offset, (int)(value >>> 32));
        putU32(segment, offset + 2, (int)value);
    }
}
