package io.marchproxy.control.store;

/** The store could not make a write durable (disk full, I/O error, closed); the write did not happen. */
public class StoreUnavailableException extends RuntimeException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
