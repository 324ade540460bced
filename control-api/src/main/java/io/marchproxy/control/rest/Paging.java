package io.marchproxy.control.rest;

import java.util.List;

/** {@code ?offset=&limit=} of a list request, checked: offset >= 0, limit 1..{@value #MAX_LIMIT}. */
public record Paging(int offset, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    static final QueryParam OFFSET = QueryParam.integer("offset", 0, Integer.MAX_VALUE);
    static final QueryParam LIMIT = QueryParam.integer("limit", 1, MAX_LIMIT);
    /** The query parameters an offset-paged route accepts besides its filters. */
    public static final List<QueryParam> QUERY = List.of(OFFSET, LIMIT);
}
