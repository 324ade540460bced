package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.NetNamespace;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends UDP datagrams at a fixed rate from inside a lab namespace to a lab address, until stopped. Runs on its own
 * thread, which enters the namespace once.
 */
public final class LabTrafficSource implements AutoCloseable
{
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long sent;

    /** Starts sending {@code packetsPerSecond} datagrams of {@code payload} bytes from {@code from} to {@code to}. */
    public LabTrafficSource(
        final NetNamespace from, final InetSocketAddress to, final int packetsPerSecond, final int payload)
    {
        if (packetsPerSecond <= 0 || packetsPerSecond > 1_000_000)
        {
            throw new IllegalArgumentException("traffic rate must be 1..1000000 packets/s, not " + packetsPerSecond);
        }
        thread = new Thread(() -> from.run(() -> send(to, packetsPerSecond, payload)), "lab-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    private void send(final InetSocketAddress to, final int packetsPerSecond, final int payload)
    {
        final long intervalNanos = 1_000_000_000L / packetsPerSecond;
        try (DatagramChannel ch = DatagramChannel.open())
        {
            final ByteBuffer buf = ByteBuffer.allocateDirect(payload);
            long next = System.nanoTime();
            while (running)
            {
                buf.clear();
                buf.putLong(0, sent);
                ch.send(buf, to);
                sent++;
                next += intervalNanos;
                final long wait = next - System.nanoTime();
                if (wait > 0)
                {
                    LockSupport.parkNanos(wait);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("lab traffic source failed", ex);
        }
    }

    /** Datagrams sent so far. */
    public long sent()
    {
        return sent;
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(2000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
