package io.marchproxy.control.config;

/**
 * Told of every new config version, in version order, on the publisher's single dispatch thread. The dataplane and the
 * xDS server subscribe with {@link ConfigPublisher#subscribe} and pull what they need with
 * {@link ConfigPublisher#resolve}. A listener must return quickly: a slow one delays the others, never a write.
 */
@FunctionalInterface
public interface ConfigChangeListener {
    void onConfigChange(ConfigChange change);
}
