package io.marchproxy.control.rest;

import io.helidon.http.Method;
import io.marchproxy.control.validation.ObjectSchema;

import java.util.List;

/**
 * One route as both the router and the OpenAPI document see it, so the document lists exactly what is served.
 *
 * @param path        relative to the service's base path, Helidon template syntax ({@code /{id}})
 * @param access      who may call it: {@code public}, {@code viewer}, {@code operator}, {@code admin} or
 *                    {@code cluster-key}
 * @param requestBody the body schema, or null for no body
 * @param query       accepted query parameters, checked before the action runs
 * @param response    what a success carries, or null exactly when {@code successStatus} is 204
 */
public record Endpoint(Method method, String path, String summary, String access, ObjectSchema requestBody,
                       List<QueryParam> query, int successStatus, ResponseSchema response, Action action) {
    public Endpoint {
        query = List.copyOf(query);
        if ((response == null) != (successStatus == 204)) {
            throw new IllegalArgumentException(method + " " + path + ": a response body exactly unless 204");
        }
    }
}
