package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessEntry;
import io.marchproxy.dataplane.bpf.L4AccessEncoding;
import io.marchproxy.dataplane.bpf.L4FlowSlots;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.counter.LatencyHistogram;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.cpu.CpuPlacement;
import io.marchproxy.dataplane.cpu.NumaTopology;
import io.marchproxy.dataplane.cpu.ThreadAffinity;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.netlink.InterfaceLink;
import io.marchproxy.dataplane.netlink.NeighbourTable;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.qos.EgressScheduler;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosCounter;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskForwarder;
import io.marchproxy.dataplane.xsk.XskSocket;
import io.marchproxy.dataplane.xsk.XskStatistics;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.IdleStrategy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A running L4 proxy on two interfaces of one network namespace: clients reach service VIPs on {@code front}, the
 * proxy picks a backend, translates (full NAT: to the backend, from the node's back address and a SNAT port) and sends
 * out of {@code back}; replies come back the same way reversed. The XDP program ({@link L4Program}) on both
 * interfaces drops what the access rules deny and steers the rest to one AF_XDP socket per interface (one UMEM, so
 * forwarding is zero-copy between them); one dataplane worker thread runs both directions ({@link ProxyPipeline}),
 * QoS on both egresses and the flow sweep, pinned to the CPUs {@link ProxySettings#cores()} picks
 * ({@link #worker()} says which and why); a monitor thread keeps backends' MACs and health current. Flows of services
 * that offload ({@link ProxyService#offload()}), once decided, are forwarded by the XDP program itself from entries the
 * worker writes ({@link FlowOffload}), up to {@link ProxySettings#offloadFlows()} at once.
 *
 * <p>{@link #apply} replaces the whole configuration while traffic flows: the dataplane thread adopts it between two
 * batches (or, when it idles, apply adopts it on its behalf, the worker held off meanwhile), then the XDP program's
 * maps flip to the same version in one update. Setup and {@link #apply} are for a
 * control thread (one at a time); statistics may be read from any thread. {@link #close()} stops everything and
 * releases every native resource, in reverse order of creation.
 */
public final class L4Proxy implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(L4Proxy.class.getName());
    private static final long ADOPT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** How long apply spins for the worker's adoption before it parks between looks (and adopts for an idle one). */
    private static final long ADOPT_SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long ADOPT_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    /** How long {@link #apply} lets the backend monitor look at a new configuration's backends first. */
    private static final long LINKS_TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final NetNamespace namespace;
    private final ProxySettings settings;
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ApplyStages stages = new ApplyStages();
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
    private long sequence;
    private Set<InetAddress> steeredVips = Set.of();
    private WorkerPlacement worker;
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
     *
     * @param namespace where the interfaces are, or null for the caller's
     * @param settings interfaces, addresses and sizes
     * @param initial the first configuration ({@link ProxyConfig#EMPTY} for none yet)
     * @return the running proxy; close it to stop it and release everything
     * @throws Exception when it cannot start (what it made is released first)
     */
    public static L4Proxy start(final NetNamespace namespace, final ProxySettings settings, final ProxyConfig initial)
        throws Exception
    {
        return start(namespace, settings, initial, FlowEvents.NONE);
    }

    /**
     * Starts a proxy as {@link #start(NetNamespace, ProxySettings, ProxyConfig)} does, telling {@code events} about
     * flows opening and closing and sampled drops (on the dataplane thread: see {@link FlowEvents}).
     *
     * @param namespace where the interfaces are, or null for the caller's
     * @param settings interfaces, addresses and sizes
     * @param initial the first configuration ({@link ProxyConfig#EMPTY} for none yet)
     * @param events told about flows and drops, on the dataplane thread ({@link FlowEvents#NONE}: nothing)
     * @return the running proxy; close it to stop it and release everything
     * @throws Exception when it cannot start (what it made is released first)
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
     *
     * @param namespace where the interfaces are, or null for the caller's
     * @param settings interfaces, addresses and sizes
     * @param initial the first configuration ({@link ProxyConfig#EMPTY} for none yet)
     * @param events told about flows and drops, on the dataplane thread ({@link FlowEvents#NONE}: nothing)
     * @param latency where the per-packet latency is recorded, or null for nowhere
     * @return the running proxy; close it to stop it and release everything
     * @throws Exception when it cannot start (what it made is released first)
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
        final CpuPlacement placement = placement(); // first: bad cores fail before anything is made
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
        // A copy-mode kick sends at most 32 frames unless told otherwise: with a batch of more, a turn would take more
        // off RX than one kick sends, and what QoS holds in its class queues would grow until they drop.
        final int txBudget = settings.batch() > XskSocket.KERNEL_TX_BUDGET ? settings.batch() : 0;
        front = keep(XskSocket.builder(umem).ifindex(frontIndex).queue(settings.queue())
            .ringSize(settings.ringSize()).txBudgetIfSupported(txBudget).open());
        back = keep(XskSocket.builder(umem).ifindex(backIndex).queue(settings.queue())
            .ringSize(settings.ringSize()).txBudgetIfSupported(txBudget).sharedWith(front).open());
        program.registerSocket(frontIndex, settings.queue(), front.fd());
        program.registerSocket(backIndex, settings.queue(), back.fd());

        current = new CompiledConfig(initial, null, settings.qos(), ++sequence);
        writeProgram(current);
        final L4FlowSlots flowSlots = settings.offloadFlows() > 0 ? program.mapFlowSlots() : null;
        try
        {
            pipeline = keep(new ProxyPipeline(current, settings.snat4(), settings.snat6(), settings.snatPorts(),
                frontLink.mac().bits(), backLink.mac().bits(), settings.flowsPerFamily(), settings.timeouts(),
                settings.qos(), new SocketPort(back), new SocketPort(front), events,
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

        final XskForwarder toBackends = new XskForwarder(front, back, settings.batch(), pipeline.clientSide(),
            pipeline.egress(true));
        final XskForwarder toClients = new XskForwarder(back, front, settings.batch(), pipeline.backendSide(),
            pipeline.egress(false));
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
        final String name = "marchproxy-l4-" + settings.front();
        // AgentRunner names its thread after the agent's role: the worker's name, as ps and /proc show it.
        final Agent duty = new CompositeAgent(housekeeping, toBackends, toClients)
        {
            @Override
            public String roleName()
            {
                return name;
            }
        };
        final IdleStrategy idle = settings.idle().create(front, back, settings.pollTimeoutMs());
        runner = new AgentRunner(new PausingIdle(idle, pipeline),
            ex -> LOG.log(System.Logger.Level.ERROR, "L4 dataplane: " + ex, ex), null, duty);
        worker = startWorker(name, placement);
        LOG.log(System.Logger.Level.INFO, "L4 dataplane worker " + worker + "; frames per TX kick in copy mode: "
            + (front.txBudget() == 0 ? XskSocket.KERNEL_TX_BUDGET + " (the kernel's)" : front.txBudget()));
    }

    /** Where the worker goes: {@link ProxySettings#cores()} on this machine, for the front interface. */
    private CpuPlacement placement() throws java.io.IOException
    {
        // /sys/class/net lists the devices of the namespace that mounted /sys: the process's, not the proxy's.
        return CpuPlacement.choose(settings.cores(), settings.front(), namespace == null, NumaTopology.system(),
            ThreadAffinity.currentThread());
    }

    /**
     * Starts the worker thread, which pins itself before its first turn, and waits until it has: a placement the
     * kernel refuses fails the start.
     */
    private WorkerPlacement startWorker(final String name, final CpuPlacement placement) throws Exception
    {
        final CompletableFuture<WorkerPlacement> started = new CompletableFuture<>();
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread t = new Thread(() ->
            {
                try
                {
                    if (placement.pinned())
                    {
                        ThreadAffinity.pinCurrentThread(placement.cpus());
                    }
                    started.complete(new WorkerPlacement(name, ThreadAffinity.currentThreadId(), settings.queue(),
                        placement, ThreadAffinity.currentThread(), settings.idle()));
                }
                catch (final RuntimeException ex)
                {
                    started.completeExceptionally(ex);
                    return;
                }
                r.run();
            }, name);
            t.setDaemon(true);
            return t;
        });
        try
        {
            return started.get(10, TimeUnit.SECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException("the dataplane worker could not be placed (" + placement.reason() + "): "
                + ex.getCause().getMessage(), ex.getCause());
        }
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
     * call waits for that; for an idle worker it adopts them here, on the worker's behalf, the worker held off
     * meanwhile), then written into the XDP program's other generation and flipped live. The kernel never runs ahead
     * of the worker: a worker that does not adopt within 2 s fails the call and the XDP program keeps the previous
     * configuration. Control thread.
     *
     * @param next the new configuration
     * @throws Exception when it cannot be compiled or written, or the worker did not adopt it (the old one stays)
     */
    public synchronized void apply(final ProxyConfig next) throws Exception
    {
        final long start = System.nanoTime();
        final CompiledConfig compiled = new CompiledConfig(next, current.statistics(), settings.qos(), ++sequence);
        final long compiledAt = System.nanoTime();
        stages.record(ApplyStages.Stage.COMPILE, compiledAt - start);
        // The monitor looks at the new backends first, so the dataplane thread adopts the configuration and their
        // links (MACs) in one turn: a backend the change adds or enables takes new flows from the first packet
        // instead of their being dropped (no backend) until the monitor catches up. When the monitor knows every MAC
        // the change needs, that pass runs here, with no hand-off to its thread; otherwise its thread asks the kernel,
        // bounded: a MAC still to resolve does not hold the change back (health probes run after the pass has
        // published, and the offer ends the wait of probes running now).
        monitor.offer(compiled);
        if (!monitor.passKnown(compiled))
        {
            monitor.awaitPass(compiled, LINKS_TIMEOUT_NANOS);
        }
        final long linkedAt = System.nanoTime();
        stages.record(ApplyStages.Stage.LINKS, linkedAt - compiledAt);
        pipeline.offer(compiled);
        // An idle worker may sleep in poll() or wait to be scheduled for milliseconds: adopt on its behalf then. A
        // worker busy now adopts between two batches; one that went idle after this first look (having checked for a
        // configuration just before it came) is adopted for by a later look. Spinning first, then parked: on a
        // machine of few cores a spinning control thread takes the core the worker waits for.
        pipeline.adoptIfIdle();
        while (pipeline.liveConfig() != compiled)
        {
            final long waited = System.nanoTime() - linkedAt;
            if (waited >= ADOPT_TIMEOUT_NANOS)
            {
                break;
            }
            if (waited < ADOPT_SPIN_NANOS)
            {
                Thread.onSpinWait();
            }
            else if (!pipeline.adoptIfIdle())
            {
                LockSupport.parkNanos(ADOPT_PARK_NANOS);
            }
        }
        if (pipeline.liveConfig() != compiled)
        {
            throw new IllegalStateException("the dataplane worker did not adopt config version " + next.version()
                + " within 2 s (is it running? " + worker + "); the XDP program keeps version "
                + current.version());
        }
        final long adoptedAt = System.nanoTime();
        stages.record(ApplyStages.Stage.ADOPTION, adoptedAt - linkedAt);
        writeProgram(compiled);
        stages.record(ApplyStages.Stage.PROGRAM, System.nanoTime() - adoptedAt);
        current = compiled;
    }

    /** {@return how long the stages of {@link #apply} took so far; any thread} */
    public ApplyStages applyStages()
    {
        return stages;
    }

    /**
     * Writes services and access entries into the program's idle generation and flips it live as the configuration's
     * sequence. The steered addresses are widened to both configurations' VIPs before the flip and narrowed to the new
     * one's after it, so that neither generation's frames to a VIP go to the kernel in between.
     */
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
        final List<L4Program.SnatRange> snat = snatRanges();
        final Set<InetAddress> both = new HashSet<>(vips);
        both.addAll(steeredVips);
        program.setAddresses(both, snat);
        g.commit(c.sequence());
        program.setAddresses(vips, snat);
        steeredVips = vips;
    }

    private List<L4Program.SnatRange> snatRanges()
    {
        final List<L4Program.SnatRange> snat = new ArrayList<>();
        for (final IpAddress address : new IpAddress[]{settings.snat4(), settings.snat6()})
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
        return snat;
    }

    /** {@return the configuration the proxy serves now (the last one applied)} */
    public synchronized ProxyConfig config()
    {
        return current.source();
    }

    /** {@return the configuration version the dataplane thread has adopted; any thread} */
    public long adoptedVersion()
    {
        final CompiledConfig c = pipeline.liveConfig();
        return c == null ? -1 : c.version();
    }

    /** {@return per-service and per-backend counters of the adopted configuration; any thread} */
    public ProxyStatistics statistics()
    {
        return pipeline.liveConfig().statistics();
    }

    /** {@return frames the dataplane dropped, by {@link io.marchproxy.dataplane.packet.DropReason}; any thread} */
    public SingleWriterCounters drops()
    {
        return pipeline.drops();
    }

    /**
     * {@return frames the XDP program decided under a configuration, by how that configuration compares with the
     * worker's} ({@link ConfigConsistency}: {@code KERNEL_AHEAD} would be a torn swap); any thread.
     */
    public SingleWriterCounters configConsistency()
    {
        return pipeline.consistency();
    }

    /**
     * {@return the sequence of the configuration the worker has adopted (1 for the initial one, +1 per apply)} Any
     * thread.
     */
    public long adoptedSequence()
    {
        final CompiledConfig c = pipeline.liveConfig();
        return c == null ? 0 : c.sequence();
    }

    /** {@return the XDP program (its counters); any thread} */
    public L4Program program()
    {
        return program;
    }

    /** {@return what flow offload did ({@link OffloadCounter}); any thread} */
    public SingleWriterCounters offloadCounters()
    {
        return pipeline.offloadCounters();
    }

    /**
     * {@return per-packet processing latency (nanoseconds), recorded by the dataplane thread, or null if not recorded}
     */
    public LatencyHistogram latency()
    {
        return latency;
    }

    /**
     * {@return every figure of the proxy now, as plain values} Per service and backend counters of the adopted
     * configuration, drops by reason, the XDP program's counters, flow offload's, each socket's, the latency
     * distribution. Any thread; allocates (for reporting, not for the hot path).
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
            services.add(new ProxySnapshot.ServiceFigures(s, counters, List.copyOf(backends),
                stats.latency(s.index()), settings.offloadFlows() > 0 && live.offload(s.index())));
        }
        final L4Program.Counter[] xdpCounters = L4Program.Counter.values();
        final long[] xdp = new long[xdpCounters.length];
        for (final L4Program.Counter c : xdpCounters)
        {
            xdp[c.ordinal()] = program.counter(c);
        }
        final List<ProxySnapshot.SocketFigures> sockets = List.of(
            socketFigures(settings.front(), front), socketFigures(settings.back(), back));
        final List<ProxySnapshot.ClassFigures> qos = new ArrayList<>();
        for (final boolean toBackends : new boolean[]{true, false})
        {
            final EgressScheduler scheduler = pipeline.scheduler(toBackends);
            for (final PriorityClass c : scheduler == null ? new PriorityClass[0] : PriorityClass.values())
            {
                final long[] counters = new long[QosCounter.values().length];
                for (final QosCounter q : QosCounter.values())
                {
                    counters[q.ordinal()] = scheduler.counter(c, q);
                }
                qos.add(new ProxySnapshot.ClassFigures(toBackends, c, counters));
            }
        }
        return new ProxySnapshot(live.version(), flows(), List.copyOf(services), pipeline.drops().snapshot(), xdp,
            pipeline.offloadCounters().snapshot(), sockets,
            latency == null ? new LatencyHistogram().snapshot() : latency.snapshot(), List.copyOf(qos), worker);
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

    /** {@return flows tracked now (both families; read without synchronization, so approximate while traffic flows)} */
    public int flows()
    {
        return pipeline.flows();
    }

    /** {@return frames received on the front and back sockets} */
    public long received()
    {
        return front.rxPackets() + back.rxPackets();
    }

    /** {@return the settings the proxy started with} */
    public ProxySettings settings()
    {
        return settings;
    }

    /** {@return where the dataplane worker runs and why; any thread} */
    public WorkerPlacement worker()
    {
        return worker;
    }

    /**
     * The QoS scheduler of the frames toward backends ({@code toBackends}, sent on the back interface) or toward
     * clients, for its per-class counters; null when QoS is off. Counters may be read from any thread.
     *
     * @param toBackends the egress toward backends, else toward clients
     * @return the scheduler, or null when QoS is off
     */
    public EgressScheduler qos(final boolean toBackends)
    {
        return pipeline.scheduler(toBackends);
    }

    /**
     * The worker's idle strategy with the pipeline given up while it idles (no work in the turn), so that
     * {@link #apply} can adopt a configuration without waiting for an idle worker to wake.
     */
    private static final class PausingIdle implements IdleStrategy
    {
        private final IdleStrategy idle;
        private final ProxyPipeline pipeline;

        PausingIdle(final IdleStrategy idle, final ProxyPipeline pipeline)
        {
            this.idle = idle;
            this.pipeline = pipeline;
        }

        @Override
        public void idle(final int workCount)
        {
            if (workCount > 0)
            {
                idle.idle(workCount);
                return;
            }
            pipeline.pause();
            try
            {
                idle.idle(0);
            }
            finally
            {
                pipeline.resume();
            }
        }

        @Override
        public void idle()
        {
            pipeline.pause();
            try
            {
                idle.idle();
            }
            finally
            {
                pipeline.resume();
            }
        }

        @Override
        public void reset()
        {
            idle.reset();
        }

        @Override
        public String alias()
        {
            return idle.alias();
        }
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
