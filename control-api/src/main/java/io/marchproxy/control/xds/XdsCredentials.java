package io.marchproxy.control.xds;

import io.marchproxy.control.auth.ClusterKeys;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.store.ConfigStore;
import io.marchproxy.control.store.EntityKind;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Who may open an xDS stream: a node presents {@code authorization: Bearer <credential>} as gRPC call metadata (Envoy
 * sends it with the {@code initial_metadata} of its ADS gRPC service), where the credential is its cluster's API key
 * ({@code mpk.<clusterId>.<secret>}) or an xDS token derived from it ({@code mpx.<clusterId>.<mac>}, what the bootstrap
 * endpoint hands out, since the server stores only the key's hash). The token is an HMAC, under a key derived from
 * the master key, of the cluster id and its current key hash: rotating the cluster key revokes both the key and every
 * token derived from it. Unknown clusters and wrong secrets take the same path and time, and fail the same way, so
 * a stranger learns nothing about which clusters exist. Thread-safe.
 */
public final class XdsCredentials {
    static final String TOKEN_PREFIX = "mpx.";
    private static final String ABSENT = ClusterKeys.hash("absent");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** An authenticated peer: its cluster, and the key hash its credential was checked against. */
    public record Peer(String clusterId, String keyHash) {
    }

    private final ConfigStore store;
    private final SecretKeySpec tokenKey;

    /** @param masterKey the control plane's master key; the token key is derived from it, never used raw */
    public XdsCredentials(ConfigStore store, byte[] masterKey) {
        this.store = store;
        this.tokenKey = new SecretKeySpec(hmac(new SecretKeySpec(masterKey, "HmacSHA256"),
                "marchproxy xds token key v1"), "HmacSHA256");
    }

    /** The xDS token of {@code cluster} under its current key, or empty if the cluster has no key. */
    public Optional<String> tokenFor(Cluster cluster) {
        return cluster.apiKeyHash() == null ? Optional.empty()
                : Optional.of(TOKEN_PREFIX + cluster.id() + '.' + mac(cluster.id(), cluster.apiKeyHash()));
    }

    /** The peer a credential authenticates, or empty. */
    public Optional<Peer> verify(String credential) {
        if (credential == null) {
            return Optional.empty();
        }
        boolean token = credential.startsWith(TOKEN_PREFIX);
        String clusterId = token ? tokenClusterId(credential) : ClusterKeys.clusterIdOf(credential).orElse(null);
        Cluster cluster = clusterId == null ? null : store.state().get(EntityKind.CLUSTER, clusterId).orElse(null);
        String hash = cluster == null || cluster.apiKeyHash() == null ? ABSENT : cluster.apiKeyHash();
        boolean ok;
        if (token) {
            String expected = TOKEN_PREFIX + (clusterId == null ? "" : clusterId) + '.'
                    + mac(clusterId == null ? "" : clusterId, hash);
            ok = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    credential.getBytes(StandardCharsets.US_ASCII));
        } else {
            ok = ClusterKeys.matches(credential, hash);
        }
        return ok && cluster != null && cluster.apiKeyHash() != null
                ? Optional.of(new Peer(cluster.id(), cluster.apiKeyHash())) : Optional.empty();
    }

    private static String tokenClusterId(String token) {
        int dot = token.lastIndexOf('.');
        return dot <= TOKEN_PREFIX.length() ? null : token.substring(TOKEN_PREFIX.length(), dot);
    }

    private String mac(String clusterId, String keyHash) {
        return B64.encodeToString(hmac(tokenKey, "xds\n" + clusterId + "\n" + keyHash));
    }

    private static byte[] hmac(SecretKeySpec key, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(input.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
