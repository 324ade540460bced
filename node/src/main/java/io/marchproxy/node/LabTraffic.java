package io.marchproxy.node;

import io.marchproxy.lab.L4Lab;
import io.marchproxy.lab.LabClient;
import io.marchproxy.lab.LabHost;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The lab node's traffic: its clients take turns sending a TCP request and a UDP request to the lab VIP, {@code rate}
 * requests a second in all, each answered by a backend with its name; what answered and what failed is counted. One
 * thread, stopped by {@link #close()}.
 */
final class LabTraffic implements AutoCloseable
{
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    LabTraffic(final L4Lab lab, final int rate)
    {
        thread = new Thread(() -> run(lab, rate), "lab-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(final L4Lab lab, final int rate)
    {
        final long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long next = System.nanoTime();
        for (long i = 0; running; i++)
        {
            final LabHost host = lab.clients().get((int)(i / 2 % lab.clients().size()));
            final LabClient client = new LabClient(host);
            final boolean udp = (i & 1) == 1;
            try
            {
                final InetSocketAddress vip = new InetSocketAddress(L4Lab.vip4(1), udp ? LabSeed.UDP_PORT : LabSeed.TCP_PORT);
                final String name = udp ? client.udp(vip, "lab", TIMEOUT) : client.tcp(vip, "lab", TIMEOUT);
                answers.computeIfAbsent((udp ? "udp " : "tcp ") + name, k -> new AtomicLong()).incrementAndGet();
            }
            catch (final Exception ex)
            {
                failures.incrementAndGet();
            }
            next += period;
            final long wait = next - System.nanoTime();
            if (wait > 0)
            {
                LockSupport.parkNanos(wait);
            }
            else
            {
                next = System.nanoTime();
            }
        }
    }

    /** Answers so far by protocol and backend name ({@code "tcp backend1"}). */
    Map<String, Long> answers()
    {
        final Map<String, Long> out = new TreeMap<>();
        answers.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long failures()
    {
        return failures.get();
    }

    @Override
    public void close() throws InterruptedException
    {
        running = false;
        thread.join(2_000);
    }
}
