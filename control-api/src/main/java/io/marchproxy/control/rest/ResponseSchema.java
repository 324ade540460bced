package io.marchproxy.control.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.marchproxy.control.model.Nullable;
import io.marchproxy.control.validation.ArraySchema;
import io.marchproxy.control.validation.JsonSchema;
import io.marchproxy.control.validation.ObjectSchema;
import io.marchproxy.control.validation.StringSchema;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What a success response carries, for the OpenAPI document: a media type and a schema. Records are described from
 * their components as {@link RestJson} writes them, so the document follows the types the handlers serialise: fields
 * its mix-ins hide are left out, {@link Nullable} components may be null, every other component is always present.
 * A string field that a request schema limits to a set of values (a protocol, a priority) is documented with that
 * set. Each record (and each {@link #object named object}) becomes one schema under {@code components/schemas},
 * referred to by {@code $ref}; bodies a handler assembles as a map are described with {@link #object}, starting from
 * the record they extend where there is one.
 */
public final class ResponseSchema {
    private static final String JSON = "application/json";
    private static final String COMPONENTS = "#/components/schemas/";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final String mediaType;
    private final String name;
    private final Function<ObjectNode, ObjectNode> render;

    private ResponseSchema(String mediaType, String name, Function<ObjectNode, ObjectNode> render) {
        this.mediaType = mediaType;
        this.name = name;
        this.render = render;
    }

    public String mediaType() {
        return mediaType;
    }

    /**
     * This schema as an OpenAPI 3.0 Schema Object; the named schemas it uses are added to {@code components} (the
     * document's {@code components/schemas}). Two different schemas under one name are a programming error.
     */
    public ObjectNode toOpenApi(ObjectNode components) {
        return render.apply(components);
    }

    private static ResponseSchema inline(ObjectNode schema) {
        return new ResponseSchema(JSON, null, c -> schema.deepCopy());
    }

    public static ResponseSchema string() {
        return inline(F.objectNode().put("type", "string"));
    }

    public static ResponseSchema oneOf(String... values) {
        ObjectNode n = F.objectNode().put("type", "string");
        Arrays.stream(values).forEach(n.putArray("enum")::add);
        return inline(n);
    }

    /** Any JSON object, described no further (the OpenAPI document itself). */
    public static ResponseSchema anyObject() {
        return inline(F.objectNode().put("type", "object"));
    }

    /** A body that is plain text, such as Prometheus metrics. */
    public static ResponseSchema text(String mediaType) {
        return new ResponseSchema(mediaType, null, c -> F.objectNode().put("type", "string"));
    }

    /**
     * A structured document in a media type other than JSON (YAML): the schema describes the value it parses to, an
     * object, as OpenAPI schemas describe deserialised content.
     */
    public static ResponseSchema document(String mediaType) {
        return new ResponseSchema(mediaType, null, c -> F.objectNode().put("type", "object"));
    }

    public static ResponseSchema arrayOf(ResponseSchema items) {
        return new ResponseSchema(JSON, null, c -> {
            ObjectNode n = F.objectNode().put("type", "array");
            n.set("items", items.toOpenApi(c));
            return n;
        });
    }

    /** An object whose keys are data (resource types, metric names), all with values of one schema. */
    public static ResponseSchema mapOf(ResponseSchema values) {
        return new ResponseSchema(JSON, null, c -> {
            ObjectNode n = F.objectNode().put("type", "object");
            n.set("additionalProperties", values.toOpenApi(c));
            return n;
        });
    }

    /** A Java type as the REST mapper writes it: a record becomes a shared schema with its secrets left out. */
    public static ResponseSchema of(Type type) {
        return of(type, false, null);
    }

    /**
     * An entity record as the REST mapper writes it, its string fields limited to the values {@code request} (the
     * body schema that sets them, matched by property name) allows.
     */
    public static ResponseSchema of(Class<?> type, ObjectSchema request) {
        return of(type, false, request);
    }

    /**
     * A record as {@link RestJson#withSecrets()} writes it, every field included; records that have hidden fields in
     * the REST form get their own schemas, named {@code ...WithSecrets}.
     */
    public static ResponseSchema withSecrets(Class<? extends Record> type) {
        return of(type, true, null);
    }

    /** {@link Page} of {@code items}; a page of a named schema is named after it ({@code ClusterPage}). */
    public static ResponseSchema page(ResponseSchema items) {
        Builder b = object(items.name == null ? null : items.name + "Page")
                .description("One page: the matching items from offset, at most limit of them, and how many match.");
        for (RecordComponent rc : Page.class.getRecordComponents()) {
            b.add(rc.getName(), rc.getGenericType() instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof TypeVariable<?> ? arrayOf(items)
                    : of(rc.getGenericType()));
        }
        return b.build();
    }

    /** An object built property by property; {@code name} null makes it inline rather than a shared schema. */
    public static Builder object(String name) {
        return new Builder(name);
    }

    /** {@code type}; {@code request} is the request schema of the same field, or null. */
    private static ResponseSchema of(Type type, boolean secrets, JsonSchema request) {
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
            Type[] args = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                return arrayOf(of(args[0], secrets, request instanceof ArraySchema a ? a.items() : null));
            }
            if (Map.class.isAssignableFrom(raw)) {
                return mapOf(of(args[1], secrets, null));
            }
        }
        if (!(type instanceof Class<?> c)) {
            throw new IllegalArgumentException("no response schema for " + type);
        }
        if (c == String.class) {
            return request instanceof StringSchema s && !s.allowed().isEmpty()
                    ? oneOf(s.allowed().toArray(String[]::new)) : string();
        }
        if (c == int.class || c == Integer.class || c == long.class || c == Long.class) {
            return inline(F.objectNode().put("type", "integer")
                    .put("format", c == long.class || c == Long.class ? "int64" : "int32"));
        }
        if (c == boolean.class || c == Boolean.class) {
            return inline(F.objectNode().put("type", "boolean"));
        }
        if (c == Instant.class) {
            return inline(F.objectNode().put("type", "string").put("format", "date-time"));
        }
        if (c.isEnum()) {
            return oneOf(Arrays.stream(c.getEnumConstants()).map(v -> RestJson.tree(v).asText())
                    .toArray(String[]::new));
        }
        if (JsonNode.class.isAssignableFrom(c)) {
            return inline(F.objectNode());
        }
        if (c.isRecord()) {
            Set<String> hidden = hidden(c);
            String named = componentName(c) + (secrets && !hidden.isEmpty() ? "WithSecrets" : "");
            return object(named).from(c, secrets, request instanceof ObjectSchema o ? o : null).build();
        }
        throw new IllegalArgumentException("no response schema for " + type);
    }

    /** The fields {@link RestJson}'s mix-in for {@code type} hides from REST responses. */
    private static Set<String> hidden(Class<?> type) {
        Class<?> mixIn = RestJson.mapper().findMixInClassFor(type);
        JsonIgnoreProperties ignored = mixIn == null ? null : mixIn.getAnnotation(JsonIgnoreProperties.class);
        return ignored == null ? Set.of() : new TreeSet<>(List.of(ignored.value()));
    }

    /** {@code Cluster}; a nested record is prefixed with its outer type: {@code ResolvedConfigSettings}. */
    private static String componentName(Class<?> type) {
        return type.getEnclosingClass() == null ? type.getSimpleName()
                : componentName(type.getEnclosingClass()) + type.getSimpleName();
    }

    /** One property of an object. */
    private record Property(ResponseSchema schema, boolean required, boolean nullable, String description) {
    }

    /**
     * Collects an object's properties in the order they are written. Properties are required unless declared
     * optional: the mappers write every field, nulls included.
     */
    public static final class Builder {
        private final String name;
        private final Map<String, Property> properties = new LinkedHashMap<>();
        private String description;

        private Builder(String name) {
            this.name = name;
        }

        /** Every property {@code type} has in the REST form: the record a handler's map starts from. */
        public Builder from(Class<? extends Record> type) {
            return from(type, false, null);
        }

        /** As {@link #from(Class)}, string fields limited as in {@link ResponseSchema#of(Class, ObjectSchema)}. */
        public Builder from(Class<? extends Record> type, ObjectSchema request) {
            return from(type, false, request);
        }

        private Builder from(Class<?> type, boolean secrets, ObjectSchema request) {
            Set<String> hidden = secrets ? Set.of() : hidden(type);
            for (RecordComponent rc : type.getRecordComponents()) {
                if (!hidden.contains(rc.getName())) {
                    ObjectSchema.Property field = request == null ? null : request.properties().get(rc.getName());
                    properties.put(rc.getName(), new Property(of(rc.getGenericType(), secrets,
                            field == null ? null : field.schema()), true, rc.isAnnotationPresent(Nullable.class),
                            null));
                }
            }
            if (!hidden.isEmpty() && description == null) {
                description = "Never returned: " + String.join(", ", hidden) + " (kept hashed or sealed).";
            }
            return this;
        }

        public Builder add(String property, ResponseSchema schema) {
            return put(property, new Property(schema, true, false, null));
        }

        public Builder add(String property, Type type) {
            return add(property, of(type));
        }

        public Builder add(String property, ResponseSchema schema, String text) {
            return put(property, new Property(schema, true, false, text));
        }

        /** A property that is always present but may be null. */
        public Builder nullable(String property, ResponseSchema schema) {
            return put(property, new Property(schema, true, true, null));
        }

        /** A property that may be absent. */
        public Builder optional(String property, ResponseSchema schema) {
            return put(property, new Property(schema, false, false, null));
        }

        public Builder description(String text) {
            this.description = text;
            return this;
        }

        private Builder put(String property, Property p) {
            properties.put(property, p);
            return this;
        }

        public ResponseSchema build() {
            Map<String, Property> props = new LinkedHashMap<>(properties);
            String text = description;
            return new ResponseSchema(JSON, name, c -> {
                ObjectNode def = render(props, text, c);
                if (name == null) {
                    return def;
                }
                JsonNode existing = c.get(name);
                if (existing != null && !existing.equals(def)) {
                    throw new IllegalStateException("two different response schemas are named " + name);
                }
                c.set(name, def);
                return F.objectNode().put("$ref", COMPONENTS + name);
            });
        }

        private static ObjectNode render(Map<String, Property> props, String text, ObjectNode components) {
            ObjectNode def = F.objectNode().put("type", "object");
            if (text != null) {
                def.put("description", text);
            }
            ObjectNode out = def.putObject("properties");
            List<String> required = props.entrySet().stream().filter(e -> e.getValue().required())
                    .map(Map.Entry::getKey).toList();
            props.forEach((k, p) -> {
                ObjectNode s = p.schema().toOpenApi(components);
                if (s.has("$ref") && (p.nullable() || p.description() != null)) {
                    ObjectNode wrapped = F.objectNode();
                    wrapped.putArray("allOf").add(s);
                    s = wrapped;
                }
                if (p.nullable()) {
                    s.put("nullable", true);
                }
                if (p.description() != null) {
                    s.put("description", p.description());
                }
                out.set(k, s);
            });
            if (!required.isEmpty()) {
                required.forEach(def.putArray("required")::add);
            }
            def.put("additionalProperties", false);
            return def;
        }
    }
}
