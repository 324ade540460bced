package io.marchproxy.dataplane.acl;

import io.marchproxy.dataplane.net.IpPrefix;

import java.util.List;
import java.util.Objects;

/**
 * One compiled entry: for flows to service {@code serviceIndex} from an address whose longest inserted prefix (for
 * that service) is {@code source}, the protocol and destination port decide through {@code segments}; a flow in no
 * segment gets {@code missAction}. When there are more than {@link #MAX_SEGMENTS} segments the entry overflows: the
 * XDP side cannot hold them in its fixed value and must hand the flow to user space, where
 * {@link AccessPolicy#decide} has them all.
 *
 * @param serviceIndex the service
 * @param source       the source prefix (the LPM trie key's address and length)
 * @param missAction   the action for a TCP/UDP flow in no segment
 * @param segments     disjoint port segments, sorted by protocol number then first port
 */
public record AccessEntry(int serviceIndex, IpPrefix source, AccessAction missAction, List<PortSegment> segments)
{
    /** Segments one BPF value holds (K); more make the entry overflow. */
    public static final int MAX_SEGMENTS = 8;

    /** Copies the segments. */
    public AccessEntry
    {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(missAction, "missAction");
        segments = List.copyOf(segments);
    }

    /** {@return true when the segments do not fit one BPF value: XDP must punt such flows to user space} */
    public boolean overflow()
    {
        return segments.size() > MAX_SEGMENTS;
    }
}
