package io.marchproxy.control.model;

/** TLS towards a service: whether it is used and whether the peer certificate is verified. */
public record TlsSettings(boolean enabled, boolean verify) {
    public static final TlsSettings OFF = new TlsSettings(false, false);

    /** True if a service of {@code protocol} terminates TLS: https always, tcp and http when enabled, udp never. */
    public boolean terminatedFor(String protocol) {
        return !"udp".equals(protocol) && (enabled || "https".equals(protocol));
    }
}
