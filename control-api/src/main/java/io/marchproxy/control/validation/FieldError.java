package io.marchproxy.control.validation;

/** One problem with a request: the field it is in (e.g. {@code backends[0].port}) and what is wrong. */
public record FieldError(String field, String message) {
}
