package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.netlink.NeighbourEntry;
import io.marchproxy.dataplane.netlink.NeighbourTable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Keeps what the dataplane needs to know of the backends current: each one's MAC on the back interface, from the
 * kernel's neighbour table (asking the kernel to resolve the ones it lacks: never from configuration), and its health
 * from the service's {@link HealthProbe}: a TCP connect (and HTTP {@code GET} when the probe names a path), or for
 * UDP a datagram that must not draw an ICMP port unreachable. Runs on its own thread inside the node's namespace
 * (sockets it opens belong there), publishes an immutable {@link BackendLinks} whenever something changed, and reacts
 * to a new configuration at once; a control thread makes a new configuration's pass itself when every MAC it needs is
 * known ({@link #passKnown}). Setup-rate code: it may allocate and block (bounded by the probes' timeouts).
 */
final class BackendMonitor implements Runnable
{
    private static final System.Logger LOG = System.getLogger(BackendMonitor.class.getName());
    /** What a UDP probe sends: one newline, which text protocols read as an empty line and binary ones reject. */
    private static final byte[] UDP_PROBE = {'\n'};
    /**
     * How often MACs are re-read (and missing ones solicited). A configuration change reads only the MACs of backends
     * the last reading did not know; the others are at most this old, as they would be without the change.
     */
    private static final long NEIGHBOUR_PERIOD_NANOS = 250_000_000L;
    private static final long UNRESOLVED_PERIOD_NANOS = 20_000_000L;

    /** Health of one backend, between checks. */
    private static final class Health
    {
        boolean up = true;
        int failures;
        long nextCheck;
    }

    private final NeighbourTable neighbours;
    private final int backIfindex;
    private final Consumer<BackendLinks> publish;
    /**
     * Guards the state below that has no volatile of its own: the monitor's thread holds it for its readings and for
     * what probes found, never while it waits; {@link #passKnown} for a pass on a control thread.
     */
    private final Object lock = new Object();
    private final Map<String, Health> health = new HashMap<>();
    /** The MACs the last passes found, by backend address; replaced by every periodic reading. */
    private Map<IpAddress, Long> knownMacs = new HashMap<>();
    private volatile CompiledConfig config;
    private volatile boolean running = true;
    private volatile Thread thread;
    /** The configuration the last pass looked at, set once the links of that pass (its MACs) are published. */
    private volatile CompiledConfig passed;
    /** The thread in {@link #awaitPass}, or null: unparked when a pass is done. */
    private volatile Thread waiter;
    /** The selector of the probes running now, or null: {@link #offer} wakes it. */
    private volatile Selector probing;
    private BackendLinks published = BackendLinks.NONE;
    /** When the MACs are to be read again. */
    private long nextNeighbours;
    /** What the last reading found, for the configuration it read; what probes' results are published with. */
    private Reading reading;

    /** The MACs one reading found for a configuration's backends, with their addresses and health entries. */
    private record Reading(CompiledConfig config, long[][] macs, IpAddress[][] addresses, Map<String, Health> health)
    {
        BackendLinks links()
        {
            return new BackendLinks(config, macs, up(config, health), addresses);
        }
    }

    BackendMonitor(final NeighbourTable neighbours, final int backIfindex, final CompiledConfig initial,
        final Consumer<BackendLinks> publish)
    {
        this.neighbours = neighbours;
        this.backIfindex = backIfindex;
        this.config = initial;
        this.publish = publish;
    }

    /**
     * A new configuration: its backends are looked at right away, also when probes are running (their wait ends).
     * Any thread.
     */
    void offer(final CompiledConfig next)
    {
        config = next;
        final Selector s = probing;
        if (s != null)
        {
            s.wakeup();
        }
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /**
     * Waits until a pass over {@code c}'s backends has published what it learned of their MACs (those the kernel
     * knows for backends the configuration adds or enables; the probes that were due run after that), at most
     * {@code timeoutNanos}; false when it timed out. A control thread, after {@link #offer}.
     */
    boolean awaitPass(final CompiledConfig c, final long timeoutNanos)
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        // Set before passed is read: a pass that ends after this read finds the waiter and unparks it.
        waiter = Thread.currentThread();
        try
        {
            while (passed != c)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !running)
                {
                    return false;
                }
                LockSupport.parkNanos(this, left);
            }
            return true;
        }
        finally
        {
            waiter = null;
        }
    }

    /**
     * The pass over {@code c}'s backends made on the calling thread, when the monitor knows the MAC of every one of
     * them that is enabled: their links published for {@code c} with no netlink round trip and no wait for the
     * monitor's thread. False, with nothing done, when a MAC is unknown: {@link #awaitPass} then (the monitor's pass
     * asks the kernel). Call after {@link #offer} of {@code c}, so that a pass of the monitor's thread for the previous
     * configuration cannot publish after this one. Any thread.
     */
    boolean passKnown(final CompiledConfig c)
    {
        synchronized (lock)
        {
            for (int s = 0; s <= c.maxServiceIndex(); s++)
            {
                final ProxyService service = c.service(s);
                if (service == null)
                {
                    continue;
                }
                for (final Backend backend : service.backends())
                {
                    if (backend.enabled() && !knownMacs.containsKey(backend.address()))
                    {
                        return false;
                    }
                }
            }
            read(c, false);
            return true;
        }
    }

    /** Marks {@code c} as looked at and wakes the thread waiting for that, if any. */
    private void passed(final CompiledConfig c)
    {
        passed = c;
        final Thread w = waiter;
        if (w != null)
        {
            LockSupport.unpark(w);
        }
    }

    void stop()
    {
        running = false;
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    /** The loop; run it on a thread that is inside the node's network namespace. */
    @Override
    public void run()
    {
        thread = Thread.currentThread();
        CompiledConfig seen = null;
        nextNeighbours = System.nanoTime();
        while (running)
        {
            CompiledConfig c = config;
            try
            {
                synchronized (lock)
                {
                    // Read under the lock: a pass that passKnown made for a newer configuration is never followed by
                    // this thread's pass for the one before (offer sets the configuration before passKnown locks).
                    c = config;
                    if (c != seen || System.nanoTime() - nextNeighbours >= 0)
                    {
                        read(c, true);
                        seen = c;
                    }
                }
                probe(c);
            }
            catch (final RuntimeException ex)
            {
                synchronized (lock)
                {
                    readingFailed(ex);
                }
            }
            passed(c);
            final long wakeAt;
            synchronized (lock)
            {
                wakeAt = Math.min(nextNeighbours, nextProbe());
            }
            LockSupport.parkNanos(this, Math.max(1_000_000L, wakeAt - System.nanoTime()));
        }
    }

    /** When the next probe is due; under the lock. */
    private long nextProbe()
    {
        long next = Long.MAX_VALUE;
        for (final Health h : health.values())
        {
            next = Math.min(next, h.nextCheck);
        }
        return next;
    }

    /**
     * Reads the MACs of {@code c}'s enabled backends and publishes the links when they changed (always for a new
     * configuration), then marks {@code c} as looked at. A disabled backend keeps a MAC for the flows it still has
     * (the kernel's entry when the reading is due, never solicited, else the last one known). When the periodic
     * reading is due every MAC is read (and a missing one solicited); otherwise (a configuration change between
     * readings) only the MACs of backends the last readings did not find: the change reaches the dataplane without a
     * netlink round trip per backend it kept, and the others are no older than they would be without it. The next
     * reading is due in 250 ms, or 20 ms while a MAC is missing. Without {@code mayRead} (a pass on a control thread)
     * no MAC is read, due or not. Under the lock.
     */
    private void read(final CompiledConfig c, final boolean mayRead)
    {
        final long now = System.nanoTime();
        final boolean due = mayRead && now - nextNeighbours >= 0;
        final Map<IpAddress, Long> found = new HashMap<>();
        final int n = c.maxServiceIndex() + 1;
        final long[][] macs = new long[n][];
        final IpAddress[][] addresses = new IpAddress[n][];
        final Map<String, Health> seen = new HashMap<>();
        boolean unresolved = false;
        for (int s = 0; s < n; s++)
        {
            final ProxyService service = c.service(s);
            if (service == null)
            {
                continue;
            }
            final int count = service.backends().size();
            macs[s] = new long[count];
            addresses[s] = new IpAddress[count];
            for (int b = 0; b < count; b++)
            {
                final Backend backend = service.backends().get(b);
                addresses[s][b] = backend.address();
                if (!backend.enabled())
                {
                    // Disabled (or removed: kept as a disabled entry) takes no new flows, but its open flows drain: the
                    // MAC the kernel has for it, never solicited (it may be gone), else the last one read.
                    final long read = due ? peek(backend.address()) : 0;
                    macs[s][b] = read != 0 ? read : knownMacs.getOrDefault(backend.address(), 0L);
                    if (macs[s][b] != 0)
                    {
                        found.put(backend.address(), macs[s][b]);
                    }
                    continue;
                }
                final Long knownMac = due ? null : knownMacs.get(backend.address());
                macs[s][b] = knownMac != null ? knownMac : mac(backend.address());
                if (macs[s][b] != 0)
                {
                    found.put(backend.address(), macs[s][b]);
                }
                unresolved |= macs[s][b] == 0;
                final String key = key(s, backend);
                final Health h = health.computeIfAbsent(key, k -> new Health());
                seen.put(key, h);
                if (service.probe() == null)
                {
                    h.up = true;
                    h.nextCheck = Long.MAX_VALUE;
                }
            }
        }
        health.keySet().retainAll(seen.keySet());
        if (due)
        {
            knownMacs = found;
            nextNeighbours = now + (unresolved ? UNRESOLVED_PERIOD_NANOS : NEIGHBOUR_PERIOD_NANOS);
        }
        else
        {
            knownMacs.putAll(found);
            if (unresolved && nextNeighbours - (now + UNRESOLVED_PERIOD_NANOS) > 0)
            {
                nextNeighbours = now + UNRESOLVED_PERIOD_NANOS;
            }
        }
        reading = new Reading(c, macs, addresses, seen);
        publishIfChanged(c, reading.links());
        passed(c);
    }

    /**
     * Runs the due probes of {@code c}'s backends whose MAC is known (before, a backend takes no flows anyway) and
     * publishes the links again when they changed a backend's health. The MACs are read meanwhile as often as
     * without probes: a UDP probe waits its whole timeout for a port unreachable that does not come, and a backend
     * whose MAC the kernel is resolving must not wait for it.
     */
    private void probe(final CompiledConfig c)
    {
        final List<Probe> due = new ArrayList<>();
        synchronized (lock)
        {
            if (reading == null || reading.config() != c)
            {
                return; // c's reading failed, or a newer configuration's came: read again first
            }
            final long now = System.nanoTime();
            for (int s = 0; s <= c.maxServiceIndex(); s++)
            {
                final ProxyService service = c.service(s);
                if (service == null || service.probe() == null)
                {
                    continue;
                }
                for (int b = 0; b < service.backends().size(); b++)
                {
                    final Backend backend = service.backends().get(b);
                    final Health h = reading.health().get(key(s, backend));
                    if (h != null && reading.macs()[s][b] != 0 && now >= h.nextCheck)
                    {
                        due.add(new Probe(service, backend.address(), backend.port(), h));
                        h.nextCheck = now + service.probe().interval().toNanos();
                    }
                }
            }
        }
        if (runProbes(due, c))
        {
            synchronized (lock)
            {
                if (config == c && reading.config() == c)
                {
                    publishIfChanged(c, reading.links());
                }
            }
        }
    }

    private static String key(final int service, final Backend backend)
    {
        return service + "/" + backend.address() + "/" + backend.port();
    }

    /** Whether each backend of {@code c} is enabled and up, by the health each one has now. */
    private static boolean[][] up(final CompiledConfig c, final Map<String, Health> seen)
    {
        final boolean[][] up = new boolean[c.maxServiceIndex() + 1][];
        for (int s = 0; s < up.length; s++)
        {
            final ProxyService service = c.service(s);
            if (service == null)
            {
                continue;
            }
            up[s] = new boolean[service.backends().size()];
            for (int b = 0; b < up[s].length; b++)
            {
                final Backend backend = service.backends().get(b);
                final Health h = seen.get(key(s, backend));
                up[s][b] = backend.enabled() && h != null && h.up;
            }
        }
        return up;
    }

    /** Publishes {@code next} when it is the first for {@code c} or differs from what was published. */
    private void publishIfChanged(final CompiledConfig c, final BackendLinks next)
    {
        // Always after a new configuration: the dataplane takes links only with the configuration they were made for.
        if (published.config() != c || changed(published, next, c))
        {
            published = next;
            publish.accept(next);
        }
    }

    private long mac(final IpAddress address)
    {
        final long mac = peek(address);
        if (mac != 0)
        {
            return mac;
        }
        try
        {
            neighbours.solicit(backIfindex, address.toInetAddress());
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "cannot solicit " + address + ": " + ex.getMessage());
        }
        return 0;
    }

    /** The MAC of the kernel's usable neighbour entry for {@code address}, or 0; asks nothing of the kernel. */
    private long peek(final IpAddress address)
    {
        final Optional<NeighbourEntry> e = neighbours.find(backIfindex, address.toInetAddress());
        return e.isPresent() && e.get().usable() && e.get().mac() != null ? e.get().mac().bits() : 0;
    }

    private static boolean changed(final BackendLinks before, final BackendLinks after, final CompiledConfig c)
    {
        for (int s = 0; s <= c.maxServiceIndex(); s++)
        {
            for (int b = 0; b < c.backendCount(s); b++)
            {
                if (before.mac(s, b) != after.mac(s, b) || before.healthy(s, b) != after.healthy(s, b))
                {
                    return true;
                }
            }
        }
        return before == BackendLinks.NONE;
    }

    /** One check to run. */
    private record Probe(ProxyService service, IpAddress address, int port, Health health)
    {
    }

    /**
     * Runs the due probes concurrently (non-blocking sockets, one selector), each within its timeout, and returns
     * whether they changed a backend's health. The MACs are read when their reading falls due meanwhile. A
     * configuration offered meanwhile ends the wait early (see
     * {@link #offer}): the probes still undecided then leave their backend's health as it was and are due again at
     * once.
     */
    private boolean runProbes(final List<Probe> due, final CompiledConfig c)
    {
        if (due.isEmpty())
        {
            return false;
        }
        final Map<Probe, Boolean> results = new HashMap<>();
        final List<Probe> undecided = new ArrayList<>();
        // Every channel opened, closed at the end whatever happened (a connect refused by the stack, a failed select).
        final List<SelectableChannel> opened = new ArrayList<>();
        try (Selector selector = Selector.open())
        {
            probing = selector;
            final Map<SelectionKey, Probe> keys = new HashMap<>();
            final Map<Probe, ByteBuffer> pending = new HashMap<>();
            long deadline = 0;
            for (final Probe p : due)
            {
                deadline = Math.max(deadline, System.nanoTime() + p.service().probe().timeout().toNanos());
                try
                {
                    if (p.service().protocol() == L4Protocol.UDP)
                    {
                        final DatagramChannel ch = DatagramChannel.open();
                        opened.add(ch);
                        ch.configureBlocking(false);
                        ch.connect(new InetSocketAddress(p.address().toInetAddress(), p.port()));
                        // One byte: the JDK sends no datagram for an empty buffer, and without one no port
                        // unreachable can come back.
                        ch.write(ByteBuffer.wrap(UDP_PROBE));
                        keys.put(ch.register(selector, SelectionKey.OP_READ), p);
                        results.put(p, true); // up unless an ICMP port unreachable comes back
                    }
                    else
                    {
                        final SocketChannel ch = SocketChannel.open();
                        opened.add(ch);
                        ch.configureBlocking(false);
                        ch.connect(new InetSocketAddress(p.address().toInetAddress(), p.port()));
                        keys.put(ch.register(selector, SelectionKey.OP_CONNECT), p);
                        results.put(p, false);
                        if (p.service().probe().httpPath() != null)
                        {
                            pending.put(p, ByteBuffer.wrap(("GET " + p.service().probe().httpPath()
                                + " HTTP/1.1\r\nHost: " + p.address() + "\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII)));
                        }
                    }
                }
                catch (final IOException ex)
                {
                    results.put(p, false);
                }
            }
            while (!keys.isEmpty() && System.nanoTime() < deadline && config == c)
            {
                final long wake = Math.min(deadline, nextNeighboursLocked());
                selector.select(Math.max(1, (wake - System.nanoTime()) / 1_000_000));
                for (final SelectionKey k : selector.selectedKeys())
                {
                    final Probe p = keys.get(k);
                    if (step(k, p, pending, results))
                    {
                        keys.remove(k);
                        k.channel().close();
                    }
                }
                selector.selectedKeys().clear();
                readBetweenProbesIfDue(c);
            }
            if (config != c && System.nanoTime() < deadline)
            {
                undecided.addAll(keys.values()); // their sockets are closed below, with every other one
            }
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "health probes failed to run: " + ex.getMessage());
            return false;
        }
        finally
        {
            probing = null;
            for (final SelectableChannel ch : opened)
            {
                try
                {
                    ch.close();
                }
                catch (final IOException ex)
                {
                    LOG.log(System.Logger.Level.DEBUG, "closing a probe's socket: " + ex.getMessage());
                }
            }
        }
        synchronized (lock)
        {
            return record(due, undecided, results);
        }
    }

    /** Applies the probes' results to their backends' health; whether one changed. Under the lock. */
    private static boolean record(final List<Probe> due, final List<Probe> undecided, final Map<Probe, Boolean> results)
    {
        boolean changed = false;
        for (final Probe p : due)
        {
            final Health h = p.health();
            if (undecided.contains(p))
            {
                h.nextCheck = 0;
                continue;
            }
            final boolean ok = results.getOrDefault(p, false);
            h.failures = ok ? 0 : h.failures + 1;
            final boolean up = ok || h.failures < p.service().probe().failuresToDown();
            if (up != h.up)
            {
                LOG.log(System.Logger.Level.INFO, "backend " + p.address() + ":" + p.port() + " of service "
                    + p.service().name() + " is " + (up ? "up" : "down"));
                changed = true;
            }
            h.up = up;
        }
        return changed;
    }

    /** {@return when the next reading is due} */
    private long nextNeighboursLocked()
    {
        synchronized (lock)
        {
            return nextNeighbours;
        }
    }

    /**
     * {@link #read} while probes wait, when a reading is due and {@code c} is still the configuration; a failure is
     * logged and the next reading put off, as the loop does, so that the probes' sockets are still closed.
     */
    private void readBetweenProbesIfDue(final CompiledConfig c)
    {
        synchronized (lock)
        {
            if (config != c || System.nanoTime() - nextNeighbours < 0)
            {
                return;
            }
            try
            {
                read(c, true);
            }
            catch (final RuntimeException ex)
            {
                readingFailed(ex);
            }
        }
    }

    /** A reading or pass that threw: logged, and the next reading put off by a period. Under the lock. */
    private void readingFailed(final RuntimeException ex)
    {
        LOG.log(System.Logger.Level.WARNING, "backend monitor: " + ex.getMessage(), ex);
        nextNeighbours = System.nanoTime() + NEIGHBOUR_PERIOD_NANOS;
    }

    /** Advances one probe; true when it is decided (its result is in {@code results}). */
    private static boolean step(
        final SelectionKey k, final Probe p, final Map<Probe, ByteBuffer> pending, final Map<Probe, Boolean> results)
    {
        try
        {
            if (k.channel() instanceof DatagramChannel ch)
            {
                ch.read(ByteBuffer.allocate(64));
                return true; // an answer: up
            }
            final SocketChannel ch = (SocketChannel)k.channel();
            if (k.isConnectable())
            {
                ch.finishConnect();
                final ByteBuffer request = pending.get(p);
                if (request == null)
                {
                    results.put(p, true);
                    return true;
                }
                ch.write(request);
                k.interestOps(SelectionKey.OP_READ);
                return false;
            }
            final ByteBuffer answer = ByteBuffer.allocate(64);
            final int n = ch.read(answer);
            if (n > 0)
            {
                final String line = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
                results.put(p, line.startsWith("HTTP/1.") && line.length() > 9
                    && (line.charAt(9) == '2' || line.charAt(9) == '3'));
            }
            return true;
        }
        catch (final PortUnreachableException ex)
        {
            results.put(p, false);
            return true;
        }
        catch (final IOException ex)
        {
            results.put(p, false);
            return true;
        }
    }
}
