package io.marchproxy.control.rest;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.marchproxy.control.auth.Principal;

/** A route's work, called after its access rule passed; {@code caller} is null on public and cluster-key routes. */
@FunctionalInterface
public interface Action {
    void handle(ServerRequest req, ServerResponse res, Principal caller);
}
