package io.marchproxy.benchmarks.l4;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessPolicy;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.nat.NatRewriter;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.IpProtocol;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.service.ServiceTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The per-packet path of an established flow on a 74-byte IPv4 frame (UDP with 32 bytes of payload, TCP with 20):
 * parse, service match (1,000 services), access decision (64 rules of nested prefixes), flow-table hit (10,000 flows)
 * and update with the NAT rewrite of both addresses and ports, TTL and incremental IP and L4 checksums from the flow's
 * record ({@link FlowTable#hitAndRewrite}, as the forwarding pipeline does it), then the MACs
 * ({@link NatRewriter#rewriteMacs}). Each operation first copies the pristine frame into the working frame (a fresh RX
 * frame in real life); {@link #copyOnly} measures that copy alone. The other benchmarks break the path into its parts:
 * {@link #flowHit} and {@link #copyAndForward} are the same work done the long way, as the pipeline does it for a
 * flow's first packet (the translation read into a tuple, then rewritten with the checksum deltas computed).
 *
 * <p>{@link #perPacket} and {@link #establishedFlow} are compiled on their own, called from JMH's loop, as the
 * pipeline's per-frame work is called from its batch loop: JDK 25's C2 parses the body of JMH's measurement loop twice
 * (the compilation log shows the benchmark method inlined at the same bytecode twice), so a body inlined into that
 * loop gets half of C2's inlining budget ({@code NodeCountInliningCutoff}), and whether the parser or the flow table
 * fit in it depended on the order of compilation: forks of the same jar ran at 49 or at 57-60 ns/op. The call costs
 * both benchmarks its own few cycles.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PacketPathBenchmark
{
    private static final int FRAME_LENGTH = 74;
    private static final long SOURCE_MAC = 0x0200_0000_0003L;
    private static final long DESTINATION_MAC = 0x0200_0000_0004L;

    @Param({"UDP", "TCP"})
    String protocol;

    private Arena arena;
    private MemorySegment pristine;
    private MemorySegment frame;
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket packet = new ParsedPacket();
    private final ParsedPacket parsed = new ParsedPacket();
    private MemorySegment rewritten;
    private final FlowTuple translation = new FlowTuple();
    private ServiceTable services;
    private AccessPolicy access;
    private FlowTable flows;
    private int length;

    @Setup(Level.Trial)
    public void setUp()
    {
        final int ipProtocol = L4Protocol.valueOf(protocol).number();
        final IpAddress client = IpAddress.parse("198.51.100.7");
        final IpAddress vip = IpAddress.parse("192.0.2.10");
        arena = Arena.ofShared();
        pristine = arena.allocate(128, 64);
        frame = arena.allocate(128, 64);
        rewritten = arena.allocate(128, 64);
        length = BenchmarkFrames.write(pristine, ipProtocol, client.ipv4(), 40000, vip.ipv4(), 443,
            ipProtocol == IpProtocol.TCP ? 20 : 32);
        if (length != FRAME_LENGTH)
        {
            throw new IllegalStateException("frame of " + length + " bytes");
        }

        final SplittableRandom random = new SplittableRandom(74);
        final ServiceTable.Builder builder = ServiceTable.builder()
            .add(vip, L4Protocol.valueOf(protocol), PortRange.of(443), 3);
        for (int i = 0; i < 999; i++)
        {
            builder.add(IpAddress.ipv4(0x0A00_0000 | i), L4Protocol.TCP, PortRange.of(1000 + i), 100 + i);
        }
        services = builder.build();

        final List<AccessRule> rules = new ArrayList<>();
        for (int i = 0; i < 64; i++)
        {
            final int length = new int[] {8, 16, 24, 32}[i % 4];
            final IpAddress source = i % 8 == 0 ? client : IpAddress.ipv4(random.nextInt());
            rules.add(new AccessRule(i, i % 8 != 0 && i % 3 == 0 ? AccessAction.DENY : AccessAction.ALLOW,
                List.of(IpPrefix.of(source, length)), Set.of(3, 100 + i), EnumSet.allOf(L4Protocol.class),
                List.of(new PortRange(1, 1000 + i * 7), PortRange.of(8080))));
        }
        rules.add(new AccessRule(1000, AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0")), Set.of(3),
            EnumSet.allOf(L4Protocol.class), List.of(PortRange.ALL)));
        access = AccessPolicy.compile(rules, AccessAction.DENY);

        flows = new FlowTable(IpFamily.IPV4, 65_536, FlowTimeouts.DEFAULTS);
        final FlowTuple original = new FlowTuple();
        final FlowTuple reply = new FlowTuple();
        for (int i = 0; i < 10_000; i++)
        {
            original.setIpv4(ipProtocol, random.nextInt(), 1024 + i, vip.ipv4(), 443);
            reply.setIpv4(ipProtocol, 0x0A00_0107, 8443, 0x0A00_0001, 20000 + i);
            flows.insert(original, reply, 3, i % 10, 0, 0, 60);
        }
        original.setIpv4(ipProtocol, client.ipv4(), 40000, vip.ipv4(), 443);
        reply.setIpv4(ipProtocol, 0x0A00_0107, 8443, 0x0A00_0001, 19999);
        if (flows.insert(original, reply, 3, 7, 0, 0, 60) < 0 || access.decide(3, original) != AccessAction.ALLOW)
        {
            throw new IllegalStateException("set-up: the benchmark flow must be tracked and allowed");
        }
        MemorySegment.copy(pristine, 0, rewritten, 0, FRAME_LENGTH);
        parser.parse(rewritten, 0, FRAME_LENGTH, parsed);
        flows.translation(flows.lookup(parsed.tuple()), translation);
        // The path and the long way its parts take must write the same frame.
        perPacket();
        NatRewriter.forward(parsed, translation, SOURCE_MAC, DESTINATION_MAC);
        if (frame.asSlice(0, FRAME_LENGTH).mismatch(rewritten.asSlice(0, FRAME_LENGTH)) >= 0)
        {
            throw new IllegalStateException("set-up: hitAndRewrite and the long way write different frames");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        flows.close();
        arena.close();
    }

    /** Copy, parse, service, access, flow hit and update with the NAT rewrite and TTL, MACs. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int perPacket()
    {
        MemorySegment.copy(pristine, 0, frame, 0, FRAME_LENGTH);
        parser.parse(frame, 0, FRAME_LENGTH, packet);
        final FlowTuple tuple = packet.tuple();
        final int service = services.lookup(tuple);
        final AccessAction action = access.decide(service, tuple);
        final int handle = flows.hitAndRewrite(tuple, 0, 1, FRAME_LENGTH, packet.tcpFlags(), packet);
        NatRewriter.rewriteMacs(packet, SOURCE_MAC, DESTINATION_MAC);
        return service + action.ordinal() + handle;
    }

    /** The same without service and access: what a packet of an established flow needs. */
    @Benchmark
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public int establishedFlow()
    {
        MemorySegment.copy(pristine, 0, frame, 0, FRAME_LENGTH);
        parser.parse(frame, 0, FRAME_LENGTH, packet);
        final int handle = flows.hitAndRewrite(packet.tuple(), 0, 1, FRAME_LENGTH, packet.tcpFlags(), packet);
        NatRewriter.rewriteMacs(packet, SOURCE_MAC, DESTINATION_MAC);
        return handle;
    }

    /** The copy alone: subtract it from the others for the cost of the path itself. */
    @Benchmark
    public MemorySegment copyOnly()
    {
        MemorySegment.copy(pristine, 0, frame, 0, FRAME_LENGTH);
        return frame;
    }

    /** Copy and parse. */
    @Benchmark
    public Object copyAndParse()
    {
        MemorySegment.copy(pristine, 0, frame, 0, FRAME_LENGTH);
        return parser.parse(frame, 0, FRAME_LENGTH, packet);
    }

    /** Service match and access decision for the parsed tuple. */
    @Benchmark
    public Object serviceAndAccess()
    {
        return access.decide(services.lookup(parsed.tuple()), parsed.tuple());
    }

    /** Flow lookup, counters and state, translation for the parsed tuple, as the pipeline does it (one call). */
    @Benchmark
    public int flowHit()
    {
        return flows.hit(parsed.tuple(), 0, 1, FRAME_LENGTH, parsed.tcpFlags(), translation);
    }

    /** Copy (which restores the TTL) and the fused NAT rewrite of the parsed frame. */
    @Benchmark
    public boolean copyAndForward()
    {
        MemorySegment.copy(pristine, 0, rewritten, 0, FRAME_LENGTH);
        return NatRewriter.forward(parsed, translation, SOURCE_MAC, DESTINATION_MAC);
    }
}
