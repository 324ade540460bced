package io.marchproxy.control.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * A JSON value's shape, used twice from one definition: to validate request bodies (naming the wrong field) and to
 * describe them in the OpenAPI document, so the document says exactly what the server accepts.
 */
public sealed interface JsonSchema permits StringSchema, IntegerSchema, BooleanSchema, ArraySchema, ObjectSchema {

    /**
     * Checks {@code node} (never null; JSON null is a {@code NullNode}) found at {@code path}, adding problems to
     * {@code errors}, and returns the value with defaults filled in.
     */
    JsonNode validate(JsonNode node, String path, List<FieldError> errors);

    /** This schema as an OpenAPI 3.0 Schema Object. */
    ObjectNode toOpenApi();

    /** An example value that passes validation, used by tests to build valid and invalid bodies. */
    JsonNode example();

    static String typeName(JsonNode node) {
        if (node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "string";
        }
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        return node.isArray() ? "array" : "object";
    }
}
