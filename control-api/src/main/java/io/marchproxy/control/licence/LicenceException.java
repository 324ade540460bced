package io.marchproxy.control.licence;

/** A licence token was rejected: malformed, badly signed, expired, or no public key is configured to check it. */
public class LicenceException extends Exception {
    public LicenceException(String message) {
        super(message);
    }
}
