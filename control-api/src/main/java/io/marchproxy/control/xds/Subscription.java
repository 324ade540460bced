package io.marchproxy.control.xds;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * One resource type on one stream, as the server sees it: what the node asked for, what it was last sent, and what
 * it holds (ACKed, or resumed with on a new stream). Mutable; owned by its stream's serial executor, read by others
 * only through {@link #status()}.
 */
final class Subscription {
    /** Published view of a subscription, for the nodes view and stall detection. */
    record Status(boolean wildcard, List<String> names, Instant requestedAt, String sentVersion, Instant sentAt,
                  boolean awaitingAck, String heldVersion, Set<String> heldNames, Instant heldSince,
                  boolean resumed, EnvoyNode.Nack lastNack, boolean rejected) {
    }

    boolean wildcard;
    List<String> names = List.of();
    Instant requestedAt;

    String sentVersion;
    String sentNonce;
    Set<String> sentNames = Set.of();
    Instant sentAt;
    boolean awaitingAck;

    String heldVersion;
    Set<String> heldNames = Set.of();
    Instant heldSince;
    boolean resumed;

    EnvoyNode.Nack lastNack;
    /** The last response was NACKed and nothing was ACKed since. */
    boolean rejected;

    Status status() {
        return new Status(wildcard, names, requestedAt, sentVersion, sentAt, awaitingAck, heldVersion, heldNames,
                heldSince, resumed, lastNack, rejected);
    }
}
