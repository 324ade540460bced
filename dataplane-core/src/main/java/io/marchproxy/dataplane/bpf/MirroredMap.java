package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A BPF map that one writer owns, with a copy of what that writer put in it, so that making it hold a new set of
 * entries costs a syscall per entry that changes, not one per entry held plus the walk that clears it: a configuration
 * change that adds a backend rewrites no entry of the XDP program's maps, one that adds a mapping a few. The copy is
 * trusted only while every write succeeded: after a failed one it is unknown, and the next {@link #replace} clears the
 * map from the kernel's side (walking its keys) before writing. Setup-rate, one thread at a time.
 */
final class MirroredMap
{
    private static final HexFormat HEX = HexFormat.of();

    private final BpfMap map;
    private final int keyBytes;
    private final int valueBytes;
    /** Hex key -> value, as written; null when unknown. A map this program created starts empty. */
    private Map<String, byte[]> written = new HashMap<>();

    /**
     * @param map a map only this writer changes, empty now
     * @param keyBytes its key size
     * @param valueBytes its value size
     */
    MirroredMap(final BpfMap map, final long keyBytes, final long valueBytes)
    {
        this.map = map;
        this.keyBytes = Math.toIntExact(keyBytes);
        this.valueBytes = Math.toIntExact(valueBytes);
    }

    /**
     * The entries of a map to be: key and value bytes by the key's hex, the last put of a key winning (as a map update
     * does). Build one per change and hand it to {@link #replace}.
     */
    static final class Entries
    {
        private final Map<String, byte[][]> entries = new HashMap<>();

        /** Adds or replaces the entry of {@code key} (the segments' contents are copied). */
        void put(final MemorySegment key, final MemorySegment value)
        {
            final byte[] k = key.toArray(JAVA_BYTE);
            entries.put(HEX.formatHex(k), new byte[][]{k, value.toArray(JAVA_BYTE)});
        }

        int size()
        {
            return entries.size();
        }
    }

    /**
     * Makes the map hold exactly {@code wanted}: deletes the keys it holds beyond them, writes those whose value
     * differs or that it lacks. On a failed syscall the map is left partly written, the copy unknown, and the
     * exception thrown.
     *
     * @param wanted what the map is to hold
     * @return the syscalls that changed the map (updates and deletes)
     */
    int replace(final Entries wanted)
    {
        final Map<String, byte[]> before = written;
        written = null;
        int changes = 0;
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment key = a.allocate(keyBytes);
            final Map<String, byte[]> after = new HashMap<>(Math.max(16, wanted.size() * 2));
            if (before == null)
            {
                changes += clear(a, key);
            }
            else
            {
                for (final Map.Entry<String, byte[]> e : before.entrySet())
                {
                    if (!wanted.entries.containsKey(e.getKey()))
                    {
                        MemorySegment.copy(HEX.parseHex(e.getKey()), 0, key, JAVA_BYTE, 0, keyBytes);
                        map.delete(key);
                        changes++;
                    }
                }
            }
            for (final Map.Entry<String, byte[][]> e : wanted.entries.entrySet())
            {
                final byte[] value = e.getValue()[1];
                if (before == null || !Arrays.equals(before.get(e.getKey()), value))
                {
                    map.update(a.allocateFrom(JAVA_BYTE, e.getValue()[0]), a.allocateFrom(JAVA_BYTE, value),
                        Libbpf.BPF_ANY);
                    changes++;
                }
                after.put(e.getKey(), value);
            }
            written = after;
        }
        return changes;
    }

    /** Deletes every key the kernel's map holds; returns how many. */
    private int clear(final Arena a, final MemorySegment key)
    {
        final MemorySegment next = a.allocate(keyBytes);
        int deleted = 0;
        while (Libbpf.bpf_map_get_next_key(map.fd(), MemorySegment.NULL, next) == 0)
        {
            MemorySegment.copy(next, 0, key, 0, keyBytes);
            map.delete(key);
            deleted++;
        }
        return deleted;
    }

    /** {@return every entry the kernel's map holds, hex key -> hex value, read back with its keys walked} */
    Map<String, String> read()
    {
        final Map<String, String> out = new HashMap<>();
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment cursor = a.allocate(keyBytes);
            final MemorySegment next = a.allocate(keyBytes);
            final MemorySegment value = a.allocate(valueBytes);
            MemorySegment previous = MemorySegment.NULL;
            while (Libbpf.bpf_map_get_next_key(map.fd(), previous, next) == 0)
            {
                if (map.lookup(next, value))
                {
                    out.put(HEX.formatHex(next.toArray(JAVA_BYTE)), HEX.formatHex(value.toArray(JAVA_BYTE)));
                }
                MemorySegment.copy(next, 0, cursor, 0, keyBytes);
                previous = cursor;
            }
        }
        return out;
    }
}
