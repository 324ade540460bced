package io.marchproxy.perflab;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.bpf.L4Program;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.counter.LatencyHistogram;
import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.packet.DropReason;
import io.marchproxy.dataplane.proxy.FlowEvents;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxyService;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.dataplane.proxy.ProxyStatistics;
import io.marchproxy.dataplane.proxy.WorkerIdle;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.QosSettings;
import io.marchproxy.dataplane.qos.ServiceQos;
import io.marchproxy.journal.FlowJournal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The Java side of the perf-lab scenario {@code lb}: the dataplane's {@link L4Proxy} with default settings between
 * {@code --front} and {@code --back} of the namespace it runs in, one UDP service per {@code --ports} entry
 * (VIP:port -> backend:port, round robin over the one backend), every source allowed by an access rule (default
 * deny). The first port's service carries the throughput traffic; the others are there for the round-trip phase that
 * the harness runs after the window. With {@code --offload 1} the services offload their flows: once the proxy has
 * decided a flow (a UDP flow after four frames), the XDP program forwards its frames itself; the forwarded count is then
 * read back from the kernel twice a second, so the window's count moves in such steps.
 *
 * <p>The window is that of {@code lab_common.h} ({@link MeasurementWindow}) over the packets the proxy forwarded to
 * the backend (the service's {@code PACKETS_TO_BACKENDS}), sampled every {@value #SAMPLE_MILLIS} ms by the main
 * thread; the loop-thread CPU is the proxy's dataplane thread. After the window the proxy keeps serving until SIGTERM
 * or SIGINT, or {@code --hold} seconds. It prints one JSON line when the window closes and one at the end (the same
 * window figures, the counters as they are then), and exits: 0 after a full window, 2 when no packet came within
 * {@code --start-timeout}, 130 when stopped before the window was over, 1 on a setup error (message, no JSON).
 */
public final class LbScenario
{
    private static final String PROG = "LbScenario";
    private static final long SAMPLE_MILLIS = 20;
    /** L4Proxy names its dataplane thread so; agrona's AgentRunner renames it to the agents' role names. */
    private static final String DATAPLANE_THREAD_PREFIX = "marchproxy-l4-";
    private static final String DATAPLANE_ROLE = "l4-housekeeping";
    private static final String USAGE = """
        usage: LbScenario --vip IP --backend IP [--ports 9[,7...]] [--front mpd0] [--back mpd1] [--snat IP]
                          [--seconds 5] [--warmup 2] [--start-timeout 10] [--hold 120] [--mode drv|skb]
                          [--ring N] [--frames N] [--frame-size N] [--batch N] [--flows N] [--poll-ms N]
                          [--stats on|off] [--journal DIR|none] [--qos on|off] [--offload 0|1]
                          [--idle poll|busy-spin|yielding|backoff]
        The six sizes replace ProxySettings.of's defaults (ring 2048, frames 16384 of 2048 bytes, batch 64,
        65536 flows per family, poll timeout 1 ms). --stats off records no per-packet latency; --journal DIR
        keeps the flow journal there (a Chronicle Queue; default none), as the node does. --qos on (default):
        priority classes on, and each service has a policy (class P1, marked AF41, 100 Gbit/s each way: a token
        bucket per packet that never runs dry); --qos off: frames go straight to the TX ring, unmarked.
        --offload 1: the services offload their flows to the XDP program once decided (a UDP flow after 4
        frames), and have no QoS policy (a service with one stays on the Java path); 0 (default): every frame
        through the Java path. With offload the forwarded count behind the window is read from the kernel
        twice a second. --idle: what the dataplane thread does in a turn without work (WorkerIdle; default
        poll, as the node).
        Runs the L4 proxy (UDP services VIP:port -> backend:port, everyone allowed) in this network namespace,
        measures the packets it forwards to the backend over a window (as xsk_ref does), keeps serving until
        SIGTERM/SIGINT or --hold seconds after the window. One JSON line when the window closes, one at the end:
        {"impl":"java","scenario":"lb","packets":N,"seconds":S,"pps":P,"cpu_seconds":C,...}""";

    /** The --qos on policy: a class, its mark, and a bucket per direction that the lab's traffic never empties. */
    private static final ServiceQos UNREACHED_LIMIT = new ServiceQos(100_000_000_000L, 100_000_000_000L, 0,
        PriorityClass.P1, -1, null);

    private LbScenario()
    {
    }

    /** The options; every one is {@code --name value}. */
    record Options(
        String front,
        String back,
        IpAddress vip,
        IpAddress backend,
        IpAddress snat,
        List<Integer> ports,
        double seconds,
        double warmup,
        double startTimeout,
        double hold,
        XdpMode mode,
        Map<String, Integer> sizes,
        boolean stats,
        Path journal,
        boolean qos,
        boolean offload,
        WorkerIdle idle)
    {
        static Options parse(final String[] args)
        {
            String front = "mpd0";
            String back = "mpd1";
            IpAddress vip = null;
            IpAddress backend = null;
            IpAddress snat = null;
            final List<Integer> ports = new ArrayList<>();
            double seconds = 5;
            double warmup = 2;
            double startTimeout = 10;
            double hold = 120;
            XdpMode mode = XdpMode.DRV;
            boolean qos = true;
            boolean offload = false;
            WorkerIdle idle = null;
            final Map<String, Integer> sizes = new HashMap<>();
            boolean stats = true;
            Path journal = null;
            for (int i = 0; i < args.length; i++)
            {
                final String a = args[i];
                if (a.equals("-h") || a.equals("--help"))
                {
                    return null;
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException("option " + a + " needs a value (see --help)");
                }
                final String v = args[++i];
                switch (a)
                {
                    case "--front" -> front = v;
                    case "--back" -> back = v;
                    case "--vip" -> vip = ipv4(a, v);
                    case "--backend" -> backend = ipv4(a, v);
                    case "--snat" -> snat = ipv4(a, v);
                    case "--ports" ->
                    {
                        ports.clear();
                        for (final String p : v.split(",", -1))
                        {
                            ports.add((int)ScenarioOptions.parseLong(a, p, 1, 65535));
                        }
                    }
                    case "--seconds" -> seconds = ScenarioOptions.parseDouble(a, v, 0.1, 3600);
                    case "--warmup" -> warmup = ScenarioOptions.parseDouble(a, v, 0, 600);
                    case "--start-timeout" -> startTimeout = ScenarioOptions.parseDouble(a, v, 0.1, 600);
                    case "--hold" -> hold = ScenarioOptions.parseDouble(a, v, 0, 3600);
                    case "--mode" ->
                    {
                        if (!v.equals("drv") && !v.equals("skb"))
                        {
                            throw new IllegalArgumentException("unknown mode '" + v + "' (drv or skb)");
                        }
                        mode = v.equals("drv") ? XdpMode.DRV : XdpMode.SKB;
                    }
                    case "--qos" ->
                    {
                        if (!v.equals("on") && !v.equals("off"))
                        {
                            throw new IllegalArgumentException("--qos is on or off, not '" + v + "'");
                        }
                        qos = v.equals("on");
                    }
                    case "--stats" ->
                    {
                        if (!v.equals("on") && !v.equals("off"))
                        {
                            throw new IllegalArgumentException("--stats must be on or off, not '" + v + "'");
                        }
                        stats = v.equals("on");
                    }
                    case "--journal" -> journal = v.equals("none") ? null : Path.of(v);
                    case "--offload" -> offload = ScenarioOptions.parseLong(a, v, 0, 1) == 1;
                    case "--idle" -> idle = WorkerIdle.parse(v);
                    case "--ring", "--frames", "--frame-size", "--batch", "--flows", "--poll-ms" ->
                        sizes.put(a, (int)ScenarioOptions.parseLong(a, v, 0, 1 << 24));
                    default -> throw new IllegalArgumentException("unknown option " + a + " (see --help)");
                }
            }
            if (vip == null || backend == null)
            {
                throw new IllegalArgumentException("--vip and --backend are required (see --help)");
            }
            if (ports.isEmpty())
            {
                ports.add(9);
            }
            if (Set.copyOf(ports).size() != ports.size())
            {
                throw new IllegalArgumentException("--ports lists a port twice: " + ports);
            }
            return new Options(front, back, vip, backend, snat, List.copyOf(ports), seconds, warmup, startTimeout,
                hold, mode, Map.copyOf(sizes), stats, journal, qos, offload, idle);
        }

        /** ProxySettings.of's defaults with the sizes given on the command line. */
        ProxySettings settings(final IpAddress snat4)
        {
            final ProxySettings d = ProxySettings.of(front, back, snat4, null).withMode(mode);
            return new ProxySettings(front, back, d.queue(), mode, snat4, null, d.snatPorts(),
                sizes.getOrDefault("--flows", d.flowsPerFamily()), sizes.getOrDefault("--frames", d.frames()),
                sizes.getOrDefault("--frame-size", d.frameSize()), sizes.getOrDefault("--ring", d.ringSize()),
                sizes.getOrDefault("--batch", d.batch()), sizes.getOrDefault("--poll-ms", d.pollTimeoutMs()),
                d.timeouts(), d.cores(), idle == null ? d.idle() : idle, qos ? d.qos() : QosSettings.OFF,
                d.offloadFlows());
        }

        private static IpAddress ipv4(final String option, final String v)
        {
            if (!v.matches("\\d{1,3}(\\.\\d{1,3}){3}"))
            {
                throw new IllegalArgumentException("bad IPv4 address for " + option + ": '" + v + "'");
            }
            return IpAddress.parse(v);
        }
    }

    public static void main(final String[] args)
    {
        int status;
        try
        {
            status = run(args);
        }
        catch (final ScenarioOptions.UsageException | IllegalArgumentException | IllegalStateException ex)
        {
            System.err.println(PROG + ": " + ex.getMessage());
            status = 1;
        }
        catch (final Exception ex)
        {
            System.err.println(PROG + ": " + ex);
            status = 1;
        }
        SignalStop.exit(status);
    }

    private static int run(final String[] args) throws Exception
    {
        final Options o = Options.parse(args);
        if (o == null)
        {
            System.out.println(USAGE);
            return 0;
        }
        final IpAddress snat = o.snat() != null ? o.snat() : interfaceIpv4(o.back());
        final ProxySettings settings = o.settings(snat);
        SignalStop.install("lb-scenario-stop");
        final ProxyConfig config = config(o);
        try (FlowJournal journal = o.journal() == null ? null : FlowJournal.open(FlowJournal.Settings.in(o.journal()),
                i -> i < config.services().size() ? config.services().get(i).name() : null);
             L4Proxy proxy = L4Proxy.start(null, settings, config,
                 journal == null ? FlowEvents.NONE : journal.newWriter(), o.stats() ? new LatencyHistogram() : null))
        {
            final Thread dataplane = dataplaneThread();
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final MeasurementWindow w = new MeasurementWindow(o.warmup(), o.seconds(),
                () -> dataplane == null ? 0 : threads.getThreadCpuTime(dataplane.threadId()) * 1e-9);
            final double t0 = MeasurementWindow.now();
            long seen = 0;
            boolean full = false;
            while (!SignalStop.requested())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SAMPLE_MILLIS));
                final double now = MeasurementWindow.now();
                final long forwarded =
                    proxy.statistics().service(0, ProxyStatistics.ServiceCounter.PACKETS_TO_BACKENDS);
                if (w.add(now, forwarded - seen))
                {
                    // The window closed at this sample: what came since the previous one came inside it (a loop turn
                    // of xsk_ref is microseconds long, a sample here 20 ms, too long to leave out).
                    w.packets += forwarded - seen;
                    full = true;
                    break;
                }
                seen = forwarded;
                if (w.first == 0 && now - t0 >= o.startTimeout())
                {
                    break;
                }
            }
            final double secs = w.close(MeasurementWindow.now());
            if (full)
            {
                // The window's figures now (the harness waits for this line to stop the source), the final line with
                // the counters after the serving.
                System.out.println(json(o, proxy, w, secs));
                System.out.flush();
            }
            // Serve on (the round-trip phase) until told to stop.
            final double holdUntil = MeasurementWindow.now() + o.hold();
            while (full && !SignalStop.requested() && MeasurementWindow.now() < holdUntil)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            if (w.first == 0)
            {
                System.err.printf(Locale.ROOT, "%s: no packet forwarded within %.1f s%n", PROG, o.startTimeout());
            }
            System.out.println(json(o, proxy, w, secs));
            return full ? 0 : w.first == 0 ? 2 : 130;
        }
    }

    private static ProxyConfig config(final Options o)
    {
        final List<ProxyService> services = new ArrayList<>();
        final List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < o.ports().size(); i++)
        {
            final int port = o.ports().get(i);
            services.add(new ProxyService(i, "lb-" + port, o.vip(), L4Protocol.UDP, PortRange.of(port),
                BalancingAlgorithm.ROUND_ROBIN, List.of(new Backend(o.backend(), port, 1, true)), null, false,
                o.qos() && !o.offload() ? UNREACHED_LIMIT : null, o.offload()));
            indexes.add(i);
        }
        final AccessRule everyone = new AccessRule(10, AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0")),
            Set.copyOf(indexes), Set.of(L4Protocol.UDP), List.of(PortRange.ALL));
        return new ProxyConfig(1, services, List.of(everyone), AccessAction.DENY);
    }

    private static IpAddress interfaceIpv4(final String name) throws SocketException
    {
        final NetworkInterface nif = NetworkInterface.getByName(name);
        if (nif != null)
        {
            for (final InetAddress a : java.util.Collections.list(nif.getInetAddresses()))
            {
                if (a instanceof Inet4Address)
                {
                    return IpAddress.of(a);
                }
            }
        }
        throw new IllegalArgumentException("no IPv4 address on " + name + " in this network namespace (give --snat)");
    }

    /** The proxy's dataplane thread (its CPU is the window's loop-thread CPU), or null if it cannot be found. */
    private static Thread dataplaneThread()
    {
        final List<String> names = new ArrayList<>();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().startsWith(DATAPLANE_THREAD_PREFIX) || t.getName().contains(DATAPLANE_ROLE))
            {
                return t;
            }
            names.add(t.getName());
        }
        System.err.println(PROG + ": warning: no dataplane thread among " + names + ": loop CPU not measured");
        return null;
    }

    private static String json(final Options o, final L4Proxy proxy, final MeasurementWindow w, final double secs)
    {
        final ProxyStatistics stats = proxy.statistics();
        long toBackends = 0;
        long toClients = 0;
        long flows = 0;
        for (int i = 0; i < o.ports().size(); i++)
        {
            toBackends += stats.service(i, ProxyStatistics.ServiceCounter.PACKETS_TO_BACKENDS);
            toClients += stats.service(i, ProxyStatistics.ServiceCounter.PACKETS_TO_CLIENTS);
            flows += stats.service(i, ProxyStatistics.ServiceCounter.FLOWS_OPENED);
        }
        final SingleWriterCounters drops = proxy.drops();
        final StringJoiner byReason = new StringJoiner(",", "{", "}");
        for (final DropReason r : DropReason.values())
        {
            final long n = drops.get(r);
            if (n != 0)
            {
                byReason.add("\"" + r.name().toLowerCase(Locale.ROOT) + "\":" + n);
            }
        }
        final StringJoiner xdp = new StringJoiner(",", "{", "}");
        for (final L4Program.Counter c : L4Program.Counter.values())
        {
            xdp.add("\"" + c.name().toLowerCase(Locale.ROOT) + "\":" + proxy.program().counter(c));
        }
        return String.format(Locale.ROOT,
            "{\"impl\":\"java\",\"scenario\":\"lb\",\"qos\":%b,\"packets\":%d,\"seconds\":%.3f,\"pps\":%.0f,"
                + "\"cpu_seconds\":%.3f,\"loop_thread_cpu_seconds\":%.3f,\"received\":%d,\"to_backends\":%d,"
                + "\"to_clients\":%d,\"flows_opened\":%d,\"drops\":%d,\"drops_by_reason\":%s,\"xdp\":%s,"
                + "\"stats\":\"%s\",\"journal\":%s,\"latency_p99_us\":%.2f,\"offload\":%s}",
            o.qos(), w.packets, secs, secs > 0 ? w.packets / secs : 0.0, w.cpuEnd - w.cpuStart,
            w.threadCpuEnd - w.threadCpuStart, proxy.received(), toBackends, toClients, flows, drops.sum(), byReason,
            xdp, o.stats() ? "on" : "off", o.journal() == null ? "false" : "true",
            proxy.latency() == null ? 0.0 : proxy.latency().snapshot().getValueAtPercentile(99) / 1000.0,
            counters(proxy.offloadCounters()));
    }

    /** Counters as a JSON object with lower-case names. */
    private static String counters(final SingleWriterCounters counters)
    {
        final StringJoiner out = new StringJoiner(",", "{", "}");
        for (int i = 0; i < counters.length(); i++)
        {
            out.add("\"" + counters.label(i).toLowerCase(Locale.ROOT) + "\":" + counters.get(i));
        }
        return out.toString();
    }
}
