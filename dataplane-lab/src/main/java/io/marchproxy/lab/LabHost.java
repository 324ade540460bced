package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.NetNamespace;

/** A client or backend of an {@link L4Lab}: its name ({@code client1}, {@code backend2}), namespace and one link. */
public record LabHost(String name, NetNamespace namespace, LabInterface link)
{
}
