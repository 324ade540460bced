package io.marchproxy.lab;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Requests from a lab host (usually a client) with time limits, so a test reads which backend answered: each call
 * runs on the calling thread inside the host's namespace, with a socket of its own (a new source port, so a new flow
 * for a NAT).
 */
public final class LabClient
{
    private static final int MAX_ANSWER = 64 * 1024;

    private final LabHost host;

    public LabClient(final LabHost host)
    {
        this.host = host;
    }

    /**
     * Connects to {@code server}, sends {@code request}, half-closes and returns everything the server sent until it
     * closed; {@code timeout} bounds the connect and each read.
     */
    public String tcp(final InetSocketAddress server, final String request, final Duration timeout) throws IOException
    {
        return inside(() ->
        {
            try (Socket socket = new Socket())
            {
                socket.connect(server, millis(timeout));
                socket.setSoTimeout(millis(timeout));
                socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
                socket.shutdownOutput();
                final InputStream in = socket.getInputStream();
                return new String(in.readNBytes(MAX_ANSWER), StandardCharsets.UTF_8);
            }
        });
    }

    /** Sends {@code request} in one datagram to {@code server} and returns the first datagram that comes back. */
    public String udp(final InetSocketAddress server, final String request, final Duration timeout) throws IOException
    {
        return udp(server, request, timeout, 0);
    }

    /**
     * {@link #udp(InetSocketAddress, String, Duration)} from {@code sourcePort} (0: one the kernel picks, at random
     * in its ephemeral range, so possibly that of a flow the proxy still tracks).
     */
    public String udp(final InetSocketAddress server, final String request, final Duration timeout,
        final int sourcePort) throws IOException
    {
        return inside(() ->
        {
            try (DatagramSocket socket = new DatagramSocket(sourcePort))
            {
                // Connected, so the kernel reports an ICMP error (no route, port unreachable) instead of a timeout.
                socket.connect(server);
                socket.setSoTimeout(millis(timeout));
                final byte[] payload = request.getBytes(StandardCharsets.UTF_8);
                socket.send(new DatagramPacket(payload, payload.length));
                final DatagramPacket answer = new DatagramPacket(new byte[MAX_ANSWER], MAX_ANSWER);
                socket.receive(answer);
                return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
            }
        });
    }

    /**
     * A TCP connection to {@code server} made from the host's namespace, for a test to use from any thread (the
     * caller closes it); {@code timeout} bounds the connect and each read.
     */
    public Socket tcpConnection(final InetSocketAddress server, final Duration timeout) throws IOException
    {
        return inside(() ->
        {
            final Socket socket = new Socket();
            try
            {
                socket.connect(server, millis(timeout));
                socket.setSoTimeout(millis(timeout));
                return socket;
            }
            catch (final IOException ex)
            {
                socket.close();
                throw ex;
            }
        });
    }

    /**
     * A UDP socket of the host's namespace connected to {@code server} (one flow for a NAT however many datagrams it
     * sends), for a test to use from any thread (the caller closes it); {@code timeout} bounds each receive.
     */
    public DatagramSocket udpSocket(final InetSocketAddress server, final Duration timeout) throws IOException
    {
        return inside(() ->
        {
            final DatagramSocket socket = new DatagramSocket();
            try
            {
                socket.connect(server);
                socket.setSoTimeout(millis(timeout));
                return socket;
            }
            catch (final IOException ex)
            {
                socket.close();
                throw ex;
            }
        });
    }

    public LabHost host()
    {
        return host;
    }

    private interface Request<T>
    {
        T call() throws IOException;
    }

    private <T> T inside(final Request<T> request) throws IOException
    {
        try
        {
            return host.namespace().call(request::call);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IOException(host.name() + ": " + ex, ex);
        }
    }

    private static int millis(final Duration timeout)
    {
        if (timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("a lab request needs a positive timeout, not " + timeout);
        }
        return (int)Math.min(timeout.toMillis(), Integer.MAX_VALUE);
    }
}
