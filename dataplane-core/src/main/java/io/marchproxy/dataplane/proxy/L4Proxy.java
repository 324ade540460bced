package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessEntry;
import io.marchproxy.dataplane.bpf.L4AccessEncoding;
import io.marchproxy.dataplane.bpf.L4FlowSlots;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.counter.LatencyHistogram;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.netlink.InterfaceLink;
import io.marchproxy.dataplane.netlink.NeighbourTable;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskForwarder;
import io.marchproxy.dataplane.xsk.XskPollIdleStrategy;
import io.marchproxy.dataplane.xsk.XskPoller;
import io.marchproxy.dataplane.xsk.XskSocket;
import io.marchproxy.dataplane.xsk.XskStatistics;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A running L4 proxy on two interfaces of one network namespace: clients reach service VIPs on {@code front}, the
 * proxy picks a backend, translates (full NAT: to the backend, from the node's back address and a SNAT port) and sends
 * out of {@code back}; replies come back the same way reversed. The XDP program ({@link L4Program}) on both
 * interfaces drops what the access rules deny and steers the rest to one AF_XDP socket per interface (one UMEM, so
 * forwarding is zero-copy between them); one dataplane thread runs both directions ({@link ProxyPipeline}) and the
 * flow sweep; a monitor thread keeps backends' MACs and health current. Flows of services that offload
 * ({@link ProxyService#offload()}), once decided, are forwarded by the XDP program itself from entries the dataplane
 * thread writes ({@link FlowOffload}), up to {@link ProxySettings#offloadFlows()} at once.
 *
 * <p>{@link #apply} replaces the whole configuration while traffic flows: the dataplane thread adopts it between two
 * batches, then the XDP program's maps flip to the same version in one update. Setup and {@link #apply} are for a
 * control thread (one at a time); statistics may be read from any thread. {@link #close()} stops everything and
 * releases every native resource, in reverse order of creation.
 */
public final class L4Proxy implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(L4Proxy.class.getName());
    private static final long ADOPT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long {@link #apply} lets the backend monitor look at a new configuration's backends first. */
    private static final long LINKS_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final NetNamespace namespace;
    private final ProxySettings settings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private L4Program program;
    private XskSocket front;
    private XskSocket back;
    private int frontIndex;
    private int backIndex;
    private ProxyPipeline pipeline;
    private BackendMonitor monitor;
    private Thread monitorThread;
    private AgentRunner runner;
    private CompiledConfig current;
    private final FlowEvents events;
    private final LatencyHistogram latency;

    private L4Proxy(final NetNamespace namespace, final ProxySettings settings, final FlowEvents events,
        final LatencyHistogram latency)
    {
        this.namespace = namespace;
        this.settings = settings;
        this.events = Objects.requireNonNull(events, "events");
        this.latency = latency;
    }

    /**
     * Starts a proxy in {@code namespace} (null: the caller's) with {@code initial} configuration. Fails with a clear
     * message, and releases what it made, when an interface is missing, the program cannot load or a socket cannot
     * bind.
     */
    public static L4Proxy start(final NetNamespace namespace, final ProxySettings settings, final ProxyConfig initial)
        throws Exception
    {
        return start(namespace, settings, initial, FlowEvents.NONE);
    }

    /**
     * Starts a proxy as {@link #start(NetNamespace, ProxySettings, ProxyConfig)} does, telling {@code events} about
     * flows opening and closing and sampled drops (on the dataplane thread: see {@link FlowEvents}).
     */
    public static L4Proxy start(
        final NetNamespace namespace, final ProxySettings settings, final ProxyConfig initial, final FlowEvents events)
        throws Exception
    {
        return start(namespace, settings, initial, events, new LatencyHistogram());
    }

    /**
     * Starts a proxy as {@link #start(NetNamespace, ProxySettings, ProxyConfig, FlowEvents)} does, recording the
     * per-packet latency into {@code latency}, or not at all when it is null (to measure what recording costs).
     */
    public static L4Proxy start(final NetNamespace namespace, final ProxySettings settings,
        final ProxyConfig initial, final FlowEvents events, final LatencyHistogram latency) throws Exception
    {
        if (settings.front().equals(settings.back()))
        {
            throw new IllegalArgumentException("front and back must be two interfaces (one-armed is not supported)");
        }
        final L4Proxy proxy = new L4Proxy(namespace, settings, events, latency);
        try
        {
            if (namespace == null)
            {
                proxy.open(initial);
            }
            else
            {
                namespace.call(() ->
                {
                    proxy.open(initial);
                    return null;
                });
            }
            return proxy;
        }
        catch (final Exception | Error ex)
        {
            proxy.close();
            throw ex;
        }
    }

    /** Everything made inside the namespace. */
    private void open(final ProxyConfig initial) throws Exception
    {
        frontIndex = Interfaces.index(settings.front());
        backIndex = Interfaces.index(settings.back());
        final NeighbourTable neighbours = keep(NeighbourTable.open());
        final InterfaceLink frontLink = neighbours.link(frontIndex);
        final InterfaceLink backLink = neighbours.link(backIndex);
        program = keep(L4Program.load(flowSlots(settings.offloadFlows())));
        // The DEVMAP resolves interface indexes in the writer's namespace: this one.
        program.egress(FlowOffload.FRONT_EGRESS, frontIndex);
        program.egress(FlowOffload.BACK_EGRESS, backIndex);
        final Umem umem = keep(Umem.allocate(settings.frames(), settings.frameSize(), 0));
        front = keep(XskSocket.builder(umem).ifindex(frontIndex).queue(settings.queue())
            .ringSize(settings.ringSize()).open());
        back = keep(XskSocket.builder(umem).ifindex(backIndex).queue(settings.queue())
            .ringSize(settings.ringSize()).sharedWith(front).open());
        program.registerSocket(frontIndex, settings.queue(), front.fd());
        program.registerSocket(backIndex, settings.queue(), back.fd());

        current = new CompiledConfig(initial, null);
        writeProgram(current);
        final L4FlowSlots flowSlots = settings.offloadFlows() > 0 ? program.mapFlowSlots() : null;
        try
        {
            pipeline = keep(new ProxyPipeline(current, settings.snat4(), settings.snat6(), settings.snatPorts(),
                frontLink.mac().bits(), backLink.mac().bits(), settings.flowsPerFamily(), settings.timeouts(), events,
                latency == null ? null : latency.newWriter(), flowSlots, settings.offloadFlows()));
        }
        catch (final RuntimeException | Error ex)
        {
            if (flowSlots != null)
            {
                flowSlots.close();
            }
            throw ex;
        }
        keep(program.attach(frontIndex, settings.mode()));
        keep(program.attach(backIndex, settings.mode()));

        monitor = new BackendMonitor(neighbours, backIndex, current, links -> pipeline.offer(links));
        monitorThread = new Thread(() -> runIn(monitor), "marchproxy-backends-" + settings.back());
        monitorThread.setDaemon(true);
        monitorThread.start();

        final XskForwarder toBackends = new XskForwarder(front, back, settings.batch(), pipeline.clientSide());
        final XskForwarder toClients = new XskForwarder(back, front, settings.batch(), pipeline.backendSide());
        final Agent housekeeping = new Agent()
        {
            @Override
            public int doWork()
            {
                return pipeline.housekeeping(System.nanoTime());
            }

            @Override
            public void onClose()
            {
                pipeline.closeFlows(System.nanoTime());
            }

            @Override
            public String roleName()
            {
                return "l4-housekeeping";
            }
        };
        final XskPollIdleStrategy idle = new XskPollIdleStrategy(new XskPoller(front, back),
            settings.pollTimeoutMs(), front, back);
        runner = new AgentRunner(idle, ex -> LOG.log(System.Logger.Level.ERROR,
            "L4 dataplane: " + ex, ex), null, new CompositeAgent(housekeeping, toBackends, toClients));
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread t = new Thread(r, "marchproxy-l4-" + settings.front());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Slots for {@code flows} offloaded flows: two directions each, at most a quarter full when all are offloaded (a
     * key then finds a free slot among {@value L4FlowSlots#PROBES} with odds of 255 in 256), a power of two; 0 for
     * none.
     */
    static int flowSlots(final int flows)
    {
        if (flows <= 0)
        {
            return 0;
        }
        return Math.max(L4FlowSlots.PROBES, Integer.highestOneBit(8 * flows - 1) << 1);
    }

    /** The monitor's loop, inside the proxy's namespace (its probes' sockets belong there). */
    private void runIn(final BackendMonitor m)
    {
        if (namespace == null)
        {
            m.run();
            return;
        }
        try
        {
            namespace.call(() ->
            {
                m.run();
                return null;
            });
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.ERROR, "backend monitor stopped: " + ex.getMessage(), ex);
        }
    }

    /**
     * Makes {@code next} the configuration: compiled here, looked at by the backend monitor (the MACs of its
     * backends, up to 250 ms), adopted by the dataplane thread between two batches together with those links (this
     * call waits for that, a few milliseconds at most when idle), then written into the XDP program's other
     * generation and flipped live. Control thread.
     */
    public synchronized void apply(final ProxyConfig next) throws Exception
    {
        final CompiledConfig compiled = new CompiledConfig(next, current.statistics());
        // The monitor looks at the new backends first, so the dataplane thread adopts the configuration and their
        // links (MACs) in one turn: a backend the change adds or enables takes new flows from the first packet
        // instead of their being dropped (no backend) until the monitor catches up. Bounded: a slow health probe
        // or a MAC still to resolve does not hold the change back.
        monitor.offer(compiled);
        monitor.awaitPass(compiled, LINKS_TIMEOUT_NANOS);
        pipeline.offer(compiled);
        final long deadline = System.nanoTime() + ADOPT_TIMEOUT_NANOS;
        while (pipeline.liveConfig() != compiled && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        if (pipeline.liveConfig() != compiled)
        {
            LOG.log(System.Logger.Level.WARNING, "the dataplane thread did not adopt config version "
                + next.version() + " within 2 s; the XDP program follows anyway");
        }
        writeProgram(compiled);
        current = compiled;
    }

    /** Writes services and access entries into the program's idle generation, flips it live, updates the steering. */
    private void writeProgram(final CompiledConfig c)
    {
        final L4Program.Generation g = program.stage()
            .defaultAction(L4AccessEncoding.action(c.source().defaultAction()));
        final Set<InetAddress> vips = new HashSet<>();
        for (final ProxyService s : c.source().services())
        {
            final InetAddress vip = s.vip().toInetAddress();
            vips.add(vip);
            if (s.ports().isSinglePort())
            {
                g.service(vip, s.protocol().number(), s.ports().first(), s.index());
            }
            else
            {
                g.serviceRange(vip, s.protocol().number(), s.ports().first(), s.ports().last(), s.index());
            }
        }
        for (final AccessEntry e : c.policy().entries())
        {
            final ProxyService s = c.service(e.serviceIndex());
            if (s != null)
            {
                g.access(e, s.protocol());
            }
        }
        g.commit();
        final List<L4Program.SnatRange> snat = new ArrayList<>();
        for (final var address : new io.marchproxy.dataplane.net.IpAddress[]{settings.snat4(), settings.snat6()})
        {
            if (address != null)
            {
                for (final int protocol : new int[]{L4Program.IPPROTO_TCP, L4Program.IPPROTO_UDP})
                {
                    snat.add(new L4Program.SnatRange(address.toInetAddress(), protocol,
                        settings.snatPorts().first(), settings.snatPorts().last()));
                }
            }
        }
        program.setAddresses(vips, snat);
    }


    /** The configuration the proxy serves now (the last one applied). */
    public synchronized ProxyConfig config()
    {
        return current.source();
    }

    /** The configuration version the dataplane thread has adopted; any thread. */
    public long adoptedVersion()
    {
        final CompiledConfig c = pipeline.liveConfig();
        return c == null ? -1 : c.version();
    }

    /** Per-service and per-backend counters of the adopted configuration; any thread. */
    public ProxyStatistics statistics()
    {
        return pipeline.liveConfig().statistics();
    }

    /** Frames the dataplane dropped, by {@link io.marchproxy.dataplane.packet.DropReason}; any thread. */
    public SingleWriterCounters drops()
    {
        return pipeline.drops();
    }

    /** The XDP program (its counters); any thread. */
    public L4Program program()
    {
        return program;
    }

    /** What flow offload did ({@link OffloadCounter}); any thread. */
    public SingleWriterCounters offloadCounters()
    {
        return pipeline.offloadCounters();
    }

    /** Per-packet processing latency (nanoseconds), recorded by the dataplane thread, or null if not recorded. */
    public LatencyHistogram latency()
    {
        return latency;
    }

    /**
     * Every figure of the proxy now, as plain values: per service and backend counters of the adopted configuration,
     * drops by reason, the XDP program's counters, flow offload's, each socket's, the latency distribution. Any thread; allocates
     * (for reporting, not for the hot path).
     */
    public ProxySnapshot snapshot()
    {
        final CompiledConfig live = pipeline.liveConfig();
        final ProxyStatistics stats = live.statistics();
        final ProxyStatistics.ServiceCounter[] serviceCounters = ProxyStatistics.ServiceCounter.values();
        final ProxyStatistics.BackendCounter[] backendCounters = ProxyStatistics.BackendCounter.values();
        final List<ProxySnapshot.ServiceFigures> services = new ArrayList<>();
        for (final ProxyService s : live.source().services())
        {
            final long[] counters = new long[serviceCounters.length];
            for (final ProxyStatistics.ServiceCounter c : serviceCounters)
            {
                counters[c.ordinal()] = stats.service(s.index(), c);
            }
            final List<ProxySnapshot.BackendFigures> backends = new ArrayList<>();
            for (int b = 0; b < s.backends().size(); b++)
            {
                final long[] bc = new long[backendCounters.length];
                for (final ProxyStatistics.BackendCounter c : backendCounters)
                {
                    bc[c.ordinal()] = stats.backend(s.index(), b, c);
                }
                backends.add(new ProxySnapshot.BackendFigures(b, s.backends().get(b), bc));
            }
            services.add(new ProxySnapshot.ServiceFigures(s, counters, List.copyOf(backends)));
        }
        final L4Program.Counter[] xdpCounters = L4Program.Counter.values();
        final long[] xdp = new long[xdpCounters.length];
        for (final L4Program.Counter c : xdpCounters)
        {
            xdp[c.ordinal()] = program.counter(c);
        }
        final List<ProxySnapshot.SocketFigures> sockets = List.of(
            socketFigures(settings.front(), front), socketFigures(settings.back(), back));
        return new ProxySnapshot(live.version(), flows(), List.copyOf(services), pipeline.drops().snapshot(), xdp,
            pipeline.offloadCounters().snapshot(), sockets, latency == null ? new LatencyHistogram().snapshot() : latency.snapshot());
    }

    private ProxySnapshot.SocketFigures socketFigures(final String name, final XskSocket socket)
    {
        XskStatistics kernel;
        try
        {
            kernel = socket.statistics();
        }
        catch (final RuntimeException ex)
        {
            kernel = null; // closed while we asked: the figures above still hold
        }
        return new ProxySnapshot.SocketFigures(name, socket.queue(), socket.rxPackets(), socket.txSubmitted(), kernel);
    }

    /** Flows tracked now (both families; read without synchronization, so approximate while traffic flows). */
    public int flows()
    {
        return pipeline.flows();
    }

    /** Frames received on the front and back sockets. */
    public long received()
    {
        return front.rxPackets() + back.rxPackets();
    }

    public ProxySettings settings()
    {
        return settings;
    }

    private <T extends AutoCloseable> T keep(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    @Override
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
        if (monitor != null)
        {
            monitor.stop();
            try
            {
                monitorThread.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            final AutoCloseable r = resources.get(i);
            try
            {
                if (r instanceof XdpAttachment a && namespace != null)
                {
                    namespace.run(a::close);
                }
                else
                {
                    r.close();
                }
            }
            catch (final Exception ex)
            {
                LOG.log(System.Logger.Level.WARNING, "closing " + r + ": " + ex.getMessage(), ex);
            }
        }
        resources.clear();
    }
}
