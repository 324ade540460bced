package io.marchproxy.dataplane.nat;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.PortRange;

/**
 * The source ports one node address may use for one protocol when it SNATs flows to backends. Ports come out of a
 * FIFO ring of free ports, so a freed port is reused as late as possible (a backend may still hold the old
 * connection in TIME_WAIT); a bit per port catches a double free, which is refused and counted rather than letting
 * one port serve two flows.
 *
 * <p>Threads: the dataplane thread that owns the flow table owns its allocators; {@link #available()} is a plain read
 * for that thread, {@link #counters()} may be read from any thread. {@link #allocate()} and {@link #free(int)} are
 * allocation-free and never throw.
 */
public final class SnatPortAllocator
{
    /** What {@link #allocate()} returns when every port is taken. */
    public static final int NO_PORT = -1;

    private final int first;
    private final int[] ring;
    private final long[] inUse;
    private int head;
    private int size;
    private final SingleWriterCounters counters = SingleWriterCounters.forEnum(SnatPortCounter.class);

    /**
     * An allocator over {@code ports}, every port free.
     *
     * @param ports the ports it hands out
     */
    public SnatPortAllocator(final PortRange ports)
    {
        if (ports.first() == 0)
        {
            throw new IllegalArgumentException("port 0 cannot be a source port: " + ports);
        }
        this.first = ports.first();
        final int count = ports.last() - ports.first() + 1;
        this.ring = new int[count];
        this.inUse = new long[(count + 63) >>> 6];
        for (int i = 0; i < count; i++)
        {
            ring[i] = first + i;
        }
        this.size = count;
    }

    /** {@return a free port, now taken, or {@link #NO_PORT} (counted as {@link SnatPortCounter#EXHAUSTED})} */
    public int allocate()
    {
        if (size == 0)
        {
            counters.increment(SnatPortCounter.EXHAUSTED);
            return NO_PORT;
        }
        final int port = ring[head];
        head = head + 1 == ring.length ? 0 : head + 1;
        size--;
        final int bit = port - first;
        inUse[bit >>> 6] |= 1L << bit;
        return port;
    }

    /**
     * Gives {@code port} back. Returns false, and changes nothing, for a port outside the range or not taken (a
     * double free: a bug in the caller, counted as {@link SnatPortCounter#BAD_FREE}).
     *
     * @param port a port it handed out
     * @return true when the port was taken and is free now
     */
    public boolean free(final int port)
    {
        final int bit = port - first;
        if (bit < 0 || bit >= ring.length || (inUse[bit >>> 6] & (1L << bit)) == 0)
        {
            counters.increment(SnatPortCounter.BAD_FREE);
            return false;
        }
        inUse[bit >>> 6] &= ~(1L << bit);
        int tail = head + size;
        if (tail >= ring.length)
        {
            tail -= ring.length;
        }
        ring[tail] = port;
        size++;
        return true;
    }

    /**
     * {@return true when {@code port} is currently taken}
     *
     * @param port a port of the range
     */
    public boolean isAllocated(final int port)
    {
        final int bit = port - first;
        return bit >= 0 && bit < ring.length && (inUse[bit >>> 6] & (1L << bit)) != 0;
    }

    /** {@return free ports left} */
    public int available()
    {
        return size;
    }

    /** {@return ports of the range} */
    public int capacity()
    {
        return ring.length;
    }

    /** {@return counters indexed by {@link SnatPortCounter}; any thread} */
    public SingleWriterCounters counters()
    {
        return counters;
    }
}
