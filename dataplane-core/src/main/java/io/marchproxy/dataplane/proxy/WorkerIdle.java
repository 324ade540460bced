package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.xsk.XskPollIdleStrategy;
import io.marchproxy.dataplane.xsk.XskPoller;
import io.marchproxy.dataplane.xsk.XskSocket;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What the dataplane worker does in a turn without work, as configured ({@code dataplane.idle}):
 * <ul>
 *   <li>{@code poll} (default): spin while frames are in flight, else sleep in {@code poll()} on the sockets for at
 *       most {@code pollTimeoutMs} ({@link XskPollIdleStrategy}): a core only while there is traffic, and the
 *       kernel wakes the worker when frames arrive;</li>
 *   <li>{@code busy-spin}: never leave the core (lowest latency, a whole core always);</li>
 *   <li>{@code yielding}: {@code Thread.yield()} between turns;</li>
 *   <li>{@code backoff}: spin, then yield, then park from 1 us up to 1 ms (agrona's {@link BackoffIdleStrategy}).</li>
 * </ul>
 * With need-wakeup the sockets are woken by the worker's receive and flush calls, whichever strategy idles.
 */
public enum WorkerIdle
{
    /** Spin while frames are in flight, else sleep in {@code poll()} on the sockets. */
    POLL,
    /** Never leave the core. */
    BUSY_SPIN,
    /** {@code Thread.yield()} between turns. */
    YIELDING,
    /** Spin, then yield, then park from 1 us up to 1 ms. */
    BACKOFF;

    /** {@return the name in configuration: {@code poll}, {@code busy-spin}, {@code yielding}, {@code backoff}} */
    public String configName()
    {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * {@return the strategy named {@code text}}
     *
     * @param text {@code poll}, {@code busy-spin}, {@code yielding} or {@code backoff}
     * @throws IllegalArgumentException for another name
     */
    public static WorkerIdle parse(final String text)
    {
        for (final WorkerIdle w : values())
        {
            if (w.configName().equals(text.strip().toLowerCase(Locale.ROOT)))
            {
                return w;
            }
        }
        throw new IllegalArgumentException("idle must be poll, busy-spin, yielding or backoff, not '" + text + "'");
    }

    /** The strategy for a worker receiving on {@code front} and {@code back} (and sending on both). */
    IdleStrategy create(final XskSocket front, final XskSocket back, final int pollTimeoutMs)
    {
        return switch (this)
        {
            case POLL -> new XskPollIdleStrategy(new XskPoller(front, back), pollTimeoutMs, front, back);
            case BUSY_SPIN -> new BusySpinIdleStrategy();
            case YIELDING -> new YieldingIdleStrategy();
            case BACKOFF -> new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
                TimeUnit.MILLISECONDS.toNanos(1));
        };
    }
}
