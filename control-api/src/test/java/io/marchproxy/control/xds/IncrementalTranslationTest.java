package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Re-translating only what changed (TranslationMemo) and re-encoding only new resources (XdsSnapshot over the previous
 * one) give exactly what a translation and encoding from scratch give, over long random sequences of changes to
 * services, backends, mappings, certificates and the default policy; and what did not change is reused, not rebuilt.
 */
class IncrementalTranslationTest {
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    @Test
    void incrementalEqualsFromScratchOverRandomChanges() {
        Random random = new Random(7);
        TranslationMemo memo = new TranslationMemo();
        XdsSnapshot previous = null;
        List<ResolvedConfig.ServiceEntry> services = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            services.add(service(random, i));
        }
        for (int step = 0; step < 300; step++) {
            int i = random.nextInt(services.size());
            switch (random.nextInt(4)) {
                case 0 -> services.set(i, service(random, i));
                case 1 -> services.set(i, Configs.with(services.get(i), services.get(i).protocol(),
                        random.nextBoolean() ? "round_robin" : "least_connections", ServiceAuth.NONE,
                        services.get(i).tls(), null, null));
                default -> { } // only mappings or policy change below
            }
            ResolvedConfig config = config(random, services);
            EnvoyResources fresh = EnvoyTranslator.translate(config, Cluster.DnsLookupFamily.V4_PREFERRED);
            EnvoyResources incremental = EnvoyTranslator.translate(config, Cluster.DnsLookupFamily.V4_PREFERRED,
                    memo);
            assertEquals(fresh, incremental, "step " + step);
            XdsSnapshot scratch = XdsSnapshot.of(fresh);
            XdsSnapshot reused = XdsSnapshot.of(incremental, previous);
            for (XdsType t : XdsType.values()) {
                assertEquals(scratch.type(t).version(), reused.type(t).version(), "step " + step + " " + t);
            }
            assertEquals(scratch.listenerRefs(), reused.listenerRefs());
            assertEquals(scratch.clusterRefs(), reused.clusterRefs());
            previous = reused;
        }
    }

    @Test
    void anUnchangedServiceKeepsItsResourcesAndEncodings() {
        TranslationMemo memo = new TranslationMemo();
        ResolvedConfig.ServiceEntry a = Configs.http("a", "127.0.0.1", 8080, Configs.backend("10.0.1.1", 80, 1));
        ResolvedConfig.ServiceEntry b = Configs.http("b", "127.0.0.1", 8081, Configs.backend("10.0.1.2", 80, 1));
        EnvoyResources one = EnvoyTranslator.translate(new Configs().service(a).service(b).build(),
                Cluster.DnsLookupFamily.V4_PREFERRED, memo);
        XdsSnapshot first = XdsSnapshot.of(one, null);
        ResolvedConfig.ServiceEntry b2 = Configs.http("b", "127.0.0.1", 8081, Configs.backend("10.0.1.3", 80, 1));
        EnvoyResources two = EnvoyTranslator.translate(new Configs().service(a).service(b2).build(),
                Cluster.DnsLookupFamily.V4_PREFERRED, memo);
        XdsSnapshot second = XdsSnapshot.of(two, first);
        String clusterA = XdsNames.cluster("a");
        assertSame(first.clusters().resources().get(clusterA), second.clusters().resources().get(clusterA),
                "a's cluster was neither rebuilt nor re-encoded");
        String listenerA = XdsNames.listener("http", "127.0.0.1", 8080);
        assertSame(first.listeners().resources().get(listenerA), second.listeners().resources().get(listenerA));
        assertTrue(first.endpoints().resources().get(XdsNames.cluster("b"))
                != second.endpoints().resources().get(XdsNames.cluster("b")), "b's endpoints changed");
    }

    private static ResolvedConfig.ServiceEntry service(Random random, int i) {
        String protocol = switch (random.nextInt(4)) {
            case 0 -> "tcp";
            case 1 -> "https";
            default -> "http";
        };
        int port = 8000 + (random.nextInt(3) == 0 ? 0 : i);
        ResolvedConfig.ServiceEntry s = Configs.http("s" + i, "127.0.0.1", port,
                Configs.backend("10.0." + random.nextInt(3) + "." + (i + 1), 80, 1 + random.nextInt(3)));
        if (protocol.equals("https")) {
            return Configs.presenting(Configs.with(s, "https", "round_robin", ServiceAuth.NONE,
                    new TlsSettings(true, random.nextBoolean()), null, null), random.nextBoolean() ? "k1" : "k2");
        }
        return Configs.with(s, protocol, "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
    }

    private static ResolvedConfig config(Random random, List<ResolvedConfig.ServiceEntry> services) {
        Configs c = new Configs().defaultPolicy(random.nextInt(4) == 0 ? AccessAction.DENY : AccessAction.ALLOW);
        services.forEach(c::service);
        if (random.nextBoolean()) {
            c.mapping("m", AccessAction.ALLOW, 1, List.of(), List.of("10.1.0.0/16"),
                    List.of(services.get(random.nextInt(services.size())).id()), "http", "8000-8100");
        }
        c.certificate("k1", "127.0.0.1", CERT, KEY);
        c.certificate("k2", "127.0.0.1", random.nextBoolean() ? CERT : CERT.replace("MIIB", "MIIC"), KEY);
        return c.build();
    }
}
