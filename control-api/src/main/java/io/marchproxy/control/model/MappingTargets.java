package io.marchproxy.control.model;

/** The forms a mapping source or destination can take besides a service id. */
public final class MappingTargets {
    /** Every active service of the mapping's cluster. */
    public static final String ALL = "all";
    /** Prefix of {@code collection:<name>}: every active service of that collection in the mapping's cluster. */
    public static final String COLLECTION_PREFIX = "collection:";

    private MappingTargets() {
    }

    /**
     * True if a source names addresses rather than services: an IPv4/IPv6 address or prefix. Service ids never
     * contain a dot, colon or slash and collections are written {@code collection:}, so the forms cannot be
     * confused.
     */
    public static boolean isPrefix(String target) {
        return !target.startsWith(COLLECTION_PREFIX)
                && (target.indexOf('.') >= 0 || target.indexOf(':') >= 0 || target.indexOf('/') >= 0);
    }
}
