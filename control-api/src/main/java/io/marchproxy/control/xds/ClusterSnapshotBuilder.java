package io.marchproxy.control.xds;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.marchproxy.control.config.ResolvedConfig;

/**
 * Builds one cluster's successive Envoy snapshots incrementally: each {@link #next} translates only what changed since
 * the previous one ({@link TranslationMemo}) and encodes only the resources that are new ({@link XdsSnapshot#of(
 * EnvoyResources, XdsSnapshot)}); the result is equal to a build from scratch. One per cluster, for one thread.
 */
public final class ClusterSnapshotBuilder {
    private final Cluster.DnsLookupFamily dnsFamily;
    private final TranslationMemo memo = new TranslationMemo();
    private XdsSnapshot last;

    public ClusterSnapshotBuilder(Cluster.DnsLookupFamily dnsFamily) {
        this.dnsFamily = dnsFamily;
    }

    /** The snapshot of {@code config}, which must be of this builder's cluster. */
    public XdsSnapshot next(ResolvedConfig config) {
        XdsSnapshot s = XdsSnapshot.of(EnvoyTranslator.translate(config, dnsFamily, memo), last);
        last = s;
        return s;
    }

    /** The snapshot of a cluster that is gone or inactive: nothing. */
    public XdsSnapshot empty() {
        XdsSnapshot s = XdsSnapshot.of(EnvoyResources.EMPTY, last);
        last = s;
        return s;
    }
}
