package io.marchproxy.control.licence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Command line for the licence vendor.
 * <pre>
 *   keygen PRIVATE_KEY_FILE                       writes a new Ed25519 private key (0600), prints the public key
 *   sign PRIVATE_KEY_FILE LICENSEE TIER MAX_PROXIES EXPIRES_AT [FEATURE...]   prints a licence token
 * </pre>
 * The printed public key goes to {@code marchproxy.licence.publickey}, the token to {@code PUT /api/v1/licence}.
 */
public final class LicenceTool {
    private LicenceTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("keygen")) {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            Path file = Path.of(args[1]);
            Files.writeString(file, Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()),
                    StandardOpenOption.CREATE_NEW);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            System.out.println(Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        } else if (args.length >= 6 && args[0].equals("sign")) {
            Licence licence = new Licence(args[2], args[3], Integer.parseInt(args[4]),
                    List.copyOf(Arrays.asList(args).subList(6, args.length)), Instant.parse(args[5]));
            System.out.println(new LicenceSigner(readPrivateKey(Path.of(args[1]))).sign(licence));
        } else {
            System.err.println("usage: keygen PRIVATE_KEY_FILE | sign PRIVATE_KEY_FILE LICENSEE TIER MAX_PROXIES "
                    + "EXPIRES_AT [FEATURE...]");
            System.exit(2);
        }
    }

    static java.security.PrivateKey readPrivateKey(Path file) throws java.io.IOException, GeneralSecurityException {
        byte[] der = Base64.getDecoder().decode(Files.readString(file).trim());
        return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}
