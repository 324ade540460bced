package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every XDP program shipped in this jar has in common: its object loaded from the class path, its program
 * descriptor, and a per-CPU {@code u64} counter array read summed over all CPUs. {@link XskProgram} and
 * {@link L4Program} each own one. Counter reads are serialized (one scratch buffer); the rest is immutable.
 */
final class EmbeddedProgram implements AutoCloseable
{
    private final BpfObject object;
    private final int programFd;
    private final BpfMap counters;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment counterScratch;

    private EmbeddedProgram(final BpfObject object, final String program, final String counterMap)
    {
        this.object = object;
        this.programFd = object.programFd(program);
        this.counters = object.map(counterMap);
        this.counterScratch = arena.allocate((long)Long.BYTES * (1 + Libbpf.libbpf_num_possible_cpus()), 8);
    }

    /**
     * Loads {@code resource} into the kernel and wraps it with {@code wrapper}; the object is closed again if either
     * fails.
     */
    static <T> T load(
        final String resource, final String program, final String counterMap,
        final Function<EmbeddedProgram, T> wrapper)
    {
        return load(resource, program, counterMap, object -> { }, wrapper);
    }

    /** As {@link #load(String, String, String, Function)}, with {@code beforeLoad} sizing maps of the opened object. */
    static <T> T load(
        final String resource, final String program, final String counterMap, final Consumer<BpfObject> beforeLoad,
        final Function<EmbeddedProgram, T> wrapper)
    {
        final BpfObject object = BpfObject.openResource(resource);
        try
        {
            beforeLoad.accept(object);
            object.load();
            return wrapper.apply(new EmbeddedProgram(object, program, counterMap));
        }
        catch (final RuntimeException ex)
        {
            object.close();
            throw ex;
        }
    }

    BpfMap map(final String name)
    {
        return object.map(name);
    }

    int programFd()
    {
        return programFd;
    }

    XdpAttachment attach(final int ifindex, final XdpMode mode)
    {
        return XdpAttachment.attach(ifindex, programFd, mode);
    }

    synchronized long counter(final int index)
    {
        return counters.sumPerCpuLong(index, counterScratch);
    }

    @Override
    public void close()
    {
        object.close();
        arena.close();
    }
}
