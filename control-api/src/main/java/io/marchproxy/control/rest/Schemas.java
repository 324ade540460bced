package io.marchproxy.control.rest;

import io.marchproxy.control.model.Cidr;
import io.marchproxy.control.validation.BooleanSchema;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.StringSchema;

import java.net.IDN;
import java.util.regex.Pattern;

/** Field schemas shared by several resources. */
public final class Schemas {
    public static final String NAME_PATTERN = "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$";
    private static final Pattern FQDN = Pattern.compile(
            "^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?$");

    private Schemas() {
    }

    /** Lower-case DNS-label names: resource names appear in metrics labels, file names and xDS resource names. */
    public static StringSchema name(String example) {
        return StringSchema.of(1, 63, example).pattern(NAME_PATTERN);
    }

    public static StringSchema id() {
        return StringSchema.of(1, 64, "00000000-0000-0000-0000-000000000000").pattern("^[A-Za-z0-9-]+$");
    }

    public static StringSchema text(int max) {
        return StringSchema.of(0, max, "");
    }

    public static IntegerSchema port() {
        return IntegerSchema.range(1, 65535).withExample(8080);
    }

    public static BooleanSchema bool() {
        return new BooleanSchema();
    }

    /** An IPv4 or IPv6 literal or a DNS name. */
    public static StringSchema address(String example) {
        return StringSchema.of(1, 253, example).rule(Schemas::isAddress, "must be an IPv4/IPv6 address or FQDN");
    }

    /** True for a dotted-quad IPv4 literal (no leading zeros); never resolves names. */
    public static boolean isIpv4(String s) {
        return Cidr.isIpv4(s);
    }

    public static boolean isAddress(String s) {
        if (Cidr.isIpLiteral(s)) {
            return true;
        }
        if (s.contains(":")) {
            return false;
        }
        if (s.chars().allMatch(c -> Character.isDigit(c) || c == '.')) {
            return false;
        }
        try {
            return FQDN.matcher(IDN.toASCII(s)).matches();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
