package io.marchproxy.control.rest;

import java.util.List;

/**
 * {@code ?before=&limit=} of a journal-backed list (audit, versions), checked: entries strictly before
 * {@code before} (a sequence number or version; absent means from the newest), at most {@code limit}, 1..
 * {@value Paging#MAX_LIMIT}.
 */
public record Cursor(long before, int limit) {
    static final QueryParam BEFORE = QueryParam.integer("before", 1, Long.MAX_VALUE);
    /** The query parameters a cursor-paged route accepts. */
    public static final List<QueryParam> QUERY = List.of(BEFORE, Paging.LIMIT);
}
