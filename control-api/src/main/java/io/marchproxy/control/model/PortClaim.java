package io.marchproxy.control.model;

import java.util.ArrayList;
import java.util.List;

/**
 * What an active service holds on its cluster's proxies: a socket type, a bind address and a port range. It is the
 * one listener rule of MarchProxy: the REST API refuses a service whose claim clashes with another's, and the Envoy
 * translator builds listeners from claims, so the two cannot disagree.
 *
 * <p>A service binds its address when that is an IP literal, else every address ({@link #WILDCARD}). UDP and stream
 * sockets never clash. Two stream claims whose port ranges overlap clash if they bind the same address or either
 * binds the wildcard, except that http/https services on the same address and port with the same TLS setting share
 * one listener (a virtual host each).
 */
public record PortClaim(Kind kind, String bind, int from, int to, boolean tls) {
    /** The bind address of a service whose address is a DNS name. */
    public static final String WILDCARD = "0.0.0.0";
    /** Ports per index block; see {@link #indexKeys}. */
    private static final int BLOCK_BITS = 8;

    /** How a listener serves a claim: HTTP connection manager (http and https), TCP proxy, or UDP proxy. */
    public enum Kind { HTTP, TCP, UDP }

    public static PortClaim of(Service s) {
        return of(s.address(), s.port(), s.portEnd() == null ? s.port() : s.portEnd(), s.protocol(), s.tls());
    }

    public static PortClaim of(String address, int port, int portEnd, String protocol, TlsSettings tls) {
        Kind kind = switch (protocol) {
            case "tcp" -> Kind.TCP;
            case "udp" -> Kind.UDP;
            default -> Kind.HTTP;
        };
        return new PortClaim(kind, bindAddress(address), port, portEnd, tls.terminatedFor(protocol));
    }

    /** The address itself if it is an IP literal, else {@link #WILDCARD}. */
    public static String bindAddress(String serviceAddress) {
        return Cidr.isIpLiteral(serviceAddress) ? serviceAddress : WILDCARD;
    }

    public boolean datagram() {
        return kind == Kind.UDP;
    }

    public boolean wildcard() {
        return bind.equals(WILDCARD);
    }

    /** True if this claim and {@code other} cannot both be served (see the class comment). */
    public boolean clashesWith(PortClaim other) {
        if (datagram() != other.datagram() || other.to < from || other.from > to) {
            return false;
        }
        boolean sameBind = bind.equals(other.bind);
        if (!sameBind && !wildcard() && !other.wildcard()) {
            return false;
        }
        return !(sameBind && sharesListenerWith(other));
    }

    /** Both http/https on one port with the same TLS setting: one listener, a virtual host each. */
    public boolean sharesListenerWith(PortClaim other) {
        return kind == Kind.HTTP && other.kind == Kind.HTTP && tls == other.tls && bind.equals(other.bind)
                && from == other.from;
    }

    /** {@code port 8080 on 10.0.0.1}, {@code ports 5000-5010 on 0.0.0.0}. */
    public String describe() {
        return (from == to ? "port " + from : "ports " + from + "-" + to) + " on " + bind
                + (datagram() ? " (udp)" : "");
    }

    /**
     * The keys a store indexes this claim under, so that every claim that may clash with another is found under one
     * of that other claim's {@link #lookupKeys}: per block of 256 ports the claim touches, one key for any bind and
     * one for its own bind. Keys are scoped to a cluster.
     */
    public List<String> indexKeys(String clusterId) {
        List<String> keys = new ArrayList<>();
        for (int block = from >> BLOCK_BITS; block <= to >> BLOCK_BITS; block++) {
            keys.add(key(clusterId, block, "*"));
            keys.add(key(clusterId, block, bind));
        }
        return keys;
    }

    /**
     * Where the claims that may clash with this one are indexed: a wildcard claim can clash with any bind, an address
     * only with the same address or the wildcard.
     */
    public List<String> lookupKeys(String clusterId) {
        List<String> keys = new ArrayList<>();
        for (int block = from >> BLOCK_BITS; block <= to >> BLOCK_BITS; block++) {
            if (wildcard()) {
                keys.add(key(clusterId, block, "*"));
            } else {
                keys.add(key(clusterId, block, bind));
                keys.add(key(clusterId, block, WILDCARD));
            }
        }
        return keys;
    }

    private String key(String clusterId, int block, String address) {
        return clusterId + '|' + (datagram() ? "dgram" : "stream") + '|' + block + '|' + address;
    }
}
