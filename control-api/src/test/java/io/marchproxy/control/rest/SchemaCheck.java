package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a JSON value against an OpenAPI 3.0 Schema Object of one document: {@code $ref} into its
 * {@code components/schemas}, {@code allOf}, {@code nullable}, {@code enum}, the types with {@code int32} and
 * {@code date-time} formats, {@code required}, {@code properties} and {@code additionalProperties} (false: no
 * undocumented property; a schema: every further value). Names every problem by its JSON path.
 */
final class SchemaCheck {
    private static final String COMPONENTS = "#/components/schemas/";
    private final JsonNode doc;

    SchemaCheck(JsonNode doc) {
        this.doc = doc;
    }

    List<String> problems(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    private void check(JsonNode schema, JsonNode value, String at, List<String> out) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            JsonNode target = ref.startsWith(COMPONENTS)
                    ? doc.path("components").path("schemas").path(ref.substring(COMPONENTS.length()))
                    : MissingNode.getInstance();
            if (target.isMissingNode()) {
                out.add(at + ": unresolvable $ref " + ref);
            } else {
                check(target, value, at, out);
            }
            return;
        }
        if (value.isNull()) {
            if (!schema.path("nullable").asBoolean(false)) {
                out.add(at + " is null but not nullable");
            }
            return;
        }
        for (JsonNode part : schema.path("allOf")) {
            check(part, value, at, out);
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode v : schema.get("enum")) {
                listed |= v.equals(value);
            }
            if (!listed) {
                out.add(at + " = " + value + " is not one of " + schema.get("enum"));
            }
        }
        switch (schema.path("type").asText("")) {
            case "object" -> object(schema, value, at, out);
            case "array" -> {
                if (!value.isArray()) {
                    out.add(at + " must be an array, is " + value.getNodeType());
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    check(schema.path("items"), value.get(i), at + "[" + i + "]", out);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    out.add(at + " must be a string, is " + value.getNodeType());
                } else if (schema.path("format").asText().equals("date-time")) {
                    try {
                        OffsetDateTime.parse(value.asText());
                    } catch (DateTimeParseException e) {
                        out.add(at + " = " + value + " is not a date-time");
                    }
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    out.add(at + " must be an integer, is " + value.getNodeType());
                } else if (schema.path("format").asText().equals("int32") && !value.canConvertToInt()) {
                    out.add(at + " = " + value + " is beyond int32");
                }
            }
            case "number" -> {
                if (!value.isNumber()) {
                    out.add(at + " must be a number, is " + value.getNodeType());
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    out.add(at + " must be a boolean, is " + value.getNodeType());
                }
            }
            default -> {
                // no type: any value
            }
        }
    }

    private void object(JsonNode schema, JsonNode value, String at, List<String> out) {
        if (!value.isObject()) {
            out.add(at + " must be an object, is " + value.getNodeType());
            return;
        }
        for (JsonNode r : schema.path("required")) {
            if (!value.has(r.asText())) {
                out.add(at + "." + r.asText() + " is required but missing");
            }
        }
        JsonNode props = schema.path("properties");
        JsonNode more = schema.path("additionalProperties");
        value.properties().forEach(e -> {
            String where = at + "." + e.getKey();
            if (props.has(e.getKey())) {
                check(props.get(e.getKey()), e.getValue(), where, out);
            } else if (more.isBoolean() && !more.asBoolean()) {
                out.add(where + " is not documented");
            } else if (more.isObject()) {
                check(more, e.getValue(), where, out);
            }
        });
    }
}
