package io.marchproxy.ffm;

import io.marchproxy.ffm.libc.Errno;

/**
 * A native call failed with an errno. The message names the call, the errno symbol and its text, e.g.
 * {@code setsockopt(XDP_UMEM_REG): ENOBUFS (No buffer space available)}.
 */
public class ErrnoException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public ErrnoException(final String call, final int errno)
    {
        this(call, errno, null);
    }

    /** With {@code hint}, a sentence appended to the message that says what to do about it. */
    public ErrnoException(final String call, final int errno, final String hint)
    {
        super(call + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")" + (hint == null ? "" : ": " + hint));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, with the detail that tells it apart (e.g. the socket option). */
    public String call()
    {
        return call;
    }

    /** The errno value. */
    public int errno()
    {
        return errno;
    }

    /** The errno symbol, e.g. {@code EBUSY}. */
    public String errnoName()
    {
        return Errno.name(errno);
    }
}
