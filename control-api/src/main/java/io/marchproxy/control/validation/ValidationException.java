package io.marchproxy.control.validation;

import java.util.List;

/**
 * Input was rejected; every problem found is listed, the first one names the field reported first. It is a 400 when
 * any problem breaks the published schema, a 422 when every one only breaks a rule stated in a description.
 */
public class ValidationException extends RuntimeException {
    private final transient List<FieldError> errors;

    public ValidationException(List<FieldError> errors) {
        super(errors.isEmpty() ? "invalid input" : errors.get(0).field() + ": " + errors.get(0).message());
        this.errors = List.copyOf(errors);
    }

    public ValidationException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** 400, or 422 when the request passed the published schema and only broke rules it states in words. */
    public int status() {
        return !errors.isEmpty() && errors.stream().allMatch(FieldError::rule) ? 422 : 400;
    }
}
