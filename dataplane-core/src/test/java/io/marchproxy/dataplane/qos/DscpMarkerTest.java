package io.marchproxy.dataplane.qos;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.packet.FrameBuilder;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.PacketVerdict;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.ReferenceChecksum;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** DSCP marking against headers checksummed from scratch: every DSCP over every TOS, both families. */
class DscpMarkerTest
{
    private final PacketParser parser = new PacketParser(SingleWriterCounters.forEnum(DropReason.class));
    private final ParsedPacket packet = new ParsedPacket();

    @Test
    void ipv4TosKeepsEcnAndTheHeaderChecksumStaysRight()
    {
        for (final int ecn : new int[]{0, 1, 2, 3})
        {
            for (int dscp = 0; dscp < 64; dscp++)
            {
                final byte[] frame = new FrameBuilder().addresses("10.1.0.1", "10.2.0.2").ipv4Options(new byte[]{1, 1,
                    1, 0}).tcp(40000, 80, 0x18).payload(33).frame();
                frame[14 + 1] = (byte)((0x28 << 2) | ecn); // a TOS some host already set (AF11-ish, with ECN)
                fixIpv4Checksum(frame);
                final byte[] before = frame.clone();
                assertEquals(PacketVerdict.TCP, parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet));
                DscpMarker.mark(packet, dscp);
                assertEquals(dscp, DscpMarker.dscp(packet));
                assertEquals((dscp << 2) | ecn, frame[15] & 0xFF, "TOS");
                final int written = ((frame[24] & 0xFF) << 8) | (frame[25] & 0xFF);
                fixIpv4Checksum(frame);
                assertEquals(((frame[24] & 0xFF) << 8) | (frame[25] & 0xFF), written, "incremental = full checksum");
                before[15] = frame[15];
                before[24] = frame[24];
                before[25] = frame[25];
                assertArrayEquals(before, frame, "nothing else changed");
            }
        }
    }

    @Test
    void ipv6TrafficClassKeepsVersionEcnAndFlowLabel()
    {
        for (int dscp = 0; dscp < 64; dscp++)
        {
            final byte[] frame = new FrameBuilder().addresses("2001:db8::1", "2001:db8::2").udp(5000, 53).payload(12)
                .frame();
            frame[14] = 0x6A;                       // version 6, traffic class high nibble 0xA
            frame[15] = (byte)0x7C;                 // traffic class low nibble 0x7 (ECN 11), flow label 0xC....
            frame[16] = 0x12;
            frame[17] = 0x34;
            final byte[] before = frame.clone();
            assertEquals(PacketVerdict.UDP, parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet));
            DscpMarker.mark(packet, dscp);
            assertEquals(dscp, DscpMarker.dscp(packet));
            final int trafficClass = ((frame[14] & 0x0F) << 4) | ((frame[15] & 0xF0) >>> 4);
            assertEquals((dscp << 2) | 0x3, trafficClass);
            assertEquals(6, (frame[14] & 0xF0) >>> 4, "version");
            assertEquals(0xC1234, ((frame[15] & 0x0F) << 16) | ((frame[16] & 0xFF) << 8) | (frame[17] & 0xFF));
            before[14] = frame[14];
            before[15] = frame[15];
            assertArrayEquals(before, frame);
        }
    }

    @Test
    void markingTheSameDscpChangesNothing()
    {
        final byte[] frame = new FrameBuilder().udp(1, 2).payload(4).frame();
        final byte[] before = frame.clone();
        parser.parse(MemorySegment.ofArray(frame), 0, frame.length, packet);
        DscpMarker.mark(packet, DscpMarker.dscp(packet));
        assertArrayEquals(before, frame);
        DscpMarker.mark(packet, 46);
        assertNotEquals(Arrays.toString(before), Arrays.toString(frame));
    }

    private static void fixIpv4Checksum(final byte[] frame)
    {
        final int ihl = (frame[14] & 0x0F) * 4;
        frame[24] = 0;
        frame[25] = 0;
        final int sum = ReferenceChecksum.of(Arrays.copyOfRange(frame, 14, 14 + ihl));
        frame[24] = (byte)(sum >>> 8);
        frame[25] = (byte)sum;
    }
}
