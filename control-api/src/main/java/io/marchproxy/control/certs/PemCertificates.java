package io.marchproxy.control.certs;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM certificates and PKCS#8 private keys, read with the JDK only. A key is accepted for a certificate when a
 * signature it makes over random bytes verifies with the certificate's public key: that works the same for RSA, EC
 * and EdDSA, where comparing key parameters would need per-algorithm code.
 */
public final class PemCertificates {
    private static final Pattern PKCS8 =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemCertificates() {
    }

    /** Parses every certificate in a PEM bundle; at least one must be present. */
    public static List<X509Certificate> parseCertificates(String field, String pem) throws PemException {
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new PemException(field, "must contain a PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        try {
            Collection<? extends java.security.cert.Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            List<X509Certificate> out = new ArrayList<>();
            for (java.security.cert.Certificate c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new PemException(field, "contains no certificate");
            }
            return out;
        } catch (CertificateException | RuntimeException e) {
            throw new PemException(field, "is not a parseable X.509 certificate: " + e.getMessage());
        }
    }

    public static PrivateKey parsePrivateKey(String field, String pem, String algorithm) throws PemException {
        Matcher m = PKCS8.matcher(pem);
        if (!m.find()) {
            throw new PemException(field, "must be a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); convert with "
                    + "'openssl pkcs8 -topk8 -nocrypt'");
        }
        try {
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new PemException(field, "is not a " + algorithm + " private key matching the certificate");
        }
    }

    /** Throws unless {@code key} is the private half of {@code publicKey}. */
    public static void requireMatch(String field, PrivateKey key, PublicKey publicKey) throws PemException {
        String alg = switch (publicKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new PemException(field, "unsupported key algorithm " + publicKey.getAlgorithm());
        };
        byte[] challenge = new byte[32];
        new SecureRandom().nextBytes(challenge);
        try {
            Signature signer = Signature.getInstance(alg);
            signer.initSign(key);
            signer.update(challenge);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(alg);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            if (!verifier.verify(sig)) {
                throw new PemException(field, "does not match the certificate's public key");
            }
        } catch (GeneralSecurityException e) {
            throw new PemException(field, "does not match the certificate's public key");
        }
    }

    public static ParsedCertificate describe(X509Certificate cert) {
        List<String> sans = new ArrayList<>();
        try {
            Collection<List<?>> alt = cert.getSubjectAlternativeNames();
            if (alt != null) {
                for (List<?> entry : alt) {
                    // 2 = dNSName, 7 = iPAddress (RFC 5280 GeneralName tags)
                    int tag = (Integer) entry.get(0);
                    if (tag == 2 || tag == 7) {
                        sans.add(String.valueOf(entry.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable SAN extension: leave the list empty
        }
        String fingerprint;
        try {
            fingerprint = HexFormat.ofDelimiter(":").withUpperCase()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return new ParsedCertificate(cert.getSubjectX500Principal().getName(),
                cert.getIssuerX500Principal().getName(), sans, cert.getSerialNumber().toString(16), fingerprint,
                cert.getPublicKey().getAlgorithm(), cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
    }
}
