package io.marchproxy.control;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http1.Http1Config;
import io.marchproxy.control.auth.PasswordHasher;
import io.marchproxy.control.auth.TokenIssuer;
import io.marchproxy.control.certs.KeySealer;
import io.marchproxy.control.config.ConfigPublisher;
import io.marchproxy.control.config.ConfigResolver;
import io.marchproxy.control.config.ConfigWatch;
import io.marchproxy.control.licence.LicenceVerifier;
import io.marchproxy.control.model.Role;
import io.marchproxy.control.model.User;
import io.marchproxy.control.observe.BuildInfo;
import io.marchproxy.control.observe.ObserveService;
import io.marchproxy.control.observe.RequestMetrics;
import io.marchproxy.control.observe.StoreMetrics;
import io.marchproxy.control.rest.AuditService;
import io.marchproxy.control.rest.AuthService;
import io.marchproxy.control.rest.CertificatesService;
import io.marchproxy.control.rest.ClustersService;
import io.marchproxy.control.rest.ConfigService;
import io.marchproxy.control.rest.Gate;
import io.marchproxy.control.rest.LicenceService;
import io.marchproxy.control.rest.Licensing;
import io.marchproxy.control.rest.MappingsService;
import io.marchproxy.control.rest.MethodNotAllowed;
import io.marchproxy.control.rest.Meta;
import io.marchproxy.control.rest.OpenApiService;
import io.marchproxy.control.rest.PastStates;
import io.marchproxy.control.rest.ProblemHandlers;
import io.marchproxy.control.rest.ProxiesService;
import io.marchproxy.control.rest.ProxyLiveness;
import io.marchproxy.control.rest.QosService;
import io.marchproxy.control.rest.ResourceService;
import io.marchproxy.control.rest.ResponseSchema;
import io.marchproxy.control.rest.ServedRoutes;
import io.marchproxy.control.rest.ServicesService;
import io.marchproxy.control.rest.UsersService;
import io.marchproxy.control.rest.VersionsService;
import io.marchproxy.control.store.ChronicleConfigStore;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;
import io.marchproxy.control.xds.EnvoyService;
import io.marchproxy.control.xds.XdsCredentials;
import io.marchproxy.control.xds.XdsServer;
import io.marchproxy.control.xds.XdsSettings;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A running control plane: store, config publisher and the Helidon web server with every service registered.
 * Closing stops the server first, then the store (reverse order of creation).
 */
public final class ControlPlane implements AutoCloseable {
    /** Largest request body accepted; PEM bundles are the biggest legitimate bodies. */
    public static final long MAX_PAYLOAD_BYTES = 1 << 20;
    /** {@code /observe/health} as {@link ObserveService} writes it: {@code checks} only for a viewer or above. */
    private static final ResponseSchema HEALTH = ResponseSchema.object("Health")
            .add("status", ResponseSchema.oneOf("UP", "DOWN"))
            .optional("checks", ResponseSchema.arrayOf(ResponseSchema.object("HealthCheckResult")
                    .add("name", ResponseSchema.oneOf("store"))
                    .add("status", ResponseSchema.oneOf("UP", "DOWN"))
                    .add("data", ResponseSchema.object("StoreHealth")
                            .add("writable", boolean.class)
                            .add("journalLagEvents", long.class)
                            .add("journalBytes", long.class)
                            .add("configVersion", long.class)
                            .optional("lastError", ResponseSchema.string())
                            .build())
                    .build()))
            .build();

    private final ConfigStore store;
    private final ConfigPublisher publisher;
    private final ConfigWatch watch;
    private final WebServer server;
    private final XdsServer xds;
    private final ServedRoutes served;
    private final PrometheusRegistry metrics;

    private ControlPlane(ConfigStore store, ConfigPublisher publisher, ConfigWatch watch, WebServer server,
                         XdsServer xds, ServedRoutes served, PrometheusRegistry metrics) {
        this.metrics = metrics;
        this.store = store;
        this.publisher = publisher;
        this.watch = watch;
        this.server = server;
        this.xds = xds;
        this.served = served;
    }

    /** Starts without the xDS server. */
    public static ControlPlane start(ControlPlaneSettings settings, PrintStream console) throws IOException {
        return start(settings, XdsSettings.DISABLED, console);
    }

    /**
     * Opens the store in {@code settings.dataDir()}, creates the first admin if there are no users (printing a
     * generated password once to {@code console}), and starts serving.
     */
    public static ControlPlane start(ControlPlaneSettings settings, XdsSettings xdsSettings, PrintStream console)
            throws IOException {
        Clock clock = Clock.systemUTC();
        ConfigStore store = ChronicleConfigStore.open(settings.dataDir(),
                new ChronicleConfigStore.Options(settings.snapshotEvery(), settings.syncMode(), 2000), clock);
        XdsServer xds = null;
        try {
            byte[] masterKey = SecretFiles.load(settings.masterKeyBase64(), settings.dataDir().resolve("master.key"),
                    32, "master key");
            KeySealer sealer = new KeySealer(masterKey);
            TokenIssuer tokens = new TokenIssuer(SecretFiles.load(settings.jwtSecretBase64(),
                    settings.dataDir().resolve("jwt.key"), 32, "JWT secret"), settings.tokenTtl(), clock);
            PasswordHasher hasher = new PasswordHasher(settings.pbkdf2Iterations());
            bootstrapAdmin(store, hasher, settings, console, clock);

            LicenceVerifier verifier = new LicenceVerifier(settings.licencePublicKey().isEmpty() ? null
                    : LicenceVerifier.parsePublicKey(settings.licencePublicKey()), clock);
            Licensing licensing = new Licensing(verifier, settings.licenceTokenOption());
            ConfigResolver resolver = new ConfigResolver(sealer, clock);
            ConfigPublisher publisher = new ConfigPublisher(store, resolver);
            ConfigWatch watch = new ConfigWatch(store, settings.maxConfigWaiters());
            publisher.subscribe(watch);
            ProxyLiveness liveness = new ProxyLiveness(settings.proxyStaleAfter(), clock);
            Gate gate = new Gate(store, tokens);
            PastStates pastStates = new PastStates(store);

            List<ResourceService> services = new ArrayList<>(List.of(
                    new AuthService(gate, store, tokens, hasher, clock),
                    new ClustersService(gate, store, clock),
                    new ServicesService(gate, store, clock, sealer),
                    new MappingsService(gate, store, clock),
                    new QosService(gate, store, clock),
                    new CertificatesService(gate, store, clock, sealer),
                    new ProxiesService(gate, store, licensing, liveness, watch, clock),
                    new ConfigService(gate, store, resolver, liveness, pastStates, watch),
                    new VersionsService(gate, store, pastStates, clock),
                    new UsersService(gate, store, clock, hasher),
                    new LicenceService(gate, store, licensing, clock),
                    new AuditService(gate, store)));
            if (xdsSettings.enabled()) {
                xds = XdsServer.start(store, publisher, xdsSettings, new XdsCredentials(store, masterKey), clock);
                services.add(new EnvoyService(gate, xds));
            }
            PrometheusRegistry registry = new PrometheusRegistry();
            JvmMetrics.builder().register(registry);
            BuildInfo.register(registry, version());
            registry.register(new StoreMetrics(store, liveness::status));
            if (xds != null) {
                registry.register(xds.metrics());
            }
            HttpRouting.Builder routing = HttpRouting.builder().addFilter(new RequestMetrics(registry));
            ServedRoutes served = new ServedRoutes();
            for (ResourceService s : services) {
                routing.register(s.basePath(), served.recording(s.basePath(), s));
            }
            ObserveService observe = new ObserveService(store, registry,
                    req -> gate.userIfPresent(req, Role.VIEWER).isPresent());
            List<OpenApiService.PublicRoute> observeRoutes = List.of(
                    new OpenApiService.PublicRoute("/observe/health", "observe",
                            "UP or DOWN (503); the store check's details with a viewer token", HEALTH,
                            List.of(401)),
                    new OpenApiService.PublicRoute("/observe/metrics", "observe", "Prometheus metrics",
                            ResponseSchema.text("text/plain")));
            routing.register("/observe", served.recording("/observe", observe));
            routing.register(OpenApiService.PATH, served.recording(OpenApiService.PATH,
                    new OpenApiService(services, observeRoutes, version())));
            routing.any(new MethodNotAllowed(served::list));
            ProblemHandlers.register(routing);

            WebServerConfig.Builder web = WebServer.builder();
            if (settings.tls() != null) {
                RestTls.Material tls = settings.tls().load();
                web.tls(Tls.builder().privateKey(tls.key()).privateKeyCertChain(tls.chain()).build());
            }
            WebServer server = web
                    .host(settings.host())
                    .port(settings.port())
                    .maxPayloadSize(MAX_PAYLOAD_BYTES)
                    .directHandlers(ProblemHandlers.direct(MAX_PAYLOAD_BYTES))
                    .addProtocol(Http1Config.builder().maxPrologueLength(OpenApiService.MAX_REQUEST_LINE).build())
                    // Without TCP_NODELAY a response larger than one segment waits for the client's delayed ACK.
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .routing(routing)
                    .build()
                    .start();
            if (!XdsServer.isLoopback(settings.host())) {
                java.util.logging.Logger.getLogger(ControlPlane.class.getName()).warning("REST listening on "
                        + settings.host() + ":" + server.port() + ", reachable from other hosts"
                        + (settings.tls() == null ? ", in plain HTTP (server.tls.cert and key give it TLS)" : ""));
            }
            return new ControlPlane(store, publisher, watch, server, xds, served, registry);
        } catch (RuntimeException | IOException e) {
            if (xds != null) {
                xds.close();
            }
            store.close();
            throw e;
        }
    }

    private static void bootstrapAdmin(ConfigStore store, PasswordHasher hasher, ControlPlaneSettings settings,
                                       PrintStream console, Clock clock) {
        if (store.state().count(EntityKind.USER) > 0) {
            return;
        }
        boolean generated = settings.adminPassword().isEmpty();
        String password = generated ? generatePassword() : settings.adminPassword();
        String hash = hasher.hash(password.toCharArray());
        Meta meta = Meta.create(clock.instant());
        store.update("bootstrap", "user.create", tx -> tx.put(EntityKind.USER, new User(meta.id(),
                settings.adminUsername(), Role.ADMIN, true, hash, meta.createdAt(), 1, meta.createdAt(),
                meta.updatedAt())));
        if (generated) {
            // Printed once, to the console only: never to the log.
            console.println("MarchProxy: created admin user '" + settings.adminUsername()
                    + "' with generated password: " + password);
            console.println("MarchProxy: it will not be shown again; change it with PUT /api/v1/users/{id}.");
        }
    }

    private static String generatePassword() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String version() {
        String v = ControlPlane.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public int port() {
        return server.port();
    }

    public ConfigStore store() {
        return store;
    }

    /** Every route the web server serves, as {@code "GET /observe/health"}: what the OpenAPI document must list. */
    public List<String> routes() {
        return served.list();
    }

    /** Where the dataplane and the xDS server subscribe to config changes. */
    public ConfigPublisher publisher() {
        return publisher;
    }

    /** Which version last changed each cluster, and the long polls waiting for the next change. */
    public ConfigWatch configWatch() {
        return watch;
    }

    /**
     * The registry {@code /observe/metrics} scrapes: the control plane's own metrics, JVM and process metrics; the
     * node registers the dataplane's collectors here.
     */
    public PrometheusRegistry metrics() {
        return metrics;
    }

    /** The xDS server for Envoy, or null when it is disabled. */
    public XdsServer xds() {
        return xds;
    }

    /** Whether REST is served over TLS ({@code https}). */
    public boolean tls() {
        return server.hasTls();
    }

    @Override
    public void close() {
        watch.close(); // held long polls answer at once, so the server stops without waiting for them
        server.stop();
        if (xds != null) {
            xds.close();
        }
        try {
            publisher.close();
        } finally {
            store.close();
        }
    }
}
