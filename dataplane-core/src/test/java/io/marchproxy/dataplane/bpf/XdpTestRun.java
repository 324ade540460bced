package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Runs an XDP program on frames given to the kernel ({@code BPF_PROG_TEST_RUN}): no interface, the program's maps as
 * they are; root or CAP_BPF. The frame is copied in and the program's output is kept for {@link #output}. Tests only;
 * its buffers are reused, so a run allocates nothing but what the caller does.
 */
public final class XdpTestRun implements AutoCloseable
{
    public static final int XDP_ABORTED = 0;
    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_REDIRECT = 4;

    private final int programFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment opts = arena.allocate(Libbpf.bpf_test_run_opts);
    private final MemorySegment in = arena.allocate(4096);
    private final MemorySegment out = arena.allocate(4096);
    private int outputLength;

    public XdpTestRun(final int programFd)
    {
        this.programFd = programFd;
    }

    /** Runs the program once on {@code frame}; returns its XDP action. */
    public int run(final byte[] frame)
    {
        MemorySegment.copy(frame, 0, in, JAVA_BYTE, 0, frame.length);
        return run(frame.length);
    }

    /** Runs the program once on the first {@code length} bytes last copied in (no copy, no allocation). */
    public int run(final int length)
    {
        return run(length, 1);
    }

    /**
     * Runs the program {@code repeat} times in a row on the first {@code length} bytes last copied in, each run on what
     * the previous one left; returns the last run's action ({@link #nanosPerRun()} says how long a run took).
     */
    public int run(final int length, final int repeat)
    {
        opts.fill((byte)0);
        opts.set(JAVA_LONG, Libbpf.bpf_test_run_opts_sz, Libbpf.bpf_test_run_opts.byteSize());
        opts.set(ADDRESS, Libbpf.bpf_test_run_opts_data_in, in);
        opts.set(ADDRESS, Libbpf.bpf_test_run_opts_data_out, out);
        opts.set(JAVA_INT, Libbpf.bpf_test_run_opts_data_size_in, length);
        opts.set(JAVA_INT, Libbpf.bpf_test_run_opts_data_size_out, (int)out.byteSize());
        opts.set(JAVA_INT, Libbpf.bpf_test_run_opts_repeat, repeat);
        Errno.checkNegated(Libbpf.bpf_prog_test_run_opts(programFd, opts), "bpf_prog_test_run_opts");
        outputLength = opts.get(JAVA_INT, Libbpf.bpf_test_run_opts_data_size_out);
        return opts.get(JAVA_INT, Libbpf.bpf_test_run_opts_retval);
    }

    /** The kernel's average time per run of the last {@link #run(int, int)}, in nanoseconds. */
    public int nanosPerRun()
    {
        return opts.get(JAVA_INT, Libbpf.bpf_test_run_opts_duration);
    }

    /** The frame as the program left it in the last run. */
    public byte[] output()
    {
        return out.asSlice(0, outputLength).toArray(JAVA_BYTE);
    }

    @Override
    public void close()
    {
        arena.close();
    }
}
