package io.marchproxy.lab;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A paced UDP sender on a lab host: datagrams of a fixed size to one address at a given bit rate, in 1 ms ticks, from
 * {@code sources} sockets in turn (each its own source port: more sources, more flows), recording what it sent
 * ({@link RateRecorder}). Its sockets are made in the host's namespace; a thread of this JVM sends until
 * {@link #close()}. What the host cannot send (a full socket buffer) is not counted.
 */
public final class UdpStream implements AutoCloseable
{
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final DatagramChannel[] sockets;
    private final InetSocketAddress to;
    private final long bitsPerSecond;
    private final int size;
    private final RateRecorder sent = new RateRecorder(System.nanoTime());
    private final Thread thread;
    private volatile boolean running = true;

    private UdpStream(
        final DatagramChannel[] sockets, final InetSocketAddress to, final long bitsPerSecond, final int size,
        final String name)
    {
        this.sockets = sockets;
        this.to = to;
        this.bitsPerSecond = bitsPerSecond;
        this.size = size;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::send);
    }

    /**
     * Starts sending {@code size}-byte datagrams (UDP payload) from {@code host} to {@code to} at {@code bitsPerSecond}
     * (counting the payload), from {@code sources} sockets, with IP TOS / traffic class {@code tos}.
     */
    public static UdpStream start(
        final LabHost host, final InetSocketAddress to, final long bitsPerSecond, final int size, final int sources,
        final int tos)
    {
        final DatagramChannel[] sockets = new DatagramChannel[sources];
        try
        {
            host.namespace().call(() ->
            {
                for (int i = 0; i < sources; i++)
                {
                    sockets[i] = DatagramChannel.open(to.getAddress() instanceof Inet6Address
                        ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
                    sockets[i].setOption(StandardSocketOptions.IP_TOS, tos);
                    sockets[i].setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
                    sockets[i].configureBlocking(false);
                    sockets[i].bind(null);
                }
                return null;
            });
        }
        catch (final Exception ex)
        {
            closeAll(sockets);
            throw new IllegalStateException("cannot send UDP from " + host.name(), ex);
        }
        final UdpStream stream = new UdpStream(sockets, to, bitsPerSecond, size, "lab-stream-" + host.name() + "->"
            + to);
        stream.thread.start();
        return stream;
    }

    private void send()
    {
        final ByteBuffer payload = ByteBuffer.allocateDirect(size);
        final long start = System.nanoTime();
        long bytes = 0;
        int next = 0;
        while (running)
        {
            final long now = System.nanoTime();
            final long due = (now - start) * bitsPerSecond / 8 / 1_000_000_000L;
            while (bytes + size <= due && running)
            {
                payload.clear();
                try
                {
                    if (sockets[next].send(payload, to) > 0)
                    {
                        // the time of this send, not of the tick: a late tick catches up in a burst that takes time
                        sent.record(System.nanoTime(), size);
                    }
                    bytes += size; // a datagram the host's full buffer refused is skipped, as a real sender's loss
                }
                catch (final IOException ex)
                {
                    bytes += size; // e.g. a transient ICMP error reported on the socket: count as not sent
                }
                next = next + 1 == sockets.length ? 0 : next + 1;
            }
            LockSupport.parkNanos(TICK_NANOS);
        }
    }

    /** What was sent, over time. */
    public RateRecorder sent()
    {
        return sent;
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        closeAll(sockets);
    }

    private static void closeAll(final DatagramChannel[] sockets)
    {
        for (final DatagramChannel s : sockets)
        {
            if (s != null)
            {
                try
                {
                    s.close();
                }
                catch (final IOException ex)
                {
                    // closing a lab socket: nothing to do
                }
            }
        }
    }
}
