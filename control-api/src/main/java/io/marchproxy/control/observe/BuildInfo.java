package io.marchproxy.control.observe;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** {@code marchproxy_build_info{version, java_version, java_vendor} 1}: what is running, for dashboards and alerts. */
public final class BuildInfo {
    private BuildInfo() {
    }

    /** Registers the info metric of this build in {@code registry}. */
    public static void register(PrometheusRegistry registry, String version) {
        Info info = Info.builder().name("marchproxy_build_info")
                .help("The MarchProxy build and the Java runtime it runs on.")
                .labelNames("version", "java_version", "java_vendor").register(registry);
        info.setLabelValues(version, Runtime.version().toString(), System.getProperty("java.vendor", "unknown"));
    }
}
