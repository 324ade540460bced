/**
 * Request validation: a small JSON schema vocabulary ({@link io.marchproxy.control.validation.ObjectSchema} and
 * friends) that checks bodies field by field, reports {@link io.marchproxy.control.validation.FieldError}s naming the
 * field, and renders itself as OpenAPI so the published document and the checks cannot drift apart. Depends on
 * Jackson only.
 */
package io.marchproxy.control.validation;
