/**
 * Versioned configuration as consumers see it: a cluster's {@link io.marchproxy.control.config.ResolvedConfig}
 * (targets expanded, content-hashed), diffs between versions, and the
 * {@link io.marchproxy.control.config.ConfigChangeListener} API that the dataplane and the xDS server subscribe to
 * through {@link io.marchproxy.control.config.ConfigPublisher}, and the two rules every proxy must apply alike:
 * which certificate a TLS service presents ({@link io.marchproxy.control.config.CertificateChoice}) and how mappings
 * decide a connection ({@link io.marchproxy.control.config.AccessDecision}). Depends on the model, store and certs
 * packages.
 */
package io.marchproxy.control.config;
