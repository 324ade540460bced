package io.marchproxy.dataplane.xsk;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/** Ethernet/IPv4/UDP frames written and rewritten in place in UMEM memory, with real checksums, for the tests. */
final class UdpFrames
{
    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;
    static final int HEADERS = ETH + IP + UDP;

    private static final ValueLayout.OfShort NET_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private UdpFrames()
    {
    }

    static byte[] ip(final String dotted)
    {
        try
        {
            return InetAddress.getByName(dotted).getAddress();
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(dotted, ex);
        }
    }

    /** Writes a whole frame at {@code at} and returns its length. */
    static int write(final MemorySegment seg, final long at, final byte[] dstMac, final byte[] srcMac,
        final byte[] srcIp, final byte[] dstIp, final int srcPort, final int dstPort, final byte[] payload)
    {
        final int length = HEADERS + payload.length;
        MemorySegment.copy(dstMac, 0, seg, JAVA_BYTE, at, 6);
        MemorySegment.copy(srcMac, 0, seg, JAVA_BYTE, at + 6, 6);
        seg.set(NET_SHORT, at + 12, (short)0x0800);
        final long ip = at + ETH;
        seg.set(JAVA_BYTE, ip, (byte)0x45);
        seg.set(JAVA_BYTE, ip + 1, (byte)0);
        seg.set(NET_SHORT, ip + 2, (short)(IP + UDP + payload.length));
        seg.set(NET_SHORT, ip + 4, (short)0);
        seg.set(NET_SHORT, ip + 6, (short)0x4000);
        seg.set(JAVA_BYTE, ip + 8, (byte)64);
        seg.set(JAVA_BYTE, ip + 9, (byte)17);
        MemorySegment.copy(srcIp, 0, seg, JAVA_BYTE, ip + 12, 4);
        MemorySegment.copy(dstIp, 0, seg, JAVA_BYTE, ip + 16, 4);
        final long udp = ip + IP;
        seg.set(NET_SHORT, udp, (short)srcPort);
        seg.set(NET_SHORT, udp + 2, (short)dstPort);
        seg.set(NET_SHORT, udp + 4, (short)(UDP + payload.length));
        MemorySegment.copy(payload, 0, seg, JAVA_BYTE, udp + UDP, payload.length);
        fixChecksums(seg, at);
        return length;
    }

    /** Rewrites addresses of the frame at {@code at} (for forwarding) and recomputes both checksums. */
    static void readdress(final MemorySegment seg, final long at, final byte[] dstMac, final byte[] srcMac,
        final byte[] srcIp, final byte[] dstIp)
    {
        MemorySegment.copy(dstMac, 0, seg, JAVA_BYTE, at, 6);
        MemorySegment.copy(srcMac, 0, seg, JAVA_BYTE, at + 6, 6);
        MemorySegment.copy(srcIp, 0, seg, JAVA_BYTE, at + ETH + 12, 4);
        MemorySegment.copy(dstIp, 0, seg, JAVA_BYTE, at + ETH + 16, 4);
        fixChecksums(seg, at);
    }

    static void fixChecksums(final MemorySegment seg, final long at)
    {
        final long ip = at + ETH;
        seg.set(NET_SHORT, ip + 10, (short)0);
        seg.set(NET_SHORT, ip + 10, (short)fold(sum(seg, ip, IP, 0)));
        final long udp = ip + IP;
        final int udpLength = seg.get(NET_SHORT, udp + 4) & 0xffff;
        seg.set(NET_SHORT, udp + 6, (short)0);
        long pseudo = sum(seg, ip + 12, 8, 0) + 17 + udpLength;
        int checksum = fold(sum(seg, udp, udpLength, pseudo));
        seg.set(NET_SHORT, udp + 6, (short)(checksum == 0 ? 0xffff : checksum));
    }

    static int udpDestinationPort(final MemorySegment seg, final long at)
    {
        return seg.get(NET_SHORT, at + ETH + IP + 2) & 0xffff;
    }

    private static long sum(final MemorySegment seg, final long from, final int length, final long initial)
    {
        long sum = initial;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += seg.get(NET_SHORT, from + i) & 0xffff;
        }
        if ((length & 1) != 0)
        {
            sum += (seg.get(JAVA_BYTE, from + length - 1) & 0xff) << 8;
        }
        return sum;
    }

    private static int fold(final long sum)
    {
        long s = sum;
        while ((s >>> 16) != 0)
        {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int)(~s & 0xffff);
    }
}
