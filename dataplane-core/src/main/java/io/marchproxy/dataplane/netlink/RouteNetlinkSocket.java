package io.marchproxy.dataplane.netlink;

import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.Poll;
import io.marchproxy.ffm.libc.SysSocket;
import io.marchproxy.ffm.libc.Unistd;
import io.marchproxy.ffm.linux.Netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A {@code NETLINK_ROUTE} socket in the network namespace of the thread that opened it: requests to the kernel with
 * their replies matched by sequence number, errors turned into {@link ErrnoException}s carrying the kernel's
 * extended-ACK text, and multicast group membership for change notifications. Not thread-safe; its owner serialises.
 */
final class RouteNetlinkSocket implements AutoCloseable
{
    /** Above the kernel's largest dump datagram (32 KiB less overhead), so no reply is ever truncated. */
    private static final int REPLY_BUFFER = 64 * 1024;
    private static final int REQUEST_BUFFER = 1024;
    /** The kernel answers at once; this only bounds a wait that something went badly wrong with. */
    private static final long REPLY_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(5);

    /** Receives one data message of a reply: its type and where its payload lies in the reply buffer. */
    @FunctionalInterface
    interface ReplyHandler
    {
        void message(MemorySegment buffer, int type, long payloadOffset, int payloadLength);
    }

    private final int fd;
    private final Arena arena;
    private final MemorySegment reply;
    private final MemorySegment kernelAddress;
    private final MemorySegment pollFd;
    private final NetlinkRequest request;
    private int sequence;

    private RouteNetlinkSocket(final int fd, final Arena arena)
    {
        this.fd = fd;
        this.arena = arena;
        this.reply = arena.allocate(REPLY_BUFFER, 8);
        this.kernelAddress = arena.allocate(Netlink.sockaddr_nl);
        kernelAddress.set(JAVA_SHORT, Netlink.sockaddr_nl_nl_family, (short)SysSocket.AF_NETLINK);
        this.pollFd = arena.allocate(Poll.pollfd);
        pollFd.set(JAVA_INT, Poll.pollfd_fd, fd);
        pollFd.set(JAVA_SHORT, Poll.pollfd_events, (short)Poll.POLLIN);
        this.request = new NetlinkRequest(arena.allocate(REQUEST_BUFFER, 8));
        this.sequence = (int)(System.nanoTime() & 0x7fff_ffff);
    }

    /** Opens and binds a socket in the calling thread's network namespace. */
    static RouteNetlinkSocket open()
    {
        final int fd = Errno.check(SysSocket.socket(SysSocket.AF_NETLINK,
            SysSocket.SOCK_RAW | SysSocket.SOCK_CLOEXEC, Netlink.NETLINK_ROUTE), "socket(AF_NETLINK, NETLINK_ROUTE)");
        final Arena arena = Arena.ofShared();
        final RouteNetlinkSocket socket = new RouteNetlinkSocket(fd, arena);
        try
        {
            // Port 0: the kernel assigns one. An unbound socket would not receive multicast notifications.
            final MemorySegment local = arena.allocate(Netlink.sockaddr_nl);
            local.set(JAVA_SHORT, Netlink.sockaddr_nl_nl_family, (short)SysSocket.AF_NETLINK);
            Errno.check(SysSocket.bind(fd, local, (int)Netlink.sockaddr_nl.byteSize()), "bind(AF_NETLINK)");
            // Errors carry the kernel's reason as text, without echoing our request back.
            socket.option(Netlink.NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            socket.option(Netlink.NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            // Dump requests are checked strictly, so a filter the kernel does not know fails instead of being ignored.
            socket.option(Netlink.NETLINK_GET_STRICT_CHK, 1, "NETLINK_GET_STRICT_CHK");
        }
        catch (final RuntimeException ex)
        {
            socket.close();
            throw ex;
        }
        return socket;
    }

    /** Starts the next request; write its fixed header and attributes, then {@link #exchange} it. */
    NetlinkRequest request(final int type, final int flags, final StructLayout fixed)
    {
        sequence = sequence == Integer.MAX_VALUE ? 1 : sequence + 1;
        return request.begin(type, flags | Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, sequence, fixed);
    }

    /**
     * Sends the current request and hands every data message of its reply to {@code handler} until the kernel
     * acknowledges it or ends the dump. Returns false when the kernel flagged a dump as inconsistent (the table
     * changed while it was read: dump again). {@code call} names the request in errors, which carry the kernel's
     * reason and what {@code advice} says about their errno ({@code null}: nothing to add).
     */
    boolean exchange(final String call, final IntFunction<String> advice, final ReplyHandler handler)
    {
        final int expected = request.sequence();
        Errno.check(SysSocket.sendto(fd, request.segment(), request.length(), 0, kernelAddress,
            (int)Netlink.sockaddr_nl.byteSize()), call + ": sendto");
        boolean consistent = true;
        while (true)
        {
            final long received = receive(call, REPLY_TIMEOUT_MILLIS);
            if (received < 0)
            {
                throw new IllegalStateException(call + ": no reply from the kernel within " + REPLY_TIMEOUT_MILLIS + " ms");
            }
            long offset = 0;
            while (offset + Netlink.NLMSG_HDRLEN <= received)
            {
                final int length = reply.get(JAVA_INT, offset + Netlink.nlmsghdr_nlmsg_len);
                if (length < Netlink.NLMSG_HDRLEN || offset + length > received)
                {
                    throw new IllegalStateException(call + ": malformed netlink reply (message of " + length +
                        " bytes at " + offset + " of " + received + ")");
                }
                final int type = Short.toUnsignedInt(reply.get(JAVA_SHORT, offset + Netlink.nlmsghdr_nlmsg_type));
                final int flags = Short.toUnsignedInt(reply.get(JAVA_SHORT, offset + Netlink.nlmsghdr_nlmsg_flags));
                // Replies to an earlier request that timed out carry an older sequence number.
                if (reply.get(JAVA_INT, offset + Netlink.nlmsghdr_nlmsg_seq) == expected)
                {
                    consistent &= (flags & Netlink.NLM_F_DUMP_INTR) == 0;
                    final long payload = offset + Netlink.NLMSG_HDRLEN;
                    if (type == Netlink.NLMSG_ERROR || type == Netlink.NLMSG_DONE)
                    {
                        final int error = length >= Netlink.NLMSG_HDRLEN + Integer.BYTES ?
                            reply.get(JAVA_INT, payload + Netlink.nlmsgerr_error) : 0;
                        if (error < 0)
                        {
                            throw new ErrnoException(call, -error,
                                hint(kernelReason(type, flags, offset, length), advice.apply(-error)));
                        }
                        return consistent;
                    }
                    if (type >= Netlink.NLMSG_MIN_TYPE)
                    {
                        handler.message(reply, type, payload, length - Netlink.NLMSG_HDRLEN);
                    }
                }
                offset += Netlink.NLMSG_ALIGN(length);
            }
        }
    }

    /** Subscribes to multicast {@code group} (an RTNLGRP_* value). */
    void joinGroup(final int group)
    {
        option(Netlink.NETLINK_ADD_MEMBERSHIP, group, "NETLINK_ADD_MEMBERSHIP " + group);
    }

    /** Unsubscribes from {@code group}. */
    void leaveGroup(final int group)
    {
        option(Netlink.NETLINK_DROP_MEMBERSHIP, group, "NETLINK_DROP_MEMBERSHIP " + group);
    }

    /**
     * Waits up to {@code timeoutMillis} for any message (a notification) and discards everything queued: the caller
     * only needs to know that something changed. Returns whether anything arrived.
     */
    boolean awaitNotification(final long timeoutMillis)
    {
        boolean any = false;
        long wait = timeoutMillis;
        while (receive("netlink notifications", wait) >= 0)
        {
            any = true;
            wait = 0;
        }
        return any;
    }

    /** Drops whatever notifications are queued. */
    void discardPending()
    {
        awaitNotification(0);
    }

    @Override
    public void close()
    {
        Unistd.close(fd);
        arena.close();
    }

    /**
     * Receives one datagram into the reply buffer, waiting up to {@code timeoutMillis}; -1 when none came. A receive
     * queue that overflowed (ENOBUFS: notifications were lost) counts as an arrival of nothing in particular.
     */
    private long receive(final String call, final long timeoutMillis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true)
        {
            final long received = SysSocket.recvfrom(fd, reply, REPLY_BUFFER, SysSocket.MSG_DONTWAIT |
                SysSocket.MSG_TRUNC, MemorySegment.NULL, MemorySegment.NULL);
            if (received > REPLY_BUFFER)
            {
                throw new IllegalStateException(call + ": netlink reply of " + received + " bytes exceeds the " +
                    REPLY_BUFFER + "-byte buffer");
            }
            if (received >= 0)
            {
                return received;
            }
            final int errno = CallState.errno();
            if (errno == Errno.ENOBUFS)
            {
                return 0;
            }
            if (errno != Errno.EAGAIN && errno != Errno.EINTR)
            {
                throw new ErrnoException(call + ": recvfrom", errno);
            }
            final long remaining = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (remaining <= 0 && errno == Errno.EAGAIN)
            {
                return -1;
            }
            final int ready = Poll.poll(pollFd, 1, (int)Math.min(Math.max(remaining, 0), Integer.MAX_VALUE));
            if (ready < 0 && CallState.errno() != Errno.EINTR)
            {
                throw new ErrnoException(call + ": poll", CallState.errno());
            }
        }
    }

    /** The extended-ACK message of an error, or {@code null} when the kernel gave none. */
    private String kernelReason(final int type, final int flags, final long offset, final int length)
    {
        if (type != Netlink.NLMSG_ERROR || (flags & Netlink.NLM_F_ACK_TLVS) == 0)
        {
            return null;
        }
        final long error = offset + Netlink.NLMSG_HDRLEN;
        long attributes = error + Netlink.nlmsgerr.byteSize();
        if ((flags & Netlink.NLM_F_CAPPED) == 0)
        {
            final int echoed = reply.get(JAVA_INT, error + Netlink.nlmsgerr_msg + Netlink.nlmsghdr_nlmsg_len);
            attributes += Netlink.NLMSG_ALIGN(echoed - Netlink.NLMSG_HDRLEN);
        }
        final String[] reason = new String[1];
        NetlinkAttributes.forEach(reply, attributes, offset + length, (attribute, value, valueLength) ->
        {
            if (attribute == Netlink.NLMSGERR_ATTR_MSG)
            {
                reason[0] = NetlinkAttributes.string(reply, value, valueLength);
            }
        });
        return reason[0] == null || reason[0].isEmpty() ? null : "kernel says \"" + reason[0] + "\"";
    }

    private static String hint(final String reason, final String advice)
    {
        if (reason == null || advice == null)
        {
            return reason == null ? advice : reason;
        }
        return reason + "; " + advice;
    }

    private void option(final int name, final int value, final String what)
    {
        try (Arena local = Arena.ofConfined())
        {
            final MemorySegment flag = local.allocateFrom(JAVA_INT, value);
            Errno.check(SysSocket.setsockopt(fd, SysSocket.SOL_NETLINK, name, flag, Integer.BYTES),
                "setsockopt(SOL_NETLINK, " + what + ")");
        }
    }
}
