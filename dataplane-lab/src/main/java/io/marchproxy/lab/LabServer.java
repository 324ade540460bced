package io.marchproxy.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real server on a lab host: TCP or UDP on one port, IPv4 and IPv6 (one dual-stack socket bound to the wildcard
 * address), answering with the host's name or echoing ({@link ServerReply}). The socket is made inside the host's
 * namespace and served by threads of this JVM; {@link #close()} stops them and closes every connection.
 *
 * <p>A TCP connection is answered, then half-closed; the server reads what the client sends until the client
 * half-closes too, so neither side resets the other. A UDP datagram gets one datagram back.
 */
public final class LabServer implements AutoCloseable
{
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final int CONNECTION_TIMEOUT_MILLIS = (int)TimeUnit.SECONDS.toMillis(10);

    private final LabHost host;
    private final Transport transport;
    private final int port;
    private final ServerReply reply;
    private final NetworkChannel socket;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong served = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    private LabServer(
        final LabHost host, final Transport transport, final int port, final ServerReply reply,
        final NetworkChannel socket)
    {
        this.host = host;
        this.transport = transport;
        this.port = port;
        this.reply = reply;
        this.socket = socket;
        final Runnable loop = transport == Transport.TCP ? () -> accept((ServerSocketChannel)socket) :
            () -> answer((DatagramChannel)socket);
        this.thread = Thread.ofPlatform().daemon().name("lab-" + transport.keyword() + "-" + host.name() + ":" + port)
            .unstarted(loop);
    }

    /** Starts a {@code transport} server on {@code port} of {@code host}. */
    public static LabServer start(final LabHost host, final Transport transport, final int port, final ServerReply reply)
    {
        final NetworkChannel socket;
        try
        {
            socket = host.namespace().call(() -> transport == Transport.TCP ?
                ServerSocketChannel.open().bind(new InetSocketAddress(port), 128) :
                DatagramChannel.open().bind(new InetSocketAddress(port)));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot serve " + transport + " port " + port + " on " + host.name(), ex);
        }
        final LabServer server = new LabServer(host, transport, port, reply, socket);
        server.thread.start();
        return server;
    }

    /** Connections accepted (TCP) or datagrams answered (UDP) so far; counted before the answer is sent. */
    public long served()
    {
        return served.get();
    }

    public LabHost host()
    {
        return host;
    }

    public int port()
    {
        return port;
    }

    /** Stops serving and closes the socket and every open connection. */
    @Override
    public void close() throws IOException
    {
        running = false;
        socket.close();
        for (final SocketChannel connection : connections)
        {
            connection.close();
        }
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void accept(final ServerSocketChannel server)
    {
        while (running)
        {
            final SocketChannel connection;
            try
            {
                connection = server.accept();
            }
            catch (final IOException ex)
            {
                if (running && !(ex instanceof ClosedChannelException))
                {
                    System.err.println(thread.getName() + ": accept failed: " + ex);
                }
                return;
            }
            served.incrementAndGet();
            connections.add(connection);
            Thread.ofVirtual().name(thread.getName() + "-conn").start(() -> serve(connection));
        }
    }

    private void serve(final SocketChannel connection)
    {
        try (connection)
        {
            final Socket socket = connection.socket();
            socket.setSoTimeout(CONNECTION_TIMEOUT_MILLIS);
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            if (reply == ServerReply.NAME)
            {
                out.write(host.name().getBytes(StandardCharsets.UTF_8));
                connection.shutdownOutput();
                in.transferTo(OutputStream.nullOutputStream());
            }
            else
            {
                in.transferTo(out);
                connection.shutdownOutput();
            }
        }
        catch (final IOException ex)
        {
            if (running)
            {
                System.err.println(thread.getName() + ": connection failed: " + ex);
            }
        }
        finally
        {
            connections.remove(connection);
        }
    }

    private void answer(final DatagramChannel channel)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(MAX_MESSAGE);
        final byte[] name = host.name().getBytes(StandardCharsets.UTF_8);
        while (running)
        {
            try
            {
                buffer.clear();
                final SocketAddress sender = channel.receive(buffer);
                buffer.flip();
                // Counted before the answer leaves, so a client that got it sees the count.
                served.incrementAndGet();
                channel.send(reply == ServerReply.NAME ? ByteBuffer.wrap(name) : buffer, sender);
            }
            catch (final IOException ex)
            {
                if (running && !(ex instanceof ClosedChannelException))
                {
                    System.err.println(thread.getName() + ": " + ex);
                }
                return;
            }
        }
    }
}
