package io.marchproxy.dataplane.packet;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds test frames byte by byte with every checksum computed by {@link ReferenceChecksum}: Ethernet with VLAN tags,
 * IPv4 with options and fragment bits, IPv6 with extension headers, TCP, UDP, ICMP/ICMPv6 (errors quote another
 * built packet). Tests only; clarity over speed.
 */
public final class FrameBuilder
{
    private long sourceMac = 0x02_00_00_00_00_01L;
    private long destinationMac = 0x02_00_00_00_00_02L;
    private final List<int[]> vlanTags = new ArrayList<>();
    private IpAddress source = IpAddress.parse("10.0.0.1");
    private IpAddress destination = IpAddress.parse("10.0.0.2");
    private int ttl = 64;
    private byte[] ipv4Options = new byte[0];
    private int ipv4FragmentWord;
    private final List<byte[]> ipv6Extensions = new ArrayList<>();
    private final List<Integer> ipv6ExtensionTypes = new ArrayList<>();
    private int protocol = IpProtocol.UDP;
    private int sourcePort = 1000;
    private int destinationPort = 2000;
    private int tcpFlags = TcpHeader.SYN;
    private byte[] tcpOptions = new byte[0];
    private int icmpType = -1;
    private int icmpCode;
    private int icmpRest;
    private byte[] quoted = new byte[0];
    private byte[] payload = new byte[0];
    private boolean udpWithoutChecksum;

    public FrameBuilder macs(final long source, final long destination)
    {
        this.sourceMac = source;
        this.destinationMac = destination;
        return this;
    }

    /** Adds a VLAN tag with TPID {@code tpid} (0x8100, 0x88A8) and VLAN id {@code id}; the first is the outer one. */
    public FrameBuilder vlan(final int tpid, final int id)
    {
        vlanTags.add(new int[] {tpid, id});
        return this;
    }

    public FrameBuilder addresses(final String source, final String destination)
    {
        this.source = IpAddress.parse(source);
        this.destination = IpAddress.parse(destination);
        return this;
    }

    public FrameBuilder ttl(final int ttl)
    {
        this.ttl = ttl;
        return this;
    }

    public FrameBuilder ipv4Options(final byte[] options)
    {
        this.ipv4Options = options.clone();
        return this;
    }

    public FrameBuilder ipv4FragmentWord(final int word)
    {
        this.ipv4FragmentWord = word;
        return this;
    }

    /** Appends an IPv6 extension header of {@code type}; {@code body} is its bytes after the next-header byte. */
    public FrameBuilder ipv6Extension(final int type, final byte[] body)
    {
        ipv6ExtensionTypes.add(type);
        ipv6Extensions.add(body.clone());
        return this;
    }

    public FrameBuilder udp(final int sourcePort, final int destinationPort)
    {
        this.protocol = IpProtocol.UDP;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        return this;
    }

    public FrameBuilder udpWithoutChecksum()
    {
        this.udpWithoutChecksum = true;
        return this;
    }

    public FrameBuilder tcp(final int sourcePort, final int destinationPort, final int flags)
    {
        this.protocol = IpProtocol.TCP;
        this.sourcePort = sourcePort;
        this.destinationPort = destinationPort;
        this.tcpFlags = flags;
        return this;
    }

    public FrameBuilder tcpOptions(final byte[] options)
    {
        this.tcpOptions = options.clone();
        return this;
    }

    /** An ICMP (IPv4) or ICMPv6 (IPv6) message; an error quotes {@code quoted}, an IP packet without Ethernet. */
    public FrameBuilder icmp(final int type, final int code, final int rest, final byte[] quoted)
    {
        this.protocol = source.family() == IpFamily.IPV4 ? IpProtocol.ICMP : IpProtocol.ICMPV6;
        this.icmpType = type;
        this.icmpCode = code;
        this.icmpRest = rest;
        this.quoted = quoted.clone();
        return this;
    }

    /** Any other IP protocol with {@code payload} as its bytes. */
    public FrameBuilder otherProtocol(final int protocol)
    {
        this.protocol = protocol;
        return this;
    }

    public FrameBuilder payload(final byte[] payload)
    {
        this.payload = payload.clone();
        return this;
    }

    public FrameBuilder payload(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(i * 7 + 3);
        }
        return payload(bytes);
    }

    /** The whole frame. */
    public byte[] frame()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBits(out, destinationMac, 48);
        writeBits(out, sourceMac, 48);
        for (final int[] tag : vlanTags)
        {
            writeBits(out, tag[0], 16);
            writeBits(out, tag[1], 16);
        }
        writeBits(out, source.family() == IpFamily.IPV4 ? 0x0800 : 0x86DD, 16);
        out.writeBytes(ipPacket());
        return out.toByteArray();
    }

    /** The frame in a fresh heap segment. */
    public MemorySegment segment()
    {
        return MemorySegment.ofArray(frame());
    }

    /** The IP packet (no Ethernet header), e.g. to be quoted by an ICMP error. */
    public byte[] ipPacket()
    {
        final byte[] transport = transport();
        return source.family() == IpFamily.IPV4 ? ipv4(transport) : ipv6(transport);
    }

    private byte[] transport()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int checksumOffset = -1;
        if (protocol == IpProtocol.UDP)
        {
            writeBits(out, sourcePort, 16);
            writeBits(out, destinationPort, 16);
            writeBits(out, 8 + payload.length, 16);
            writeBits(out, 0, 16);
            checksumOffset = 6;
        }
        else if (protocol == IpProtocol.TCP)
        {
            writeBits(out, sourcePort, 16);
            writeBits(out, destinationPort, 16);
            writeBits(out, 0x0102_0304L, 32);
            writeBits(out, (tcpFlags & TcpHeader.ACK) != 0 ? 0x0A0B_0C0DL : 0, 32);
            writeBits(out, (long)(5 + tcpOptions.length / 4) << 4, 8);
            writeBits(out, tcpFlags, 8);
            writeBits(out, 65535, 16);
            writeBits(out, 0, 16);
            writeBits(out, 0, 16);
            out.writeBytes(tcpOptions);
            checksumOffset = 16;
        }
        else if (icmpType >= 0)
        {
            writeBits(out, icmpType, 8);
            writeBits(out, icmpCode, 8);
            writeBits(out, 0, 16);
            writeBits(out, icmpRest, 32);
            out.writeBytes(quoted);
            checksumOffset = 2;
        }
        out.writeBytes(payload);
        final byte[] bytes = out.toByteArray();
        if (checksumOffset >= 0 && !(protocol == IpProtocol.UDP && udpWithoutChecksum))
        {
            int checksum = protocol == IpProtocol.ICMP
                ? ReferenceChecksum.of(bytes)
                : ReferenceChecksum.of(pseudoHeader(bytes.length), bytes);
            if (protocol == IpProtocol.UDP && checksum == 0)
            {
                checksum = 0xFFFF;
            }
            bytes[checksumOffset] = (byte)(checksum >>> 8);
            bytes[checksumOffset + 1] = (byte)checksum;
        }
        return bytes;
    }

    private byte[] pseudoHeader(final int length)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(source.toBytes());
        out.writeBytes(destination.toBytes());
        if (source.family() == IpFamily.IPV4)
        {
            writeBits(out, 0, 8);
            writeBits(out, protocol, 8);
            writeBits(out, length, 16);
        }
        else
        {
            writeBits(out, length, 32);
            writeBits(out, 0, 24);
            writeBits(out, protocol, 8);
        }
        return out.toByteArray();
    }

    private byte[] ipv4(final byte[] transport)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int headerLength = 20 + ipv4Options.length;
        writeBits(out, 0x40 | (headerLength / 4), 8);
        writeBits(out, 0, 8);
        writeBits(out, headerLength + transport.length, 16);
        writeBits(out, 0x1234, 16);
        writeBits(out, ipv4FragmentWord, 16);
        writeBits(out, ttl, 8);
        writeBits(out, protocol, 8);
        writeBits(out, 0, 16);
        out.writeBytes(source.toBytes());
        out.writeBytes(destination.toBytes());
        out.writeBytes(ipv4Options);
        final byte[] header = out.toByteArray();
        final int checksum = ReferenceChecksum.of(header);
        header[10] = (byte)(checksum >>> 8);
        header[11] = (byte)checksum;
        final ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.writeBytes(header);
        packet.writeBytes(transport);
        return packet.toByteArray();
    }

    private byte[] ipv6(final byte[] transport)
    {
        final ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        for (int i = 0; i < ipv6Extensions.size(); i++)
        {
            final int next = i + 1 < ipv6Extensions.size() ? ipv6ExtensionTypes.get(i + 1) : protocol;
            writeBits(extensions, next, 8);
            extensions.writeBytes(ipv6Extensions.get(i));
        }
        final byte[] chain = extensions.toByteArray();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        writeBits(out, 0x6000_0000L, 32);
        writeBits(out, chain.length + transport.length, 16);
        writeBits(out, ipv6Extensions.isEmpty() ? protocol : ipv6ExtensionTypes.get(0), 8);
        writeBits(out, ttl, 8);
        out.writeBytes(source.toBytes());
        out.writeBytes(destination.toBytes());
        out.writeBytes(chain);
        out.writeBytes(transport);
        return out.toByteArray();
    }

    private static void writeBits(final ByteArrayOutputStream out, final long value, final int bits)
    {
        for (int shift = bits - 8; shift >= 0; shift -= 8)
        {
            out.write((int)(value >>> shift) & 0xFF);
        }
    }

    /** A random address of the family ({@code 0.0.0.0} for the rare IPv4 draw that is not one), as text. */
    public static String randomAddress(final java.util.SplittableRandom random, final boolean v6)
    {
        if (v6)
        {
            return IpAddress.ipv6(random.nextLong(), random.nextLong()).toString();
        }
        final IpAddress address = IpAddress.ipv4(random.nextInt());
        return address.family() == IpFamily.IPV4 ? address.toString() : "0.0.0.0";
    }

    /** The TCP or UDP tuple {@code addresses[0]:ports[0] -> addresses[1]:ports[1]}. */
    public static io.marchproxy.dataplane.net.FlowTuple tuple(
        final boolean tcp, final String[] addresses, final int[] ports)
    {
        return new io.marchproxy.dataplane.net.FlowTuple().set(tcp ? IpProtocol.TCP : IpProtocol.UDP,
            IpAddress.parse(addresses[0]), ports[0], IpAddress.parse(addresses[1]), ports[1]);
    }

    /** Hex of {@code bytes}, for assertion messages. */
    public static String hex(final byte[] bytes)
    {
        return HexFormat.of().formatHex(bytes);
    }

    /** Bytes of a hex string (spaces allowed). */
    public static byte[] bytes(final String hex)
    {
        return HexFormat.of().parseHex(hex.replace(" ", "").replace("\n", ""));
    }
}
