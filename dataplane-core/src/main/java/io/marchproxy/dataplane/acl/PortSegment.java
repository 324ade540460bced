package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;

import java.util.Objects;

/**
 * A run of destination ports of one protocol that the compiled rules treat alike. The segments of one
 * {@link AccessEntry} never overlap.
 *
 * @param protocol TCP or UDP
 * @param ports    the ports of the run
 * @param action   what happens to flows to those ports
 */
public record PortSegment(L4Protocol protocol, PortRange ports, AccessAction action)
{
    /** Checks no component is null. */
    public PortSegment
    {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(action, "action");
    }

    @Override
    public String toString()
    {
        return protocol + " " + ports + " " + action;
    }
}
