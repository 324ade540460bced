package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.xsk.FramePool;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskSocket;
import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.LabHost;
import io.marchproxy.lab.ServerReply;
import io.marchproxy.lab.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A storm of malformed frames of every kind the parser knows, sent from a client namespace at the VIPs (built by hand
 * and transmitted through an AF_XDP socket there, so nothing fixes them on the way), while a second client keeps
 * making real requests: every malformed frame is dropped and counted by its reason (in the Java parser, or as
 * malformed by the XDP program when not even the addresses can be read), none reaches a backend, and the good traffic
 * never fails.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class L4ProxyMalformedTest
{
    private static final int EACH = 200;
    private static final int IPV4 = 0x0800;
    private static final int IPV6 = 0x86DD;
    private static final int TCP = 6;
    private static final int UDP = 17;

    @Test
    void everyMalformedFrameIsDroppedAndCountedWhileGoodTrafficFlows() throws Exception
    {
        try (L4Lab lab = L4Lab.create(2, 2))
        {
            lab.startServers(Transport.TCP, 8080, ServerReply.NAME);
            lab.startServers(Transport.UDP, 5353, ServerReply.NAME);
            try (L4Proxy proxy = L4Proxy.start(lab.node(), ProxySettings.of(lab.front().name(), lab.back().name(),
                IpAddress.of(lab.back().ipv4()), IpAddress.of(lab.back().ipv6())),
                L4ProxyLabTest.config(lab, 1, AccessAction.ALLOW, true)))
            {
                final LabClient good = new LabClient(lab.clients().get(1));
                final InetSocketAddress web = new InetSocketAddress(L4Lab.vip4(1), 80);
                awaitServed(good, web);
                final long servedBefore = lab.backends().size();

                final Map<DropReason, byte[]> storm = frames(lab);
                final Map<DropReason, Long> before = new EnumMap<>(DropReason.class);
                storm.keySet().forEach(r -> before.put(r, proxy.drops().get(r)));
                final long xdpMalformed = proxy.program().counter(L4Program.Counter.MALFORMED);

                final AtomicInteger ok = new AtomicInteger();
                final AtomicInteger failed = new AtomicInteger();
                final Thread requests = new Thread(() ->
                {
                    for (int i = 0; i < 40; i++)
                    {
                        try
                        {
                            if (good.tcp(web, "x", Duration.ofSeconds(2)).startsWith("backend"))
                            {
                                ok.incrementAndGet();
                            }
                        }
                        catch (final Exception ex)
                        {
                            failed.incrementAndGet();
                        }
                    }
                });
                requests.start();
                final int truncated = send(lab.clients().get(0), storm, truncatedIp(lab));
                requests.join(60_000);

                final Map<DropReason, Long> expected = new EnumMap<>(DropReason.class);
                final Map<DropReason, Long> counted = new EnumMap<>(DropReason.class);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                for (final DropReason r : storm.keySet())
                {
                    while (proxy.drops().get(r) - before.get(r) < EACH && System.nanoTime() < deadline)
                    {
                        Thread.sleep(10);
                    }
                    expected.put(r, (long)EACH);
                    counted.put(r, proxy.drops().get(r) - before.get(r));
                }
                assertEquals(expected, counted, "frames of each kind dropped and counted in the Java parser");
                assertTrue(proxy.program().counter(L4Program.Counter.MALFORMED) - xdpMalformed >= truncated,
                    "frames cut off before their addresses are counted malformed by the XDP program");
                assertEquals(40, ok.get(), "good requests during the storm (" + failed.get() + " failed)");
                assertEquals(0, failed.get());
                assertTrue(servedBefore > 0);
            }
        }
    }

    private static void awaitServed(final LabClient client, final InetSocketAddress to) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline)
        {
            try
            {
                if (client.tcp(to, "x", Duration.ofSeconds(1)).startsWith("backend"))
                {
                    return;
                }
            }
            catch (final Exception ex)
            {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("the VIP never answered");
    }

    /** Transmits {@value #EACH} copies of every frame, and of {@code extra}, from {@code host}; returns extra's count. */
    private static int send(final LabHost host, final Map<DropReason, byte[]> frames, final byte[] extra)
        throws Exception
    {
        final List<byte[]> all = new ArrayList<>(frames.values());
        all.add(extra);
        try (Umem umem = Umem.allocate(4096, 2048, 0);
            XskSocket socket = host.namespace().call(() -> XskSocket.builder(umem)
                .interfaceName(host.link().name()).queue(0).rxSize(0).txSize(1024).open()))
        {
            final FramePool pool = umem.pool();
            final MemorySegment mem = umem.segment();
            int queued = 0;
            final int total = EACH * all.size();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while ((queued < total || socket.txInFlight() > 0) && System.nanoTime() < deadline)
            {
                for (int i = 0; i < 64 && queued < total; i++)
                {
                    final long frame = pool.acquire();
                    if (frame == FramePool.NO_FRAME)
                    {
                        break;
                    }
                    final byte[] bytes = all.get(queued % all.size());
                    MemorySegment.copy(bytes, 0, mem, JAVA_BYTE, frame, bytes.length);
                    if (!socket.transmit(frame, bytes.length))
                    {
                        pool.release(frame);
                        break;
                    }
                    queued++;
                }
                socket.flush();
                socket.complete();
                Thread.sleep(1);
            }
            assertEquals(total, queued, "frames queued for transmission");
            return EACH;
        }
    }

    /** One frame of each kind, all aimed at the lab's VIPs through the node's front interface. */
    private static Map<DropReason, byte[]> frames(final L4Lab lab)
    {
        final byte[] dst = lab.front().mac().octets();
        final byte[] src = lab.clients().get(0).link().mac().octets();
        final byte[] s4 = lab.clients().get(0).link().ipv4().getAddress();
        final byte[] d4 = L4Lab.vip4(1).getAddress();
        final byte[] s6 = lab.clients().get(0).link().ipv6().getAddress();
        final byte[] d6 = L4Lab.vip6(1).getAddress();
        final Map<DropReason, byte[]> out = new EnumMap<>(DropReason.class);
        // IHL 4: below the minimum.
        out.put(DropReason.IPV4_BAD_IHL, eth(dst, src, IPV4, ipv4(0x44, 40, 0, TCP, s4, d4, tcp(80, 0x02, 5))));
        // Total length past the frame.
        out.put(DropReason.IPV4_BAD_TOTAL_LENGTH, eth(dst, src, IPV4, ipv4(0x45, 1000, 0, TCP, s4, d4,
            tcp(80, 0x02, 5))));
        // Version nibble 6 behind the IPv4 EtherType.
        out.put(DropReason.IPV4_BAD_VERSION, eth(dst, src, IPV4, ipv4(0x65, 40, 0, TCP, s4, d4, tcp(80, 0x02, 5))));
        // A later fragment (offset 800 bytes) and a first fragment (MF) of a UDP datagram.
        out.put(DropReason.LATER_FRAGMENT, eth(dst, src, IPV4, ipv4(0x45, 28, 100, UDP, s4, d4, udp(53, 8))));
        out.put(DropReason.FIRST_FRAGMENT, eth(dst, src, IPV4, ipv4(0x45, 28, 0x2000, UDP, s4, d4, udp(53, 8))));
        // 10 bytes of TCP header.
        out.put(DropReason.TCP_TRUNCATED, eth(dst, src, IPV4, ipv4(0x45, 30, 0, TCP, s4, d4,
            java.util.Arrays.copyOf(tcp(80, 0x02, 5), 10))));
        // Data offset 15 words with 20 bytes there.
        out.put(DropReason.TCP_BAD_DATA_OFFSET, eth(dst, src, IPV4, ipv4(0x45, 40, 0, TCP, s4, d4,
            tcp(80, 0x02, 15))));
        // UDP length 4.
        out.put(DropReason.UDP_BAD_LENGTH, eth(dst, src, IPV4, ipv4(0x45, 28, 0, UDP, s4, d4, udp(53, 4))));
        // A destination unreachable quoting only 8 bytes of an IP header.
        final byte[] icmp = new byte[16];
        icmp[0] = 3;
        icmp[1] = 3;
        icmp[8] = 0x45;
        out.put(DropReason.ICMP_EMBEDDED_TRUNCATED, eth(dst, src, IPV4, ipv4(0x45, 36, 0, 1, s4, d4, icmp)));
        // IPv6 with nine destination-options headers before TCP: longer than the parser walks.
        final ByteBuffer chain = ByteBuffer.allocate(9 * 8 + 20);
        for (int i = 0; i < 9; i++)
        {
            chain.put((byte)(i < 8 ? 60 : TCP)).put((byte)0).put(new byte[6]);
        }
        chain.put(tcp(80, 0x02, 5));
        out.put(DropReason.IPV6_EXTENSION_CHAIN_TOO_LONG, eth(dst, src, IPV6, ipv6(60, s6, d6, chain.array())));
        return out;
    }

    /** An IPv4 header cut off after 10 bytes: the XDP program cannot even read the addresses. */
    private static byte[] truncatedIp(final L4Lab lab)
    {
        return eth(lab.front().mac().octets(), lab.clients().get(0).link().mac().octets(), IPV4,
            new byte[]{0x45, 0, 0, 40, 0, 0, 0, 0, 64, TCP});
    }

    private static byte[] eth(final byte[] dst, final byte[] src, final int type, final byte[] payload)
    {
        return ByteBuffer.allocate(14 + payload.length).put(dst).put(src).putShort((short)type).put(payload).array();
    }

    private static byte[] ipv4(final int versionIhl, final int totalLength, final int fragment, final int protocol,
        final byte[] src, final byte[] dst, final byte[] l4)
    {
        return ByteBuffer.allocate(20 + l4.length).put((byte)versionIhl).put((byte)0).putShort((short)totalLength)
            .putShort((short)7).putShort((short)fragment).put((byte)64).put((byte)protocol).putShort((short)0)
            .put(src).put(dst).put(l4).array();
    }

    private static byte[] ipv6(final int nextHeader, final byte[] src, final byte[] dst, final byte[] payload)
    {
        return ByteBuffer.allocate(40 + payload.length).putInt(0x6000_0000).putShort((short)payload.length)
            .put((byte)nextHeader).put((byte)64).put(src).put(dst).put(payload).array();
    }

    private static byte[] tcp(final int port, final int flags, final int dataOffsetWords)
    {
        return ByteBuffer.allocate(20).putShort((short)40000).putShort((short)port).putInt(1).putInt(0)
            .put((byte)(dataOffsetWords << 4)).put((byte)flags).putShort((short)65535).putInt(0).array();
    }

    private static byte[] udp(final int port, final int length)
    {
        return ByteBuffer.allocate(8).putShort((short)40001).putShort((short)port).putShort((short)length)
            .putShort((short)0).array();
    }
}
