package io.marchproxy.ffm.libc;

import io.marchproxy.ffm.CHeader;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.Downcalls;
import io.marchproxy.ffm.JavaOnly;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** {@code <sys/mman.h>}: mapping ring and UMEM memory. */
@CHeader("sys/mman.h")
public final class SysMman
{
    /** Pages may not be accessed. */
    public static final int PROT_NONE = 0;
    /** Pages may be read. */
    public static final int PROT_READ = 1;
    /** Pages may be written. */
    public static final int PROT_WRITE = 2;
    /** Share the mapping: writes are visible to other mappings of the object (the kernel's ring memory). */
    public static final int MAP_SHARED = 0x1;
    /** A private copy-on-write mapping. */
    public static final int MAP_PRIVATE = 0x2;
    /** Not backed by a file; {@code fd} is ignored. */
    public static final int MAP_ANONYMOUS = 0x20;
    /** Populate (prefault) the page tables. */
    public static final int MAP_POPULATE = 0x8000;
    /** Use huge pages. */
    public static final int MAP_HUGETLB = 0x40000;

    /** {@code MAP_FAILED}, {@code (void *)-1}, as an address. */
    @JavaOnly
    public static final long MAP_FAILED_ADDRESS = -1L;

    private static final MethodHandle MMAP = Downcalls.libcErrno(
        "mmap", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = Downcalls.libcErrno(
        "munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

    private SysMman()
    {
    }

    /** {@return the downcall handle of {@code mmap}} */
    public static MethodHandle mmap$handle()
    {
        return MMAP;
    }

    /** {@return the downcall handle of {@code munmap}} */
    public static MethodHandle munmap$handle()
    {
        return MUNMAP;
    }

    /**
     * {@code void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)}; errno captured. The result
     * is a zero-length segment: test it with {@link #failed(MemorySegment)}, then {@code reinterpret} it to {@code len}.
     *
     * @param addr a placement hint, or {@code NULL}
     * @param len the mapping's length
     * @param prot {@code PROT_*}
     * @param flags {@code MAP_*}
     * @param fd the object to map (an AF_XDP socket for its rings), or -1
     * @param offset where in the object (the ring's page offset)
     * @return the mapping's address as a zero-length segment, or one at {@link #MAP_FAILED_ADDRESS} with errno set
     */
    public static MemorySegment mmap(
        final MemorySegment addr, final long len, final int prot, final int flags, final int fd, final long offset)
    {
        try
        {
            return (MemorySegment)MMAP.invokeExact(CallState.segment(), addr, len, prot, flags, fd, offset);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * {@code int munmap(void *addr, size_t len)}; errno captured.
     *
     * @param addr the mapping's address
     * @param len its length
     * @return 0, or -1 with errno set
     */
    public static int munmap(final MemorySegment addr, final long len)
    {
        try
        {
            return (int)MUNMAP.invokeExact(CallState.segment(), addr, len);
        }
        catch (final Throwable ex)
        {
            throw Downcalls.rethrow(ex);
        }
    }

    /**
     * Whether an {@code mmap} result is {@code MAP_FAILED}.
     *
     * @param mapped what {@code mmap} returned
     * @return true when it failed
     */
    public static boolean failed(final MemorySegment mapped)
    {
        return mapped.address() == MAP_FAILED_ADDRESS;
    }
}
