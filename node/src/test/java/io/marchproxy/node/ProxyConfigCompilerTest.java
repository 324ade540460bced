package io.marchproxy.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.config.AccessDecision;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.ModelJson;
import io.marchproxy.control.model.PortSpec;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import io.marchproxy.dataplane.acl.AccessPolicy;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxyService;
import io.marchproxy.dataplane.qos.PriorityClass;
import io.marchproxy.dataplane.qos.ServiceQos;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiler from a cluster's resolved configuration to the proxy's: the access rules it produces decide every
 * connection exactly as {@link AccessDecision} (the rule Envoy's RBAC is checked against) over thousands of random
 * clusters, clients and ports; indexes and backend positions stay stable across versions; what cannot be served is
 * left out with a reason; QoS policies and offload switches carry over.
 */
class ProxyConfigCompilerTest
{
    private static final String[] PREFIXES = {"10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.1.2.3/32",
        "192.168.0.0/16", "0.0.0.0/0", "fd00::/8", "fd00:1::/32", "fd00:1:2::/48", "::/0"};
    private static final String[] CLIENTS = {"10.1.2.3", "10.1.2.4", "10.1.9.9", "10.9.9.9", "192.168.1.1",
        "172.16.0.1", "fd00:1:2::5", "fd00:1:9::1", "fd00:9::1", "2001:db8::1"};

    @Test
    void accessRulesDecideAsAccessDecisionDoes() throws Exception
    {
        final Random random = new Random(20261206);
        int checked = 0;
        for (int round = 0; round < 600; round++)
        {
            final ResolvedConfig config = randomConfig(random);
            final ProxyConfig compiled = new ProxyConfigCompiler().compile(config).config();
            final AccessPolicy policy = AccessPolicy.compile(compiled.rules(), compiled.defaultAction());
            for (final ResolvedConfig.ServiceEntry s : config.services())
            {
                final ProxyService ps = compiled.services().stream().filter(p -> p.name().equals(s.name()))
                    .findFirst().orElseThrow();
                for (final String client : CLIENTS)
                {
                    final InetAddress address = InetAddress.getByName(client);
                    if (address.getAddress().length != (s.address().contains(":") ? 16 : 4))
                    {
                        continue; // the proxy does not translate between families
                    }
                    for (int port = s.port(); port <= s.portEnd(); port++)
                    {
                        final AccessAction expected = AccessDecision.decide(config, s, port, address.getAddress());
                        final IpAddress a = IpAddress.of(address);
                        final io.marchproxy.dataplane.acl.AccessAction got = policy.decide(ps.index(), a.family(),
                            a.hi(), a.lo(), ps.protocol().number(), port);
                        assertEquals(expected.name(), got.name(), "round " + round + ": " + client + " -> " + s.name()
                            + ":" + port + "\n" + config.mappings() + "\ndefault " + config.settings().defaultPolicy());
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked > 10_000, "decisions checked: " + checked);
    }

    private static ResolvedConfig randomConfig(final Random random)
    {
        final List<ResolvedConfig.ServiceEntry> services = new ArrayList<>();
        final int n = 1 + random.nextInt(4);
        for (int i = 0; i < n; i++)
        {
            final boolean v6 = random.nextBoolean();
            final int port = 1000 + random.nextInt(4);
            final int portEnd = random.nextInt(3) == 0 ? port + random.nextInt(4) : port;
            services.add(new ResolvedConfig.ServiceEntry("s" + i, "svc" + i, v6 ? "fd00:215::" + (i + 1)
                : "10.215.0." + (i + 1), port, portEnd, random.nextBoolean() ? "tcp" : "udp", "c" + random.nextInt(2),
                List.of(new Backend(v6 ? "fd00:214::11" : "10.214.0.11", 80, 1, true)), "round_robin",
                ServiceAuth.NONE, TlsSettings.OFF, null, null, null, null));
        }
        final List<ResolvedConfig.MappingEntry> mappings = new ArrayList<>();
        final int m = random.nextInt(6);
        for (int i = 0; i < m; i++)
        {
            final List<String> sources = new ArrayList<>();
            for (int k = random.nextInt(3); k > 0; k--)
            {
                sources.add(PREFIXES[random.nextInt(PREFIXES.length)]);
            }
            final List<String> destinations = new ArrayList<>();
            for (final ResolvedConfig.ServiceEntry s : services)
            {
                if (random.nextInt(3) > 0)
                {
                    destinations.add(s.id());
                }
            }
            final List<String> protocols = switch (random.nextInt(4))
            {
                case 0 -> List.of("tcp");
                case 1 -> List.of("udp");
                case 2 -> List.of("tcp", "udp");
                default -> List.of("http", "tcp");
            };
            final int from = 1000 + random.nextInt(5);
            final List<PortSpec.Range> ports = List.of(new PortSpec.Range(from, from + random.nextInt(3)));
            mappings.add(new ResolvedConfig.MappingEntry("m" + i, "map" + i,
                random.nextInt(3) == 0 ? AccessAction.DENY : AccessAction.ALLOW, List.of(), sources, destinations,
                protocols, ports, false, random.nextInt(5)));
        }
        // Resolved configs list mappings in priority order, then id.
        mappings.sort(java.util.Comparator.comparingInt(ResolvedConfig.MappingEntry::priority)
            .thenComparing(ResolvedConfig.MappingEntry::id));
        return new ResolvedConfig("c1", "lab", 1, "", new ResolvedConfig.Settings(true, 3, null, false, false, false,
            random.nextBoolean() ? AccessAction.ALLOW : AccessAction.DENY), services, mappings, List.of());
    }

    @Test
    void indexesAndBackendPositionsStayPutAcrossVersionsAndTheUnservableIsLeftOutWithAReason()
    {
        final ProxyConfigCompiler compiler = new ProxyConfigCompiler();
        final ResolvedConfig.ServiceEntry a = service("a", "10.215.0.1", List.of(backend("10.214.0.11"),
            backend("10.214.0.12")));
        final ResolvedConfig.ServiceEntry b = service("b", "10.215.0.2", List.of(backend("10.214.0.13")));
        final ProxyConfig v1 = compiler.compile(config(List.of(a, b))).config();
        final int indexA = index(v1, "a");
        final int indexB = index(v1, "b");

        // a loses its first backend and gains another; a named VIP and a named backend cannot be served.
        final ResolvedConfig.ServiceEntry a2 = service("a", "10.215.0.1", List.of(backend("10.214.0.12"),
            backend("10.214.0.14"), backend("db.internal")));
        final ResolvedConfig.ServiceEntry named = service("c", "web.example", List.of(backend("10.214.0.11")));
        final ProxyConfigCompiler.Result r2 = compiler.compile(config(List.of(named, a2)));
        final ProxyConfig v2 = r2.config();
        assertEquals(indexA, index(v2, "a"), "a keeps its index");
        assertFalse(v2.services().stream().anyMatch(s -> s.index() == indexB), "b's index is gone, not reused");
        final ProxyService pa = v2.services().stream().filter(s -> s.name().equals("a")).findFirst().orElseThrow();
        assertEquals(List.of("10.214.0.11/80:false", "10.214.0.12/80:true", "10.214.0.14/80:true"),
            pa.backends().stream().map(x -> x.address() + "/" + x.port() + ":" + x.enabled()).toList(),
            "positions kept; the removed backend stays as a disabled placeholder");
        assertEquals(2, r2.leftOut().size(), r2.leftOut().toString());
        assertTrue(r2.leftOut().get(0).contains("web.example") || r2.leftOut().get(1).contains("web.example"));
        final ProxyConfig v3 = compiler.compile(config(List.of(service("d", "10.215.0.9", List.of()), a2))).config();
        assertTrue(index(v3, "d") > indexB, "a new service gets a new index");
    }

    @Test
    void theQosPolicyOfTheRestModelBecomesTheServicesRatesClassAndMarking()
    {
        final ResolvedConfig.ServiceEntry plain = service("p", "10.215.0.1", List.of(backend("10.214.0.11")));
        final ResolvedConfig.ServiceEntry shaped = withQos(service("q", "10.215.0.2", List.of(backend("10.214.0.11"))),
            new ResolvedConfig.Qos(100, 20, 64, "P0", 10, 0, 0));
        final ResolvedConfig.ServiceEntry own = withQos(service("r", "10.215.0.3", List.of(backend("10.214.0.11"))),
            new ResolvedConfig.Qos(0, 0, 0, "P3", 10, 250, 26));
        final ProxyConfig c = new ProxyConfigCompiler().compile(config(List.of(plain, shaped, own))).config();
        assertEquals(null, byName(c, "p").qos(), "no policy: the node's default class, unmarked, unlimited");
        assertEquals(new ServiceQos(100_000_000L, 20_000_000L, 64 * 1024, PriorityClass.P0, -1, null),
            byName(c, "q").qos(), "Mbit/s and KiB; DSCP 0 and latency 0 mean the class's");
        assertEquals(new ServiceQos(0, 0, 0, PriorityClass.P3, 26, Duration.ofMillis(250)), byName(c, "r").qos());
        assertThrows(IllegalArgumentException.class,
            () -> ProxyConfigCompiler.qos(new ResolvedConfig.Qos(0, 0, 0, "P9", 10, 0, 0)));
    }

    @Test
    void aServicesOffloadSwitchBecomesTheProxyServicesOffloadFlagAbsentMeaningOn() throws Exception
    {
        final ResolvedConfig.ServiceEntry absent = service("n", "10.215.0.1", List.of(backend("10.214.0.11")));
        final ResolvedConfig.ServiceEntry on = withOffload(service("y", "10.215.0.2", List.of()), true);
        final ResolvedConfig.ServiceEntry off = withOffload(service("f", "10.215.0.3", List.of()), false);
        final ProxyConfigCompiler compiler = new ProxyConfigCompiler();
        final ProxyConfig c = compiler.compile(config(List.of(absent, on, off))).config();
        assertTrue(byName(c, "n").offload(), "absent (a control plane before the field): on, as before");
        assertTrue(byName(c, "y").offload());
        assertFalse(byName(c, "f").offload(), "offload false keeps the service's flows on the Java path");
        final int index = byName(c, "f").index();

        final ProxyConfig later = compiler.compile(config(List.of(absent, on, withOffload(off, true)))).config();
        assertTrue(byName(later, "f").offload(), "switched back on");
        assertEquals(index, byName(later, "f").index(), "the same service, so its offloaded flows are found again");

        // What an agent reads from a control plane that predates the field: a service entry without "offload".
        final ObjectMapper json = ModelJson.newMapper();
        final ObjectNode tree = json.valueToTree(config(List.of(off)));
        ((ObjectNode)tree.get("services").get(0)).remove("offload");
        final ResolvedConfig old = json.treeToValue(tree, ResolvedConfig.class);
        assertEquals(null, old.services().get(0).offload());
        assertTrue(new ProxyConfigCompiler().compile(old).config().services().get(0).offload());
    }

    private static ResolvedConfig.ServiceEntry withOffload(final ResolvedConfig.ServiceEntry s, final boolean offload)
    {
        return new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.portEnd(), s.protocol(),
            s.collection(), s.backends(), s.loadBalancing(), s.auth(), s.tls(), s.certificateId(), s.healthCheck(),
            s.qos(), offload);
    }

    private static ResolvedConfig.ServiceEntry withQos(final ResolvedConfig.ServiceEntry s, final ResolvedConfig.Qos q)
    {
        return new ResolvedConfig.ServiceEntry(s.id(), s.name(), s.address(), s.port(), s.portEnd(), s.protocol(),
            s.collection(), s.backends(), s.loadBalancing(), s.auth(), s.tls(), s.certificateId(), s.healthCheck(), q,
            s.offload());
    }

    private static ProxyService byName(final ProxyConfig c, final String name)
    {
        return c.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static int index(final ProxyConfig c, final String name)
    {
        return c.services().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().index();
    }

    private static Backend backend(final String address)
    {
        return new Backend(address, 80, 1, true);
    }

    private static ResolvedConfig.ServiceEntry service(final String id, final String address,
        final List<Backend> backends)
    {
        return new ResolvedConfig.ServiceEntry(id, id, address, 80, 80, "tcp", "default", backends, "round_robin",
            ServiceAuth.NONE, TlsSettings.OFF, null, null, null, null);
    }

    private static ResolvedConfig config(final List<ResolvedConfig.ServiceEntry> services)
    {
        return new ResolvedConfig("c1", "lab", 1, "", new ResolvedConfig.Settings(true, 3, null, false, false, false,
            AccessAction.DENY), services, List.of(), List.of());
    }
}
