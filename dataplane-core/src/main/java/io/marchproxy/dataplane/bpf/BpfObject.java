package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.NativeAccess;
import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libbpf.LibbpfLog;
import io.marchproxy.ffm.libc.Errno;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A BPF ELF object opened from memory by libbpf and loaded into the kernel. Closing it unloads its programs and
 * closes its map descriptors (maps pinned nowhere disappear once nothing else holds them).
 *
 * <p>Not thread-safe: set it up and close it on one thread; its map and program descriptors may be used anywhere.
 */
public final class BpfObject implements AutoCloseable
{
    private final String name;
    private final Arena arena = Arena.ofShared();
    private MemorySegment object;
    private boolean loaded;

    private BpfObject(final String name, final byte[] elf)
    {
        this.name = name;
        LibbpfLog.install();
        // libbpf keeps pointers into the buffer until close, so the buffer lives in this object's arena.
        final MemorySegment buf = arena.allocate(elf.length, 8);
        MemorySegment.copy(elf, 0, buf, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, elf.length);
        final MemorySegment obj = Libbpf.bpf_object__open_mem(buf, elf.length, MemorySegment.NULL);
        if (obj.equals(MemorySegment.NULL))
        {
            final int errno = CallState.errno();
            arena.close();
            throw new ErrnoException("bpf_object__open_mem(" + name + ")", errno);
        }
        object = obj;
    }

    /**
     * Opens (does not load) an object from its ELF bytes; {@code name} is for messages.
     *
     * @param name the object's name, for messages
     * @param elf the ELF object's bytes
     * @return the opened object
     */
    public static BpfObject open(final String name, final byte[] elf)
    {
        NativeAccess.require(BpfObject.class.getModule());
        return new BpfObject(name, elf);
    }

    /**
     * Opens an object shipped as a class-path resource, e.g. {@code
     * /io/marchproxy/dataplane/bpf/xdp_xsk.bpf.o}.
     *
     * @param resource the resource's absolute path
     * @return the opened object
     */
    public static BpfObject openResource(final String resource)
    {
        try (InputStream in = BpfObject.class.getResourceAsStream(resource))
        {
            if (in == null)
            {
                throw new IllegalStateException("BPF object " + resource + " is not on the class path " +
                    "(dataplane-core's build compiles bpf/*.bpf.c into it: was it built with clang present?)");
            }
            return open(resource, in.readAllBytes());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Sizes map {@code mapName} to {@code maxEntries} entries; before {@link #load()}.
     *
     * @param mapName the map's name in the object
     * @param maxEntries its size in entries, at least 1
     * @return this object
     */
    public BpfObject maxEntries(final String mapName, final int maxEntries)
    {
        if (loaded)
        {
            throw new IllegalStateException(name + " is loaded: maps are sized before loading");
        }
        if (maxEntries < 1)
        {
            throw new IllegalArgumentException("a map holds at least one entry, not " + maxEntries);
        }
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment map = Libbpf.bpf_object__find_map_by_name(handle(), a.allocateFrom(mapName));
            if (map.equals(MemorySegment.NULL))
            {
                throw new IllegalArgumentException("no map " + mapName + " in " + name);
            }
            Errno.checkNegated(Libbpf.bpf_map__set_max_entries(map, maxEntries),
                "bpf_map__set_max_entries(" + mapName + ", " + maxEntries + ")");
        }
        return this;
    }

    /**
     * Loads every program and creates every map in the kernel; verifier failures are logged through libbpf.
     *
     * @return this object
     */
    public BpfObject load()
    {
        final int rc = Libbpf.bpf_object__load(handle());
        if (rc < 0)
        {
            final String hint = -rc == Errno.EPERM ?
                "loading BPF programs needs root or CAP_BPF + CAP_NET_ADMIN (and CAP_PERFMON for some helpers)" : null;
            throw new ErrnoException("bpf_object__load(" + name + ")", -rc, hint);
        }
        loaded = true;
        return this;
    }

    /**
     * {@return the map called {@code mapName}, once loaded}
     *
     * @param mapName the map's name in the object
     */
    public BpfMap map(final String mapName)
    {
        requireLoaded();
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment map = Libbpf.bpf_object__find_map_by_name(handle(), a.allocateFrom(mapName));
            if (map.equals(MemorySegment.NULL))
            {
                throw new IllegalArgumentException("no map " + mapName + " in " + name);
            }
            return new BpfMap(mapName, Errno.checkNegated(Libbpf.bpf_map__fd(map), "bpf_map__fd(" + mapName + ")"));
        }
    }

    /**
     * {@return the descriptor of the loaded program called {@code programName}}
     *
     * @param programName the program's name in the object
     */
    public int programFd(final String programName)
    {
        requireLoaded();
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment prog = Libbpf.bpf_object__find_program_by_name(handle(), a.allocateFrom(programName));
            if (prog.equals(MemorySegment.NULL))
            {
                throw new IllegalArgumentException("no program " + programName + " in " + name);
            }
            return Errno.checkNegated(Libbpf.bpf_program__fd(prog), "bpf_program__fd(" + programName + ")");
        }
    }

    @Override
    public void close()
    {
        if (object != null)
        {
            Libbpf.bpf_object__close(object);
            object = null;
            arena.close();
        }
    }

    private MemorySegment handle()
    {
        if (object == null)
        {
            throw new IllegalStateException(name + " is closed");
        }
        return object;
    }

    private void requireLoaded()
    {
        handle();
        if (!loaded)
        {
            throw new IllegalStateException(name + " is not loaded");
        }
    }
}
