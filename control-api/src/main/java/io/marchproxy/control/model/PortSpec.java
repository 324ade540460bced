package io.marchproxy.control.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Mapping port specifications: a single port {@code 443}, a range {@code 8000-8100}, or a comma list of either
 * ({@code 80,443,8000-8100}); every port 1-65535 and every range ascending.
 */
public final class PortSpec {
    /** An inclusive port range; a single port has {@code from == to}. */
    public record Range(int from, int to) {
    }

    private PortSpec() {
    }

    public static boolean isValid(String spec) {
        try {
            parse(spec);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    public static List<Range> parse(String spec) {
        List<Range> out = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            String p = part.trim();
            int dash = p.indexOf('-');
            int from = port(dash < 0 ? p : p.substring(0, dash));
            int to = dash < 0 ? from : port(p.substring(dash + 1));
            if (to < from) {
                throw new IllegalArgumentException("descending range " + p);
            }
            out.add(new Range(from, to));
        }
        return out;
    }

    private static int port(String s) {
        if (s.isEmpty() || s.length() > 5 || !s.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("not a port: " + s);
        }
        int v = Integer.parseInt(s);
        if (v < 1 || v > 65535) {
            throw new IllegalArgumentException("port out of range: " + s);
        }
        return v;
    }
}
