package io.marchproxy.control.rest;

import java.util.List;

/** One page of a list response. */
public record Page<T>(List<T> items, int total, int offset, int limit) {
    public static <T> Page<T> of(List<T> all, Paging paging) {
        int from = Math.min(paging.offset(), all.size());
        int to = Math.min(all.size(), from + paging.limit());
        return new Page<>(List.copyOf(all.subList(from, to)), all.size(), paging.offset(), paging.limit());
    }
}
