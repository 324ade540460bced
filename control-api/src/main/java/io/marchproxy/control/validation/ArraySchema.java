package io.marchproxy.control.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** A list of items of one schema, with a size range. */
public record ArraySchema(JsonSchema items, int minItems, int maxItems) implements JsonSchema {

    @Override
    public JsonNode validate(JsonNode node, String path, List<FieldError> errors) {
        if (!node.isArray()) {
            errors.add(new FieldError(path, "must be an array, not " + JsonSchema.typeName(node)));
            return node;
        }
        if (node.size() < minItems || node.size() > maxItems) {
            errors.add(new FieldError(path, "must have between " + minItems + " and " + maxItems + " items"));
            return node;
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < node.size(); i++) {
            out.add(items.validate(node.get(i), path + "[" + i + "]", errors));
        }
        return out;
    }

    @Override
    public ObjectNode toOpenApi() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "array");
        n.set("items", items.toOpenApi());
        n.put("minItems", minItems);
        n.put("maxItems", maxItems);
        return n;
    }

    @Override
    public JsonNode example() {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < Math.max(1, minItems); i++) {
            a.add(items.example());
        }
        return a;
    }
}
