package io.marchproxy.control.model;

/**
 * How clients authenticate to a service: {@code none}, {@code base64} (a static token) or {@code jwt}
 * (HMAC secret, algorithm, expiry in seconds). In the store, token and secret are sealed (AES-GCM under the master
 * key); the resolved cluster config carries them opened. They are hidden from REST responses.
 */
public record ServiceAuth(String type, @Nullable String token, @Nullable String jwtSecret,
                          @Nullable String jwtAlgorithm, @Nullable Integer jwtExpirySeconds) {
    public static final ServiceAuth NONE = new ServiceAuth("none", null, null, null, null);
}
