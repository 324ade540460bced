package io.marchproxy.benchmarks.xds;

import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.Service;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import io.marchproxy.control.xds.EnvoyResources;
import io.marchproxy.control.xds.EnvoyTranslator;
import io.marchproxy.control.xds.XdsSnapshot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the xDS server does on every config change of a cluster: translate its resolved config into Envoy resources,
 * encode each resource once, hash each type into a version and check references (as the server does). The cluster has
 * {@code services} services: mostly http (every fifth on a shared port, so listeners carry several virtual hosts),
 * every tenth tcp, every twentieth https with a certificate, every seventh jwt, every ninth with QoS, four backends
 * each, and a mapping to every eleventh. Target: 1,000 services in <= 50 ms. {@code oneChangeIncremental} is what the
 * server does per change: one service's backend moved, on top of the previous snapshot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SnapshotBuildBenchmark {
    @Param({"1000"})
    int services;

    private ResolvedConfig config;

    @Setup
    public void setup() {
        List<ResolvedConfig.ServiceEntry> entries = new ArrayList<>();
        List<String> mapped = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            String id = String.format("svc-%05d", i);
            List<Backend> backends = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                backends.add(new Backend("10." + (i / 250) + "." + (i % 250) + "." + (b + 1), 8080, 1 + b, true));
            }
            String protocol = i % 20 == 0 ? "https" : i % 10 == 0 ? "tcp" : "http";
            int port = i % 5 == 0 && protocol.equals("http") ? 8080 : 10_000 + i;
            ServiceAuth auth = i % 7 == 0 ? new ServiceAuth("jwt", null, "secret-of-service-" + id + "-0123456789",
                    "HS256", 3600) : ServiceAuth.NONE;
            ResolvedConfig.Qos qos = i % 9 == 0 ? new ResolvedConfig.Qos(100, 100, 64, "P1", 1, 0, 0) : null;
            entries.add(new ResolvedConfig.ServiceEntry(id, "service-" + i, "127.0.0.1", port, port, protocol,
                    "default", backends, i % 3 == 0 ? "least_connections" : "round_robin", auth,
                    protocol.equals("https") ? new TlsSettings(true, false) : TlsSettings.OFF,
                    protocol.equals("https") ? "cert-1" : null, new HealthCheck("/healthz", 10), qos,
                    Service.isLayer4(protocol) ? Boolean.TRUE : null));
            if (i % 11 == 0) {
                mapped.add(id);
            }
        }
        List<ResolvedConfig.MappingEntry> mappings = List.of(new ResolvedConfig.MappingEntry("m1", "to-mapped",
                AccessAction.ALLOW, List.of(entries.get(1).id()), List.of("127.0.0.1/32"), mapped,
                List.of("http", "tcp"), PortSpec.parse("1-65535"), false, 1));
        List<ResolvedConfig.CertificateEntry> certs = List.of(new ResolvedConfig.CertificateEntry("cert-1", "loopback",
                "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "",
                "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n", List.of("127.0.0.1"),
                Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2030-01-01T00:00:00Z")));
        config = new ResolvedConfig("cluster-1", "bench", 1, "sha256:bench",
                new ResolvedConfig.Settings(true, 3, "", false, false, false, AccessAction.ALLOW), entries, mappings,
                certs);
        List<ResolvedConfig.ServiceEntry> moved = new ArrayList<>(entries);
        ResolvedConfig.ServiceEntry s = moved.get(services / 2);
        moved.set(services / 2, new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.portEnd(),
                s.protocol(), s.collection(), List.of(new Backend("10.200.0.1", 8080, 1, true)), s.loadBalancing(),
                s.auth(), s.tls(), s.certificateId(), s.healthCheck(), s.qos(), s.offload()));
        changed = new ResolvedConfig("cluster-1", "bench", 2, "sha256:bench2", config.settings(), moved, mappings,
                certs);
        incremental = new io.marchproxy.control.xds.ClusterSnapshotBuilder(
                io.envoyproxy.envoy.config.cluster.v3.Cluster.DnsLookupFamily.V4_PREFERRED);
        incremental.next(config);
    }

    private ResolvedConfig changed;
    private io.marchproxy.control.xds.ClusterSnapshotBuilder incremental;
    private boolean flip;

    /**
     * The same cluster with one service's backend moved: what the server does on a typical change, building on the
     * previous snapshot (only the changed service's cluster and endpoints are translated and encoded again).
     */
    @Benchmark
    public XdsSnapshot oneChangeIncremental() {
        flip = !flip;
        return incremental.next(flip ? changed : config);
    }

    @Benchmark
    public XdsSnapshot translateAndSnapshot() {
        EnvoyResources r = EnvoyTranslator.translate(config);
        XdsSnapshot s = XdsSnapshot.of(r);
        if (!s.dangling().isEmpty()) {
            throw new IllegalStateException("dangling references " + s.dangling());
        }
        return s;
    }
}
