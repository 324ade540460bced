package io.marchproxy.control.rest;

import java.util.List;

/** {@code ?offset=&limit=} of a list request, checked: offset >= 0, limit 1..{@value #MAX_LIMIT}. */
public record Paging(int offset, int limit) {
    /** The query parameters an offset-paged route accepts besides its filters. */
    public static final List<String> QUERY = List.of("offset", "limit");
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
}
