package io.marchproxy.control.auth;

import java.time.Instant;

/** A signed bearer token and when it stops being accepted. */
public record AccessToken(String token, Instant expiresAt) {
}
