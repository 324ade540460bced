package io.marchproxy.dataplane;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessPolicy;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.MaglevSelector;
import io.marchproxy.dataplane.conntrack.ExpiredFlowHandler;
import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTableCounter;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.nat.NatRewriter;
import io.marchproxy.dataplane.nat.SnatPortAllocator;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.PacketVerdict;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;
import io.marchproxy.dataplane.service.ServiceTable;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-packet path allocates nothing: parse, service match, access decision, flow lookup and update, NAT rewrite
 * with incremental checksums, TTL and MACs, plus a new flow's backend choice, SNAT port, insert and expiry, over
 * 100,000 packets after a warm-up, measured with the JVM's per-thread allocation counter.
 */
class PerPacketAllocationTest
{
    @Test
    void zeroBytesOverOneHundredThousandPackets()
    {
        final IpAddress vip = IpAddress.parse("192.0.2.10");
        final byte[] tcp = new FrameBuilder().addresses("198.51.100.7", "192.0.2.10").tcp(40000, 443, TcpHeader.ACK)
            .payload(20).frame();
        final ServiceTable services = ServiceTable.builder().add(vip, L4Protocol.TCP, PortRange.of(443), 3).build();
        final AccessPolicy access = AccessPolicy.compile(List.of(new AccessRule(1, AccessAction.ALLOW,
            List.of(IpPrefix.parse("198.51.100.0/24")), Set.of(3), EnumSet.of(L4Protocol.TCP), List.of(PortRange.ALL))),
            AccessAction.DENY);
        final List<Backend> backends = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            backends.add(new Backend(IpAddress.ipv4(0x0A00_0100 + i), 8443, 1, true));
        }
        final MaglevSelector maglev = new MaglevSelector(backends);
        final SnatPortAllocator ports = new SnatPortAllocator(new PortRange(20000, 59999));
        final int nodeAddress = IpAddress.parse("10.0.0.1").ipv4();
        final PacketParser parser = new PacketParser();
        final ParsedPacket packet = new ParsedPacket();
        final FlowTuple reply = new FlowTuple();
        final FlowTuple translation = new FlowTuple();
        final long[] sink = new long[1];

        try (Arena arena = Arena.ofConfined();
             FlowTable flows = new FlowTable(IpFamily.IPV4, 1024, FlowTimeouts.DEFAULTS))
        {
            final MemorySegment pristine = arena.allocate(tcp.length);
            MemorySegment.copy(MemorySegment.ofArray(tcp), 0, pristine, 0, tcp.length);
            final MemorySegment frame = arena.allocate(tcp.length);
            final ExpiredFlowHandler freePort = (table, expired) ->
            {
                ports.free(table.key(expired, 1, reply).destinationPort());
                maglev.flowClosed(table.backendIndex(expired));
            };
            final Runnable onePacket = () ->
            {
                MemorySegment.copy(pristine, 0, frame, 0, tcp.length);
                if (parser.parse(frame, 0, tcp.length, packet) != PacketVerdict.TCP)
                {
                    return;
                }
                final FlowTuple tuple = packet.tuple();
                int handle = flows.lookup(tuple);
                if (handle == FlowTable.NOT_FOUND)
                {
                    final int service = services.lookup(tuple);
                    if (service == ServiceTable.NO_SERVICE || access.decide(service, tuple) != AccessAction.ALLOW)
                    {
                        return;
                    }
                    final int backend = maglev.select(tuple.hash());
                    final Backend target = backends.get(backend);
                    final int port = ports.allocate();
                    reply.setIpv4(tuple.protocol(), target.address().ipv4(), target.port(), nodeAddress, port);
                    handle = flows.insert(tuple, reply, service, backend, 0, packet.tcpFlags(), tcp.length);
                    maglev.flowOpened(backend);
                }
                else
                {
                    flows.touch(handle, 1, tcp.length, packet.tcpFlags());
                }
                NatRewriter.rewriteFlow(packet, flows.translation(handle, translation));
                NatRewriter.decrementTtl(packet);
                NatRewriter.rewriteMacs(packet, 0x0200_0000_0001L, 0x0200_0000_0002L);
                sink[0] += frame.get(ValueLayout.JAVA_BYTE, 30) + 1;
                if ((sink[0] & 0xFFF) == 0)
                {
                    flows.expire(Long.MAX_VALUE, 16, freePort);
                }
            };
            for (int i = 0; i < 200_000; i++)
            {
                onePacket.run();
            }
            final long allocated = ThreadAllocation.bytesAllocatedBy(() ->
            {
                for (int i = 0; i < 100_000; i++)
                {
                    onePacket.run();
                }
            });
            assertEquals(0, allocated, "bytes allocated over 100,000 packets");
            assertEquals(flows.counters().get(FlowTableCounter.INSERTED) - 1,
                flows.counters().get(FlowTableCounter.EXPIRED),
                "flows were created, expired and created again on the way");
            assertEquals(ports.capacity() - 1, ports.available());
        }
    }
}
