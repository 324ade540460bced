package io.marchproxy.control.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CidrTest {
    @Test
    void canonicalFormClearsHostBitsAndWritesIpv6AsRfc5952Says() {
        assertEquals("10.1.0.0/16", Cidr.parse("10.1.2.3/16").toString());
        assertEquals("10.0.0.5/32", Cidr.parse("10.0.0.5").toString());
        assertEquals("0.0.0.0/0", Cidr.parse("192.168.1.1/0").toString());
        assertEquals("2001:db8::/32", Cidr.parse("2001:DB8:0:0:1::/32").toString());
        assertEquals("2001:db8::1/128", Cidr.parse("2001:0db8:0000:0000:0000:0000:0000:0001").toString());
        assertEquals("::1/128", Cidr.parse("0:0:0:0:0:0:0:1").toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
        // the longest run of zero groups is shortened, the first of two equal runs, and a single zero group never
        assertEquals("2001:db8:0:1:1:1:1:1/128", Cidr.parse("2001:db8:0:1:1:1:1:1").toString());
        assertEquals("2001:0:0:1::1/128", Cidr.parse("2001:0:0:1:0:0:0:1").toString());
        assertEquals("1::1:0:0:1/128", Cidr.parse("1:0:0:0:1:0:0:1").toString());
        assertEquals("fe80::/10", Cidr.parse("fe80::1234/10").toString());
    }

    @Test
    void invalidPrefixesAreRefusedWithoutResolvingNames() {
        for (String bad : List.of("10.0.0.256", "10.0.0.1/33", "010.0.0.1", "10.0.0/8", "10.0.0.1/", "10.0.0.1/08",
                "2001:db8::/129", "::ffff:10.0.0.1", "fe80::1%lo", "[::1]", "localhost", "example.com/8", "/8", "",
                "10.0.0.1/-1", "1::2::3", "1.2.3.4.5", "01.2.3.4", "1.2.3.", ".1.2.3", "1.2.3.4a", "1.2.3.1000")) {
            assertFalse(Cidr.isValid(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad), bad);
        }
    }

    @Test
    void dottedQuads() {
        for (String ok : List.of("0.0.0.0", "255.255.255.255", "10.0.0.1", "192.168.100.9")) {
            assertTrue(Cidr.isIpv4(ok), ok);
            assertEquals(ok + "/32", Cidr.parse(ok).toString());
        }
        for (String bad : List.of("256.0.0.1", "1.2.3", "1.2.3.4.5", "00.1.2.3", "1.2.3.04", "1.2.3.-4", "::1", "")) {
            assertFalse(Cidr.isIpv4(bad), bad);
        }
    }

    @Test
    void containsComparesOnlyThePrefixBitsAndNeverAcrossFamilies() {
        Cidr net = Cidr.parse("10.1.0.0/15");
        assertTrue(net.contains(Cidr.parse("10.1.255.255").network()));
        assertTrue(net.contains(Cidr.parse("10.0.0.1").network()));
        assertFalse(net.contains(Cidr.parse("10.2.0.0").network()));
        assertTrue(Cidr.parse("::/0").contains(Cidr.parse("2001:db8::1").network()));
        assertFalse(Cidr.parse("::/0").contains(Cidr.parse("10.0.0.1").network()));
        assertFalse(Cidr.parse("0.0.0.0/0").contains(Cidr.parse("::1").network()));
        assertEquals(Cidr.parse("10.1.2.3/16"), Cidr.parse("10.1.0.0/16"));
    }
}
