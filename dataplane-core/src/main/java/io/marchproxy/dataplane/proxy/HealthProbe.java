package io.marchproxy.dataplane.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * How the proxy checks a service's backends, every {@code interval} and within {@code timeout}. A TCP service's
 * backend: a connection to its port (and, with an {@code httpPath}, a {@code GET} of it answered with a 2xx or 3xx
 * status). A UDP service's backend: a datagram of one byte (a newline) to its port, passed by an answer or by silence
 * until the timeout, failed by an ICMP port unreachable.
 *
 * <p>A backend that fails {@code failuresToDown} checks in a row gets no new flows until a check passes again; the
 * flows it has go on.
 *
 * @param httpPath null for a plain TCP connect check
 * @param interval how often to check
 * @param timeout how long one check may take
 * @param failuresToDown failed checks in a row that take a backend out
 */
public record HealthProbe(Duration interval, Duration timeout, String httpPath, int failuresToDown)
{
    /**
     * Checks the durations and the count.
     *
     * @throws IllegalArgumentException naming the bad value
     */
    public HealthProbe
    {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("interval and timeout must be positive");
        }
        if (failuresToDown < 1)
        {
            throw new IllegalArgumentException("failuresToDown must be >= 1: " + failuresToDown);
        }
    }
}
