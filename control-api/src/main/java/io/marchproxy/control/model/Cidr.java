package io.marchproxy.control.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 prefix in canonical form: host bits cleared, IPv6 written as RFC 5952 says (lower case, the longest
 * run of zero groups as {@code ::}). A bare address is the prefix of that one host ({@code /32}, {@code /128}).
 * Parsing never resolves a name. {@link #toString()} is the canonical text, {@code 10.1.0.0/16} or
 * {@code 2001:db8::/32}: the form mappings store and the resolved config carries.
 */
public record Cidr(byte[] network, int prefixLength) {
    private static final Pattern IPV6 = Pattern.compile("^[0-9A-Fa-f:.]{2,45}$");

    public Cidr {
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + network.length);
        }
        if (prefixLength < 0 || prefixLength > network.length * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range");
        }
        network = masked(network, prefixLength);
    }

    /**
     * {@code 10.1.2.0/24}, {@code 2001:db8::/32}, or a bare address meaning that host alone; host bits are cleared.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IPv4 or IPv6 address: " + address);
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = text.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > bits) {
                throw new IllegalArgumentException("prefix length must be 0-" + bits + ": " + p);
            }
            prefix = Integer.parseInt(p);
        }
        return new Cidr(bytes, prefix);
    }

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** True for a dotted-quad IPv4 literal without leading zeros. */
    public static boolean isIpv4(String s) {
        return v4(s) != null;
    }

    /** True for an IPv4 or IPv6 address literal (no prefix, no brackets, no zone); never resolves names. */
    public static boolean isIpLiteral(String s) {
        return literal(s) != null;
    }

    /** The address bytes of an IPv4 or IPv6 literal, or null; an IPv4-mapped IPv6 literal is refused. */
    private static byte[] literal(String s) {
        byte[] v4 = v4(s);
        if (v4 != null) {
            return v4;
        }
        if (s.indexOf(':') < 0 || !IPV6.matcher(s).matches()) {
            return null;
        }
        try {
            // A bracketed literal is parsed without any name lookup.
            return InetAddress.getByName("[" + s + "]") instanceof Inet6Address a ? a.getAddress() : null;
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /**
     * The bytes of a dotted quad (four decimal numbers 0-255, no leading zeros), or null. Parsed by hand: this runs
     * for every service write (its port claim), where a regular expression cost more than the rest of the check.
     */
    private static byte[] v4(String s) {
        byte[] b = new byte[4];
        int part = 0;
        int value = -1;
        int digits = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || part == 4) {
                    return null;
                }
                b[part++] = (byte) value;
                value = -1;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (value == 0 || ++digits > 3) {
                    return null;
                }
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? b : null;
    }

    private static byte[] masked(byte[] address, int prefix) {
        byte[] b = address.clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.min(8, Math.max(0, prefix - 8 * i));
            b[i] &= (byte) (0xff << (8 - keep));
        }
        return b;
    }

    public boolean isIpv6() {
        return network.length == 16;
    }

    /** The network address (a copy). */
    @Override
    public byte[] network() {
        return network.clone();
    }

    /** The canonical text of the network address, without the prefix length. */
    public String address() {
        if (!isIpv6()) {
            return (network[0] & 0xff) + "." + (network[1] & 0xff) + "." + (network[2] & 0xff) + "."
                    + (network[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (network[2 * i] & 0xff) << 8 | (network[2 * i + 1] & 0xff);
        }
        // RFC 5952 4.2: the longest run of two or more zero groups, the first of equal runs, becomes "::".
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    /** True if {@code address} (4 or 16 bytes) lies in this prefix; an IPv4 address is never in an IPv6 prefix. */
    public boolean contains(byte[] address) {
        return address.length == network.length && Arrays.equals(masked(address, prefixLength), network);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefixLength;
    }

    /** {@code 10.1.0.0/16}, {@code 2001:db8::/32}, {@code 10.0.0.1/32}. */
    @Override
    public String toString() {
        return address() + "/" + prefixLength;
    }
}
