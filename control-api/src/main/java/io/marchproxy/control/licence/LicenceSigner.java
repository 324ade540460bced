package io.marchproxy.control.licence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/** The vendor's side of {@link LicenceVerifier}: turns a {@link Licence} into a signed token. Thread-safe. */
public final class LicenceSigner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrivateKey key;

    /** @param key an Ed25519 private key */
    public LicenceSigner(PrivateKey key) {
        this.key = key;
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
