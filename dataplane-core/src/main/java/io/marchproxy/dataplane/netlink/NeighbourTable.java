package io.marchproxy.dataplane.netlink;

import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.NativeAccess;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.SysSocket;
import io.marchproxy.ffm.linux.IfLink;
import io.marchproxy.ffm.linux.Neighbour;
import io.marchproxy.ffm.linux.Netlink;
import io.marchproxy.ffm.linux.Rtnetlink;

import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The kernel's neighbour table (ARP for IPv4, NDP for IPv6) of the network namespace it was opened in, over routing
 * netlink: entries of an interface, one entry, a resolution the kernel is asked to start ({@link #solicit}), and a
 * bounded wait for a usable MAC ({@link #resolve}). Also reads an interface's own {@link InterfaceLink}.
 *
 * <p>Open it inside the namespace ({@link #open(NetNamespace)}); afterwards any thread may use it, one call at a time
 * (methods are synchronized). Setup-rate: calls allocate and block on the kernel. {@link #close()} releases the two
 * sockets and their buffers.
 */
public final class NeighbourTable implements AutoCloseable
{
    /** Dumps the kernel flags as inconsistent (the table changed meanwhile) are retried this often. */
    private static final int DUMP_ATTEMPTS = 5;
    /** Longest wait between two looks at an entry while resolving, in case a notification was lost. */
    private static final long RECHECK_MILLIS = 100;

    private final RouteNetlinkSocket requests;
    private final RouteNetlinkSocket notifications;
    private boolean closed;

    private NeighbourTable(final RouteNetlinkSocket requests, final RouteNetlinkSocket notifications)
    {
        this.requests = requests;
        this.notifications = notifications;
    }

    /**
     * Opens the table of the calling thread's network namespace.
     *
     * @return the table; close it to release its sockets
     */
    public static NeighbourTable open()
    {
        NativeAccess.require(NeighbourTable.class.getModule());
        final RouteNetlinkSocket requests = RouteNetlinkSocket.open();
        try
        {
            return new NeighbourTable(requests, RouteNetlinkSocket.open());
        }
        catch (final RuntimeException ex)
        {
            requests.close();
            throw ex;
        }
    }

    /**
     * Opens the table of {@code namespace} (the sockets are made inside it, then usable from any thread).
     *
     * @param namespace the namespace
     * @return the table; close it to release its sockets
     * @throws Exception when the namespace cannot be entered or the sockets not made
     */
    public static NeighbourTable open(final NetNamespace namespace) throws Exception
    {
        return namespace.call(NeighbourTable::open);
    }

    /**
     * {@return the interface {@code ifindex}; an {@link ErrnoException} (ENODEV) names it when there is none}
     *
     * @param ifindex the interface's index
     */
    public synchronized InterfaceLink link(final int ifindex)
    {
        requireOpen();
        final String call = "RTM_GETLINK ifindex " + ifindex;
        requests.request(Rtnetlink.RTM_GETLINK, 0, Rtnetlink.ifinfomsg)
            .fixedInt(Rtnetlink.ifinfomsg_ifi_index, ifindex);
        final InterfaceLink[] link = new InterfaceLink[1];
        exchange(call, ifindex, (buffer, type, payload, length) ->
        {
            final String[] name = {null};
            final MacAddress[] mac = {null};
            final int[] mtu = {0};
            NetlinkAttributes.forEach(buffer, payload + Netlink.NLMSG_ALIGN((int)Rtnetlink.ifinfomsg.byteSize()),
                payload + length, (attribute, value, valueLength) ->
                {
                    if (attribute == IfLink.IFLA_IFNAME)
                    {
                        name[0] = NetlinkAttributes.string(buffer, value, valueLength);
                    }
                    else if (attribute == IfLink.IFLA_ADDRESS && valueLength == MacAddress.LENGTH)
                    {
                        mac[0] = MacAddress.of(NetlinkAttributes.bytes(buffer, value, valueLength));
                    }
                    else if (attribute == IfLink.IFLA_MTU && valueLength == Integer.BYTES)
                    {
                        mtu[0] = buffer.get(JAVA_INT, value);
                    }
                });
            link[0] = new InterfaceLink(buffer.get(JAVA_INT, payload + Rtnetlink.ifinfomsg_ifi_index), name[0], mac[0],
                mtu[0]);
        });
        if (link[0] == null)
        {
            throw new IllegalStateException(call + ": the kernel acknowledged without describing the interface");
        }
        return link[0];
    }

    /**
     * Every IPv4 and IPv6 neighbour entry of interface {@code ifindex}, in the kernel's order, including the NOARP
     * entries the kernel keeps for IPv6 multicast groups ({@code ip neigh} hides those).
     *
     * @param ifindex the interface's index
     * @return the entries
     */
    public synchronized List<NeighbourEntry> entries(final int ifindex)
    {
        requireOpen();
        // A dump filtered by an index that does not exist is just empty: say so instead.
        link(ifindex);
        final String call = "RTM_GETNEIGH dump ifindex " + ifindex;
        for (int attempt = 1; ; attempt++)
        {
            final List<NeighbourEntry> entries = new ArrayList<>();
            // Strict checking wants the filter as NDA_IFINDEX and the header's index 0.
            requests.request(Rtnetlink.RTM_GETNEIGH, Netlink.NLM_F_DUMP, Neighbour.ndmsg)
                .attributeInt(Neighbour.NDA_IFINDEX, ifindex);
            final boolean consistent = exchange(call, ifindex, (buffer, type, payload, length) ->
            {
                final NeighbourEntry entry = entry(buffer, type, payload, length);
                if (entry != null && entry.ifindex() == ifindex)
                {
                    entries.add(entry);
                }
            });
            if (consistent || attempt == DUMP_ATTEMPTS)
            {
                return entries;
            }
        }
    }

    /**
     * {@return the entry for {@code address} on {@code ifindex}, or empty when the table has none}
     *
     * @param ifindex the interface's index
     * @param address the neighbour's address
     */
    public synchronized Optional<NeighbourEntry> find(final int ifindex, final InetAddress address)
    {
        requireOpen();
        requests.request(Rtnetlink.RTM_GETNEIGH, 0, Neighbour.ndmsg)
            .fixedByte(Neighbour.ndmsg_ndm_family, family(address))
            .fixedInt(Neighbour.ndmsg_ndm_ifindex, ifindex)
            .attribute(Neighbour.NDA_DST, address.getAddress());
        final NeighbourEntry[] found = new NeighbourEntry[1];
        try
        {
            exchange("RTM_GETNEIGH " + address.getHostAddress() + " ifindex " + ifindex, ifindex,
                (buffer, type, payload, length) -> found[0] = entry(buffer, type, payload, length));
        }
        catch (final ErrnoException ex)
        {
            if (ex.errno() == Errno.ENOENT)
            {
                return Optional.empty();
            }
            throw ex;
        }
        return Optional.ofNullable(found[0]);
    }

    /**
     * Asks the kernel to resolve {@code address} on {@code ifindex} as if a packet were to be sent there
     * (RTM_NEWNEIGH with NTF_USE): it creates the entry if needed and sends an ARP request or neighbour solicitation,
     * or re-confirms a stale entry. Returns at once; {@link #resolve} waits for the answer. A reachable or permanent
     * entry is left as it is.
     *
     * @param ifindex the interface's index
     * @param address the neighbour's address
     */
    public synchronized void solicit(final int ifindex, final InetAddress address)
    {
        requireOpen();
        requests.request(Rtnetlink.RTM_NEWNEIGH, Netlink.NLM_F_CREATE, Neighbour.ndmsg)
            .fixedByte(Neighbour.ndmsg_ndm_family, family(address))
            .fixedInt(Neighbour.ndmsg_ndm_ifindex, ifindex)
            .fixedByte(Neighbour.ndmsg_ndm_flags, Neighbour.NTF_USE)
            .attribute(Neighbour.NDA_DST, address.getAddress());
        exchange("RTM_NEWNEIGH NTF_USE " + address.getHostAddress() + " ifindex " + ifindex, ifindex,
            (buffer, type, payload, length) ->
            {
            });
    }

    /**
     * The entry for {@code address} on {@code ifindex} once it has a usable MAC, asking the kernel to resolve it when
     * it has none (and again after a failed attempt) and waiting at most {@code timeout}. A stale entry is returned
     * at once, and the kernel is asked to re-confirm it.
     *
     * @throws NeighbourUnresolvedException when no host answered within {@code timeout}
     * @param ifindex the interface's index
     * @param address the neighbour's address
     * @param timeout how long to wait at most
     * @return the entry, with a MAC
     * @throws NeighbourUnresolvedException when it has none within {@code timeout}
     */
    public synchronized NeighbourEntry resolve(final int ifindex, final InetAddress address, final Duration timeout)
    {
        requireOpen();
        final long deadline = System.nanoTime() + timeout.toNanos();
        // Subscribed before the first look, so no change between the look and the wait can be missed.
        notifications.joinGroup(Rtnetlink.RTNLGRP_NEIGH);
        try
        {
            notifications.discardPending();
            Optional<NeighbourEntry> entry = find(ifindex, address);
            if (entry.isPresent() && entry.get().usable())
            {
                if (entry.get().state() == NeighbourState.STALE)
                {
                    solicit(ifindex, address);
                }
                return entry.get();
            }
            solicit(ifindex, address);
            while (true)
            {
                final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remaining <= 0)
                {
                    throw unresolved(ifindex, address, timeout, find(ifindex, address));
                }
                notifications.awaitNotification(Math.min(remaining, RECHECK_MILLIS));
                entry = find(ifindex, address);
                if (entry.isPresent() && entry.get().usable())
                {
                    return entry.get();
                }
                if (entry.isEmpty() || entry.get().state() == NeighbourState.FAILED ||
                    entry.get().state() == NeighbourState.NONE)
                {
                    // The kernel gave up (or collected the entry) before our deadline: ask again.
                    solicit(ifindex, address);
                }
            }
        }
        finally
        {
            notifications.leaveGroup(Rtnetlink.RTNLGRP_NEIGH);
        }
    }

    /** Closes both sockets. Idempotent. */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                notifications.close();
            }
            finally
            {
                requests.close();
            }
        }
    }

    private boolean exchange(final String call, final int ifindex, final RouteNetlinkSocket.ReplyHandler handler)
    {
        return requests.exchange(call, errno -> errno == Errno.ENODEV ?
            "no interface with index " + ifindex + " in this network namespace (ip link shows them)" : null, handler);
    }

    /** An entry from an RTM_NEWNEIGH message, or {@code null} for another family (e.g. a bridge's FDB). */
    private static NeighbourEntry entry(final MemorySegment buffer, final int type, final long payload, final int length)
    {
        if (type != Rtnetlink.RTM_NEWNEIGH || length < Neighbour.ndmsg.byteSize())
        {
            return null;
        }
        final int family = Byte.toUnsignedInt(buffer.get(JAVA_BYTE, payload + Neighbour.ndmsg_ndm_family));
        if (family != SysSocket.AF_INET && family != SysSocket.AF_INET6)
        {
            return null;
        }
        final byte[][] destination = {null};
        final MacAddress[] mac = {null};
        NetlinkAttributes.forEach(buffer, payload + Netlink.NLMSG_ALIGN((int)Neighbour.ndmsg.byteSize()),
            payload + length, (attribute, value, valueLength) ->
            {
                if (attribute == Neighbour.NDA_DST)
                {
                    destination[0] = NetlinkAttributes.bytes(buffer, value, valueLength);
                }
                else if (attribute == Neighbour.NDA_LLADDR && valueLength == MacAddress.LENGTH)
                {
                    mac[0] = MacAddress.of(NetlinkAttributes.bytes(buffer, value, valueLength));
                }
            });
        if (destination[0] == null)
        {
            return null;
        }
        final InetAddress address;
        try
        {
            address = InetAddress.getByAddress(destination[0]);
        }
        catch (final UnknownHostException ex)
        {
            return null;
        }
        final NeighbourState state = NeighbourState.of(
            Short.toUnsignedInt(buffer.get(JAVA_SHORT, payload + Neighbour.ndmsg_ndm_state)));
        final int flags = Byte.toUnsignedInt(buffer.get(JAVA_BYTE, payload + Neighbour.ndmsg_ndm_flags));
        return new NeighbourEntry(buffer.get(JAVA_INT, payload + Neighbour.ndmsg_ndm_ifindex), address, state,
            state.hasLinkAddress() ? mac[0] : null, flags);
    }

    private NeighbourUnresolvedException unresolved(
        final int ifindex, final InetAddress address, final Duration timeout, final Optional<NeighbourEntry> last)
    {
        final NeighbourState state = last.map(NeighbourEntry::state).orElse(null);
        final String protocol = address instanceof Inet4Address ? "ARP requests" : "neighbour solicitations";
        String where;
        try
        {
            where = link(ifindex).name() + " (ifindex " + ifindex + ")";
        }
        catch (final RuntimeException ex)
        {
            where = "ifindex " + ifindex;
        }
        return new NeighbourUnresolvedException(address.getHostAddress() + " on " + where + " did not resolve within " +
            timeout.toMillis() + " ms: no answer to the kernel's " + protocol + " (entry " +
            (state == null ? "gone" : state.name()) + "); is that host up and on this link?", address, ifindex, state);
    }

    private static int family(final InetAddress address)
    {
        return address instanceof Inet4Address ? SysSocket.AF_INET : SysSocket.AF_INET6;
    }

    private void requireOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("neighbour table closed");
        }
    }
}
