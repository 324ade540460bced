package io.marchproxy.control.rest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real certificates for tests, made by the JDK's keytool (the JDK has no public API to issue certificates). */
final class TestCertificates {
    /** A PEM certificate and its PKCS#8 PEM private key. */
    record Pem(String certificate, String privateKey) {
    }

    private TestCertificates() {
    }

    static Pem generate(Path dir, String alias, String keyAlg, int validityDays, String san)
            throws IOException, InterruptedException, GeneralSecurityException {
        return generate(dir, alias, keyAlg, validityDays, san, "+0S");
    }

    /** @param startDate keytool's {@code -startdate}, such as {@code -1d} for a certificate valid from yesterday */
    static Pem generate(Path dir, String alias, String keyAlg, int validityDays, String san, String startDate)
            throws IOException, InterruptedException, GeneralSecurityException {
        Path store = dir.resolve(alias + ".p12");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", alias, "-keyalg", keyAlg, "-dname", "CN=" + san,
                "-ext", "SAN=dns:" + san, "-startdate", startDate, "-validity", Integer.toString(validityDays),
                "-keystore", store.toString(), "-storetype", "PKCS12", "-storepass", "changeit",
                "-keypass", "changeit"));
        if (keyAlg.equals("RSA")) {
            cmd.addAll(List.of("-keysize", "2048"));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        Certificate cert = ks.getCertificate(alias);
        PrivateKey key = (PrivateKey) ks.getKey(alias, "changeit".toCharArray());
        return new Pem(pem("CERTIFICATE", cert.getEncoded()), pem("PRIVATE KEY", key.getEncoded()));
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
