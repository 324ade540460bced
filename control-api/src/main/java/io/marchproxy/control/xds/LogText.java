package io.marchproxy.control.xds;

/**
 * Text from the network (node ids, NACK messages, type URLs) made safe for a log line: control and non-ASCII
 * characters escaped, so a client cannot forge log lines or hide text, and the length bounded.
 */
final class LogText {
    private static final int MAX = 256;

    private LogText() {
    }

    static String of(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 8);
        for (int i = 0; i < s.length() && b.length() < MAX; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (b.length() >= MAX && s.length() > MAX) {
            b.append("...");
        }
        return b.toString();
    }
}
