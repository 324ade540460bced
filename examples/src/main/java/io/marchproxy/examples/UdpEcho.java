package io.marchproxy.examples;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;

/** The examples' traffic: a UDP echo server, a client that asks once and waits a second for the answer. */
public final class UdpEcho
{
    private UdpEcho()
    {
    }

    /** Sends every datagram back to where it came from, until the channel is closed. */
    public static void serve(final DatagramChannel server)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(2048);
        try
        {
            while (true)
            {
                buffer.clear();
                final SocketAddress from = server.receive(buffer);
                server.send(buffer.flip(), from);
            }
        }
        catch (final IOException closed)
        {
            // closed: the example is over
        }
    }

    /**
     * Sends {@code text} to {@code to} and waits a second for it to come back, three times at most, as UDP clients
     * (DNS resolvers) retry; true when it came back.
     */
    public static boolean ask(final DatagramChannel client, final InetSocketAddress to, final String text)
        throws IOException, InterruptedException
    {
        client.configureBlocking(false);
        final ByteBuffer answer = ByteBuffer.allocate(2048);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            client.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to);
            final long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline)
            {
                answer.clear();
                if (client.receive(answer) != null
                    && new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8).equals(text))
                {
                    return true;
                }
                Thread.sleep(1);
            }
        }
        return false;
    }

    /** Counts datagrams arriving on {@code channel} until it is closed; {@link #count()} reads it from any thread. */
    public static final class Counter implements Runnable
    {
        private final DatagramChannel channel;
        private volatile long count;

        /** A counter of what arrives on {@code channel} (blocking); run it on a thread of its own. */
        public Counter(final DatagramChannel channel)
        {
            this.channel = channel;
        }

        @Override
        public void run()
        {
            final ByteBuffer buffer = ByteBuffer.allocate(2048);
            try
            {
                while (true)
                {
                    buffer.clear();
                    channel.receive(buffer);
                    count++;
                }
            }
            catch (final IOException closed)
            {
                // closed: the example is over
            }
        }

        /** Datagrams received so far. */
        public long count()
        {
            return count;
        }
    }
}
