package io.marchproxy.control.xds;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resources of one type in one snapshot, with their version: the first 16 hex digits of a SHA-256 over each
 * resource's name and content digest, in order, so equal content always has an equal version (a restarted server
 * offers reconnecting Envoys the versions they hold, and a change to routes leaves clusters untouched).
 *
 * <p>Response bodies (everything of a {@code DiscoveryResponse} but its nonce) are encoded once per distinct set of
 * requested names and shared by every stream asking for that set; a stream appends only its nonce. Immutable apart
 * from that cache; thread-safe.
 */
public final class TypeSnapshot {
    private static final int RESPONSE_VERSION = 1;
    private static final int RESPONSE_TYPE_URL = 4;
    private static final int RESPONSE_NONCE = 5;
    /** Bodies cached per type; beyond this many distinct name sets, bodies are built per request. */
    private static final int MAX_CACHED_BODIES = 256;

    /** A response body and the names of the resources it carries. */
    record Body(byte[] bytes, Set<String> names) {
    }

    private final XdsType type;
    private final String version;
    private final Map<String, EncodedResource> resources;
    private final Map<List<String>, Body> bodies = new ConcurrentHashMap<>();
    private volatile Body all;

    TypeSnapshot(XdsType type, Collection<EncodedResource> resources) {
        this.type = type;
        Map<String, EncodedResource> byName = new LinkedHashMap<>();
        for (EncodedResource r : resources) {
            if (byName.put(r.name(), r) != null) {
                throw new IllegalArgumentException("two " + type.shortName() + " resources named " + r.name());
            }
        }
        this.resources = byName;
        this.version = version(byName.values());
    }

    /**
     * The resources of {@code type}, each encoded, or taken from {@code previous} when it holds the very same message
     * object under the same name (what {@link TranslationMemo} makes of an unchanged resource).
     */
    static TypeSnapshot of(XdsType type, List<? extends Message> messages, java.util.function.Function<Message,
            String> name, TypeSnapshot previous) {
        List<EncodedResource> encoded = new ArrayList<>(messages.size());
        for (Message m : messages) {
            String n = name.apply(m);
            EncodedResource before = previous == null ? null : previous.resources.get(n);
            encoded.add(before != null && before.message() == m ? before : EncodedResource.of(n, type.typeUrl(), m));
        }
        return new TypeSnapshot(type, encoded);
    }

    public XdsType type() {
        return type;
    }

    public String version() {
        return version;
    }

    /** Resources by name, in translation order. */
    public Map<String, EncodedResource> resources() {
        return java.util.Collections.unmodifiableMap(resources);
    }

    /** Every resource of the type, for a wildcard subscription. */
    Body all() {
        Body b = all;
        if (b == null) {
            b = build(resources.values());
            all = b;
        }
        return b;
    }

    /** The resources among {@code names} that exist, in the order asked, each once. */
    Body named(List<String> names) {
        Body cached = bodies.get(names);
        if (cached != null) {
            return cached;
        }
        Set<String> seen = new LinkedHashSet<>();
        List<EncodedResource> picked = new ArrayList<>();
        for (String n : names) {
            EncodedResource r = resources.get(n);
            if (r != null && seen.add(n)) {
                picked.add(r);
            }
        }
        Body b = build(picked);
        if (bodies.size() < MAX_CACHED_BODIES) {
            bodies.putIfAbsent(List.copyOf(names), b);
        }
        return b;
    }

    private Body build(Collection<EncodedResource> picked) {
        int size = CodedOutputStream.computeStringSize(RESPONSE_VERSION, version)
                + CodedOutputStream.computeStringSize(RESPONSE_TYPE_URL, type.typeUrl());
        Set<String> names = new LinkedHashSet<>();
        for (EncodedResource r : picked) {
            size += r.framed().length;
            names.add(r.name());
        }
        byte[] bytes = new byte[size];
        try {
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            out.writeString(RESPONSE_VERSION, version);
            for (EncodedResource r : picked) {
                out.writeRawBytes(r.framed());
            }
            out.writeString(RESPONSE_TYPE_URL, type.typeUrl());
            out.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Body(bytes, Set.copyOf(names));
    }

    /** {@code body} followed by the nonce field: a complete, valid {@code DiscoveryResponse}. */
    static byte[] withNonce(Body body, String nonce) {
        byte[] b = body.bytes();
        int size = b.length + CodedOutputStream.computeStringSize(RESPONSE_NONCE, nonce);
        byte[] out = java.util.Arrays.copyOf(b, size);
        try {
            CodedOutputStream o = CodedOutputStream.newInstance(out, b.length, size - b.length);
            o.writeString(RESPONSE_NONCE, nonce);
            o.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static String version(Collection<EncodedResource> resources) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (EncodedResource r : resources) {
                sha.update(r.name().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(r.digest());
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        }
    }
}
