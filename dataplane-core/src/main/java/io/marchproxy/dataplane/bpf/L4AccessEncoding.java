package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessEntry;
import io.marchproxy.dataplane.acl.PortSegment;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * How a compiled access entry ({@link AccessEntry}) becomes the key and value of {@code xdp_l4}'s access LPM trie:
 * the key is (prefix length + 40, service in network order, family, source address masked to the prefix), the value
 * the entry's port segments for the service's protocol (a service has one), each with its action, and the entry's
 * miss action. An entry with more segments than the value holds ({@value L4Layouts#ACL_SEGMENTS}) is written as
 * "punt": the XDP program hands such flows to user space, where {@link io.marchproxy.dataplane.acl.AccessPolicy}
 * decides. Layout offsets come from {@link L4Layouts}, which BtfLayoutTest proves against the object.
 */
public final class L4AccessEncoding
{
    private static final ValueLayout.OfInt BE_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long KEY_SERVICE = L4Layouts.ACL_KEY.byteOffset(MemoryLayout.PathElement.groupElement("service"));
    private static final long KEY_FAMILY = L4Layouts.ACL_KEY.byteOffset(MemoryLayout.PathElement.groupElement("family"));
    private static final long KEY_ADDR = L4Layouts.ACL_KEY.byteOffset(MemoryLayout.PathElement.groupElement("addr"));
    private static final long VALUE_DEFAULT =
        L4Layouts.ACL_VALUE.byteOffset(MemoryLayout.PathElement.groupElement("default_action"));
    private static final long VALUE_COUNT =
        L4Layouts.ACL_VALUE.byteOffset(MemoryLayout.PathElement.groupElement("segments"));
    private static final long VALUE_SEGMENTS =
        L4Layouts.ACL_VALUE.byteOffset(MemoryLayout.PathElement.groupElement("segment"));

    /**
     * What the map holds for one prefix: the segments in order and the action when no segment holds the port.
     *
     * @param fallback the action when no segment holds the port
     * @param segments the port segments, in order
     */
    public record Decision(int fallback, List<L4Program.AclSegment> segments)
    {
        /** Copies the segments. */
        public Decision
        {
            segments = List.copyOf(segments);
        }
    }

    private L4AccessEncoding()
    {
    }

    /**
     * {@return the kernel-side decision of {@code entry} for a service of {@code protocol}}
     *
     * @param entry a compiled access entry
     * @param protocol the service's protocol
     */
    public static Decision decision(final AccessEntry entry, final L4Protocol protocol)
    {
        final List<L4Program.AclSegment> segments = new ArrayList<>();
        for (final PortSegment s : entry.segments())
        {
            if (s.protocol() == protocol && s.ports().last() >= 1) // port 0 never matches a service
            {
                segments.add(new L4Program.AclSegment(Math.max(1, s.ports().first()), s.ports().last(),
                    action(s.action())));
            }
        }
        if (segments.size() > L4Layouts.ACL_SEGMENTS)
        {
            return new Decision(L4Program.ACTION_PUNT, List.of());
        }
        return new Decision(action(entry.missAction()), segments);
    }

    /**
     * {@return the kernel's action code of {@code a}}
     *
     * @param a an access action
     */
    public static int action(final AccessAction a)
    {
        return a == AccessAction.ALLOW ? L4Program.ACTION_ALLOW : L4Program.ACTION_DENY;
    }

    /**
     * Writes the key of {@code source} for {@code service} into {@code key} ({@link L4Layouts#ACL_KEY}).
     *
     * @param key a {@link L4Layouts#ACL_KEY} segment
     * @param service the service's index
     * @param source the source prefix
     */
    public static void writeKey(final MemorySegment key, final int service, final IpPrefix source)
    {
        key.fill((byte)0);
        key.set(JAVA_INT, 0, L4Layouts.ACL_PREFIX_BASE + source.length());
        key.set(BE_INT, KEY_SERVICE, service);
        key.set(JAVA_BYTE, KEY_FAMILY, (byte)source.family());
        final byte[] address = source.address().toBytes();
        MemorySegment.copy(address, 0, key, JAVA_BYTE, KEY_ADDR, address.length);
    }

    /**
     * Writes {@code decision} into {@code value} ({@link L4Layouts#ACL_VALUE}).
     *
     * @param value a {@link L4Layouts#ACL_VALUE} segment
     * @param decision the decision
     */
    public static void writeValue(final MemorySegment value, final Decision decision)
    {
        if (decision.segments().size() > L4Layouts.ACL_SEGMENTS)
        {
            throw new IllegalArgumentException(decision.segments().size() + " segments, at most "
                + L4Layouts.ACL_SEGMENTS + ": punt the prefix to user space instead");
        }
        value.fill((byte)0);
        value.set(JAVA_BYTE, VALUE_DEFAULT, (byte)decision.fallback());
        value.set(JAVA_BYTE, VALUE_COUNT, (byte)decision.segments().size());
        for (int i = 0; i < decision.segments().size(); i++)
        {
            final L4Program.AclSegment s = decision.segments().get(i);
            final long off = VALUE_SEGMENTS + i * L4Layouts.ACL_SEGMENT.byteSize();
            value.set(JAVA_SHORT, off, (short)s.portLo());
            value.set(JAVA_SHORT, off + 2, (short)s.portHi());
            value.set(JAVA_BYTE, off + 4, (byte)s.action());
        }
    }
}
