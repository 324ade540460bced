package io.marchproxy.control.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marchproxy.control.model.Certificate;
import io.marchproxy.control.model.Cluster;
import io.marchproxy.control.model.LicenceRecord;
import io.marchproxy.control.model.ModelJson;
import io.marchproxy.control.model.ServiceAuth;
import io.marchproxy.control.model.User;

import java.io.IOException;

/**
 * JSON as the REST API speaks it. Secrets stored on records (key and password hashes, sealed keys, service tokens) are
 * removed by mix-ins here, once, so no handler can leak them by returning a record.
 */
public final class RestJson {
    private static final ObjectMapper MAPPER = ModelJson.newMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .addMixIn(Cluster.class, HideClusterSecrets.class)
            .addMixIn(User.class, HideUserSecrets.class)
            .addMixIn(Certificate.class, HideCertificateSecrets.class)
            .addMixIn(ServiceAuth.class, HideServiceAuthSecrets.class)
            .addMixIn(LicenceRecord.class, HideLicenceToken.class);
    /** Every field, secrets included: only for the resolved config proxies fetch and for copies of entities. */
    private static final ObjectMapper WITH_SECRETS = ModelJson.newMapper();

    private RestJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * The mapper that writes every field, secrets included. Only the resolved config (which proxies need whole) and
     * entity copies made by rollback may use it; everything else goes through {@link #mapper()}.
     */
    public static ObjectMapper withSecrets() {
        return WITH_SECRETS;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /**
     * Parses a request body; malformed JSON is a 400 saying where it broke, and a key given twice in one object is a
     * 400 naming it (rather than the last one silently winning).
     */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ProblemException.badRequest("(body)", "a JSON body is required");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw ProblemException.badRequest("(body)", "a JSON body is required");
            }
            return node;
        } catch (JsonParseException e) {
            if (e.getProcessor() instanceof JsonParser p && e.getOriginalMessage().startsWith("Duplicate field")) {
                throw ProblemException.badRequest(path(p.getParsingContext()), "duplicate key: a key may appear "
                        + "once in an object");
            }
            throw malformed(e);
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw ProblemException.badRequest("(body)", "unreadable body");
        }
    }

    private static ProblemException malformed(JsonProcessingException e) {
        // Jackson's own message quotes the offending token, which may be part of a password: say only where.
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
        return ProblemException.badRequest("(body)", "malformed JSON" + where);
    }

    /** Where the parser is, written as fields are named in problems: {@code backends[0].port}. */
    private static String path(JsonStreamContext at) {
        StringBuilder out = new StringBuilder();
        for (JsonStreamContext c = at; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                out.insert(0, "[" + c.getCurrentIndex() + "]");
            } else if (c.getCurrentName() != null) {
                out.insert(0, "." + c.getCurrentName());
            }
        }
        String p = out.toString();
        return p.isEmpty() ? "(body)" : p.startsWith(".") ? p.substring(1) : p;
    }

    @JsonIgnoreProperties({"apiKeyHash"})
    private abstract static class HideClusterSecrets {
    }

    @JsonIgnoreProperties({"passwordHash"})
    private abstract static class HideUserSecrets {
    }

    @JsonIgnoreProperties({"encryptedKey"})
    private abstract static class HideCertificateSecrets {
    }

    @JsonIgnoreProperties({"token", "jwtSecret"})
    private abstract static class HideServiceAuthSecrets {
    }

    @JsonIgnoreProperties({"token"})
    private abstract static class HideLicenceToken {
    }
}
