package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;

/**
 * Flyweight over a UDP header (RFC 768). Over IPv4 a checksum of 0 means "none" and a computed 0 is sent as
 * {@code 0xFFFF} ({@link Checksums#udpWire}); over IPv6 the checksum is mandatory. Accessors read and write in
 * place and check nothing.
 */
public final class UdpHeader extends PortsHeader<UdpHeader>
{
    /** Offset of the length: header and payload. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 6;
    /** Length of the header. */
    public static final int LENGTH = 8;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public UdpHeader()
    {
        super(CHECKSUM_OFFSET);
    }

    /** {@return true when the 8 bytes fit and the length field lies between 8 and the wrapped length} */
    public boolean isComplete()
    {
        return length >= LENGTH && datagramLength() >= LENGTH && datagramLength() <= length;
    }

    /** {@return the length field: header plus payload} */
    public int datagramLength()
    {
        return u16(segment, offset + LENGTH_OFFSET);
    }
}
