package io.marchproxy.dataplane.qos;

/**
 * A token bucket of {@code rate} bytes a second and {@code burst} bytes, kept as one timestamp (the Generic Cell Rate
 * Algorithm's theoretical arrival time): the bucket is full when that time is in the past, and each packet moves it
 * on by its transmission time at the rate. {@link #conformsAt} says when a packet may leave (now, or the instant
 * enough tokens will have accumulated), {@link #consume} takes its tokens. So a shaper needs no timer and no refill
 * step: it holds the packet until that instant. Over any interval the bytes let through are at most
 * {@code burst + rate x interval} plus one packet.
 *
 * <p>Times are {@code System.nanoTime()} values, passed in (read once per batch by the caller). Single writer, no
 * allocation; for the thread that owns the scheduler.
 */
public final class TokenBucket
{
    private static final long PICOS_PER_SECOND = 1_000_000_000_000L;

    private long picosPerByte;
    private long toleranceNanos;
    private long theoreticalArrival = Long.MIN_VALUE / 2;

    /**
     * A full bucket.
     *
     * @param bitsPerSecond the rate, above 0
     * @param burstBytes    the bucket size, at least one full frame
     */
    public TokenBucket(final long bitsPerSecond, final long burstBytes)
    {
        configure(bitsPerSecond, burstBytes);
    }

    /**
     * Changes rate and size, keeping what the bucket holds (a configuration change does not refill it).
     *
     * @param bitsPerSecond the rate, above 0
     * @param burstBytes    the bucket size, at least one full frame
     */
    public void configure(final long bitsPerSecond, final long burstBytes)
    {
        if (bitsPerSecond < 8 || bitsPerSecond > 8 * PICOS_PER_SECOND)
        {
            throw new IllegalArgumentException("a rate is 8 bit/s..8 Tbit/s, not " + bitsPerSecond);
        }
        if (burstBytes < 1 || burstBytes > 1L << 40)
        {
            throw new IllegalArgumentException("a burst is 1 byte..1 TiB, not " + burstBytes);
        }
        this.picosPerByte = Math.max(1, 8 * PICOS_PER_SECOND / bitsPerSecond);
        this.toleranceNanos = burstBytes * picosPerByte / 1000;
    }

    /**
     * {@return the earliest time at which the next packet may leave: {@code now} when the bucket has tokens}
     *
     * @param now the time now ({@code System.nanoTime()})
     */
    public long conformsAt(final long now)
    {
        final long at = theoreticalArrival - toleranceNanos;
        return at > now ? at : now;
    }

    /**
     * Takes the tokens of {@code bytes} leaving at {@code at} (at or after {@link #conformsAt}).
     *
     * @param at    when the packet leaves
     * @param bytes the packet's length
     */
    public void consume(final long at, final int bytes)
    {
        final long from = theoreticalArrival > at ? theoreticalArrival : at;
        theoreticalArrival = from + bytes * picosPerByte / 1000;
    }

    /** {@return the rate in bits a second (rounded to the picosecond-per-byte step it is kept in)} */
    public long bitsPerSecond()
    {
        return 8 * PICOS_PER_SECOND / picosPerByte;
    }
}
