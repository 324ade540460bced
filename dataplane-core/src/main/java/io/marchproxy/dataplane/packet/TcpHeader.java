package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u32;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u8;

/**
 * Flyweight over a TCP header (RFC 9293): ports, sequence numbers, data offset (header length in 32-bit words,
 * options included), the eight flag bits and the checksum. Accessors read and write in place and check nothing.
 */
public final class TcpHeader extends PortsHeader<TcpHeader>
{
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGEMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int MIN_LENGTH = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    public TcpHeader()
    {
        super(CHECKSUM_OFFSET);
    }

    /** True when 20 bytes fit and the data offset is at least 5 words and fits too. */
    public boolean isComplete()
    {
        return length >= MIN_LENGTH && dataOffset() >= 5 && headerLength() <= length;
    }

    public int sequence()
    {
        return u32(segment, offset + SEQUENCE_OFFSET);
    }

    public int acknowledgement()
    {
        return u32(segment, offset + ACKNOWLEDGEMENT_OFFSET);
    }

    /** Header length in 32-bit words. */
    public int dataOffset()
    {
        return u8(segment, offset + DATA_OFFSET_OFFSET) >>> 4;
    }

    /** Header length in bytes. */
    public int headerLength()
    {
        return dataOffset() << 2;
    }

    /** The eight flag bits (CWR..FIN). */
    public int flags()
    {
        return u8(segment, offset + FLAGS_OFFSET);
    }

    public int window()
    {
        return u16(segment, offset + WINDOW_OFFSET);
    }
}
