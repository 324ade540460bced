package io.marchproxy.control.licence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** The vendor's side of {@link LicenceVerifier}: turns a {@link Licence} into a signed token. Thread-safe. */
public final class LicenceSigner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrivateKey key;

    /** @param key an Ed25519 private key */
    public LicenceSigner(PrivateKey key) {
        this.key = key;
    }

    /**
     * Generates a vendor key pair: writes the private key (base64 PKCS#8) to a new file readable by its owner only
     * and returns the public key (base64 X.509), what {@code marchproxy.licence.publickey} is set to.
     *
     * @param privateKeyFile where the private key goes; must not exist
     * @return the public key, base64
     * @throws IOException when the file exists or cannot be written
     */
    public static String generateKey(Path privateKeyFile) throws IOException {
        KeyPair pair;
        try {
            pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519", e);
        }
        Files.writeString(privateKeyFile, "", StandardOpenOption.CREATE_NEW);
        Files.setPosixFilePermissions(privateKeyFile, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(privateKeyFile, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
    }

    /**
     * A signer with the private key {@link #generateKey} wrote.
     *
     * @param privateKeyFile the key file
     * @return the signer
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when it holds no Ed25519 private key
     */
    public static LicenceSigner fromKeyFile(Path privateKeyFile) throws IOException {
        try {
            byte[] der = Base64.getDecoder().decode(Files.readString(privateKeyFile).trim());
            return new LicenceSigner(KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der)));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(privateKeyFile + " holds no base64 Ed25519 private key", e);
        }
    }

    public String sign(Licence licence) {
        ObjectNode payload = JSON.createObjectNode()
                .put("licensee", licence.licensee())
                .put("tier", licence.tier())
                .put("maxProxies", licence.maxProxies())
                .put("expiresAt", licence.expiresAt().toString());
        licence.features().forEach(payload.putArray("features")::add);
        byte[] bytes = payload.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(bytes);
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            return b64.encodeToString(bytes) + '.' + b64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key (Ed25519 expected)", e);
        }
    }
}
