package io.marchproxy.control.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** A string with length bounds, and optionally a pattern, a set of allowed values, or a further rule. */
public record StringSchema(int minLength, int maxLength, Pattern pattern, List<String> allowed,
                           Predicate<String> rule, String ruleDescription, String sample)
        implements JsonSchema {

    public StringSchema {
        allowed = allowed == null ? List.of() : List.copyOf(allowed);
    }

    public static StringSchema of(int minLength, int maxLength, String example) {
        return new StringSchema(minLength, maxLength, null, List.of(), null, null, example);
    }

    public static StringSchema oneOf(String... values) {
        return new StringSchema(1, 64, null, List.of(values), null, null, values[0]);
    }

    public StringSchema pattern(String regex) {
        return new StringSchema(minLength, maxLength, Pattern.compile(regex), allowed, rule, ruleDescription, sample);
    }

    /**
     * Adds a check the pattern cannot express; {@code description} is both the error and the documentation. A value
     * that passes everything else but not this check is refused as 422 (the schema published for it accepts it).
     */
    public StringSchema rule(Predicate<String> check, String description) {
        return new StringSchema(minLength, maxLength, pattern, allowed, check, description, sample);
    }

    @Override
    public JsonNode validate(JsonNode node, String path, List<FieldError> errors) {
        if (!node.isTextual()) {
            errors.add(new FieldError(path, "must be a string, not " + JsonSchema.typeName(node)));
            return node;
        }
        String s = node.textValue();
        // Lengths count characters (code points), as JSON Schema does: a character outside the BMP is one, not two.
        int length = s.codePointCount(0, s.length());
        if (length < minLength || length > maxLength) {
            errors.add(new FieldError(path, "length must be between " + minLength + " and " + maxLength));
        } else if (!allowed.isEmpty() && !allowed.contains(s)) {
            errors.add(new FieldError(path, "must be one of " + String.join(", ", allowed)));
        } else if (pattern != null && !pattern.matcher(s).matches()) {
            errors.add(new FieldError(path, "must match " + pattern.pattern()));
        } else if (rule != null && !rule.test(s)) {
            errors.add(new FieldError(path, ruleDescription, true));
        }
        return node;
    }

    @Override
    public ObjectNode toOpenApi() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "string");
        if (!allowed.isEmpty()) {
            allowed.forEach(n.putArray("enum")::add);
        } else {
            n.put("minLength", minLength);
            n.put("maxLength", maxLength);
        }
        if (pattern != null) {
            n.put("pattern", pattern.pattern());
        }
        if (ruleDescription != null) {
            n.put("description", ruleDescription);
        }
        return n;
    }

    @Override
    public JsonNode example() {
        return TextNode.valueOf(sample);
    }
}
