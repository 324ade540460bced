package io.marchproxy.control.licence;

import io.marchproxy.control.model.Nullable;

import java.time.Instant;
import java.util.List;

/**
 * What the installed licence allows. {@link #community()} applies when no valid enterprise licence is installed.
 *
 * @param expiresAt null for community, which does not expire
 */
public record Licence(String licensee, String tier, int maxProxies, List<String> features, @Nullable Instant expiresAt) {
    public static final int COMMUNITY_MAX_PROXIES = 3;

    public Licence {
        features = List.copyOf(features);
    }

    public static Licence community() {
        return new Licence("community", "community", COMMUNITY_MAX_PROXIES, List.of(), null);
    }
}
