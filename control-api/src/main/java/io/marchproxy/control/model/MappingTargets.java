package io.marchproxy.control.model;

/** The two symbolic forms a mapping source or destination can take besides a service id. */
public final class MappingTargets {
    /** Every active service of the mapping's cluster. */
    public static final String ALL = "all";
    /** Prefix of {@code collection:<name>}: every active service of that collection in the mapping's cluster. */
    public static final String COLLECTION_PREFIX = "collection:";

    private MappingTargets() {
    }
}
