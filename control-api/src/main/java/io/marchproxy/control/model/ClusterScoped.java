package io.marchproxy.control.model;

/** An entity that belongs to exactly one cluster, so a change to it changes that cluster's resolved config. */
public interface ClusterScoped extends Entity {
    String clusterId();
}
