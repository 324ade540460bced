package io.marchproxy.control.validation;

/**
 * One problem with a request: the field it is in (e.g. {@code backends[0].port}) and what is wrong.
 *
 * @param rule true when the value passes the published schema but breaks a rule the schema can only state in words
 *             (its {@code description}): such a request is well-formed and is refused as 422, not 400
 */
public record FieldError(String field, String message, boolean rule) {
    /** A violation of the published schema itself. */
    public FieldError(String field, String message) {
        this(field, message, false);
    }
}
