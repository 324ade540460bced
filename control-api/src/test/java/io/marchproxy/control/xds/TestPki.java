package io.marchproxy.control.xds;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and a server certificate it signed, made with the JDK's keytool (the JDK has no API to issue
 * certificates), a client {@link SSLContext} that trusts only that CA and a server one presenting the certificate.
 * RSA: Envoy's upstream TLS with its default parameters fails the handshake with a JDK server on a P-384 EC key.
 */
public record TestPki(Path dir, String caPem, String leafPem, String leafKeyPem) {

    /**
     * A new CA in {@code dir} and a leaf for {@code ipSan} it signed, valid from an hour ago, so a leaf issued later
     * by {@link #reissue} is newer by its {@code notBefore} even within the same second.
     */
    public static TestPki issue(Path dir, String ipSan) throws IOException, InterruptedException, GeneralSecurityException {
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=MarchProxy Test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", dir.resolve("ca.p12").toString(),
                "-storetype", "PKCS12", "-storepass", "changeit");
        return leaf(dir, ipSan, "leaf", "-1H");
    }

    /** Another leaf for {@code ipSan} from the same CA, valid from now: what a certificate rotation uploads. */
    TestPki reissue(String ipSan, String alias) throws IOException, InterruptedException, GeneralSecurityException {
        return reissue(ipSan, alias, "+0S");
    }

    /** @param startDate keytool's {@code -startdate}, such as {@code +3S} for a leaf valid three seconds from now */
    TestPki reissue(String ipSan, String alias, String startDate)
            throws IOException, InterruptedException, GeneralSecurityException {
        return leaf(dir, ipSan, alias, startDate);
    }

    private static TestPki leaf(Path dir, String ipSan, String alias, String startDate)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path ca = dir.resolve("ca.p12");
        Path leaf = dir.resolve(alias + ".p12");
        Path csr = dir.resolve(alias + ".csr");
        Path crt = dir.resolve(alias + ".crt");
        keytool("-genkeypair", "-alias", "leaf", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=" + ipSan,
                "-validity", "2", "-keystore", leaf.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-certreq", "-alias", "leaf", "-keystore", leaf.toString(), "-storepass", "changeit",
                "-file", csr.toString());
        keytool("-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", "changeit",
                "-infile", csr.toString(), "-outfile", crt.toString(), "-ext", "SAN=ip:" + ipSan, "-rfc",
                "-startdate", startDate, "-validity", "2");
        String caPem = pem("CERTIFICATE", load(ca).getCertificate("ca").getEncoded());
        PrivateKey key = (PrivateKey) load(leaf).getKey("leaf", "changeit".toCharArray());
        return new TestPki(dir, caPem, Files.readString(crt), pem("PRIVATE KEY", key.getEncoded()));
    }

    /** SHA-256 of the leaf certificate's DER, in lower-case hex. */
    String fingerprint() throws GeneralSecurityException {
        Certificate leaf = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(leafPem.getBytes(StandardCharsets.US_ASCII)));
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(leaf.getEncoded()));
    }

    /** TLS client context trusting only the test CA. */
    public SSLContext clientContext() throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        Certificate c = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
        trust.setCertificateEntry("ca", c);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** TLS server context presenting the leaf certificate (with the CA in its chain), for HTTPS backends. */
    SSLContext serverContext() throws GeneralSecurityException, IOException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Certificate leaf = cf.generateCertificate(new ByteArrayInputStream(leafPem.getBytes(StandardCharsets.US_ASCII)));
        Certificate ca = cf.generateCertificate(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
        String base64 = leafKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance(leaf.getPublicKey().getAlgorithm()).generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", key, "changeit".toCharArray(), new Certificate[]{leaf, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static KeyStore load(Path p) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
