package io.marchproxy.control.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A whole number in {@code [min, max]}; a fraction or a number beyond a long is a type error. */
public record IntegerSchema(long min, long max, long sample) implements JsonSchema {

    public static IntegerSchema range(long min, long max) {
        return new IntegerSchema(min, max, min);
    }

    public IntegerSchema withExample(long value) {
        return new IntegerSchema(min, max, value);
    }

    @Override
    public JsonNode validate(JsonNode node, String path, List<FieldError> errors) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            errors.add(new FieldError(path, "must be an integer, not " + JsonSchema.typeName(node)));
            return node;
        }
        long v = node.longValue();
        if (v < min || v > max) {
            errors.add(new FieldError(path, "must be between " + min + " and " + max));
        }
        return node;
    }

    @Override
    public ObjectNode toOpenApi() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "integer");
        n.put("format", max > Integer.MAX_VALUE ? "int64" : "int32");
        n.put("minimum", min);
        n.put("maximum", max);
        return n;
    }

    @Override
    public JsonNode example() {
        return LongNode.valueOf(sample);
    }
}
