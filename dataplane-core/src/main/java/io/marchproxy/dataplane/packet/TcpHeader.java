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
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 4;
    /** Offset of the acknowledgement number. */
    public static final int ACKNOWLEDGEMENT_OFFSET = 8;
    /** Offset of the data offset (high nibble). */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the flags. */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the window. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 16;
    /** Length of a header without options. */
    public static final int MIN_LENGTH = 20;

    /** Flag FIN: the sender has finished sending. */
    public static final int FIN = 0x01;
    /** Flag SYN: synchronise sequence numbers (connection set-up). */
    public static final int SYN = 0x02;
    /** Flag RST: reset the connection. */
    public static final int RST = 0x04;
    /** Flag PSH: push the data to the application. */
    public static final int PSH = 0x08;
    /** Flag ACK: the acknowledgement number is valid. */
    public static final int ACK = 0x10;
    /** Flag URG: the urgent pointer is valid. */
    public static final int URG = 0x20;
    /** Flag ECE: ECN echo. */
    public static final int ECE = 0x40;
    /** Flag CWR: congestion window reduced. */
    public static final int CWR = 0x80;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public TcpHeader()
    {
        super(CHECKSUM_OFFSET);
    }

    /** {@return true when 20 bytes fit and the data offset is at least 5 words and fits too} */
    public boolean isComplete()
    {
        return length >= MIN_LENGTH && dataOffset() >= 5 && headerLength() <= length;
    }

    /** {@return the sequence number} */
    public int sequence()
    {
        return u32(segment, offset + SEQUENCE_OFFSET);
    }

    /** {@return the acknowledgement number} */
    public int acknowledgement()
    {
        return u32(segment, offset + ACKNOWLEDGEMENT_OFFSET);
    }

    /** {@return header length in 32-bit words} */
    public int dataOffset()
    {
        return u8(segment, offset + DATA_OFFSET_OFFSET) >>> 4;
    }

    /** {@return header length in bytes} */
    public int headerLength()
    {
        return dataOffset() << 2;
    }

    /** {@return the eight flag bits (CWR..FIN)} */
    public int flags()
    {
        return u8(segment, offset + FLAGS_OFFSET);
    }

    /** {@return the receive window} */
    public int window()
    {
        return u16(segment, offset + WINDOW_OFFSET);
    }
}
