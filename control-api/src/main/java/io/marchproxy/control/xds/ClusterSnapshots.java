package io.marchproxy.control.xds;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.v3.Snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Envoy snapshots whose per-type versions are hashes of that type's resources, so equal content always has equal
 * versions: a restarted control plane offers Envoy the versions it already has and nothing reloads, and a change to
 * one route leaves clusters, endpoints and secrets untouched.
 */
public final class ClusterSnapshots {
    private ClusterSnapshots() {
    }

    public static Snapshot snapshot(EnvoyResources r) {
        return Snapshot.create(
                r.clusters(), version(r.clusters()),
                r.endpoints(), version(r.endpoints()),
                r.listeners(), version(r.listeners()),
                r.routes(), version(r.routes()),
                r.secrets(), version(r.secrets()));
    }

    /** The first 16 hex digits of the SHA-256 of the resources' deterministic serialization, in list order. */
    static String version(List<? extends Message> resources) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            CodedOutputStream out = CodedOutputStream.newInstance(
                    new DigestOutputStream(OutputStream.nullOutputStream(), sha), 8192);
            out.useDeterministicSerialization();
            for (Message m : resources) {
                out.writeUInt32NoTag(m.getSerializedSize());
                m.writeTo(out);
            }
            out.flush();
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
