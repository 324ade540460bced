package io.marchproxy.control.xds;

import io.marchproxy.control.model.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS of the xDS listener, from PEM files ({@code marchproxy.xds.tls.*}).
 *
 * @param certificateChain the server's certificate chain (leaf first)
 * @param privateKey       its private key (PKCS#8)
 * @param trustedCa        what generated bootstraps tell Envoy to trust for this server (the CA that issued the
 *                         chain); null: the chain itself, for a self-signed server certificate
 * @param clientCa         when set, mutual TLS: every node must present a client certificate this CA issued, in
 *                         addition to its xDS credential
 */
public record XdsTls(Path certificateChain, Path privateKey, @Nullable Path trustedCa, @Nullable Path clientCa) {
    /** The PEM Envoy bootstraps trust. */
    public String trustedCaPem() {
        try {
            return Files.readString(trustedCa != null ? trustedCa : certificateChain);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the xDS trusted CA", e);
        }
    }
}
