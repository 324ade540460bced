package io.marchproxy.control.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An object with named properties, each required or optional with a default. Unknown properties are rejected so a
 * misspelt field is reported instead of silently ignored. JSON null is not a value of any property (the published
 * schemas are not {@code nullable}): it is reported as the wrong type, naming the field, not taken as absent.
 */
public final class ObjectSchema implements JsonSchema {

    /**
     * One property: its schema, whether it must be present, the value used when it is absent, and what it means
     * (null when its name and schema say enough).
     */
    public record Property(String name, JsonSchema schema, boolean required, JsonNode defaultValue,
                           String description) {
    }

    private final Map<String, Property> properties;

    private ObjectSchema(Map<String, Property> properties) {
        this.properties = Collections.unmodifiableMap(properties);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Map<String, Property> properties() {
        return properties;
    }

    /** Validates a request body, throwing every problem found; returns the body with defaults filled in. */
    public ObjectNode validateBody(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode out = validate(body, "", errors);
        if (!errors.isEmpty()) {
            throw new ValidationException(errors);
        }
        return (ObjectNode) out;
    }

    @Override
    public JsonNode validate(JsonNode node, String path, List<FieldError> errors) {
        String at = path.isEmpty() ? "(body)" : path;
        if (!node.isObject()) {
            errors.add(new FieldError(at, "must be an object, not " + JsonSchema.typeName(node)));
            return node;
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        node.fieldNames().forEachRemaining(name -> {
            if (!properties.containsKey(name)) {
                errors.add(new FieldError(child(path, name), "unknown field"));
            }
        });
        for (Property p : properties.values()) {
            JsonNode value = node.get(p.name());
            String fieldPath = child(path, p.name());
            if (value == null) {
                if (p.required()) {
                    errors.add(new FieldError(fieldPath, "is required"));
                } else if (p.defaultValue() != null) {
                    out.set(p.name(), p.defaultValue());
                }
                continue;
            }
            out.set(p.name(), p.schema().validate(value, fieldPath, errors));
        }
        return out;
    }

    @Override
    public ObjectNode toOpenApi() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "object");
        n.put("additionalProperties", false);
        ObjectNode props = n.putObject("properties");
        List<String> required = new ArrayList<>();
        for (Property p : properties.values()) {
            ObjectNode s = p.schema().toOpenApi();
            if (p.defaultValue() != null && !p.defaultValue().isNull()) {
                s.set("default", p.defaultValue());
            }
            if (p.description() != null) {
                s.put("description", p.description());
            }
            props.set(p.name(), s);
            if (p.required()) {
                required.add(p.name());
            }
        }
        if (!required.isEmpty()) {
            required.forEach(n.putArray("required")::add);
        }
        return n;
    }

    @Override
    public JsonNode example() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (Property p : properties.values()) {
            n.set(p.name(), p.schema().example());
        }
        return n;
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Collects properties in the order they are documented. */
    public static final class Builder {
        private final Map<String, Property> properties = new LinkedHashMap<>();

        public Builder required(String name, JsonSchema schema) {
            properties.put(name, new Property(name, schema, true, null, null));
            return this;
        }

        /** An optional property; {@code defaultValue} may be null, meaning absent stays absent. */
        public Builder optional(String name, JsonSchema schema, Object defaultValue) {
            return optional(name, schema, defaultValue, null);
        }

        /** As {@link #optional(String, JsonSchema, Object)}, documented with {@code description}. */
        public Builder optional(String name, JsonSchema schema, Object defaultValue, String description) {
            JsonNode def = defaultValue == null ? null
                    : defaultValue instanceof JsonNode j ? j
                    : JsonNodeFactory.instance.pojoNode(defaultValue);
            if (defaultValue instanceof Boolean b) {
                def = JsonNodeFactory.instance.booleanNode(b);
            } else if (defaultValue instanceof Number num) {
                def = JsonNodeFactory.instance.numberNode(num.longValue());
            } else if (defaultValue instanceof String s) {
                def = JsonNodeFactory.instance.textNode(s);
            }
            properties.put(name, new Property(name, schema, false, def, description));
            return this;
        }

        public ObjectSchema build() {
            return new ObjectSchema(new LinkedHashMap<>(properties));
        }
    }
}
