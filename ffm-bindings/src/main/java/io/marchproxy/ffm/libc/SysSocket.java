package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code <sys/socket.h>}: sockets, socket options and the address families the dataplane uses. */
@CHeader("sys/socket.h")
public final class SysSocket
{
    /** Local (Unix domain) sockets. */
    public static final int AF_UNIX = 1;
    /** IPv4. */
    public static final int AF_INET = 2;
    /** IPv6. */
    public static final int AF_INET6 = 10;
    /** Netlink: talking to the kernel (routing, neighbours). */
    public static final int AF_NETLINK = 16;
    /** Raw packets at the device level. */
    public static final int AF_PACKET = 17;
    /** AF_XDP: sockets over an XDP program's redirect. */
    public static final int AF_XDP = 44;

    /** A connection-based byte stream. */
    public static final int SOCK_STREAM = 1;
    /** Datagrams. */
    public static final int SOCK_DGRAM = 2;
    /** Raw access (AF_XDP sockets are {@code SOCK_RAW}). */
    public static final int SOCK_RAW = 3;
    /** Non-blocking, set at creation. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** Close on {@code exec}, set at creation. */
    public static final int SOCK_CLOEXEC = 0x80000;

    /** Socket-level options. */
    public static final int SOL_SOCKET = 1;
    /** Netlink options. */
    public static final int SOL_NETLINK = 270;
    /** AF_XDP options (rings, UMEM, statistics). */
    public static final int SOL_XDP = 283;

    /** Send buffer size. */
    public static final int SO_SNDBUF = 7;
    /** Receive buffer size. */
    public static final int SO_RCVBUF = 8;
    /** Busy polling: microseconds to busy-poll for packets on a blocking receive or poll. */
    public static final int SO_BUSY_POLL = 46;
    /** Busy polling: prefer it over interrupts (the socket's NAPI context). */
    public static final int SO_PREFER_BUSY_POLL = 69;
    /** Busy polling: packets per busy-poll. */
    public static final int SO_BUSY_POLL_BUDGET = 70;

    /** Return the real length of a datagram that did not fit. */
    public static final int MSG_TRUNC = 0x20;
    /** Do not block. */
    public static final int MSG_DONTWAIT = 0x40;

    private static final MethodHandle SOCKET = Downcalls.libcErrno(
        "socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = Downcalls.libcErrno(
        "bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Downcalls.libcErrno(
        "setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Downcalls.libcErrno(
        "getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = Downcalls.libcErrno(
        "sendto", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = Downcalls.libcErrno(
        "recvfrom", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));

    private SysSocket()
    {
    }

    /** {@return the downcall handle of {@code socket}} */
    public static MethodHandle socket$handle()
    {
        return SOCKET;
    }

    /** {@return the downcall handle of {@code bind}} */
    public static MethodHandle bind$handle()
    {
        return BIND;
    }

    /** {@return the downcall handle of {@code setsockopt}} */
    public static MethodHandle setsockopt$handle()
    {
        return SETSOCKOPT;
    }

    /** {@return the downcall handle of {@code getsockopt}} */
    public static MethodHandle getsockopt$handle()
    {
        return GETSOCKOPT;
    }

    /** {@return the downcall handle of {@code sendto}} */
    public static MethodHandle sendto$handle()
    {
        return SENDTO;
    }

    /** {@return the downcall handle of {@code recvfrom}} */
    public static MethodHandle recvfrom$handle()
    {
        return RECVFROM;
    }

    /**
     * {@code int socket(int domain, int type, int protocol)}; errno captured.
     *
     * @param domain {@code AF_*}
     * @param type {@code SOCK_*}, with {@link #SOCK_NONBLOCK}/{@link #SOCK_CLOEXEC}
     * @param protocol the protocol, 0 for the default
     * @return the descriptor, or -1 with errno set
     */
    public static int socket(final int domain, final int type, final int protocol)
    {
        try
        {
            return (int)SOCKET.invokeExact(CallState.segment(), domain, type, protocol);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}; errno captured.
     *
     * @param fd the socket
     * @param addr the address, a {@code struct sockaddr} of the socket's family
     * @param len the address's size
     * @return 0, or -1 with errno set
     */
    public static int bind(final int fd, final MemorySegment addr, final int len)
    {
        try
        {
            return (int)BIND.invokeExact(CallState.segment(), fd, addr, len);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}; errno captured.
     *
     * @param fd the socket
     * @param level {@code SOL_*}
     * @param name the option
     * @param value its value
     * @param len the value's size
     * @return 0, or -1 with errno set
     */
    public static int setsockopt(final int fd, final int level, final int name, final MemorySegment value, final int len)
    {
        try
        {
            return (int)SETSOCKOPT.invokeExact(CallState.segment(), fd, level, name, value, len);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}; errno captured.
     *
     * @param fd the socket
     * @param level {@code SOL_*}
     * @param name the option
     * @param value where the value goes
     * @param len the value's size on input, the size written on output
     * @return 0, or -1 with errno set
     */
    public static int getsockopt(
        final int fd, final int level, final int name, final MemorySegment value, final MemorySegment len)
    {
        try
        {
            return (int)GETSOCKOPT.invokeExact(CallState.segment(), fd, level, name, value, len);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t
     * tolen)}.
     *
     * @param fd the socket
     * @param buf the data
     * @param len its length
     * @param flags {@code MSG_*}
     * @param to the destination, or {@code NULL}
     * @param toLen its size
     * @return the bytes sent, or -1 with errno set
     */
    public static long sendto(
        final int fd, final MemorySegment buf, final long len, final int flags, final MemorySegment to, final int toLen)
    {
        try
        {
            return (long)SENDTO.invokeExact(CallState.segment(), fd, buf, len, flags, to, toLen);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)}.
     *
     * @param fd the socket
     * @param buf where the data goes
     * @param len its capacity
     * @param flags {@code MSG_*}
     * @param from where the sender's address goes, or {@code NULL}
     * @param fromLen its size on input and output, or {@code NULL}
     * @return the bytes received, or -1 with errno set
     */
    public static long recvfrom(
        final int fd, final MemorySegment buf, final long len, final int flags, final MemorySegment from,
        final MemorySegment fromLen)
    {
        try
        {
            return (long)RECVFROM.invokeExact(CallState.segment(), fd, buf, len, flags, from, fromLen);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }
}
