package io.marchproxy.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;

/**
 * A UDP receiver on a lab host that records what arrives ({@link RateRecorder}) and, if asked, echoes each datagram
 * back: the far end of rate, priority and marking tests. Its socket is made in the host's namespace (dual stack,
 * a 4 MiB receive buffer so a burst is not lost in the host); a thread of this JVM serves it until {@link #close()}.
 */
public final class UdpSink implements AutoCloseable
{
    private final DatagramChannel channel;
    private final RateRecorder received = new RateRecorder(System.nanoTime());
    private final boolean echo;
    private final Thread thread;

    private UdpSink(final DatagramChannel channel, final boolean echo, final String name)
    {
        this.channel = channel;
        this.echo = echo;
        this.thread = Thread.ofPlatform().daemon().name(name).unstarted(this::serve);
    }

    /** Receives on {@code port} of {@code host}; echoes each datagram when {@code echo}. */
    public static UdpSink start(final LabHost host, final int port, final boolean echo)
    {
        final DatagramChannel channel;
        try
        {
            channel = host.namespace().call(() ->
            {
                final DatagramChannel c = DatagramChannel.open();
                c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                return c.bind(new InetSocketAddress(port));
            });
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot receive UDP on " + host.name() + ":" + port, ex);
        }
        final UdpSink sink = new UdpSink(channel, echo, "lab-sink-" + host.name() + ":" + port);
        sink.thread.start();
        return sink;
    }

    private void serve()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try
        {
            while (true)
            {
                buffer.clear();
                final SocketAddress from = channel.receive(buffer);
                received.record(System.nanoTime(), buffer.position());
                if (echo)
                {
                    buffer.flip();
                    channel.send(buffer, from);
                }
            }
        }
        catch (final ClosedChannelException ex)
        {
            // closed: done
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("lab sink: " + ex.getMessage(), ex);
        }
    }

    /** What arrived, over time. */
    public RateRecorder received()
    {
        return received;
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
        try
        {
            thread.join(2_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
