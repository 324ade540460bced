package io.marchproxy.node.agent;

import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxySnapshot;
import io.marchproxy.dataplane.proxy.ProxyStatistics.ServiceCounter;
import io.marchproxy.node.ApplyLatency;
import io.marchproxy.node.ClusterProxy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A remote dataplane agent: an L4 proxy that follows its cluster's configuration from a control plane over REST. It
 * registers as a proxy of the cluster its key belongs to (licence limits apply), then long-polls the cluster's config
 * ({@code GET /api/v1/config/{cluster}?after=N&wait=S}: no busy polling) and applies each version whole
 * ({@link ClusterProxy}, {@link L4Proxy#apply}); a heartbeat reports the version it serves, its statistics and its
 * problems. While the control plane is unreachable the proxy keeps forwarding on its last configuration and the agent
 * retries with backoff, saying so once (and once a minute after), then catches up when it returns. A refused key
 * (rotated, cluster deleted or deactivated) stops updates; the agent says so and retries slowly, reading a key file
 * again each time.
 *
 * <p>Two threads of its own: {@code agent-follow} (registration, the long poll, applying) and
 * {@code agent-heartbeat}. The getters may be read from any thread. Closing stops both; the proxy is the caller's.
 */
public final class Agent implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final Duration REMIND_EVERY = Duration.ofMinutes(1);
    private static final List<String> CAPABILITIES = List.of("l4", "xdp", "af_xdp");

    /** Where the agent stands with its control plane. */
    public enum State
    {
        /** Not heard from the control plane yet. */
        CONNECTING,
        /** Registered and following the configuration. */
        FOLLOWING,
        /** The control plane cannot be reached: forwarding on the last configuration, retrying. */
        UNREACHABLE,
        /** The control plane refuses the key: no more updates until it takes a key again. */
        KEY_REFUSED
    }

    /**
     * What an agent is told.
     *
     * @param ca        PEM CA certificates to trust for an https control plane, or null for the JDK's
     * @param name      the proxy's name in its cluster (one slot per name)
     * @param pollWait  how long one long poll may be held (the control plane allows up to 60 s)
     * @param maxRetry  the longest wait between attempts while the control plane cannot be reached or refuses
     */
    public record Settings(URI control, ClusterKeySource key, Path ca, String name, String hostname, String address,
                           Duration heartbeat, Duration pollWait, Duration maxRetry)
    {
        public Settings
        {
            if (heartbeat.isNegative() || heartbeat.isZero() || pollWait.isNegative()
                || pollWait.compareTo(Duration.ofSeconds(60)) > 0 || maxRetry.compareTo(FIRST_RETRY) < 0)
            {
                throw new IllegalArgumentException("agent: heartbeat > 0, 0 <= poll wait <= 60 s, retry >= "
                    + FIRST_RETRY.toMillis() + " ms");
            }
        }
    }

    private final Settings settings;
    private final ControlClient client;
    private final ClusterProxy served;
    private final L4Proxy proxy;
    private final String clusterId;
    private final ApplyLatency latency = new ApplyLatency();
    private final Thread follower;
    private final Thread heartbeats;
    private final Object registration = new Object();
    private volatile boolean running = true;
    private volatile State state = State.CONNECTING;
    private volatile String proxyId;
    private volatile long fetched = -1;
    private volatile String applyProblem;
    private volatile String lastRefusal;
    private long troubleSince;
    private long remindedAt;

    private Agent(final Settings settings, final ControlClient client, final L4Proxy proxy) throws IOException
    {
        this.settings = settings;
        this.client = client;
        this.proxy = proxy;
        this.clusterId = settings.key().clusterId();
        this.served = new ClusterProxy(proxy, clusterId);
        this.follower = new Thread(this::follow, "agent-follow");
        this.heartbeats = new Thread(this::beat, "agent-heartbeat");
        follower.setDaemon(true);
        heartbeats.setDaemon(true);
    }

    /**
     * Starts following the control plane with {@code proxy}, which keeps forwarding whatever happens to the control
     * plane. The first registration is tried at once: a refusal (a key the control plane does not take, the
     * cluster's or licence's proxy limit) fails the start with the control plane's reason; an unreachable control
     * plane does not (the agent keeps trying).
     */
    public static Agent start(final Settings settings, final L4Proxy proxy) throws Exception
    {
        final ControlClient client = ControlClient.create(settings.control(), settings.ca());
        final Agent agent;
        try
        {
            agent = new Agent(settings, client, proxy);
        }
        catch (final IOException | RuntimeException ex)
        {
            client.close();
            throw ex;
        }
        try
        {
            agent.register(settings.key().key());
        }
        catch (final ControlRefusedException ex)
        {
            client.close();
            throw new IllegalStateException("the control plane at " + settings.control() + " refused to register "
                + "this agent (" + ex.getMessage() + ")" + (ex.keyRefused() ? ": check the cluster key ("
                + settings.key() + ")" : ""), ex);
        }
        catch (final IOException ex)
        {
            agent.unreachable(ex, 0);
        }
        agent.follower.start();
        agent.heartbeats.start();
        return agent;
    }

    /** Registers under the configured name; the id is kept for heartbeats. */
    private void register(final String key) throws IOException, ControlRefusedException, InterruptedException
    {
        synchronized (registration)
        {
            final ControlClient.Registration r = client.register(key, settings.name(), settings.hostname(),
                settings.address(), CAPABILITIES);
            proxyId = r.proxyId();
            LOG.log(System.Logger.Level.INFO, "agent: registered as proxy '" + settings.name() + "' (" + proxyId
                + ") of cluster " + clusterId + " at " + settings.control() + (r.created() ? "" : " (again)"));
        }
    }

    /** The follow loop: register when needed, long-poll, apply; back off while unreachable or refused. */
    private void follow()
    {
        final Backoff backoff = new Backoff(FIRST_RETRY, settings.maxRetry());
        while (running)
        {
            try
            {
                final String key = settings.key().key();
                if (proxyId == null)
                {
                    register(key);
                }
                // After a failure, one answer at once (wait 0) shows the control plane is back before polls are held.
                final Duration wait = state == State.FOLLOWING ? settings.pollWait() : Duration.ZERO;
                final Optional<ResolvedConfig> answer = client.config(key, clusterId, fetched, wait);
                final long received = System.nanoTime();
                answered(backoff);
                if (answer.isPresent())
                {
                    apply(answer.get(), received);
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final ControlRefusedException ex)
            {
                refused(ex.keyRefused(), ex.getMessage());
                pause(backoff.next(), true);
            }
            catch (final IllegalArgumentException ex)
            {
                refused(true, ex.getMessage()); // the key file holds no key now
                pause(backoff.next(), true);
            }
            catch (final IOException ex)
            {
                unreachable(ex, backoff.failures());
                pause(backoff.next(), false);
            }
        }
    }

    private void apply(final ResolvedConfig config, final long received)
    {
        try
        {
            served.serve(config, config.version());
            latency.record(Duration.ofNanos(System.nanoTime() - received));
            applyProblem = null;
        }
        catch (final Exception ex)
        {
            applyProblem = "config version " + config.version() + " not applied: " + ex.getMessage();
            LOG.log(System.Logger.Level.ERROR, "agent: " + applyProblem + "; still serving version "
                + served.appliedVersion(), ex);
        }
        fetched = config.version();
    }

    /** The control plane answered: leave an unreachable or refused state, saying for how long it lasted. */
    private void answered(final Backoff backoff)
    {
        final State was = state;
        state = State.FOLLOWING;
        lastRefusal = null;
        backoff.reset();
        if (was == State.UNREACHABLE || was == State.KEY_REFUSED)
        {
            LOG.log(System.Logger.Level.INFO, "agent: control plane " + settings.control() + " answers again after "
                + seconds(System.nanoTime() - troubleSince) + (was == State.KEY_REFUSED ? " (the key is taken again)"
                : "") + "; following from config version " + fetched);
        }
    }

    private void unreachable(final Exception ex, final int failuresBefore)
    {
        final long now = System.nanoTime();
        if (state != State.UNREACHABLE)
        {
            state = State.UNREACHABLE;
            troubleSince = now;
            remindedAt = now;
            LOG.log(System.Logger.Level.WARNING, "agent: control plane " + settings.control() + " unreachable ("
                + reason(ex) + "); " + forwarding() + ", retrying with backoff up to "
                + settings.maxRetry().toSeconds() + " s");
        }
        else if (now - remindedAt >= REMIND_EVERY.toNanos())
        {
            remindedAt = now;
            LOG.log(System.Logger.Level.WARNING, "agent: control plane still unreachable after "
                + seconds(now - troubleSince) + " (" + (failuresBefore + 1) + " attempts; " + reason(ex)
                + "); " + forwarding());
        }
    }

    private String forwarding()
    {
        final long v = served.appliedVersion();
        return v < 0 ? "nothing to forward until it answers" : "forwarding on config version " + v;
    }

    private void refused(final boolean key, final String why)
    {
        final long now = System.nanoTime();
        if (key)
        {
            if (state != State.KEY_REFUSED)
            {
                troubleSince = now;
            }
            state = State.KEY_REFUSED;
        }
        if (!why.equals(lastRefusal) || now - remindedAt >= REMIND_EVERY.toNanos())
        {
            lastRefusal = why;
            remindedAt = now;
            LOG.log(System.Logger.Level.ERROR, key
                ? "agent: the control plane refuses the cluster key (" + why + "): it was rotated, or the cluster "
                + "deleted or deactivated. No more configuration updates; " + forwarding() + ". "
                + (settings.key().rereads()
                ? "Write the new key to the key file (" + settings.key() + "): it is read again on every attempt."
                : "Restart the agent with the new key.")
                : "agent: the control plane refused (" + why + "); " + forwarding() + ", retrying");
        }
    }

    /** The heartbeat loop: version served, metrics and problems every interval; registers again when forgotten. */
    private void beat()
    {
        while (running)
        {
            try
            {
                Thread.sleep(settings.heartbeat());
                final String id = proxyId;
                if (id == null || state == State.KEY_REFUSED)
                {
                    continue;
                }
                final String key = settings.key().key();
                try
                {
                    client.heartbeat(key, id, served.appliedVersion(), metrics(), problems());
                }
                catch (final ControlRefusedException ex)
                {
                    if (ex.status() == 404)
                    {
                        LOG.log(System.Logger.Level.WARNING, "agent: the control plane does not know proxy " + id
                            + " (deleted by an operator, or a new store): registering again");
                        proxyId = null;
                        register(key);
                    }
                }
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            catch (final IOException | ControlRefusedException | IllegalArgumentException ex)
            {
                // the follow loop reports the control plane's state; a heartbeat lost is one interval of staleness
            }
        }
    }

    /** What the agent reports in heartbeats: its proxy's counters (one {@link L4Proxy#snapshot()}), CPU, memory. */
    public Map<String, Long> metrics()
    {
        final ProxySnapshot s = proxy.snapshot();
        long packets = 0;
        long bytes = 0;
        long active = 0;
        long opened = 0;
        long denied = s.xdp(L4Program.Counter.ACL_DROPPED);
        for (final ProxySnapshot.ServiceFigures f : s.services())
        {
            packets += f.get(ServiceCounter.PACKETS_TO_BACKENDS) + f.get(ServiceCounter.PACKETS_TO_CLIENTS);
            bytes += f.get(ServiceCounter.BYTES_TO_BACKENDS) + f.get(ServiceCounter.BYTES_TO_CLIENTS);
            active += f.get(ServiceCounter.FLOWS_ACTIVE);
            opened += f.get(ServiceCounter.FLOWS_OPENED);
            denied += f.get(ServiceCounter.ACCESS_DENIED);
        }
        long dropped = s.xdp(L4Program.Counter.MALFORMED);
        for (final DropReason r : DropReason.values())
        {
            dropped += s.drops(r);
        }
        final Map<String, Long> m = new LinkedHashMap<>();
        m.put("rxPackets", s.xdp(L4Program.Counter.RX_PACKETS));
        m.put("txPackets", packets);
        m.put("txBytes", bytes);
        m.put("drops", dropped);
        m.put("activeConnections", Math.max(0, active));
        m.put("connectionsOpened", opened);
        m.put("accessDenied", denied);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
            && os.getProcessCpuLoad() >= 0)
        {
            m.put("cpuPercent", Math.round(os.getProcessCpuLoad() * 100));
        }
        final long rss = residentBytes();
        if (rss > 0)
        {
            m.put("memoryBytes", rss);
        }
        return m;
    }

    /** What the agent cannot do now: services left out, a configuration it could not apply. */
    public List<String> problems()
    {
        final List<String> out = new ArrayList<>();
        final String failed = applyProblem;
        if (failed != null)
        {
            out.add(failed);
        }
        for (final String s : served.leftOut())
        {
            out.add("left out: " + s);
        }
        return out.size() > 16 ? out.subList(0, 16) : out;
    }

    private static long residentBytes()
    {
        try
        {
            final String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
            return Long.parseLong(statm[1]) * 4096; // resident pages; 4 KiB on x86-64 and arm64 defaults
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    private void pause(final Duration wait, final boolean refused)
    {
        try
        {
            Thread.sleep(refused ? settings.maxRetry() : wait);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private static String reason(final Exception ex)
    {
        final String message = ex.getMessage();
        return ex.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    private static String seconds(final long nanos)
    {
        return String.format("%.1f s", nanos / 1e9);
    }

    /** Where the agent stands with its control plane. */
    public State state()
    {
        return state;
    }

    /** The config version the proxy serves, -1 before the first. */
    public long appliedVersion()
    {
        return served.appliedVersion();
    }

    /** The proxy id the control plane gave this agent, null before registering. */
    public String proxyId()
    {
        return proxyId;
    }

    /** The cluster the agent's key belongs to. */
    public String clusterId()
    {
        return clusterId;
    }

    /** What it serves: services, left-out ones, the version. */
    public ClusterProxy served()
    {
        return served;
    }

    /** Time from a changed configuration's arrival (the answer to a poll) to the dataplane serving it. */
    public ApplyLatency latency()
    {
        return latency;
    }

    /** Stops following (the proxy keeps running: it is the caller's to close). */
    @Override
    public void close()
    {
        running = false;
        follower.interrupt();
        heartbeats.interrupt();
        client.close();
        try
        {
            follower.join(TimeUnit.SECONDS.toMillis(5));
            heartbeats.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
