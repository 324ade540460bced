package io.marchproxy.control.rest;

/** {@code ?offset=&limit=} of a list request, checked: offset >= 0, limit 1..{@value #MAX_LIMIT}. */
public record Paging(int offset, int limit) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
}
