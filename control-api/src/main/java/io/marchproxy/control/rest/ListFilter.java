package io.marchproxy.control.rest;

import io.helidon.webserver.http.ServerRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A query parameter the list route of a {@link CrudService} filters on, with the entity value it compares: declared
 * once, it names the parameter in the OpenAPI document and selects the entities. An absent parameter selects all.
 *
 * @param name the query parameter
 * @param flag whether it takes {@code true}/{@code false} (anything else is a 400) rather than any text
 * @param value the entity's value to compare
 * @param <T> the entity
 */
public record ListFilter<T>(String name, boolean flag, Function<? super T, ?> value) {
    /** Equal to the text of parameter {@code name}. */
    public static <T> ListFilter<T> text(String name, Function<? super T, String> value) {
        return new ListFilter<>(name, false, value);
    }

    /** Equal to the boolean of parameter {@code name}. */
    public static <T> ListFilter<T> flag(String name, Function<? super T, Boolean> value) {
        return new ListFilter<>(name, true, value);
    }

    /** The query parameters of {@code filters}, then the paging parameters: a list route's query. */
    static List<QueryParam> query(List<? extends ListFilter<?>> filters) {
        List<QueryParam> params = new ArrayList<>();
        for (ListFilter<?> f : filters) {
            params.add(f.flag() ? QueryParam.flag(f.name()) : QueryParam.text(f.name()));
        }
        params.addAll(Paging.QUERY);
        return params;
    }

    /**
     * What {@code filters} select for {@code req}: the query is read once (a bad boolean is a 400 here), and the
     * predicate is true for an entity that every filter present in the query accepts.
     */
    static <T> Predicate<T> selecting(List<ListFilter<T>> filters, ServerRequest req) {
        List<Predicate<T>> wanted = new ArrayList<>();
        for (ListFilter<T> f : filters) {
            Object value = f.flag ? Requests.queryBoolean(req, f.name).orElse(null)
                    : Requests.query(req, f.name).orElse(null);
            if (value != null) {
                wanted.add(entity -> Objects.equals(value, f.value.apply(entity)));
            }
        }
        return entity -> {
            for (Predicate<T> p : wanted) {
                if (!p.test(entity)) {
                    return false;
                }
            }
            return true;
        };
    }
}
