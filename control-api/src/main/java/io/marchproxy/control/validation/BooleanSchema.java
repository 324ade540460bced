package io.marchproxy.control.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** {@code true} or {@code false}; strings such as {@code "true"} are rejected. */
public record BooleanSchema() implements JsonSchema {

    @Override
    public JsonNode validate(JsonNode node, String path, List<FieldError> errors) {
        if (!node.isBoolean()) {
            errors.add(new FieldError(path, "must be a boolean, not " + JsonSchema.typeName(node)));
        }
        return node;
    }

    @Override
    public ObjectNode toOpenApi() {
        return JsonNodeFactory.instance.objectNode().put("type", "boolean");
    }

    @Override
    public JsonNode example() {
        return BooleanNode.TRUE;
    }
}
