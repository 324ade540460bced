package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import io.marchproxy.dataplane.acl.AccessEntry;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The embedded L4 proxy program ({@code bpf/xdp_l4.bpf.c}) loaded into the kernel: steers service traffic, replies to
 * SNAT addresses and frames the Java parser must judge to the AF_XDP socket of their interface and queue, drops what
 * the access rules deny, and passes everything else to the kernel.
 *
 * <p>Services and access rules are written a generation at a time: {@link #stage()} marks the inactive generation as
 * being rewritten (sequence 0) and returns a writer for it, which collects its entries; {@link Generation#commit(long)}
 * writes into that generation's maps what differs from what they held (deletes the entries it no longer has, writes the
 * new or changed ones: a change that adds a backend writes no entry), then its default action and sequence, then makes
 * it live with one map update that changes the generation word alone, so frames see either the old or the new
 * configuration, never a mix (a run that read a generation which is rewritten under it sees its sequence change and
 * decides again: {@link Counter#CONFIG_RETRIED}). Every frame the program steers to a socket starts with an
 * {@link L4Layouts#META} header, the sequence it was decided under, put in front of the received frame: readers skip
 * it ({@link io.marchproxy.dataplane.xsk.Packet#skip}). VIPs and SNAT addresses are one set, set with
 * {@link #setAddresses}; the caller widens it before a flip and narrows it after. Setup-rate, single writer: one thread
 * at a time stages and commits; counters may be read from any thread.
 */
public final class L4Program implements AutoCloseable
{
    /** Class-path location of the compiled object inside the dataplane-core jar. */
    public static final String RESOURCE = "/io/marchproxy/dataplane/bpf/xdp_l4.bpf.o";
    /** The program's name in the object. */
    public static final String PROGRAM = "xdp_l4";

    /** Access action: drop the frame in XDP. */
    public static final int ACTION_DENY = 0;
    /** Access action: steer the frame to the proxy. */
    public static final int ACTION_ALLOW = 1;
    /** The rules cannot decide in the kernel (too many segments): the frame goes to user space, which decides. */
    public static final int ACTION_PUNT = 2;

    /** IP protocol number of TCP, as service keys hold it. */
    public static final int IPPROTO_TCP = 6;
    /** IP protocol number of UDP, as service keys hold it. */
    public static final int IPPROTO_UDP = 17;

    /** The per-CPU counters, in the order of {@code enum l4_counter} in the C source. */
    public enum Counter
    {
        /** Frames the program saw. */
        RX_PACKETS,
        /** Bytes of the frames the program saw. */
        RX_BYTES,
        /** Frames redirected to an AF_XDP socket. */
        REDIRECTED,
        /** Frames passed to the kernel: not for the proxy. */
        PASSED,
        /** Frames to a service's VIP and port. */
        SERVICE_MATCHED,
        /** Service frames dropped here: the access rules deny their source. */
        ACL_DROPPED,
        /** Service frames the rules could not decide in the kernel, sent to user space to decide. */
        ACL_PUNTED,
        /** Replies from backends to a SNAT address and port. */
        SNAT_RETURN,
        /** Frames to a VIP or SNAT address the program does not parse (fragments, ICMP errors), for user space. */
        PUNTED,
        /** Frames too short or malformed to parse (passed to the kernel). */
        MALFORMED,
        /** Frames for the proxy with no socket registered for their interface and queue (passed to the kernel). */
        NO_SOCKET,
        /** Runs whose generation was rewritten during their lookups and that decided again on the live one. */
        CONFIG_RETRIED,
        /** Frames for a socket that had no room in front for the {@link L4Layouts#META} header: given to the kernel. */
        NO_HEADROOM,
        /** Frames of offloaded flows rewritten and redirected by the program itself. */
        FLOW_FORWARDED,
        /** Offloaded flow directions handed back to user space by a SYN, FIN or RST. */
        FLOW_HANDED_BACK,
        /** Frames of offloaded flows left to user space (handed back, or a TTL about to expire). */
        FLOW_TO_USER
    }

    /** Slots of the egress DEVMAP ({@code MAX_EGRESS} in the C source). */
    public static final int EGRESS_SLOTS = 64;

    /** XSKMAP slots per interface: one per RX queue. */
    private static final int SLOTS_PER_INTERFACE = 32;
    private static final ValueLayout.OfShort BE_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    private final EmbeddedProgram program;
    private final BpfMap sockets;
    private final BpfMap ifslots;
    private final BpfMap config;
    private final MirroredMap[] services;
    private final MirroredMap[] ranges;
    private final MirroredMap[] acl;
    private final MirroredMap vips;
    private final MirroredMap snat;
    private final BpfMap flows;
    private final BpfMap egress;
    private final int flowSlots;
    private final Set<Integer> interfaces = new HashSet<>();
    private int live;
    private long liveSequence;
    /** The writer of the generation staged now, or null. */
    private Generation staged;
    /** Entries written or deleted in the generations' and the address sets' maps so far. */
    private long entryWrites;

    private L4Program(final EmbeddedProgram program, final int flowSlots)
    {
        this.flowSlots = flowSlots;
        this.flows = program.map("l4_flow_slots");
        this.egress = program.map("l4_egress");
        this.program = program;
        this.sockets = program.map("l4_xsks");
        this.ifslots = program.map("l4_ifslots");
        this.config = program.map("l4_config");
        this.services = new MirroredMap[2];
        this.ranges = new MirroredMap[2];
        this.acl = new MirroredMap[2];
        for (int gen = 0; gen < 2; gen++)
        {
            services[gen] = new MirroredMap(program.map("l4_services_" + gen), L4Layouts.SERVICE_KEY.byteSize(),
                L4Layouts.SERVICE_VALUE.byteSize());
            ranges[gen] = new MirroredMap(program.map("l4_ranges_" + gen), L4Layouts.RANGE_KEY.byteSize(),
                L4Layouts.SERVICE_VALUE.byteSize());
            acl[gen] = new MirroredMap(program.map("l4_acl_" + gen), L4Layouts.ACL_KEY.byteSize(),
                L4Layouts.ACL_VALUE.byteSize());
        }
        this.vips = new MirroredMap(program.map("l4_vips"), L4Layouts.ADDR_KEY.byteSize(), Integer.BYTES);
        this.snat = new MirroredMap(program.map("l4_snat"), L4Layouts.ADDR_KEY.byteSize(),
            L4Layouts.SNAT_VALUE.byteSize());
    }

    /**
     * Loads the program shipped in this jar; nothing is steered until services and sockets are registered.
     *
     * @return the loaded program, not attached anywhere yet
     */
    public static L4Program load()
    {
        return load(0);
    }

    /**
     * Loads the program with {@code flowSlots} slots for offloaded flow directions (two per flow): a power of two of
     * at least {@value L4FlowSlots#PROBES}, or 0 for no offload (the program then never looks for a flow).
     *
     * @param flowSlots slots for offloaded flow directions, 0 for none
     * @return the loaded program
     */
    public static L4Program load(final int flowSlots)
    {
        if (flowSlots != 0 && (flowSlots < L4FlowSlots.PROBES || Integer.bitCount(flowSlots) != 1))
        {
            throw new IllegalArgumentException("flow slots must be 0 or a power of two >= " + L4FlowSlots.PROBES
                + ": " + flowSlots);
        }
        final L4Program program = EmbeddedProgram.load(RESOURCE, PROGRAM, "l4_counters",
            object -> object.maxEntries("l4_flow_slots", Math.max(1, flowSlots)), p -> new L4Program(p, flowSlots));
        if (flowSlots > 0)
        {
            program.flowMask(flowSlots - 1);
        }
        return program;
    }

    /** {@return slots for offloaded flow directions, 0 when the program offloads nothing} */
    public int flowSlots()
    {
        return flowSlots;
    }

    /**
     * The offloaded flows' slots mapped into this process, for the one thread that writes them; close them before the
     * program. Only when {@link #flowSlots()} is not 0.
     *
     * @return the mapped slots
     */
    public L4FlowSlots mapFlowSlots()
    {
        if (flowSlots == 0)
        {
            throw new IllegalStateException("the program was loaded without flow slots");
        }
        return L4FlowSlots.map(flows, flowSlots);
    }

    /** Stores the mask of the flow slots in the program's configuration (the other fields stay). */
    private synchronized void flowMask(final int mask)
    {
        writeConfig(value -> value.set(JAVA_INT, L4Layouts.CONFIG_FLOW_MASK, mask));
    }

    /**
     * Makes egress slot {@code slot} send offloaded flows' frames out of interface {@code ifindex}; run inside the
     * interface's namespace (the kernel resolves the index in the caller's).
     *
     * @param slot    the egress slot
     * @param ifindex the interface, in the caller's namespace
     */
    public synchronized void egress(final int slot, final int ifindex)
    {
        if (slot < 0 || slot >= EGRESS_SLOTS)
        {
            throw new IllegalArgumentException("egress slot " + slot + " outside 0.." + (EGRESS_SLOTS - 1));
        }
        egress.putInt(slot, ifindex);
    }

    /** {@return the loaded program's file descriptor} */
    public int programFd()
    {
        return program.programFd();
    }

    /**
     * Attaches the program to {@code ifindex}; run inside the interface's namespace.
     *
     * @param ifindex the interface's index there
     * @param mode driver or generic mode
     * @return the attachment; closing it detaches the program
     */
    public XdpAttachment attach(final int ifindex, final XdpMode mode)
    {
        return program.attach(ifindex, mode);
    }

    /**
     * Steers frames of {@code ifindex}'s RX {@code queue} to the AF_XDP socket {@code xskFd}.
     *
     * @param ifindex the interface's index
     * @param queue its RX queue, 0..31
     * @param xskFd the AF_XDP socket bound to that interface and queue
     */
    public synchronized void registerSocket(final int ifindex, final int queue, final int xskFd)
    {
        if (queue < 0 || queue >= SLOTS_PER_INTERFACE)
        {
            throw new IllegalArgumentException("queue " + queue + " outside 0.." + (SLOTS_PER_INTERFACE - 1));
        }
        int base = baseOf(ifindex);
        if (base < 0)
        {
            if (interfaces.size() * SLOTS_PER_INTERFACE >= 256)
            {
                throw new IllegalStateException("no XSKMAP slots left for interface " + ifindex);
            }
            base = nextBase();
            ifslots.putInt(ifindex, base);
            interfaces.add(ifindex);
        }
        sockets.putInt(base + queue, xskFd);
    }

    /**
     * Stops steering {@code ifindex}'s {@code queue}: its frames go to the kernel.
     *
     * @param ifindex the interface's index
     * @param queue its RX queue
     */
    public synchronized void unregisterSocket(final int ifindex, final int queue)
    {
        final int base = baseOf(ifindex);
        if (base >= 0)
        {
            sockets.deleteInt(base + queue);
        }
    }

    private int baseOf(final int ifindex)
    {
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment value = a.allocate(JAVA_INT);
            return ifslots.lookup(a.allocateFrom(JAVA_INT, ifindex), value) ? value.get(JAVA_INT, 0) : -1;
        }
    }

    private int nextBase()
    {
        final Set<Integer> used = new HashSet<>();
        for (final int ifindex : interfaces)
        {
            used.add(baseOf(ifindex));
        }
        for (int base = 0; ; base += SLOTS_PER_INTERFACE)
        {
            if (!used.contains(base))
            {
                return base;
            }
        }
    }

    /**
     * Marks the inactive generation as being rewritten and returns its writer; commit it to make it live. A writer
     * staged before and not committed (its caller failed before the commit, say) is dropped: it can no longer commit.
     *
     * @return the writer of the inactive generation
     */
    public synchronized Generation stage()
    {
        if (staged != null)
        {
            staged.done = true;
        }
        final int next = live ^ 1;
        writeConfig(value -> value.set(JAVA_INT, L4Layouts.CONFIG_SEQUENCE + 4L * next, 0));
        staged = new Generation(next);
        return staged;
    }

    /** {@return the generation frames are matched against now (0 or 1)} */
    public synchronized int liveGeneration()
    {
        return live;
    }

    /** {@return the sequence of the configuration frames are matched against now, as last committed (0 before any)} */
    public synchronized long liveSequence()
    {
        return liveSequence;
    }

    /** {@return the sequence the kernel's map holds for the live generation (read back from the map; setup-rate)} */
    public synchronized long kernelSequence()
    {
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment value = a.allocate(L4Layouts.CONFIG);
            config.lookup(a.allocateFrom(JAVA_INT, 0), value);
            final int gen = value.get(JAVA_INT, L4Layouts.CONFIG_GENERATION) & 1;
            return Integer.toUnsignedLong(value.get(JAVA_INT, L4Layouts.CONFIG_SEQUENCE + 4L * gen));
        }
    }

    /** Reads {@code l4_config}, lets {@code change} edit it, writes it back: one map update. */
    private void writeConfig(final java.util.function.Consumer<MemorySegment> change)
    {
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment key = a.allocateFrom(JAVA_INT, 0);
            final MemorySegment value = a.allocate(L4Layouts.CONFIG);
            config.lookup(key, value);
            change.accept(value);
            config.update(key, value, Libbpf.BPF_ANY);
        }
    }

    /**
     * Sets the VIPs and SNAT addresses frames are steered for (fragments, ICMP errors and unparsed frames to them go
     * to user space; replies to a SNAT address on a port in its range too). Replaces the previous sets, writing only
     * the entries that change.
     *
     * @param vipSet every VIP of both generations
     * @param snatRanges the SNAT addresses with their port ranges
     */
    public synchronized void setAddresses(final Set<InetAddress> vipSet, final List<SnatRange> snatRanges)
    {
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment one = a.allocateFrom(JAVA_INT, 1);
            final MirroredMap.Entries wantedVips = new MirroredMap.Entries();
            for (final InetAddress vip : vipSet)
            {
                wantedVips.put(addrKey(a, vip, 0), one);
            }
            final MirroredMap.Entries wantedSnat = new MirroredMap.Entries();
            for (final SnatRange r : snatRanges)
            {
                final MemorySegment value = a.allocate(L4Layouts.SNAT_VALUE);
                value.set(JAVA_SHORT, 0, (short)r.portLo());
                value.set(JAVA_SHORT, 2, (short)r.portHi());
                wantedSnat.put(addrKey(a, r.address(), r.protocol()), value);
            }
            entryWrites += vips.replace(wantedVips);
            entryWrites += snat.replace(wantedSnat);
        }
    }

    /**
     * What generation {@code gen}'s maps hold in the kernel, read back: {@code services}, {@code ranges} and
     * {@code acl}, each hex key -> hex value. For tests and diagnostics.
     */
    synchronized Map<String, Map<String, String>> readGeneration(final int gen)
    {
        return Map.of("services", services[gen].read(), "ranges", ranges[gen].read(), "acl", acl[gen].read());
    }

    /** What the VIP and SNAT maps hold in the kernel, read back as {@link #readGeneration} does. */
    synchronized Map<String, Map<String, String>> readAddresses()
    {
        return Map.of("vips", vips.read(), "snat", snat.read());
    }

    /** {@return the entries commits and {@link #setAddresses} wrote or deleted so far: their map syscalls} */
    synchronized long entryWrites()
    {
        return entryWrites;
    }

    /**
     * A SNAT address with the port range replies to it use, for one protocol.
     *
     * @param address the SNAT address
     * @param protocol {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}
     * @param portLo the lowest port replies come back to
     * @param portHi the highest
     */
    public record SnatRange(InetAddress address, int protocol, int portLo, int portHi)
    {
        /**
         * Checks the protocol and the port range.
         *
         * @throws IllegalArgumentException naming the bad value
         */
        public SnatRange
        {
            checkProtocol(protocol);
            if (portLo < 1 || portHi > 65535 || portLo > portHi)
            {
                throw new IllegalArgumentException("bad SNAT port range " + portLo + ".." + portHi);
            }
        }
    }

    /** The writer of a staged generation; dies with its commit. */
    public final class Generation
    {
        private final int gen;
        private final MirroredMap.Entries serviceEntries = new MirroredMap.Entries();
        private final MirroredMap.Entries rangeEntries = new MirroredMap.Entries();
        private final MirroredMap.Entries aclEntries = new MirroredMap.Entries();
        private int defaultAction = ACTION_DENY;
        private boolean done;

        private Generation(final int gen)
        {
            this.gen = gen;
        }

        /**
         * What frames to a service get when no access entry covers their source.
         *
         * @param action {@link #ACTION_ALLOW} or {@link #ACTION_DENY}
         * @return this writer
         */
        public Generation defaultAction(final int action)
        {
            checkAction(action);
            this.defaultAction = action;
            return this;
        }

        /**
         * A service on one port.
         *
         * @param vip the service's VIP
         * @param protocol {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}
         * @param port the port
         * @param service the service's index
         * @return this writer
         */
        public Generation service(final InetAddress vip, final int protocol, final int port, final int service)
        {
            checkOpen();
            checkProtocol(protocol);
            checkPort(port);
            try (Arena a = Arena.ofConfined())
            {
                final MemorySegment key = a.allocate(L4Layouts.SERVICE_KEY);
                key.set(JAVA_BYTE, 0, family(vip));
                key.set(JAVA_BYTE, 1, (byte)protocol);
                key.set(BE_SHORT, 2, (short)port);
                MemorySegment.copy(address(vip), 0, key, JAVA_BYTE, 4, L4Layouts.ADDRESS_BYTES);
                serviceEntries.put(key, serviceValue(a, service));
            }
            return this;
        }

        /**
         * A service on every port of {@code [portLo, portHi]}, written as the fewest aligned port prefixes.
         *
         * @param vip the service's VIP
         * @param protocol {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}
         * @param portLo the first port
         * @param portHi the last port
         * @param service the service's index
         * @return this writer
         */
        public Generation serviceRange(
            final InetAddress vip, final int protocol, final int portLo, final int portHi, final int service)
        {
            checkOpen();
            checkProtocol(protocol);
            checkPort(portLo);
            checkPort(portHi);
            if (portLo > portHi)
            {
                throw new IllegalArgumentException("descending port range " + portLo + ".." + portHi);
            }
            try (Arena a = Arena.ofConfined())
            {
                int p = portLo;
                while (p <= portHi)
                {
                    int bits = Integer.numberOfTrailingZeros(p | 0x10000);
                    while (bits > 0 && p + (1 << bits) - 1 > portHi)
                    {
                        bits--;
                    }
                    final MemorySegment key = a.allocate(L4Layouts.RANGE_KEY);
                    key.set(JAVA_INT, 0, L4Layouts.RANGE_PREFIX_BASE + 16 - bits);
                    key.set(JAVA_BYTE, 4, family(vip));
                    key.set(JAVA_BYTE, 5, (byte)protocol);
                    MemorySegment.copy(address(vip), 0, key, JAVA_BYTE, 6, L4Layouts.ADDRESS_BYTES);
                    key.set(BE_SHORT, 22, (short)p);
                    rangeEntries.put(key, serviceValue(a, service));
                    p += 1 << bits;
                }
            }
            return this;
        }

        /**
         * The access decision for sources in {@code prefix/prefixLength} to {@code service}: the first of
         * {@code segments} (at most {@value L4Layouts#ACL_SEGMENTS}) holding the destination port decides, else
         * {@code fallback}.
         *
         * @param service the service's index
         * @param prefix the source prefix's address
         * @param prefixLength its length
         * @param fallback the action when no segment holds the port
         * @param segments the port segments, in order
         * @return this writer
         */
        public Generation access(
            final int service, final InetAddress prefix, final int prefixLength, final int fallback,
            final List<AclSegment> segments)
        {
            checkOpen();
            checkAction(fallback);
            final int maxBits = prefix instanceof Inet4Address ? 32 : 128;
            if (prefixLength < 0 || prefixLength > maxBits)
            {
                throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0.." + maxBits);
            }
            final IpPrefix source = IpPrefix.of(IpAddress.of(prefix), prefixLength);
            return write(service, source, new L4AccessEncoding.Decision(fallback, segments));
        }

        /**
         * The compiled access entry {@code entry} of a service of {@code protocol}: what the XDP program checks.
         *
         * @param entry a compiled access entry
         * @param protocol the service's protocol
         * @return this writer
         */
        public Generation access(final AccessEntry entry, final L4Protocol protocol)
        {
            checkOpen();
            return write(entry.serviceIndex(), entry.source(), L4AccessEncoding.decision(entry, protocol));
        }

        private Generation write(final int service, final IpPrefix source, final L4AccessEncoding.Decision decision)
        {
            try (Arena a = Arena.ofConfined())
            {
                final MemorySegment key = a.allocate(L4Layouts.ACL_KEY);
                final MemorySegment value = a.allocate(L4Layouts.ACL_VALUE);
                L4AccessEncoding.writeKey(key, service, source);
                L4AccessEncoding.writeValue(value, decision);
                aclEntries.put(key, value);
            }
            return this;
        }

        /**
         * Makes this generation live as configuration {@code sequence} (1..2^32-1, what frames decided under it carry
         * in their metadata); the writer is done. Its entries first (what differs from what the generation's maps
         * held), then two map updates: the generation's own fields (frames do not look at them yet), then the
         * generation word alone, so a concurrent run reads either the old or the new generation and that generation's
         * fields complete. A map write the kernel refuses throws and leaves this generation not live; the next
         * {@link #stage()} may write it again.
         *
         * @param sequence the configuration's sequence, 1..2^32-1
         */
        public void commit(final long sequence)
        {
            if (sequence < 1 || sequence > 0xFFFF_FFFFL)
            {
                throw new IllegalArgumentException("a configuration sequence is 1..2^32-1, not " + sequence);
            }
            synchronized (L4Program.this)
            {
                checkOpen();
                try
                {
                    entryWrites += services[gen].replace(serviceEntries);
                    entryWrites += ranges[gen].replace(rangeEntries);
                    entryWrites += acl[gen].replace(aclEntries);
                    final boolean hasRanges = rangeEntries.size() > 0;
                    writeConfig(value ->
                    {
                        value.set(JAVA_BYTE, L4Layouts.CONFIG_DEFAULT_ACTION + gen, (byte)defaultAction);
                        value.set(JAVA_BYTE, L4Layouts.CONFIG_HAS_RANGES + gen, (byte)(hasRanges ? 1 : 0));
                        value.set(JAVA_INT, L4Layouts.CONFIG_SEQUENCE + 4L * gen, (int)sequence);
                    });
                    writeConfig(value -> value.set(JAVA_INT, L4Layouts.CONFIG_GENERATION, gen));
                    live = gen;
                    liveSequence = sequence;
                }
                finally
                {
                    // Over either way: after a write the kernel refused, the generation is not live and the next
                    // stage() starts over on it (a map the failure left half-written then loses what it should not
                    // hold before the rest is written).
                    staged = null;
                    done = true;
                }
            }
        }

        private void checkOpen()
        {
            if (done)
            {
                throw new IllegalStateException("generation " + gen + " was committed, or staged again since");
            }
        }
    }

    /**
     * A destination-port segment of an access decision.
     *
     * @param portLo the segment's first destination port
     * @param portHi its last
     * @param action {@link #ACTION_ALLOW}, {@link #ACTION_DENY} or {@link #ACTION_PUNT}
     */
    public record AclSegment(int portLo, int portHi, int action)
    {
        /**
         * Checks the ports and the action.
         *
         * @throws IllegalArgumentException naming the bad value
         */
        public AclSegment
        {
            checkPort(portLo);
            checkPort(portHi);
            checkAction(action);
        }
    }

    private MemorySegment serviceValue(final Arena a, final int service)
    {
        final MemorySegment value = a.allocate(L4Layouts.SERVICE_VALUE);
        value.set(JAVA_INT, 0, service);
        return value;
    }

    private static MemorySegment addrKey(final Arena a, final InetAddress address, final int protocol)
    {
        final MemorySegment key = a.allocate(L4Layouts.ADDR_KEY);
        key.set(JAVA_BYTE, 0, family(address));
        key.set(JAVA_BYTE, 1, (byte)protocol);
        MemorySegment.copy(address(address), 0, key, JAVA_BYTE, 4, L4Layouts.ADDRESS_BYTES);
        return key;
    }

    private static byte family(final InetAddress a)
    {
        return (byte)(a instanceof Inet4Address ? 4 : 6);
    }

    /** The address in the keys' 16-byte form. */
    private static byte[] address(final InetAddress a)
    {
        return java.util.Arrays.copyOf(a.getAddress(), L4Layouts.ADDRESS_BYTES);
    }

    private static void checkProtocol(final int protocol)
    {
        if (protocol != IPPROTO_TCP && protocol != IPPROTO_UDP)
        {
            throw new IllegalArgumentException("protocol must be TCP (6) or UDP (17), not " + protocol);
        }
    }

    private static void checkPort(final int port)
    {
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("port must be 1..65535, not " + port);
        }
    }

    private static void checkAction(final int action)
    {
        if (action != ACTION_DENY && action != ACTION_ALLOW && action != ACTION_PUNT)
        {
            throw new IllegalArgumentException("action must be deny (0), allow (1) or punt (2), not " + action);
        }
    }

    /**
     * {@return a counter summed over all CPUs}
     *
     * @param counter the counter
     */
    public long counter(final Counter counter)
    {
        return program.counter(counter.ordinal());
    }

    @Override
    public void close()
    {
        program.close();
    }
}
