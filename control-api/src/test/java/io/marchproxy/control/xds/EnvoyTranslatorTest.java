package io.marchproxy.control.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.bandwidth_limit.v3.BandwidthLimit;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.PerRouteConfig;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.marchproxy.control.config.ResolvedConfig;
import io.marchproxy.control.model.AccessAction;
import io.marchproxy.control.model.Backend;
import io.marchproxy.control.model.HealthCheck;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.TlsSettings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.marchproxy.control.xds.Configs.backend;
import static io.marchproxy.control.xds.Configs.http;
import static io.marchproxy.control.xds.Configs.ports;
import static io.marchproxy.control.xds.Configs.presenting;
import static io.marchproxy.control.xds.Configs.with;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvoyTranslatorTest {
    private static final String CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

    @Test
    void httpServiceBecomesListenerRoutesEdsClusterAndWeightedEndpoints() throws Exception {
        Backend off = new Backend("10.0.1.3", 80, 5, false);
        ResolvedConfig cfg = new Configs().service(http("a", "127.0.0.1", 8080,
                backend("10.0.1.1", 80, 3), backend("10.0.1.2", 81, 1), off)).build();
        EnvoyResources r = consistent(cfg);

        Listener l = single(r.listeners());
        assertEquals("http_127.0.0.1_8080", l.getName());
        assertEquals("127.0.0.1", l.getAddress().getSocketAddress().getAddress());
        assertEquals(8080, l.getAddress().getSocketAddress().getPortValue());
        HttpConnectionManager hcm = hcm(l);
        assertEquals("http_127.0.0.1_8080", hcm.getRds().getRouteConfigName());
        assertTrue(hcm.getRds().getConfigSource().hasAds());
        assertEquals(List.of(HttpListeners.ROUTER_FILTER), filterNames(hcm));

        RouteConfiguration rc = single(r.routes());
        VirtualHost vh = single(rc.getVirtualHostsList());
        assertTrue(vh.getDomainsList().containsAll(List.of("svc-a", "127.0.0.1:8080", "*")));
        assertEquals("svc_a", single(vh.getRoutesList()).getRoute().getCluster());

        Cluster c = single(r.clusters());
        assertEquals(Cluster.DiscoveryType.EDS, c.getType());
        assertEquals(Cluster.LbPolicy.ROUND_ROBIN, c.getLbPolicy());
        ClusterLoadAssignment cla = single(r.endpoints());
        assertEquals("svc_a", cla.getClusterName());
        List<LbEndpoint> eps = single(cla.getEndpointsList()).getLbEndpointsList();
        assertEquals(2, eps.size(), "the disabled backend is left out");
        assertEquals(3, eps.get(0).getLoadBalancingWeight().getValue());
        assertEquals(81, eps.get(1).getEndpoint().getAddress().getSocketAddress().getPortValue());
    }

    @Test
    void loadBalancingAlgorithmsMapToEnvoyPolicies() throws Exception {
        ResolvedConfig.ServiceEntry base = http("a", "127.0.0.1", 8080, backend("10.0.1.1", 80, 1));
        assertEquals(Cluster.LbPolicy.LEAST_REQUEST, policyOf(base, "least_connections"));
        assertEquals(Cluster.LbPolicy.ROUND_ROBIN, policyOf(base, "weighted"));
        assertEquals(Cluster.LbPolicy.ROUND_ROBIN, policyOf(base, "round_robin"));
        assertEquals(Cluster.LbPolicy.RING_HASH, policyOf(base, "ip_hash"));
        ResolvedConfig cfg = new Configs().service(with(base, "http", "ip_hash", ServiceAuth.NONE, TlsSettings.OFF,
                new HealthCheck("/healthz", 5), null)).build();
        EnvoyResources r = consistent(cfg);
        Route route = single(single(single(r.routes()).getVirtualHostsList()).getRoutesList());
        assertTrue(route.getRoute().getHashPolicy(0).getConnectionProperties().getSourceIp());
        Cluster c = single(r.clusters());
        assertEquals("/healthz", c.getHealthChecks(0).getHttpHealthCheck().getPath());
        assertEquals(5, c.getHealthChecks(0).getInterval().getSeconds());
    }

    @Test
    void tcpAndUdpServicesGetTheirOwnProxyListeners() throws Exception {
        ResolvedConfig.ServiceEntry t = with(http("t", "127.0.0.1", 5432, backend("10.0.2.1", 5432, 1)), "tcp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        ResolvedConfig.ServiceEntry u = with(http("u", "127.0.0.1", 5432, backend("10.0.2.2", 53, 1)), "udp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        EnvoyResources r = consistent(new Configs().service(t).service(u).build());
        assertEquals(List.of(), r.leftOut(), "tcp and udp on one port do not collide");
        Listener tcp = r.listeners().get(0);
        Listener udp = r.listeners().get(1);
        assertEquals("tcp_127.0.0.1_5432", tcp.getName());
        TcpProxy proxy = tcp.getFilterChains(0).getFilters(0).getTypedConfig().unpack(TcpProxy.class);
        assertEquals("svc_t", proxy.getCluster());
        assertEquals(SocketAddress.Protocol.UDP, udp.getAddress().getSocketAddress().getProtocol());
        UdpProxyConfig up = udp.getListenerFilters(0).getTypedConfig().unpack(UdpProxyConfig.class);
        assertEquals("svc_u", up.getMatcher().getOnNoMatch().getAction().getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.udp.udp_proxy.v3.Route.class).getCluster());
        assertTrue(r.routes().isEmpty());
    }

    @Test
    void tlsServicesReferenceTheirCertificateSecretAndVerifiedUpstreamsATrustSecret() throws Exception {
        ResolvedConfig.ServiceEntry s = presenting(with(http("s", "api.example.com", 8443,
                backend("10.0.3.1", 443, 1)), "https", "round_robin", ServiceAuth.NONE, new TlsSettings(true, true),
                null, null), "k1");
        ResolvedConfig.ServiceEntry plain = presenting(with(http("p", "plain.example.com", 9443,
                backend("10.0.3.2", 80, 1)), "http", "round_robin", ServiceAuth.NONE, new TlsSettings(true, false),
                null, null), "k1");
        ResolvedConfig cfg = new Configs().service(s).service(plain)
                .certificate("k1", "*.example.com", CERT, KEY)
                .certificate("k2", "other.test", CERT, KEY).build();
        EnvoyResources r = consistent(cfg);
        assertEquals(List.of(), r.leftOut());
        Listener l = r.listeners().get(1);
        assertEquals("http_0.0.0.0_8443", l.getName());
        assertEquals("0.0.0.0", l.getAddress().getSocketAddress().getAddress(), "a DNS-named service binds all");
        DownstreamTlsContext tls = l.getFilterChains(0).getTransportSocket().getTypedConfig()
                .unpack(DownstreamTlsContext.class);
        assertEquals("cert_svc_s", tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName(),
                "the secret is named by the service, not by the certificate");
        assertTrue(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getSdsConfig().hasAds());
        assertEquals(List.of("svc_p", "svc_s"), r.clusters().stream().map(Cluster::getName).toList());
        UpstreamTlsContext up = r.clusters().get(1).getTransportSocket().getTypedConfig()
                .unpack(UpstreamTlsContext.class);
        assertEquals("ca_svc_s", up.getCommonTlsContext().getValidationContextSdsSecretConfig().getName());
        assertEquals("api.example.com", up.getSni());
        assertFalse(r.clusters().get(0).hasTransportSocket(), "verify off: plain upstream");
        assertEquals(List.of("cert_svc_p", "cert_svc_s", "ca_svc_s"),
                r.secrets().stream().map(Secret::getName).toList());
        assertEquals(KEY, r.secrets().get(0).getTlsCertificate().getPrivateKey().getInlineString());
    }

    @Test
    void tlsServiceWithoutAMatchingCertificateIsLeftOutNotDangling() throws Exception {
        ResolvedConfig.ServiceEntry s = with(http("s", "api.example.com", 8443, backend("10.0.3.1", 443, 1)),
                "https", "round_robin", ServiceAuth.NONE, new TlsSettings(true, false), null, null);
        ResolvedConfig cfg = new Configs().service(s).service(http("b", "127.0.0.1", 8080))
                .certificate("k1", "a.test", CERT, KEY).certificate("k2", "b.test", CERT, KEY).build();
        EnvoyResources r = consistent(cfg);
        assertEquals(1, r.leftOut().size());
        assertEquals("svc-s", r.leftOut().getFirst().serviceName());
        assertTrue(r.leftOut().getFirst().reason().startsWith("TLS needs a certificate"), r.leftOut().toString());
        assertEquals(List.of("http_127.0.0.1_8080"), r.listeners().stream().map(Listener::getName).toList());
        assertEquals(List.of("svc_b"), r.clusters().stream().map(Cluster::getName).toList());
        assertTrue(r.secrets().isEmpty());
    }

    @Test
    void jwtServicesRequireTokensSignedWithTheirSecretAndBase64ServicesTheirToken() throws Exception {
        String secret = "0123456789abcdef0123456789abcdef";
        ResolvedConfig.ServiceEntry j = with(http("j", "127.0.0.1", 8080, backend("10.0.1.1", 80, 1)), "http",
                "round_robin", new ServiceAuth("jwt", null, secret, "HS384", 3600), TlsSettings.OFF, null, null);
        ResolvedConfig.ServiceEntry t = with(http("t", "t.local", 8080, backend("10.0.1.2", 80, 1)), "http",
                "round_robin", new ServiceAuth("base64", "c2VjcmV0LXRva2VuLTEyMzQ=", null, null, null),
                TlsSettings.OFF, null, null);
        ResolvedConfig.ServiceEntry o = http("o", "127.0.0.1", 8080, backend("10.0.1.3", 80, 1));
        ResolvedConfig cfg = new Configs().service(j).service(t).service(o).build();
        EnvoyResources r = consistent(cfg);
        // t binds 0.0.0.0:8080, which collides with 127.0.0.1:8080.
        assertEquals(1, r.leftOut().size());
        HttpConnectionManager hcm = hcm(single(r.listeners()));
        assertEquals(List.of(HttpListeners.JWT_FILTER, HttpListeners.ROUTER_FILTER), filterNames(hcm));
        JwtAuthentication jwt = hcm.getHttpFilters(0).getTypedConfig().unpack(JwtAuthentication.class);
        String jwks = jwt.getProvidersOrThrow("j").getLocalJwks().getInlineString();
        assertTrue(jwks.contains("\"alg\":\"HS384\""));
        assertTrue(jwks.contains(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(secret.getBytes(StandardCharsets.UTF_8))));
        assertEquals("j", jwt.getRequirementMapOrThrow("j").getProviderName());
        List<VirtualHost> hosts = single(r.routes()).getVirtualHostsList();
        assertEquals(2, hosts.size());
        assertEquals("j", perRoute(hosts.get(0).getRoutes(0), HttpListeners.JWT_FILTER, PerRouteConfig.class)
                .getRequirementName());
        assertTrue(perRoute(hosts.get(1).getRoutes(0), HttpListeners.JWT_FILTER, PerRouteConfig.class)
                .getDisabled());
        assertFalse(hosts.get(1).getDomainsList().contains("127.0.0.1:8080"), "domains are never duplicated");

        EnvoyResources tokenOnly = consistent(new Configs().service(t).build());
        List<Route> routes = single(single(tokenOnly.routes()).getVirtualHostsList()).getRoutesList();
        assertEquals(3, routes.size());
        assertEquals("Bearer c2VjcmV0LXRva2VuLTEyMzQ=", routes.get(0).getMatch().getHeaders(0).getStringMatch()
                .getExact());
        assertEquals(401, routes.get(2).getDirectResponse().getStatus());
    }

    @Test
    void qosBecomesABandwidthLimitAndMappingsAnRbacPolicy() throws Exception {
        ResolvedConfig.ServiceEntry dst = with(http("d", "127.0.0.1", 8080, backend("10.0.1.1", 80, 1)), "http",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null,
                new ResolvedConfig.Qos(10, 0, 64, "P1", 1, 0, 0));
        ResolvedConfig.ServiceEntry open = http("e", "127.0.0.1", 8080, backend("10.0.1.2", 80, 1));
        ResolvedConfig.ServiceEntry src = with(http("s", "10.9.9.9", 1, backend("10.0.1.3", 80, 1)), "tcp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        ResolvedConfig cfg = new Configs().service(dst).service(open).service(src)
                .mapping("s-to-d", List.of("s"), List.of("d"), "http", "8000-8100").build();
        EnvoyResources r = consistent(cfg);
        Listener httpListener = r.listeners().stream().filter(l -> l.getName().startsWith("http")).findFirst()
                .orElseThrow();
        assertEquals(List.of(HttpListeners.RBAC_FILTER, HttpListeners.BANDWIDTH_FILTER, HttpListeners.ROUTER_FILTER),
                filterNames(hcm(httpListener)));
        List<VirtualHost> hosts = single(r.routes()).getVirtualHostsList();
        Route d = hosts.get(0).getRoutes(0);
        BandwidthLimit bw = perRoute(d, HttpListeners.BANDWIDTH_FILTER, BandwidthLimit.class);
        assertEquals(10_000, bw.getLimitKbps().getValue());
        assertEquals(BandwidthLimit.EnableMode.REQUEST, bw.getEnableMode());
        RBACPerRoute rbac = perRoute(d, HttpListeners.RBAC_FILTER, RBACPerRoute.class);
        assertEquals("10.9.9.9", rbac.getRbac().getRules().getPoliciesOrThrow("mapping:s-to-d").getPrincipals(0)
                .getOrIds().getIds(0).getDirectRemoteIp().getAddressPrefix());
        Route e = hosts.get(1).getRoutes(0);
        assertFalse(perRoute(e, HttpListeners.RBAC_FILTER, RBACPerRoute.class).hasRbac(), "unmapped stays open");
        assertFalse(e.containsTypedPerFilterConfig(HttpListeners.BANDWIDTH_FILTER));
    }

    @Test
    void equalContentHasEqualVersionsAndARouteChangeTouchesOnlyRoutes() {
        ResolvedConfig.ServiceEntry a = http("a", "127.0.0.1", 8080, backend("10.0.1.1", 80, 1));
        XdsSnapshot one = XdsSnapshot.of(EnvoyTranslator.translate(new Configs().service(a).build()));
        XdsSnapshot two = XdsSnapshot.of(EnvoyTranslator.translate(new Configs().service(a).build()));
        for (XdsType type : XdsType.values()) {
            assertEquals(one.type(type).version(), two.type(type).version(), type.name());
        }
        ResolvedConfig.ServiceEntry tokened = with(a, "http", "round_robin",
                new ServiceAuth("base64", "0123456789abcdef", null, null, null), TlsSettings.OFF, null, null);
        XdsSnapshot three = XdsSnapshot.of(EnvoyTranslator.translate(new Configs().service(tokened).build()));
        assertNotEquals(one.routes().version(), three.routes().version());
        assertEquals(one.listeners().version(), three.listeners().version());
        assertEquals(one.clusters().version(), three.clusters().version());
        assertEquals(one.endpoints().version(), three.endpoints().version());
    }

    @Test
    void portCollisionsKeepTheFirstServiceAndDnsBackendsUseStrictDns() throws Exception {
        ResolvedConfig.ServiceEntry t1 = with(http("a", "127.0.0.1", 7000, backend("db.internal", 5432, 1)), "tcp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        ResolvedConfig.ServiceEntry t2 = with(http("b", "0.0.0.0", 7000, backend("10.0.0.1", 5432, 1)), "http",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        EnvoyResources r = consistent(new Configs().service(t1).service(t2).build());
        assertEquals(List.of(new LeftOut("b", "svc-b", "port 7000 on 0.0.0.0 is already used by svc-a")),
                r.leftOut());
        Cluster c = single(r.clusters());
        assertEquals(Cluster.DiscoveryType.STRICT_DNS, c.getType());
        assertEquals("db.internal", c.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint()
                .getAddress().getSocketAddress().getAddress());
        assertTrue(r.endpoints().isEmpty());
    }

    @Test
    void rotatingTheCertificateOfAServiceChangesOnlyItsSecrets() {
        ResolvedConfig.ServiceEntry s = with(http("s", "api.example.com", 8443, backend("10.0.3.1", 443, 1)),
                "https", "round_robin", ServiceAuth.NONE, new TlsSettings(true, true), null, null);
        XdsSnapshot before = XdsSnapshot.of(EnvoyTranslator.translate(new Configs()
                .service(presenting(s, "k1")).certificate("k1", "api.example.com", CERT, KEY)
                .certificate("k2", "api.example.com", CERT.replace("MIIB", "MIIC"), KEY).build()));
        XdsSnapshot after = XdsSnapshot.of(EnvoyTranslator.translate(new Configs()
                .service(presenting(s, "k2")).certificate("k1", "api.example.com", CERT, KEY)
                .certificate("k2", "api.example.com", CERT.replace("MIIB", "MIIC"), KEY).build()));
        for (XdsType unchanged : List.of(XdsType.LISTENER, XdsType.CLUSTER, XdsType.ROUTE, XdsType.ENDPOINT)) {
            assertEquals(before.type(unchanged).version(), after.type(unchanged).version(),
                    unchanged + " must not change when a service's certificate is rotated");
        }
        assertNotEquals(before.secrets().version(), after.secrets().version());
        assertEquals(before.secrets().resources().keySet(), after.secrets().resources().keySet(),
                "same secret names, new content");
    }

    @Test
    void aSmallPortRangeGetsAListenerPerPortAndAWideOneIsLeftOut() throws Exception {
        ResolvedConfig.ServiceEntry small = ports(http("r", "127.0.0.1", 0, backend("10.0.2.1", 7000, 1)), "tcp",
                7000, 7002);
        ResolvedConfig.ServiceEntry wide = ports(http("w", "127.0.0.1", 0, backend("10.0.2.2", 9000, 1)), "udp",
                9000, 9000 + EnvoyTranslator.MAX_PORTS_PER_SERVICE);
        EnvoyResources r = consistent(new Configs().service(small).service(wide).build());
        assertEquals(List.of("tcp_127.0.0.1_7000", "tcp_127.0.0.1_7001", "tcp_127.0.0.1_7002"),
                r.listeners().stream().map(Listener::getName).toList());
        assertEquals(List.of("svc_r"), r.clusters().stream().map(Cluster::getName).toList(), "one upstream cluster");
        assertEquals("w", single(r.leftOut()).serviceId());
        assertTrue(single(r.leftOut()).reason().contains("only the L4 dataplane serves it"), r.leftOut().toString());
    }

    @Test
    void defaultDenyGivesAnUnmappedServiceRbacThatAdmitsNobody() throws Exception {
        ResolvedConfig.ServiceEntry web = http("h", "127.0.0.1", 8080, backend("10.0.1.1", 80, 1));
        ResolvedConfig.ServiceEntry db = with(http("t", "127.0.0.1", 5432, backend("10.0.2.1", 5432, 1)), "tcp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        ResolvedConfig.ServiceEntry dns = with(http("u", "127.0.0.1", 53, backend("10.0.2.2", 53, 1)), "udp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        EnvoyResources r = consistent(new Configs().defaultPolicy(AccessAction.DENY).service(web).service(db)
                .service(dns).build());
        RBACPerRoute perRoute = perRoute(single(single(single(r.routes()).getVirtualHostsList()).getRoutesList()),
                HttpListeners.RBAC_FILTER, RBACPerRoute.class);
        assertTrue(MappingPolicies.deniesEveryone(perRoute.getRbac().getRules()), perRoute.toString());
        Listener tcp = r.listeners().stream().filter(l -> l.getName().startsWith("tcp")).findFirst().orElseThrow();
        var network = tcp.getFilterChains(0).getFilters(0).getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
        assertTrue(MappingPolicies.deniesEveryone(network.getRules()), network.toString());
        assertEquals("u", single(r.leftOut()).serviceId(), "a UDP listener cannot refuse anyone: none at all");

        EnvoyResources open = consistent(new Configs().service(web).service(db).service(dns).build());
        assertEquals(List.of(), open.leftOut());
        assertEquals(3, open.listeners().size());
        assertFalse(open.listeners().stream().anyMatch(l -> l.getFilterChainsCount() > 0
                && l.getFilterChains(0).getFiltersList().stream().anyMatch(f -> f.getName().contains("rbac"))));
    }

    @Test
    void udpRestrictedByMappingsIsLeftOutForTheL4Dataplane() {
        ResolvedConfig.ServiceEntry dns = with(http("u", "127.0.0.1", 53, backend("10.0.2.2", 53, 1)), "udp",
                "round_robin", ServiceAuth.NONE, TlsSettings.OFF, null, null);
        EnvoyResources r = EnvoyTranslator.translate(new Configs().service(dns)
                .mapping("block", AccessAction.DENY, 1, List.of(), List.of("10.0.0.0/8"), List.of("u"), "udp", "53")
                .build());
        assertTrue(single(r.leftOut()).reason().startsWith("Envoy cannot filter UDP by client address"),
                r.leftOut().toString());
        assertTrue(r.listeners().isEmpty());
    }

    @Test
    void backendsNamedByDnsResolveWithTheConfiguredFamily() {
        ResolvedConfig cfg = new Configs().service(http("d", "127.0.0.1", 8080, backend("localhost", 80, 1))).build();
        assertEquals(Cluster.DnsLookupFamily.V4_PREFERRED, single(EnvoyTranslator.translate(cfg).clusters())
                .getDnsLookupFamily(), "not Envoy's AUTO, which prefers IPv6");
        assertEquals(Cluster.DnsLookupFamily.ALL, single(EnvoyTranslator.translate(cfg, Cluster.DnsLookupFamily.ALL)
                .clusters()).getDnsLookupFamily());
        assertEquals(Cluster.DnsLookupFamily.V6_ONLY, XdsSettings.dnsLookupFamily(" V6_only "));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> XdsSettings.dnsLookupFamily("ipv4"));
        assertTrue(bad.getMessage().contains("marchproxy.xds.dnslookupfamily"), bad.getMessage());
    }

    @Test
    void inactiveClusterGetsNothing() {
        ResolvedConfig on = new Configs().service(http("a", "127.0.0.1", 8080, backend("10.0.1.1", 80, 1))).build();
        ResolvedConfig off = new ResolvedConfig(on.clusterId(), on.clusterName(), on.version(), on.hash(),
                new ResolvedConfig.Settings(false, 3, "", false, false, false, AccessAction.ALLOW), on.services(),
                on.mappings(),
                on.certificates());
        assertEquals(EnvoyResources.EMPTY, EnvoyTranslator.translate(off));
    }

    private static Cluster.LbPolicy policyOf(ResolvedConfig.ServiceEntry base, String lb) {
        ResolvedConfig cfg = new Configs().service(with(base, "http", lb, ServiceAuth.NONE, TlsSettings.OFF, null,
                null)).build();
        return single(EnvoyTranslator.translate(cfg).clusters()).getLbPolicy();
    }

    /** Translates, checks that every reference (routes, endpoints, secrets) resolves in the snapshot. */
    static EnvoyResources consistent(ResolvedConfig cfg) throws Exception {
        EnvoyResources r = EnvoyTranslator.translate(cfg);
        assertEquals(List.of(), XdsSnapshot.of(r).dangling());
        Set<String> secrets = new HashSet<>();
        r.secrets().forEach(s -> secrets.add(s.getName()));
        List<String> referenced = new ArrayList<>();
        for (Listener l : r.listeners()) {
            for (FilterChain fc : l.getFilterChainsList()) {
                if (fc.hasTransportSocket()) {
                    fc.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class).getCommonTlsContext()
                            .getTlsCertificateSdsSecretConfigsList().stream().map(SdsSecretConfig::getName)
                            .forEach(referenced::add);
                }
            }
        }
        for (Cluster c : r.clusters()) {
            if (c.hasTransportSocket()) {
                referenced.add(c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class)
                        .getCommonTlsContext().getValidationContextSdsSecretConfig().getName());
            }
        }
        for (String name : referenced) {
            assertTrue(secrets.contains(name), "dangling secret reference " + name);
        }
        Set<String> clusters = new HashSet<>();
        r.clusters().forEach(c -> clusters.add(c.getName()));
        for (RouteConfiguration rc : r.routes()) {
            for (VirtualHost vh : rc.getVirtualHostsList()) {
                for (Route route : vh.getRoutesList()) {
                    if (route.hasRoute()) {
                        assertTrue(clusters.contains(route.getRoute().getCluster()), "dangling cluster");
                    }
                }
            }
        }
        return r;
    }

    static HttpConnectionManager hcm(Listener l) throws InvalidProtocolBufferException {
        Filter f = l.getFilterChains(0).getFilters(0);
        return f.getTypedConfig().unpack(HttpConnectionManager.class);
    }

    private static List<String> filterNames(HttpConnectionManager hcm) {
        return hcm.getHttpFiltersList().stream().map(HttpFilter::getName).toList();
    }

    private static <T extends com.google.protobuf.Message> T perRoute(Route r, String filter, Class<T> type)
            throws InvalidProtocolBufferException {
        Any any = r.getTypedPerFilterConfigOrThrow(filter);
        return any.unpack(type);
    }

    private static <T> T single(List<T> list) {
        assertEquals(1, list.size(), "expected exactly one: " + list);
        return list.getFirst();
    }
}
