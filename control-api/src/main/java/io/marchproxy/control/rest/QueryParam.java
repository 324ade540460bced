package io.marchproxy.control.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.marchproxy.control.validation.BooleanSchema;
import io.marchproxy.control.validation.FieldError;
import io.marchproxy.control.validation.IntegerSchema;
import io.marchproxy.control.validation.JsonSchema;
import io.marchproxy.control.validation.StringSchema;

import java.util.List;

/**
 * A query parameter a route accepts: its name, its schema (text, an integer with bounds, or a boolean), whether it
 * is required, and what it means (null when the name says it). Declared once on the {@link Endpoint}, it is checked
 * before the action runs and documented in the OpenAPI document from the same schema.
 */
public record QueryParam(String name, JsonSchema schema, boolean required, String description) {
    /** The longest text a filter compares with: longer values can match nothing stored. */
    static final int MAX_TEXT = 253;

    /** Optional text, up to {@value #MAX_TEXT} characters; empty means "not given". */
    public static QueryParam text(String name) {
        return new QueryParam(name, StringSchema.of(0, MAX_TEXT, ""), false, null);
    }

    /** Optional text with its own schema (length, pattern). */
    public static QueryParam text(String name, StringSchema schema) {
        return new QueryParam(name, schema, false, null);
    }

    /** An optional whole number in {@code [min, max]}. */
    public static QueryParam integer(String name, long min, long max) {
        return new QueryParam(name, IntegerSchema.range(min, max), false, null);
    }

    /** An optional {@code true} or {@code false}. */
    public static QueryParam flag(String name) {
        return new QueryParam(name, new BooleanSchema(), false, null);
    }

    /** The same parameter, required. */
    public QueryParam mandatory() {
        return new QueryParam(name, schema, true, description);
    }

    /** The same parameter, documented with {@code text}. */
    public QueryParam describedAs(String text) {
        return new QueryParam(name, schema, required, text);
    }

    /** Problems with {@code raw}, the parameter's one value as sent, added to {@code errors}. */
    void check(String raw, List<FieldError> errors) {
        JsonNode value = switch (schema) {
            case IntegerSchema i -> parseLong(raw);
            case BooleanSchema b -> raw.equals("true") ? BooleanNode.TRUE : raw.equals("false") ? BooleanNode.FALSE
                    : null;
            default -> TextNode.valueOf(raw);
        };
        if (value == null) {
            errors.add(new FieldError(name, schema instanceof BooleanSchema ? "must be true or false"
                    : "must be an integer"));
            return;
        }
        schema.validate(value, name, errors);
    }

    /** The OpenAPI Parameter Object. */
    ObjectNode toOpenApi() {
        ObjectNode p = RestJson.mapper().createObjectNode();
        p.put("name", name).put("in", "query").put("required", required);
        if (description != null) {
            p.put("description", description);
        }
        p.set("schema", schema.toOpenApi());
        return p;
    }

    private static JsonNode parseLong(String raw) {
        try {
            return LongNode.valueOf(Long.parseLong(raw));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
