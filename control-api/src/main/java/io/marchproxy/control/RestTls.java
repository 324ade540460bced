package io.marchproxy.control;

import io.marchproxy.control.certs.PemCertificates;
import io.marchproxy.control.certs.PemException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * TLS of the REST listener, from PEM files ({@code server.tls.cert}, {@code server.tls.key}): the server's certificate
 * chain (leaf first) and its PKCS#8 private key, which must belong to the leaf. Proxies and agents then reach the API
 * over {@code https://}, trusting the CA that issued the chain.
 */
public record RestTls(Path certificateChain, Path privateKey) {
    /** The chain and key, read and checked: a missing file, bad PEM or a key of another certificate says which. */
    public Material load() {
        try {
            List<X509Certificate> chain = PemCertificates.parseCertificates("server.tls.cert",
                    Files.readString(certificateChain));
            PrivateKey key = PemCertificates.parsePrivateKey("server.tls.key", Files.readString(privateKey),
                    chain.getFirst().getPublicKey().getAlgorithm());
            PemCertificates.requireMatch("server.tls.key", key, chain.getFirst().getPublicKey());
            return new Material(chain, key);
        } catch (IOException e) {
            throw new IllegalArgumentException("server.tls: cannot read " + e.getMessage(), e);
        } catch (PemException e) {
            throw new IllegalArgumentException(e.field() + " " + e.getMessage(), e);
        }
    }

    /** A parsed chain and its key. */
    public record Material(List<X509Certificate> chain, PrivateKey key) {
    }
}
