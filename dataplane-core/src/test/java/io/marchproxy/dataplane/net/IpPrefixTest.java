package io.marchproxy.dataplane.net;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpPrefixTest
{
    @Test
    void parsesMasksAndPrintsBothFamilies()
    {
        assertEquals("10.0.0.0/8", IpPrefix.parse("10.1.2.3/8").toString());
        assertEquals(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("10.255.0.1/8"));
        assertEquals("192.0.2.1/32", IpPrefix.parse("192.0.2.1").toString());
        assertEquals("0.0.0.0/0", IpPrefix.parse("1.2.3.4/0").toString());
        assertEquals("2001:db8:0:0:0:0:0:0/32", IpPrefix.parse("2001:db8:1::5/32").toString());
        assertEquals(128, IpPrefix.parse("::1").length());
        final IpPrefix p65 = IpPrefix.parse("2001:db8::ffff:ffff:ffff:ffff/65");
        assertEquals(0x8000_0000_0000_0000L, p65.lo());
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("::/129"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("example.com/8"));
    }

    @Test
    void containsAddressesAndPrefixes()
    {
        final IpPrefix net = IpPrefix.parse("172.16.0.0/12");
        assertTrue(net.contains(IpAddress.parse("172.31.255.255")));
        assertFalse(net.contains(IpAddress.parse("172.32.0.0")));
        assertFalse(net.contains(IpAddress.parse("::ac10:1")));
        assertTrue(net.contains(IpPrefix.parse("172.20.0.0/16")));
        assertFalse(net.contains(IpPrefix.parse("172.0.0.0/8")));
        assertTrue(IpPrefix.parse("::/0").contains(IpAddress.parse("2001:db8::1")));
        assertTrue(IpPrefix.parse("2001:db8::/127").contains(IpAddress.parse("2001:db8::1")));
        assertFalse(IpPrefix.parse("2001:db8::/127").contains(IpAddress.parse("2001:db8::2")));
    }

    @Test
    void addressesRoundTrip()
    {
        assertEquals(IpAddress.ipv4(0xC0000201), IpAddress.parse("192.0.2.1"));
        assertEquals("192.0.2.1", IpAddress.ipv4(0xC0000201).toString());
        assertEquals(0xC0000201, IpAddress.parse("192.0.2.1").ipv4());
        final IpAddress v6 = IpAddress.parse("2001:db8::8:9");
        assertEquals(0x2001_0db8_0000_0000L, v6.hi());
        assertEquals(0x0000_0000_0008_0009L, v6.lo());
        assertEquals(v6, IpAddress.of(v6.toInetAddress()));
        assertThrows(IllegalArgumentException.class, () -> new IpAddress(4, 1, 0));
    }

    @Test
    void flowTuplesReverseAndHashByDirection()
    {
        final FlowTuple forward = new FlowTuple().set(6, IpAddress.parse("10.0.0.1"), 1000,
            IpAddress.parse("10.0.0.2"), 80);
        final FlowTuple back = new FlowTuple().reverseOf(forward);
        assertEquals(80, back.sourcePort());
        assertEquals(IpAddress.parse("10.0.0.1"), back.destinationAddress());
        assertTrue(new FlowTuple().reverseOf(back).matches(forward));
        assertFalse(back.matches(forward));
        assertTrue(forward.hash() != back.hash());
        assertEquals(forward.hash(), new FlowTuple().copyOf(forward).hash());
        assertEquals("proto 6 10.0.0.1:1000 -> 10.0.0.2:80", forward.toString());
    }
}
