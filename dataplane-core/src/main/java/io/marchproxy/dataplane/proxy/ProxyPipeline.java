package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.balance.BackendSelector;
import io.marchproxy.dataplane.bpf.L4FlowSlots;
import io.marchproxy.dataplane.bpf.L4Layouts;
import io.marchproxy.dataplane.conntrack.ExpiredFlowHandler;
import io.marchproxy.dataplane.conntrack.FlowState;
import io.marchproxy.dataplane.conntrack.FlowTable;
import io.marchproxy.dataplane.conntrack.FlowTimeouts;
import io.marchproxy.dataplane.counter.LatencyHistogram;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.nat.NatRewriter;
import io.marchproxy.dataplane.nat.SnatPortAllocator;
import io.marchproxy.dataplane.net.FlowTuple;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpFamily;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.packet.EthernetFrame;
import io.marchproxy.dataplane.packet.PacketParser;
import io.marchproxy.dataplane.packet.PacketVerdict;
import io.marchproxy.dataplane.packet.ParsedPacket;
import io.marchproxy.dataplane.packet.TcpHeader;
import io.marchproxy.dataplane.qos.DscpMarker;
import io.marchproxy.dataplane.qos.EgressScheduler;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.qos.TokenBucket;
import io.marchproxy.dataplane.qos.TxPort;
import io.marchproxy.dataplane.xsk.Packet;
import io.marchproxy.dataplane.xsk.XskForwarder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import static io.marchproxy.dataplane.packet.NetworkByteOrder.u48;

/**
 * The L4 proxy's per-packet work, both directions, on the one dataplane thread: parse, find the flow or open one
 * (service, access rules, backend, SNAT port), rewrite in place (full NAT, TTL, MACs, incremental checksums), count.
 * {@link #clientSide()} handles frames from clients (front interface) and {@link #backendSide()} frames from backends
 * (back interface); both are {@link XskForwarder.Rewriter}s of forwarders run together on that thread, with
 * {@link #housekeeping(long)} between turns. With QoS on, each side is also its forwarder's {@link XskForwarder.Egress}:
 * the rewritten frame is marked with its service's DSCP and offered to the out interface's {@link EgressScheduler}
 * with the instant its service's token bucket for that direction lets it leave and its delay bound.
 *
 * <p>Flows decided here are offloaded to the XDP program when their service says so ({@link FlowOffload}): an
 * established TCP flow, a UDP flow after a few frames both ways; their frames then skip this path until a SYN, FIN or
 * RST, a configuration or backend change, or idleness brings them back. After a configuration or backend change, a
 * walk over the flows (a slice per turn) closes those the access rules no longer admit and takes back offloaded ones
 * whose decision changed.
 *
 * <p>What crosses threads: the configuration ({@link CompiledConfig}) and the backends' links and health
 * ({@link BackendLinks}) arrive as immutable snapshots through volatile fields and are adopted between batches, links
 * only together with (or after) the configuration they were made for; the
 * counters are {@link SingleWriterCounters} any thread may read. Everything else has this one writer. No allocation
 * and no exception per packet: every failure is a {@link DropReason} counted.
 *
 * <p>Statistics beyond the counters: the frames of each turn are counted, and at the start of the next turn the
 * turn's duration is recorded once for each of them into a {@link LatencyHistogram} (from the turn's start, before the
 * frames were taken off the RX ring, to after their TX publish: what each frame of the turn waited at most, for one
 * clock read per turn). The frames forwarded are also counted per service (an {@code int} per service index, and the
 * list of the indexes the turn touched), and the turn's duration is recorded with each touched service's count into
 * that service's {@link io.marchproxy.dataplane.counter.LatencyBuckets} ({@link ProxyStatistics#latency}): one
 * increment per frame, one record per service per turn. Flows opening and closing, and a sample of the drops per
 * reason, go to {@link FlowEvents}.
 */
final class ProxyPipeline implements AutoCloseable, ExpiredFlowHandler
{
    /** Records the expiry sweep visits per turn: a whole table is swept in capacity / this many turns. */
    private static final int SWEEP_PER_TURN = 256;
    /** Records the walk after a change visits per turn (an access decision each, and a recall for some). */
    private static final int REVALIDATE_PER_TURN = 4096;
    private static final int TCP = L4Protocol.TCP.number();

    private static final ValueLayout.OfInt META_INT = ValueLayout.JAVA_INT_UNALIGNED;
    private static final int META_BYTES = (int)L4Layouts.META.byteSize();

    private final SingleWriterCounters drops = SingleWriterCounters.forEnum(DropReason.class);
    private final SingleWriterCounters consistency = SingleWriterCounters.forEnum(ConfigConsistency.class);
    private final PacketParser parser = new PacketParser(drops);
    private final ParsedPacket parsed = new ParsedPacket();
    private final FlowTuple reply = new FlowTuple();
    private final FlowTuple translated = new FlowTuple();
    private final FlowTuple key = new FlowTuple();
    private final FlowTuple quoted = new FlowTuple();
    private final FlowTable flows4;
    private final FlowTable flows6;
    /** The client-side next hop (source MAC of the flow's first frame), per flow record, per family. */
    private final MemorySegment clientMacs4;
    private final MemorySegment clientMacs6;
    private final Arena arena = Arena.ofShared();
    /** SNAT ports per family (0: IPv4, 1: IPv6) and protocol (0: TCP, 1: UDP). */
    private final SnatPortAllocator[][] snatPorts = new SnatPortAllocator[2][2];
    private final IpAddress snat4;
    private final IpAddress snat6;
    private final long frontMac;
    private final long backMac;
    private final boolean qosOn;
    private final Side clientSide;
    private final Side backendSide;
    private final FlowOffload offload;

    private volatile CompiledConfig pendingConfig;
    private volatile CompiledConfig liveConfig;
    private volatile BackendLinks pendingLinks;
    private CompiledConfig config;
    private BackendLinks links;
    /** Open flows per service index and backend index: what least-connections and the statistics count. */
    private int[][] active = new int[0][];
    private long now;
    /** The walk over the flows after a change: the next record of each family, {@code -1} when none is under way. */
    private int revalidate4 = -1;
    private int revalidate6 = -1;
    /** The service of the frame just rewritten, for its side's egress. */
    private int servedService;

    private final FlowEvents events;
    /** Null: latency not recorded. */
    private final LatencyHistogram.Writer latency;
    /** When each flow opened (per record, per family); only while {@code events} is a real sink. */
    private final MemorySegment openedAt4;
    private final MemorySegment openedAt6;
    /** Frames taken in this turn, and when the turn started. */
    private int turnFrames;
    private long turnStart;
    /**
     * Frames of this turn forwarded per service index, and the indexes with a count (each once, in {@code
     * turnServices[0, turnServiceCount)}); sized for the largest index adopted so far.
     */
    private int[] turnServiceFrames = new int[0];
    private int[] turnServices = new int[0];
    private int turnServiceCount;
    /** Per drop reason: when the last sample went out (Long.MIN_VALUE: never), and the drops since. */
    private final long[] sampledAt = new long[DropReason.values().length];
    private final long[] unsampled = new long[DropReason.values().length];
    private final long sampleInterval;
    /** Longer than any idle timeout: a clock this far past a flow's last packet evicts it whatever its state. */
    private final long pastEveryTimeout;
    /** Of the frame in hand: whether {@code parsed.tuple()} holds its 5-tuple, and its service index (-1: none). */
    private boolean frameTuple;
    private int frameService;
    /**
     * Who may write the state above: the dataplane thread in its turns ({@link #WORKING}, as it starts), nobody while
     * it idles ({@link #IDLE}), or a thread adopting a configuration on its behalf ({@link #ADOPTING}). Taken by
     * compare-and-set, given back by a volatile store: one writer at a time, each seeing what the previous one wrote.
     */
    private final AtomicInteger owner = new AtomicInteger(WORKING);
    private static final int WORKING = 0;
    private static final int IDLE = 1;
    private static final int ADOPTING = 2;

    /**
     * @param snat4 the node's IPv4 source address toward backends, or null when there is none (IPv4 services then
     *              get no flows)
     * @param snat6 likewise for IPv6
     * @param qos   the node's QoS; when enabled, frames toward backends go to {@code toBackends} through an
     *              {@link EgressScheduler} and frames toward clients to {@code toClients}
     * @param offloadSlots the XDP program's flow slots to offload flows into, or null to keep every flow here
     * @param offloadFlows the most flows offloaded at once
     */
    ProxyPipeline(
        final CompiledConfig initial, final IpAddress snat4, final IpAddress snat6, final PortRange snatPorts,
        final long frontMac, final long backMac, final int flowsPerFamily, final FlowTimeouts timeouts,
        final QosSettings qos, final TxPort toBackends, final TxPort toClients, final FlowEvents events,
        final LatencyHistogram.Writer latency, final L4FlowSlots offloadSlots, final int offloadFlows)
    {
        this.qosOn = qos.enabled();
        this.clientSide = new Side(true, qosOn ? new EgressScheduler(qos, toBackends, drops) : null);
        this.backendSide = new Side(false, qosOn ? new EgressScheduler(qos, toClients, drops) : null);
        this.events = events;
        this.latency = latency;
        this.sampleInterval = events.dropSampleIntervalNanos();
        this.pastEveryTimeout = 1 + Math.max(Math.max(timeouts.handshakeNanos(), timeouts.establishedNanos()),
            Math.max(timeouts.closingNanos(), timeouts.udpNanos()));
        Arrays.fill(sampledAt, Long.MIN_VALUE);
        this.config = initial;
        this.pendingConfig = initial;
        this.links = BackendLinks.NONE;
        this.pendingLinks = BackendLinks.NONE;
        this.snat4 = snat4;
        this.snat6 = snat6;
        this.frontMac = frontMac;
        this.backMac = backMac;
        this.flows4 = new FlowTable(IpFamily.IPV4, flowsPerFamily, timeouts);
        this.flows6 = new FlowTable(IpFamily.IPV6, flowsPerFamily, timeouts);
        this.clientMacs4 = arena.allocate((long)flows4.capacity() * Long.BYTES, Long.BYTES);
        this.clientMacs6 = arena.allocate((long)flows6.capacity() * Long.BYTES, Long.BYTES);
        this.offload = new FlowOffload(offloadSlots, offloadFlows, flows4, flows6, clientMacs4, clientMacs6, frontMac,
            backMac);
        final boolean journal = events != FlowEvents.NONE;
        this.openedAt4 = journal ? arena.allocate((long)flows4.capacity() * Long.BYTES, Long.BYTES) : null;
        this.openedAt6 = journal ? arena.allocate((long)flows6.capacity() * Long.BYTES, Long.BYTES) : null;
        for (int f = 0; f < 2; f++)
        {
            for (int p = 0; p < 2; p++)
            {
                this.snatPorts[f][p] = new SnatPortAllocator(snatPorts);
            }
        }
        adopt(initial);
    }

    XskForwarder.Rewriter clientSide()
    {
        return clientSide;
    }

    XskForwarder.Rewriter backendSide()
    {
        return backendSide;
    }

    /** The egress of frames toward backends ({@code toBackends}) or clients; null when QoS is off. */
    XskForwarder.Egress egress(final boolean toBackends)
    {
        return !qosOn ? null : toBackends ? clientSide : backendSide;
    }

    /** The scheduler of frames toward backends or clients (its per-class counters); null when QoS is off. */
    EgressScheduler scheduler(final boolean toBackends)
    {
        return (toBackends ? clientSide : backendSide).scheduler;
    }

    /** Drop counters by {@link DropReason}; any thread. */
    SingleWriterCounters drops()
    {
        return drops;
    }

    /** Stamped frames by {@link ConfigConsistency}; any thread. */
    SingleWriterCounters consistency()
    {
        return consistency;
    }

    /** The configuration the dataplane thread uses now; any thread (it is published by that thread). */
    CompiledConfig liveConfig()
    {
        return liveConfig;
    }

    /** Offers a configuration; adopted by the dataplane thread at its next turn. Any thread. */
    void offer(final CompiledConfig next)
    {
        pendingConfig = next;
    }

    /**
     * Adopts the pending configuration (and the links made for it) on the dataplane thread's behalf when that thread
     * is idle, so a caller need not wait for an idle thread to be scheduled; returns false, doing nothing, when the
     * thread is in a turn (it adopts at its next one). While this runs the dataplane thread cannot start a turn: the
     * pipeline's state keeps one writer at a time. Any thread.
     */
    boolean adoptIfIdle()
    {
        if (!owner.compareAndSet(IDLE, ADOPTING))
        {
            return false;
        }
        try
        {
            adoptPending();
        }
        finally
        {
            owner.set(IDLE);
        }
        return true;
    }

    /** The dataplane thread, about to idle: until {@link #resume()}, another thread may adopt on its behalf. */
    void pause()
    {
        owner.set(IDLE);
    }

    /** The dataplane thread, back from idling: waits out an adoption in progress, then owns the state again. */
    void resume()
    {
        while (!owner.compareAndSet(IDLE, WORKING))
        {
            Thread.onSpinWait();
        }
    }

    /** Offers the backends' MACs and health; adopted at the next turn. Any thread. */
    void offer(final BackendLinks next)
    {
        pendingLinks = next;
    }

    int flows()
    {
        return flows4.size() + flows6.size();
    }

    /** Offload counters by {@link OffloadCounter}; any thread. */
    SingleWriterCounters offloadCounters()
    {
        return offload.counters();
    }

    FlowTable flows(final int family)
    {
        return family == IpFamily.IPV4 ? flows4 : flows6;
    }

    /**
     * Between turns on the dataplane thread: reads the clock once for the next batch, adopts a new configuration or
     * backend state (and starts the walk that checks open flows against it), takes a step of the walk and of the
     * offloaded flows' scan, and sweeps a slice of the flow tables for idle flows. Returns the work done.
     */
    int housekeeping(final long nanoTime)
    {
        if (turnFrames != 0)
        {
            if (latency != null)
            {
                final long took = nanoTime - turnStart;
                latency.record(took, turnFrames);
                recordServiceLatency(took);
            }
            turnFrames = 0;
        }
        turnStart = nanoTime;
        now = nanoTime;
        int work = adoptPending();
        if (revalidate4 >= 0 || revalidate6 >= 0)
        {
            work += revalidate(REVALIDATE_PER_TURN);
        }
        work += offload.scan(now, config.statistics());
        work += flows4.expire(now, SWEEP_PER_TURN, this);
        work += flows6.expire(now, SWEEP_PER_TURN, this);
        return work;
    }

    /** The turn took {@code took}: so long for each frame it forwarded, into each service's distribution. */
    private void recordServiceLatency(final long took)
    {
        final ProxyStatistics statistics = config.statistics();
        final int[] frames = turnServiceFrames;
        for (int i = 0; i < turnServiceCount; i++)
        {
            final int service = turnServices[i];
            statistics.recordLatency(service, took, frames[service]);
            frames[service] = 0;
        }
        turnServiceCount = 0;
    }

    /** One more frame of {@code service} forwarded in this turn. */
    private void countServiceFrame(final int service)
    {
        final int[] frames = turnServiceFrames;
        if (service >= 0 && service < frames.length && frames[service]++ == 0)
        {
            turnServices[turnServiceCount++] = service;
        }
    }

    private void startRevalidation()
    {
        revalidate4 = 0;
        revalidate6 = 0;
    }

    /**
     * Checks up to {@code budget} flow records against the configuration and backends adopted: a flow the access rules
     * no longer admit is closed (its offload recalled, its SNAT port freed), an offloaded flow whose decision changed
     * is recalled to this path. Returns the records visited.
     */
    private int revalidate(final int budget)
    {
        int visited = 0;
        while (visited < budget && revalidate4 >= 0)
        {
            if (revalidate4 >= flows4.recordLimit())
            {
                revalidate4 = -1;
                break;
            }
            revalidate(flows4, revalidate4++ << 1);
            visited++;
        }
        while (visited < budget && revalidate6 >= 0)
        {
            if (revalidate6 >= flows6.recordLimit())
            {
                revalidate6 = -1;
                break;
            }
            revalidate(flows6, revalidate6++ << 1);
            visited++;
        }
        return visited;
    }

    private void revalidate(final FlowTable table, final int handle)
    {
        if (!table.isLive(handle))
        {
            return;
        }
        final CompiledConfig c = config;
        final int service = table.serviceIndex(handle);
        if (c.policy().decide(service, table.key(handle, 0, key)) != AccessAction.ALLOW)
        {
            onExpired(table, handle);
            table.remove(handle);
            // counted once the flow is closed and its offload recalled: a reader that sees the count sees the flow gone
            c.statistics().revoked(service);
            return;
        }
        if ((table.marks(handle) & FlowOffload.OFFLOADED) != 0 && !stillDecided(c, table, handle))
        {
            offload.recall(table, handle, c.statistics(), now, OffloadCounter.INVALIDATED);
        }
    }

    /** Whether what was decided for an offloaded flow still holds: service offloaded, same backend, same next hop. */
    private boolean stillDecided(final CompiledConfig c, final FlowTable table, final int handle)
    {
        final int service = table.serviceIndex(handle);
        final int backend = table.backendIndex(handle);
        if (!c.offload(service) || !c.backendEnabled(service, backend)
            || !offload.wroteBackendMac(table, handle, links.mac(service, backend)))
        {
            return false;
        }
        final IpAddress address = c.backendAddress(service, backend);
        table.key(handle, 1, quoted); // the reply's key: backend:port -> SNAT address:port
        table.key(handle, 0, key);
        return address.hi() == quoted.sourceHi() && address.lo() == quoted.sourceLo()
            && c.backendPort(service, backend, key.destinationPort()) == quoted.sourcePort();
    }

    /**
     * When the dataplane thread stops, with a flow journal attached: evicts every flow, so that each one the journal
     * saw open is seen closing too (its counters final, an offloaded flow's with what the XDP program forwarded, its
     * close time now). On the dataplane thread, after its last turn.
     */
    void closeFlows(final long nanoTime)
    {
        if (events == FlowEvents.NONE)
        {
            return;
        }
        now = nanoTime;
        flows4.expire(nanoTime + pastEveryTimeout, flows4.capacity(), this);
        flows6.expire(nanoTime + pastEveryTimeout, flows6.capacity(), this);
    }

    /**
     * A configuration offered since, and the links made for the configuration then in use; either starts the walk that
     * checks open (and offloaded) flows against them. Returns the work done.
     */
    private int adoptPending()
    {
        int work = 0;
        final CompiledConfig c = pendingConfig;
        if (c != config)
        {
            adopt(c);
            startRevalidation();
            work++;
        }
        final BackendLinks l = pendingLinks;
        if (l != links && l.config() == config)
        {
            links = l;
            applyLinks();
            startRevalidation();
            work++;
        }
        return work;
    }

    /** Installs {@code next} as the owner of the state: carries open-flow counts over into its selectors. */
    private void adopt(final CompiledConfig next)
    {
        final int[][] grown = new int[Math.max(active.length, next.maxServiceIndex() + 1)][];
        for (int s = 0; s < grown.length; s++)
        {
            final int backends = Math.max(s < active.length && active[s] != null ? active[s].length : 0,
                next.backendCount(s));
            grown[s] = new int[backends];
            if (s < active.length && active[s] != null)
            {
                System.arraycopy(active[s], 0, grown[s], 0, active[s].length);
            }
            final BackendSelector selector = next.selector(s);
            if (selector != null)
            {
                for (int b = 0; b < Math.min(backends, selector.size()); b++)
                {
                    for (int n = 0; n < grown[s][b]; n++)
                    {
                        selector.flowOpened(b);
                    }
                }
            }
        }
        active = grown;
        if (turnServiceFrames.length <= next.maxServiceIndex())
        {
            // Counts not yet recorded (a turn before an adoption on an idle worker's behalf) carry over: indexes are
            // stable, and the next housekeeping records them under this configuration.
            turnServiceFrames = Arrays.copyOf(turnServiceFrames, next.maxServiceIndex() + 1);
            turnServices = Arrays.copyOf(turnServices, next.maxServiceIndex() + 1);
        }
        if (qosOn)
        {
            clientSide.shapeFor(next);
            backendSide.shapeFor(next);
        }
        config = next;
        liveConfig = next;
        applyLinks();
    }

    /** Backends without a known MAC or failing their checks take no new flows. */
    private void applyLinks()
    {
        final CompiledConfig c = config;
        for (int s = 0; s <= c.maxServiceIndex(); s++)
        {
            final BackendSelector selector = c.selector(s);
            if (selector == null)
            {
                continue;
            }
            for (int b = 0; b < selector.size(); b++)
            {
                selector.available(b, links.usable(s, b, c.backendAddress(s, b)));
            }
        }
    }

    /** An idle offloaded flow gets the XDP program's counts and last-seen times before the sweep judges it. */
    @Override
    public void beforeExpiry(final FlowTable table, final int handle)
    {
        offload.beforeExpiry(table, handle, config.statistics(), now);
    }

    /** A flow the sweep evicts: its offload is recalled, its SNAT port goes back, its backend loses an open flow. */
    @Override
    public void onExpired(final FlowTable table, final int handle)
    {
        offload.recall(table, handle, config.statistics(), now, OffloadCounter.CLOSED);
        table.key(handle, 1, key);
        snatAllocator(key.family(), key.protocol()).free(key.destinationPort());
        closed(table.serviceIndex(handle), table.backendIndex(handle));
        if (events != FlowEvents.NONE)
        {
            events.closed(table, handle, openedAt(table.family()).getAtIndex(ValueLayout.JAVA_LONG, handle >>> 1), now);
        }
    }

    private void closed(final int service, final int backend)
    {
        if (service < active.length && active[service] != null && backend < active[service].length
            && active[service][backend] > 0)
        {
            active[service][backend]--;
            final BackendSelector selector = config.selector(service);
            if (selector != null && backend < selector.size())
            {
                selector.flowClosed(backend);
            }
            config.statistics().flowClosed(service, backend);
        }
    }

    /** Open flows of a backend, as the dataplane thread last counted them; for tests and statistics. */
    int activeFlows(final int service, final int backend)
    {
        final int[][] a = active;
        return service < a.length && a[service] != null && backend < a[service].length ? a[service][backend] : 0;
    }

    private SnatPortAllocator snatAllocator(final int family, final int protocol)
    {
        return snatPorts[family == IpFamily.IPV4 ? 0 : 1][protocol == TCP ? 0 : 1];
    }

    private FlowTable table(final int family)
    {
        return family == IpFamily.IPV4 ? flows4 : flows6;
    }

    private MemorySegment clientMacs(final int family)
    {
        return family == IpFamily.IPV4 ? clientMacs4 : clientMacs6;
    }

    private MemorySegment openedAt(final int family)
    {
        return family == IpFamily.IPV4 ? openedAt4 : openedAt6;
    }

    private boolean drop(final DropReason reason)
    {
        drops.increment(reason);
        if (events != FlowEvents.NONE)
        {
            sample(reason);
        }
        return false;
    }

    /** Counts a drop toward its reason's next sample, and sends the sample when the reason's interval has passed. */
    private void sample(final DropReason reason)
    {
        final int r = reason.ordinal();
        unsampled[r]++;
        if (sampledAt[r] == Long.MIN_VALUE || now - sampledAt[r] >= sampleInterval)
        {
            events.dropped(reason, unsampled[r], frameTuple ? parsed.tuple() : null, frameService, now);
            sampledAt[r] = now;
            unsampled[r] = 0;
        }
    }

    /**
     * Frames from clients ({@code fromClient}) or from backends: the rewriter of that direction's forwarder and, with
     * QoS, its egress (the scheduler of the interface it sends on and the services' token buckets for the direction).
     * The rest of the state is the pipeline's.
     */
    private final class Side implements XskForwarder.Rewriter, XskForwarder.Egress
    {
        private final boolean fromClient;
        private final EgressScheduler scheduler;
        /** Token buckets by service index for this direction; null where the service has no limit. */
        private TokenBucket[] buckets = new TokenBucket[0];

        Side(final boolean fromClient, final EgressScheduler scheduler)
        {
            this.fromClient = fromClient;
            this.scheduler = scheduler;
        }

        @Override
        public boolean rewrite(final Packet packet)
        {
            final MemorySegment frame = packet.frame();
            if (checkStamp(frame, packet.offset(), packet.length()))
            {
                packet.skip(META_BYTES);
            }
            turnFrames++;
            final PacketVerdict verdict = parser.parse(frame, packet.offset(), packet.length(), parsed);
            frameService = -1;
            frameTuple = verdict == PacketVerdict.TCP || verdict == PacketVerdict.UDP;
            switch (verdict)
            {
                case TCP:
                case UDP:
                    return fromClient ? fromClient(frame, packet.offset(), packet.length())
                        : fromBackend(packet.length());
                case ICMP_ERROR:
                    return icmpError(fromClient);
                case DROP:
                    if (events != FlowEvents.NONE)
                    {
                        sample(parsed.dropReason()); // the parser counted it
                    }
                    return false;
                default:
                    // ARP, echo, other protocols: the XDP program gives them to the kernel; one that gets here anyway
                    // is not the proxy's.
                    return drop(DropReason.NO_FLOW);
            }
        }

        /** The rewritten frame of {@link #servedService}: now, or when its tokens come, within its delay bound. */
        @Override
        public boolean accept(final Packet packet)
        {
            final CompiledConfig c = config;
            final int service = servedService;
            final TokenBucket bucket = service < buckets.length ? buckets[service] : null;
            final long eligible = bucket == null ? now : bucket.conformsAt(now);
            final int length = packet.length();
            if (!scheduler.offer(packet.address(), length, c.qosClass(service), now, eligible,
                c.maxDelayNanos(service)))
            {
                return false;
            }
            if (bucket != null)
            {
                bucket.consume(eligible, length);
            }
            return true;
        }

        @Override
        public int release()
        {
            return scheduler.release(now);
        }

        /** Buckets for {@code next}'s rates: kept (with what they hold) for services that had one, made for new ones. */
        void shapeFor(final CompiledConfig next)
        {
            final TokenBucket[] shaped = new TokenBucket[next.maxServiceIndex() + 1];
            for (int s = 0; s < shaped.length; s++)
            {
                final long rate = next.rate(s, fromClient);
                if (rate == 0)
                {
                    continue;
                }
                final TokenBucket old = s < buckets.length ? buckets[s] : null;
                if (old != null)
                {
                    old.configure(rate, next.burst(s, fromClient));
                    shaped[s] = old;
                }
                else
                {
                    shaped[s] = new TokenBucket(rate, next.burst(s, fromClient));
                }
            }
            buckets = shaped;
        }
    }

    /**
     * Reads the header the XDP program put in front of the frame: compares the configuration it decided the frame
     * under with the worker's, and returns true when the header is there (to be skipped). A frame without it (another
     * program on the interface) is counted {@link ConfigConsistency#UNSTAMPED} and parsed as it is.
     */
    private boolean checkStamp(final MemorySegment frame, final int offset, final int length)
    {
        if (length < META_BYTES || frame.get(META_INT, offset + L4Layouts.META_MAGIC_OFFSET) != L4Layouts.META_MAGIC)
        {
            consistency.increment(ConfigConsistency.UNSTAMPED.ordinal());
            return false;
        }
        final int stamp = frame.get(META_INT, offset + L4Layouts.META_SEQUENCE_OFFSET);
        if (stamp != 0)
        {
            final int ahead = stamp - (int)config.sequence(); // sequences wrap at 2^32: compare by difference
            consistency.increment(ahead == 0 ? ConfigConsistency.MATCHED.ordinal()
                : ahead < 0 ? ConfigConsistency.KERNEL_BEHIND.ordinal() : ConfigConsistency.KERNEL_AHEAD.ordinal());
        }
        return true;
    }

    /** A rewritten frame of {@code service} leaves: marked with the service's DSCP, if QoS gives it one. */
    private boolean served(final CompiledConfig c, final int service)
    {
        servedService = service;
        if (latency != null)
        {
            countServiceFrame(service);
        }
        if (qosOn)
        {
            final int dscp = c.dscp(service);
            if (dscp >= 0)
            {
                DscpMarker.mark(parsed, dscp);
            }
        }
        return true;
    }

    private boolean fromClient(final MemorySegment frame, final long offset, final int length)
    {
        final FlowTuple tuple = parsed.tuple();
        final FlowTable table = table(tuple.family());
        // The common frame, of an open flow, in one call: found, counted and rewritten but for its MACs.
        int handle = table.hitAndRewrite(tuple, 0, now, length, parsed.tcpFlags(), parsed);
        if (handle == FlowTable.TTL_EXPIRED)
        {
            frameService = table.serviceIndex(table.lookup(tuple)); // the drop's sample names the service, as before
            return drop(DropReason.TTL_EXPIRED);
        }
        final boolean rewritten = handle >= 0;
        final CompiledConfig c = config;
        if (!rewritten)
        {
            handle = handle == FlowTable.NOT_FOUND
                ? open(c, table, tuple, frame, offset, length)
                : clientFrameOfTrackedKey(c, table, tuple, frame, offset, length);
            if (handle < 0)
            {
                return false;
            }
        }
        final int service = table.serviceIndex(handle);
        final int backend = table.backendIndex(handle);
        frameService = service;
        final long mac = links.mac(service, backend);
        if (mac == 0)
        {
            return drop(DropReason.NO_NEIGHBOUR);
        }
        if (rewritten)
        {
            NatRewriter.rewriteMacs(parsed, backMac, mac);
        }
        else if (!NatRewriter.forward(parsed, table.translation(handle, translated), backMac, mac))
        {
            return drop(DropReason.TTL_EXPIRED);
        }
        c.statistics().toBackend(service, backend, length);
        if (offload.enabled() && c.offload(service) && FlowOffload.ready(table, handle))
        {
            offload.offload(table, handle, c, links, now);
        }
        return served(c, service);
    }

    /**
     * A client's frame whose key the flow table holds but did not count ({@link FlowTable#UNTOUCHED}): a reply's key
     * from a client, a closed flow, an offloaded one. Returns the handle to forward on, or -1 after counting the drop.
     */
    private int clientFrameOfTrackedKey(
        final CompiledConfig c, final FlowTable table, final FlowTuple tuple, final MemorySegment frame,
        final long offset, final int length)
    {
        final int handle = table.lookup(tuple);
        if (FlowTable.direction(handle) != 0)
        {
            drop(DropReason.NO_FLOW); // a client sending what only a backend's reply may look like
            return -1;
        }
        if (tuple.protocol() == TCP && (parsed.tcpFlags() & (TcpHeader.SYN | TcpHeader.ACK)) == TcpHeader.SYN
            && table.state(handle) == FlowState.CLOSED)
        {
            // A new connection on the tuple of one that ended (the client reused its port before the closed flow
            // expired): balanced afresh, as a new connection, not sent after the old one's backend (which may be gone).
            onExpired(table, handle);
            table.remove(handle);
            return open(c, table, tuple, frame, offset, length);
        }
        countTracked(c, table, handle, length);
        return handle;
    }

    /**
     * Counts a frame of a tracked flow that {@link FlowTable#hit} left untouched (a closed or offloaded flow): an
     * offloaded one's frame seen by the offload, then the flow's counters and state.
     */
    private void countTracked(final CompiledConfig c, final FlowTable table, final int handle, final int length)
    {
        if (table.marks(handle) != 0)
        {
            offload.javaFrame(table, handle, parsed.tcpFlags(), c.statistics(), now);
        }
        table.touch(handle, now, length, parsed.tcpFlags());
    }

    /** Opens the flow of a client's first packet; returns its handle, or a negative number after counting why not. */
    private int open(
        final CompiledConfig c, final FlowTable table, final FlowTuple tuple, final MemorySegment frame,
        final long offset, final int length)
    {
        final int service = c.services().lookup(tuple);
        if (service < 0)
        {
            drop(DropReason.NO_SERVICE);
            return -1;
        }
        frameService = service;
        final int flags = parsed.tcpFlags();
        if (tuple.protocol() == TCP && (flags & (TcpHeader.SYN | TcpHeader.ACK | TcpHeader.RST)) != TcpHeader.SYN)
        {
            drop(DropReason.NO_FLOW); // only a SYN opens a TCP flow: anything else belongs to one we do not know
            return -1;
        }
        if (c.policy().decide(service, tuple) != AccessAction.ALLOW)
        {
            drop(DropReason.ACCESS_DENIED);
            c.statistics().denied(service);
            return -1;
        }
        final BackendSelector selector = c.selector(service);
        final int backend = selector == null ? BackendSelector.NO_BACKEND : selector.select(c.flowHash(service, tuple));
        final IpAddress snat = tuple.family() == IpFamily.IPV4 ? snat4 : snat6;
        if (backend == BackendSelector.NO_BACKEND || snat == null)
        {
            drop(DropReason.NO_BACKEND);
            return -1;
        }
        final SnatPortAllocator ports = snatAllocator(tuple.family(), tuple.protocol());
        final int port = ports.allocate();
        if (port == SnatPortAllocator.NO_PORT)
        {
            drop(DropReason.NAT_PORTS_EXHAUSTED);
            return -1;
        }
        final IpAddress backendAddress = c.backendAddress(service, backend);
        reply.set(tuple.family(), tuple.protocol(), backendAddress.hi(), backendAddress.lo(), c.backendPort(service,
            backend, tuple.destinationPort()), snat.hi(), snat.lo(), port);
        final int handle = table.insert(tuple, reply, service, backend, now, flags, length);
        if (handle < 0)
        {
            ports.free(port);
            drop(DropReason.FLOW_TABLE_FULL);
            return -1;
        }
        clientMacs(tuple.family()).setAtIndex(ValueLayout.JAVA_LONG, handle >>> 1,
            u48(frame, offset + EthernetFrame.SOURCE_OFFSET));
        active[service][backend]++;
        selector.flowOpened(backend);
        c.statistics().flowOpened(service, backend);
        if (events != FlowEvents.NONE)
        {
            openedAt(tuple.family()).setAtIndex(ValueLayout.JAVA_LONG, handle >>> 1, now);
            events.opened(table, handle, now);
        }
        return handle;
    }

    private boolean fromBackend(final int length)
    {
        final FlowTuple tuple = parsed.tuple();
        final FlowTable table = table(tuple.family());
        int handle = table.hitAndRewrite(tuple, 1, now, length, parsed.tcpFlags(), parsed);
        if (handle == FlowTable.TTL_EXPIRED)
        {
            return drop(DropReason.TTL_EXPIRED);
        }
        final boolean rewritten = handle >= 0;
        final CompiledConfig c = config;
        if (!rewritten)
        {
            handle = handle == FlowTable.NOT_FOUND ? -1 : table.lookup(tuple);
            if (handle < 0 || FlowTable.direction(handle) != 1)
            {
                return drop(DropReason.NO_FLOW);
            }
            countTracked(c, table, handle, length); // a closed or offloaded flow, which hit leaves untouched
        }
        final long mac = clientMacs(tuple.family()).getAtIndex(ValueLayout.JAVA_LONG, handle >>> 1);
        if (rewritten)
        {
            NatRewriter.rewriteMacs(parsed, frontMac, mac);
        }
        else if (!NatRewriter.forward(parsed, table.translation(handle, translated), frontMac, mac))
        {
            return drop(DropReason.TTL_EXPIRED);
        }
        final int service = table.serviceIndex(handle);
        c.statistics().toClient(service, table.backendIndex(handle), length);
        if (offload.enabled() && c.offload(service) && FlowOffload.ready(table, handle))
        {
            offload.offload(table, handle, c, links, now);
        }
        return served(c, service);
    }

    /**
     * An ICMP error about a packet of a flow (so path MTU discovery and unreachables work through the node): the
     * quoted packet is one we sent on the side the error came from. The error is rewritten as if it were about the
     * packet the other side's peer sent (quoting that packet's tuple, from the address that peer talks to) and
     * forwarded to that peer.
     */
    private boolean icmpError(final boolean fromClient)
    {
        key.reverseOf(parsed.embeddedTuple()); // the answer to the quoted packet: a key of its flow
        final FlowTable table = table(key.family());
        final int handle = table.lookup(key);
        if (handle < 0 || FlowTable.direction(handle) != (fromClient ? 0 : 1))
        {
            return drop(DropReason.NO_FLOW);
        }
        // From a client: it is about our reply (VIP -> client); the backend gets it about its own reply
        // (backend -> SNAT), from the SNAT address. From a backend: about our packet to it; the client gets it about
        // its own packet (client -> VIP), from the VIP.
        table.key(handle, fromClient ? 1 : 0, quoted);
        translated.reverseOf(quoted);
        NatRewriter.rewriteIcmpError(parsed, translated, quoted);
        if (!NatRewriter.decrementTtl(parsed))
        {
            return drop(DropReason.TTL_EXPIRED);
        }
        final long mac = fromClient ? links.mac(table.serviceIndex(handle), table.backendIndex(handle))
            : clientMacs(key.family()).getAtIndex(ValueLayout.JAVA_LONG, handle >>> 1);
        if (mac == 0)
        {
            return drop(DropReason.NO_NEIGHBOUR);
        }
        NatRewriter.rewriteMacs(parsed, fromClient ? backMac : frontMac, mac);
        final CompiledConfig c = config;
        final int service = table.serviceIndex(handle);
        c.statistics().icmpError(service);
        return served(c, service);
    }

    @Override
    public void close()
    {
        offload.close();
        flows4.close();
        flows6.close();
        arena.close();
    }
}
