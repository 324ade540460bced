package io.marchproxy.control.certs;

/** PEM input that cannot be used: not PEM, not parseable, or a key that does not belong to the certificate. */
public class PemException extends Exception {
    private final String field;

    public PemException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request field the bad PEM came from. */
    public String field() {
        return field;
    }
}
