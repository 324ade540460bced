package io.marchproxy.perflab;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Round-trip latency of UDP request/response through a forwarding path, for the perf-lab scenario {@code lb}: an echo
 * server on {@code --server} and a client bound to {@code --client} that sends {@code --requests} requests one after
 * the other to {@code --target} (a service VIP:port in front of the server) and records each round trip in an
 * {@link Histogram}. Both run in this one process, so both addresses must be local to the namespace it runs in.
 *
 * <p>Each request carries a sequence number; a reply with another one (late, after its request timed out) is skipped.
 * Nothing is recorded before the path is warm: {@code --warmup-requests} go first in bursts of {@value #WARMUP_BURST}
 * (the first opens the flow through the proxy or conntrack; a JIT-compiled proxy compiles its reply direction, which
 * the throughput phase before hardly used: sequential requests alone left its compilation inside the measurement, as
 * a tail of milliseconds), then {@value #WARMUP_SEQUENTIAL} sequential ones (this loop). One JSON line at the end:
 * {@code {"tool":"udprtt","requests":N,"answered":A,"lost":L,"p50_us":..,"p90_us":..,"p99_us":..,"max_us":..,"cdf_us":[[us, percentile], ..]}} ({@link PercentileCurve}).
 * Exit 0 when at least one request was answered, 2 when none was, 1 on a setup error.
 */
public final class UdpRtt
{
    private static final String PROG = "UdpRtt";
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int WARMUP_BURST = 32;
    private static final int WARMUP_SEQUENTIAL = 200;
    private static final String USAGE = """
        usage: UdpRtt --server IP:PORT --client IP --target IP:PORT [--requests 2000] [--warmup-requests 20000]
                      [--timeout-ms 200] [--payload 32] [--distribution 0|1]
        --distribution 1 also prints the percentile distribution (microseconds) to stderr.""";

    private UdpRtt()
    {
    }

    public static void main(final String[] args)
    {
        int status;
        try
        {
            status = run(args);
        }
        catch (final ScenarioOptions.UsageException | IllegalArgumentException | IOException ex)
        {
            System.err.println(PROG + ": " + ex.getMessage());
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    private static int run(final String[] args) throws IOException
    {
        InetSocketAddress server = null;
        InetAddress client = null;
        InetSocketAddress target = null;
        int requests = 2000;
        int warmup = 20_000;
        int timeoutMs = 200;
        int payload = 32;
        boolean distribution = false;
        for (int i = 0; i < args.length; i++)
        {
            final String a = args[i];
            if (a.equals("-h") || a.equals("--help"))
            {
                System.out.println(USAGE);
                return 0;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            final String v = args[++i];
            switch (a)
            {
                case "--server" -> server = endpoint(v);
                case "--client" -> client = InetAddress.getByName(v);
                case "--target" -> target = endpoint(v);
                case "--requests" -> requests = (int)ScenarioOptions.parseLong(a, v, 1, 10_000_000);
                case "--warmup-requests" -> warmup = (int)ScenarioOptions.parseLong(a, v, 0, 10_000_000);
                case "--timeout-ms" -> timeoutMs = (int)ScenarioOptions.parseLong(a, v, 1, 60_000);
                case "--payload" -> payload = (int)ScenarioOptions.parseLong(a, v, Long.BYTES, 1400);
                case "--distribution" -> distribution = ScenarioOptions.parseLong(a, v, 0, 1) == 1;
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        if (server == null || client == null || target == null)
        {
            throw new IllegalArgumentException("--server, --client and --target are required\n" + USAGE);
        }
        try (DatagramSocket echo = new DatagramSocket(server);
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(client, 0)))
        {
            final Thread echoThread = new Thread(() -> echo(echo), "udprtt-echo");
            echoThread.setDaemon(true);
            echoThread.start();
            socket.setSoTimeout(timeoutMs);
            socket.connect(target);
            final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
            final byte[] out = new byte[payload];
            final byte[] in = new byte[2048];
            final DatagramPacket request = new DatagramPacket(out, out.length);
            final DatagramPacket reply = new DatagramPacket(in, in.length);
            final ByteBuffer outView = ByteBuffer.wrap(out);
            final ByteBuffer inView = ByteBuffer.wrap(in);
            warmUp(socket, request, outView, reply, warmup);
            long lost = 0;
            for (long seq = 0; seq < WARMUP_SEQUENTIAL + requests; seq++)
            {
                outView.putLong(0, seq);
                final long sent = System.nanoTime();
                socket.send(request);
                final long rtt = await(socket, reply, inView, seq, sent, timeoutMs);
                if (seq >= WARMUP_SEQUENTIAL)
                {
                    if (rtt < 0)
                    {
                        lost++;
                    }
                    else
                    {
                        histogram.recordValue(Math.min(rtt, HIGHEST_NANOS));
                    }
                }
            }
            final long answered = histogram.getTotalCount();
            if (distribution)
            {
                histogram.outputPercentileDistribution(System.err, 5, 1000.0);
            }
            System.out.printf(Locale.ROOT,
                "{\"tool\":\"udprtt\",\"requests\":%d,\"answered\":%d,\"lost\":%d,\"p50_us\":%s,\"p90_us\":%s,"
                    + "\"p99_us\":%s,\"p999_us\":%s,\"max_us\":%s,\"mean_us\":%s,\"cdf_us\":%s}%n",
                requests, answered, lost, micros(histogram, answered, 50), micros(histogram, answered, 90),
                micros(histogram, answered, 99), micros(histogram, answered, 99.9),
                answered == 0 ? "null" : fmt(histogram.getMaxValue() / 1e3),
                answered == 0 ? "null" : fmt(histogram.getMean() / 1e3), PercentileCurve.json(histogram, 1e3));
            return answered > 0 ? 0 : 2;
        }
    }

    /**
     * {@code count} requests in bursts of {@value #WARMUP_BURST}, each burst's replies awaited until the socket's timeout
     * (lost ones are not waited for twice). Their sequence numbers are negative: a late reply never matches a measured
     * request.
     */
    private static void warmUp(final DatagramSocket socket, final DatagramPacket request, final ByteBuffer outView,
        final DatagramPacket reply, final int count) throws IOException
    {
        long seq = -1;
        for (int sent = 0; sent < count; )
        {
            final int burst = Math.min(WARMUP_BURST, count - sent);
            for (int i = 0; i < burst; i++)
            {
                outView.putLong(0, seq--);
                socket.send(request);
            }
            sent += burst;
            try
            {
                for (int i = 0; i < burst; i++)
                {
                    reply.setLength(reply.getData().length);
                    socket.receive(reply);
                }
            }
            catch (final SocketTimeoutException ex)
            {
                // some were lost: go on with the next burst
            }
        }
    }

    /** Waits for the reply to {@code seq}; its round-trip time in nanoseconds, or -1 after the timeout. */
    private static long await(final DatagramSocket socket, final DatagramPacket reply, final ByteBuffer inView,
        final long seq, final long sent, final int timeoutMs) throws IOException
    {
        final long deadline = sent + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            try
            {
                reply.setLength(inView.capacity());
                socket.receive(reply);
            }
            catch (final SocketTimeoutException ex)
            {
                return -1;
            }
            final long now = System.nanoTime();
            if (reply.getLength() >= Long.BYTES && inView.getLong(0) == seq)
            {
                return now - sent;
            }
            if (now >= deadline)
            {
                return -1; // only stale replies came
            }
        }
    }

    private static void echo(final DatagramSocket echo)
    {
        final byte[] buffer = new byte[2048];
        final DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        while (true)
        {
            try
            {
                p.setLength(buffer.length);
                echo.receive(p);
                echo.send(p);
            }
            catch (final SocketException ex)
            {
                return; // closed
            }
            catch (final IOException ex)
            {
                System.err.println(PROG + ": echo: " + ex.getMessage());
            }
        }
    }

    private static String micros(final Histogram h, final long count, final double percentile)
    {
        return count == 0 ? "null" : fmt(h.getValueAtPercentile(percentile) / 1e3);
    }

    private static String fmt(final double v)
    {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static InetSocketAddress endpoint(final String v)
    {
        final int colon = v.lastIndexOf(':');
        if (colon <= 0)
        {
            throw new IllegalArgumentException("expected IP:PORT, got '" + v + "'");
        }
        final int port = (int)ScenarioOptions.parseLong("port", v.substring(colon + 1), 1, 65535);
        return new InetSocketAddress(v.substring(0, colon), port);
    }
}
