package io.marchproxy.ffm;

import io.marchproxy.ffm.libc.Errno;

/**
 * A native call failed with an errno. The message names the call, the errno symbol and its text, e.g.
 * {@code setsockopt(XDP_UMEM_REG): ENOBUFS (No buffer space available)}.
 */
public class ErrnoException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The call that failed, with the detail that tells it apart. */
    private final String call;
    /** The errno value. */
    private final int errno;

    /**
     * A failure of {@code call} with {@code errno}.
     *
     * @param call the call that failed, with the detail that tells it apart
     * @param errno the errno value
     */
    public ErrnoException(final String call, final int errno)
    {
        this(call, errno, null);
    }

    /**
     * With {@code hint}, a sentence appended to the message that says what to do about it.
     *
     * @param call the call that failed, with the detail that tells it apart
     * @param errno the errno value
     * @param hint what to do about it, or null
     */
    public ErrnoException(final String call, final int errno, final String hint)
    {
        super(call + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")" + (hint == null ? "" : ": " + hint));
        this.call = call;
        this.errno = errno;
    }

    /** {@return the call that failed, with the detail that tells it apart (e.g. the socket option)} */
    public String call()
    {
        return call;
    }

    /** {@return the errno value} */
    public int errno()
    {
        return errno;
    }

    /** {@return the errno symbol, e.g. {@code EBUSY}} */
    public String errnoName()
    {
        return Errno.name(errno);
    }
}
