package io.marchproxy.control.rest;

/** Names used in {@link Endpoint#access()} and the OpenAPI document. */
public final class Access {
    public static final String PUBLIC = "public";
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";
    public static final String CLUSTER_KEY = "cluster-key";

    private Access() {
    }
}
