package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;

/**
 * What TCP and UDP headers share: the source port at 0, the destination port at 2, and a 16-bit checksum at an offset
 * each protocol fixes.
 *
 * @param <T> the concrete flyweight
 */
public abstract class PortsHeader<T extends PortsHeader<T>> extends HeaderFlyweight<T>
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = 2;

    private final int checksumOffset;

    PortsHeader(final int checksumOffset)
    {
        this.checksumOffset = checksumOffset;
    }

    /** {@return the source port} */
    public final int sourcePort()
    {
        return u16(segment, offset + SOURCE_PORT_OFFSET);
    }

    /**
     * Writes the source port (the checksum is the caller's to update).
     *
     * @param port the port
     */
    public final void sourcePort(final int port)
    {
        putU16(segment, offset + SOURCE_PORT_OFFSET, port);
    }

    /** {@return the destination port} */
    public final int destinationPort()
    {
        return u16(segment, offset + DESTINATION_PORT_OFFSET);
    }

    /**
     * Writes the destination port (the checksum is the caller's to update).
     *
     * @param port the port
     */
    public final void destinationPort(final int port)
    {
        putU16(segment, offset + DESTINATION_PORT_OFFSET, port);
    }

    /** {@return the checksum field} */
    public final int checksum()
    {
        return u16(segment, offset + checksumOffset);
    }

    /**
     * Writes the checksum field.
     *
     * @param checksum the checksum
     */
    public final void checksum(final int checksum)
    {
        putU16(segment, offset + checksumOffset, checksum);
    }
}
