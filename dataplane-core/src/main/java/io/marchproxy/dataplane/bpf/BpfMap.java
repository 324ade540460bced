package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;
import io.marchproxy.ffm.libc.Errno;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A map of a loaded {@link BpfObject}, by descriptor. The descriptor belongs to the object: do not use a map after its
 * object is closed. Thread-safe as the kernel's map operations are.
 */
public final class BpfMap
{
    private final String name;
    private final int fd;

    BpfMap(final String name, final int fd)
    {
        this.name = name;
        this.fd = fd;
    }

    /** {@return the map's name in its object} */
    public String name()
    {
        return name;
    }

    /** {@return the map's file descriptor} */
    public int fd()
    {
        return fd;
    }

    /**
     * {@code bpf_map_update_elem}; throws with the errno on failure.
     *
     * @param key the key's bytes
     * @param value the value's bytes (every CPU's, for a per-CPU map)
     * @param flags {@code BPF_ANY}, {@code BPF_NOEXIST} or {@code BPF_EXIST}
     */
    public void update(final MemorySegment key, final MemorySegment value, final long flags)
    {
        Errno.checkNegated(Libbpf.bpf_map_update_elem(fd, key, value, flags), "bpf_map_update_elem(" + name + ")");
    }

    /**
     * Looks {@code key} up ({@code bpf_map_lookup_elem}), its value into {@code value}.
     *
     * @param key the key's bytes
     * @param value where the value goes
     * @return false when the key is absent
     */
    public boolean lookup(final MemorySegment key, final MemorySegment value)
    {
        final int rc = Libbpf.bpf_map_lookup_elem(fd, key, value);
        if (rc == -Errno.ENOENT)
        {
            return false;
        }
        Errno.checkNegated(rc, "bpf_map_lookup_elem(" + name + ")");
        return true;
    }

    /**
     * The key after {@code key} in the map's order ({@code bpf_map_get_next_key}), into {@code next}: walks every key
     * from {@code MemorySegment.NULL}. Throws with the errno on a failure other than the end of the walk.
     *
     * @param key the current key, or {@code MemorySegment.NULL} for the first
     * @param next where the next key goes
     * @return false after the last key
     */
    public boolean nextKey(final MemorySegment key, final MemorySegment next)
    {
        final int rc = Libbpf.bpf_map_get_next_key(fd, key, next);
        if (rc == -Errno.ENOENT)
        {
            return false;
        }
        Errno.checkNegated(rc, "bpf_map_get_next_key(" + name + ")");
        return true;
    }

    /**
     * Deletes {@code key} ({@code bpf_map_delete_elem}).
     *
     * @param key the key's bytes
     * @return false when the key was absent
     */
    public boolean delete(final MemorySegment key)
    {
        final int rc = Libbpf.bpf_map_delete_elem(fd, key);
        if (rc == -Errno.ENOENT)
        {
            return false;
        }
        Errno.checkNegated(rc, "bpf_map_delete_elem(" + name + ")");
        return true;
    }

    /**
     * Writes an {@code int} value under an {@code int} key (array and XSK maps).
     *
     * @param key the key
     * @param value the value
     */
    public void putInt(final int key, final int value)
    {
        try (Arena a = Arena.ofConfined())
        {
            update(a.allocateFrom(JAVA_INT, key), a.allocateFrom(JAVA_INT, value), Libbpf.BPF_ANY);
        }
    }

    /**
     * Deletes an {@code int} key: false when it was absent.
     *
     * @param key the key
     * @return false when the key was absent
     */
    public boolean deleteInt(final int key)
    {
        try (Arena a = Arena.ofConfined())
        {
            return delete(a.allocateFrom(JAVA_INT, key));
        }
    }

    /**
     * {@return the sum over all possible CPUs of a per-CPU {@code u64} value under an {@code int} key}
     *
     * @param key the key
     * @param scratch room for one value per possible CPU, reused
     */
    public long sumPerCpuLong(final int key, final MemorySegment scratch)
    {
        scratch.set(JAVA_INT, 0, key);
        final MemorySegment values = scratch.asSlice(Long.BYTES);
        if (!lookup(scratch.asSlice(0, Integer.BYTES), values))
        {
            return 0;
        }
        long sum = 0;
        for (long off = 0; off + Long.BYTES <= values.byteSize(); off += Long.BYTES)
        {
            sum += values.get(JAVA_LONG, off);
        }
        return sum;
    }
}
