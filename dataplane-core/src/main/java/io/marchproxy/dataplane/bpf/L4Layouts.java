package io.marchproxy.dataplane.bpf;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The map keys and values of {@code bpf/xdp_l4.bpf.c}, member for member, in one place. {@code BtfLayoutTest} checks
 * every layout here (size, member offsets and sizes) against the compiled object's BTF, so the C source and this class
 * cannot drift apart unnoticed. Multi-byte members marked network order in C are written big-endian by
 * {@link L4Program}; the rest are host order.
 */
public final class L4Layouts
{
    /** Address length in every key: IPv6, or IPv4 in the first four bytes and zeros after. */
    public static final int ADDRESS_BYTES = 16;
    /** Access-decision segments per LPM entry ({@code ACL_SEGMENTS}). */
    public static final int ACL_SEGMENTS = 8;
    /** Bits of an LPM range key before the port: family, protocol, address. */
    public static final int RANGE_PREFIX_BASE = 8 + 8 + 8 * ADDRESS_BYTES;
    /** Bits of an access key before the source address: service, family. */
    public static final int ACL_PREFIX_BASE = 32 + 8;

    /** {@code struct l4_service_key}: an exact service (family, protocol, destination port, VIP). */
    public static final StructLayout SERVICE_KEY = MemoryLayout.structLayout(
        JAVA_BYTE.withName("family"),
        JAVA_BYTE.withName("proto"),
        JAVA_SHORT.withName("port"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("addr")).withName("l4_service_key");

    /**
     * {@code struct l4_range_key}: an LPM key over services on port ranges (family, protocol, VIP, then the port
     * prefix).
     */
    public static final StructLayout RANGE_KEY = MemoryLayout.structLayout(
        JAVA_INT.withName("prefixlen"),
        JAVA_BYTE.withName("family"),
        JAVA_BYTE.withName("proto"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("addr"),
        JAVA_SHORT.withName("port")).withName("l4_range_key");

    /** {@code struct l4_service_value}: the service's index and flags. */
    public static final StructLayout SERVICE_VALUE = MemoryLayout.structLayout(
        JAVA_INT.withName("service"),
        JAVA_INT.withName("flags")).withName("l4_service_value");

    /** {@code struct l4_acl_key}: an LPM key of access decisions (service, family, then the source prefix). */
    public static final StructLayout ACL_KEY = MemoryLayout.structLayout(
        JAVA_INT.withName("prefixlen"),
        JAVA_INT.withName("service"),
        JAVA_BYTE.withName("family"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("addr"),
        MemoryLayout.paddingLayout(3)).withName("l4_acl_key");

    /** {@code struct l4_acl_segment}: a destination-port range and its action. */
    public static final StructLayout ACL_SEGMENT = MemoryLayout.structLayout(
        JAVA_SHORT.withName("port_lo"),
        JAVA_SHORT.withName("port_hi"),
        JAVA_BYTE.withName("action"),
        MemoryLayout.sequenceLayout(3, JAVA_BYTE).withName("pad")).withName("l4_acl_segment");

    /** {@code struct l4_acl_value}: the segments of one source prefix and the action when none holds the port. */
    public static final StructLayout ACL_VALUE = MemoryLayout.structLayout(
        JAVA_BYTE.withName("default_action"),
        JAVA_BYTE.withName("segments"),
        MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("pad"),
        MemoryLayout.sequenceLayout(ACL_SEGMENTS, ACL_SEGMENT).withName("segment")).withName("l4_acl_value");

    /** {@code struct l4_addr_key}: a VIP or SNAT address with its family and protocol. */
    public static final StructLayout ADDR_KEY = MemoryLayout.structLayout(
        JAVA_BYTE.withName("family"),
        JAVA_BYTE.withName("proto"),
        JAVA_SHORT.withName("pad"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("addr")).withName("l4_addr_key");

    /** {@code struct l4_snat_value}: the port range replies to a SNAT address use. */
    public static final StructLayout SNAT_VALUE = MemoryLayout.structLayout(
        JAVA_SHORT.withName("port_lo"),
        JAVA_SHORT.withName("port_hi")).withName("l4_snat_value");

    /** {@code struct l4_config}: the live generation and each generation's default action and range flag. */
    public static final StructLayout CONFIG = MemoryLayout.structLayout(
        JAVA_INT.withName("generation"),
        MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("default_action"),
        MemoryLayout.sequenceLayout(2, JAVA_BYTE).withName("has_ranges"),
        MemoryLayout.sequenceLayout(2, JAVA_INT).withName("sequence"),
        JAVA_INT.withName("flow_mask")).withName("l4_config");

    /** Offset of {@code l4_config.generation}: the live generation, 0 or 1. */
    public static final long CONFIG_GENERATION = offset(CONFIG, "generation");
    /** Offset of {@code l4_config.default_action}, one byte per generation. */
    public static final long CONFIG_DEFAULT_ACTION = offset(CONFIG, "default_action");
    /** Offset of {@code l4_config.has_ranges}, one byte per generation. */
    public static final long CONFIG_HAS_RANGES = offset(CONFIG, "has_ranges");
    /** Offset of {@code l4_config.sequence}, one 32-bit sequence per generation. */
    public static final long CONFIG_SEQUENCE = offset(CONFIG, "sequence");
    /** Offset of {@code l4_config.flow_mask}: the flow slots' index mask. */
    public static final long CONFIG_FLOW_MASK = offset(CONFIG, "flow_mask");

    /** One direction of an offloaded flow: the frame's 5-tuple (8-byte aligned in C: hashed as five words). */
    public static final StructLayout FLOW_KEY = MemoryLayout.structLayout(
        JAVA_BYTE.withName("family"),
        JAVA_BYTE.withName("proto"),
        JAVA_SHORT.withName("sport"),
        JAVA_SHORT.withName("dport"),
        JAVA_SHORT.withName("pad"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("saddr"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("daddr")).withName("l4_flow_key");

    /** One direction of an offloaded flow in its slot: key, rewrite, the program's counts (128 bytes). */
    public static final StructLayout FLOW_SLOT = MemoryLayout.structLayout(
        JAVA_LONG.withName("state"),
        FLOW_KEY.withName("key"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("saddr"),
        MemoryLayout.sequenceLayout(ADDRESS_BYTES, JAVA_BYTE).withName("daddr"),
        JAVA_SHORT.withName("sport"),
        JAVA_SHORT.withName("dport"),
        MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("dmac"),
        MemoryLayout.sequenceLayout(6, JAVA_BYTE).withName("smac"),
        JAVA_SHORT.withName("ip_csum_delta"),
        JAVA_SHORT.withName("l4_csum_delta"),
        JAVA_INT.withName("egress"),
        JAVA_LONG.withName("packets"),
        JAVA_LONG.withName("bytes"),
        JAVA_LONG.withName("last_seen")).withName("l4_flow_slot");

    /**
     * The header the program puts in front of each frame it steers to a socket (host order): {@code magic} is
     * {@link #META_MAGIC}, {@code sequence} the configuration the frame was decided under (0: none decided it).
     */
    public static final StructLayout META = MemoryLayout.structLayout(
        JAVA_INT.withName("magic"),
        JAVA_INT.withName("sequence")).withName("l4_meta");

    /** {@code L4_META_MAGIC}: "MPM1". */
    public static final int META_MAGIC = 0x4d504d31;
    /** Offset of {@code l4_meta.magic}. */
    public static final long META_MAGIC_OFFSET = offset(META, "magic");
    /** Offset of {@code l4_meta.sequence}. */
    public static final long META_SEQUENCE_OFFSET = offset(META, "sequence");

    /** Every layout above, for the BTF check. */
    public static final StructLayout[] ALL = {
        SERVICE_KEY, RANGE_KEY, SERVICE_VALUE, ACL_KEY, ACL_SEGMENT, ACL_VALUE, ADDR_KEY, SNAT_VALUE, CONFIG, META,
        FLOW_KEY, FLOW_SLOT};

    private static long offset(final StructLayout layout, final String member)
    {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(member));
    }

    private L4Layouts()
    {
    }
}
