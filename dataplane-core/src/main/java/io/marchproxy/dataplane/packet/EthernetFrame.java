package io.marchproxy.dataplane.packet;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.putU48;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u16;
import static io.marchproxy.dataplane.packet.NetworkByteOrder.u48;

/**
 * Flyweight over an Ethernet II header and its VLAN tags (802.1Q {@code 0x8100}, 802.1ad QinQ {@code 0x88A8}, and the
 * pre-standard {@code 0x9100}): MAC addresses as the low 48 bits of a {@code long}, the tag control words, and the
 * EtherType that follows {@code n} tags. Accessors read in place and check nothing: {@link PacketParser} checks the
 * tags fit before it reads them. One instance per thread, rewrapped for every frame.
 */
public final class EthernetFrame extends HeaderFlyweight<EthernetFrame>
{
    /** Offset of the destination MAC. */
    public static final int DESTINATION_OFFSET = 0;
    /** Offset of the source MAC. */
    public static final int SOURCE_OFFSET = 6;
    /** Offset of the EtherType (or of the first VLAN tag's TPID). */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Length of the header without VLAN tags. */
    public static final int HEADER_LENGTH = 14;
    /** Length of one VLAN tag (TPID and tag control word). */
    public static final int VLAN_TAG_LENGTH = 4;

    /** EtherType IPv4. */
    public static final int ETHER_TYPE_IPV4 = 0x0800;
    /** EtherType ARP. */
    public static final int ETHER_TYPE_ARP = 0x0806;
    /** EtherType IPv6. */
    public static final int ETHER_TYPE_IPV6 = 0x86DD;
    /** TPID of an 802.1Q VLAN tag. */
    public static final int ETHER_TYPE_VLAN = 0x8100;
    /** TPID of an 802.1ad (QinQ) outer tag. */
    public static final int ETHER_TYPE_QINQ = 0x88A8;
    /** TPID of the pre-standard QinQ outer tag. */
    public static final int ETHER_TYPE_QINQ_LEGACY = 0x9100;

    /** A flyweight pointing at nothing until {@link #wrap}. */
    public EthernetFrame()
    {
    }

    /** {@return true when the 14-byte header without tags fits the wrapped length} */
    public boolean isComplete()
    {
        return length >= HEADER_LENGTH;
    }

    /** {@return the destination MAC in the low 48 bits} */
    public long destinationMac()
    {
        return u48(segment, offset + DESTINATION_OFFSET);
    }

    /** {@return the source MAC in the low 48 bits} */
    public long sourceMac()
    {
        return u48(segment, offset + SOURCE_OFFSET);
    }

    /**
     * Writes the destination MAC.
     *
     * @param mac the MAC in the low 48 bits
     */
    public void destinationMac(final long mac)
    {
        putU48(segment, offset + DESTINATION_OFFSET, mac);
    }

    /**
     * Writes the source MAC.
     *
     * @param mac the MAC in the low 48 bits
     */
    public void sourceMac(final long mac)
    {
        putU48(segment, offset + SOURCE_OFFSET, mac);
    }

    /**
     * {@return the EtherType field after {@code tags} VLAN tags (0: the outer EtherType or TPID)}
     *
     * @param tags VLAN tags before it (the caller checked they fit)
     */
    public int etherType(final int tags)
    {
        return u16(segment, offset + ETHER_TYPE_OFFSET + (long)tags * VLAN_TAG_LENGTH);
    }

    /**
     * {@return the tag control word (PCP, DEI, VLAN id) of tag {@code tag}, 0 being the outer one}
     *
     * @param tag the tag's position
     */
    public int tagControl(final int tag)
    {
        return u16(segment, offset + HEADER_LENGTH + (long)tag * VLAN_TAG_LENGTH);
    }

    /**
     * {@return the VLAN id (low 12 bits of the tag control word) of tag {@code tag}}
     *
     * @param tag the tag's position
     */
    public int vlanId(final int tag)
    {
        return tagControl(tag) & 0x0FFF;
    }

    /**
     * {@return true for the EtherTypes that announce a VLAN tag}
     *
     * @param etherType an EtherType
     */
    public static boolean isVlanTag(final int etherType)
    {
        return etherType == ETHER_TYPE_VLAN || etherType == ETHER_TYPE_QINQ || etherType == ETHER_TYPE_QINQ_LEGACY;
    }
}
