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
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;
    public static final int AF_XDP = 44;

    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int SOCK_CLOEXEC = 0x80000;

    public static final int SOL_SOCKET = 1;
    public static final int SOL_NETLINK = 270;
    public static final int SOL_XDP = 283;

    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_BUSY_POLL = 46;
    public static final int SO_PREFER_BUSY_POLL = 69;
    public static final int SO_BUSY_POLL_BUDGET = 70;

    public static final int MSG_TRUNC = 0x20;
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

    public static MethodHandle socket$handle()
    {
        return SOCKET;
    }

    public static MethodHandle bind$handle()
    {
        return BIND;
    }

    public static MethodHandle setsockopt$handle()
    {
        return SETSOCKOPT;
    }

    public static MethodHandle getsockopt$handle()
    {
        return GETSOCKOPT;
    }

    public static MethodHandle sendto$handle()
    {
        return SENDTO;
    }

    public static MethodHandle recvfrom$handle()
    {
        return RECVFROM;
    }

    /** {@code int socket(int domain, int type, int protocol)}; errno captured. */
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

    /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)}; errno captured. */
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

    /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)}; errno captured. */
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

    /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)}; errno captured. */
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

    /** {@code ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen)}. */
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

    /** {@code ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from, socklen_t *fromlen)}. */
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
