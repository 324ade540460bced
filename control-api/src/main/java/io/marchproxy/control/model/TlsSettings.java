package io.marchproxy.control.model;

/** TLS towards a service: whether it is used and whether the peer certificate is verified. */
public record TlsSettings(boolean enabled, boolean verify) {
    public static final TlsSettings OFF = new TlsSettings(false, false);
}
