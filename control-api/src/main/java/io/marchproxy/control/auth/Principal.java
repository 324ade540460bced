package io.marchproxy.control.auth;

import io.marchproxy.control.model.Role;

/** Who made a request: a user with a role. {@code name} is what the audit log records. */
public record Principal(String userId, String name, Role role) {
    public boolean has(Role required) {
        return role.covers(required);
    }
}
