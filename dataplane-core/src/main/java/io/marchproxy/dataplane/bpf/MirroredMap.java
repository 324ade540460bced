package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A BPF map that one writer owns, with a copy of what that writer put in it, so that making it hold a new set of
 * entries costs a syscall per entry that changes, not one per entry held plus the walk that clears it: a configuration
 * change that adds a backend rewrites no entry of the XDP program's maps, one that adds a mapping a few. The copy is
 * trusted only while every write succeeded: after a failed one it is unknown, and the next {@link #replace} walks the
 * kernel's keys, deletes those not wanted, then writes every wanted entry. A wanted key is never deleted on the way, so
 * a map the XDP program reads while it is written (the VIP and SNAT sets) never lacks an entry that stays. Setup-rate,
 * one thread at a time.
 */
final class MirroredMap
{
    private static final HexFormat HEX = HexFormat.of();

    private final BpfMap map;
    private final int keyBytes;
    private final int valueBytes;
    /** Key -> value, as written; null when unknown. A map this program created starts empty. */
    private Map<Key, byte[]> written = new HashMap<>();

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

    /** A key's bytes, equal to another key of the same bytes. */
    private record Key(byte[] bytes)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key k && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString()
        {
            return HEX.formatHex(bytes);
        }
    }

    /**
     * The entries of a map to be, the last put of a key winning (as a map update does). Build one per change and hand
     * it to {@link #replace}.
     */
    static final class Entries
    {
        private final Map<Key, byte[]> entries = new HashMap<>();

        /** Adds or replaces the entry of {@code key} (the segments' contents are copied). */
        void put(final MemorySegment key, final MemorySegment value)
        {
            entries.put(new Key(key.toArray(JAVA_BYTE)), value.toArray(JAVA_BYTE));
        }

        int size()
        {
            return entries.size();
        }
    }

    /**
     * Makes the map hold exactly {@code wanted}: deletes the keys it holds beyond them, writes those whose value
     * differs or that it lacks. On a failed syscall the map is left partly written, the copy unknown, and the
     * exception thrown; entries of the wrong size are refused before any.
     *
     * @param wanted what the map is to hold
     * @return the syscalls that changed the map (updates and deletes)
     */
    int replace(final Entries wanted)
    {
        for (final Map.Entry<Key, byte[]> e : wanted.entries.entrySet())
        {
            if (e.getKey().bytes().length != keyBytes || e.getValue().length != valueBytes)
            {
                throw new IllegalArgumentException("an entry of " + e.getKey().bytes().length + " + "
                    + e.getValue().length + " bytes for a map of " + keyBytes + " + " + valueBytes);
            }
        }
        final Map<Key, byte[]> before = written;
        written = null;
        int changes = 0;
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment key = a.allocate(keyBytes);
            final MemorySegment value = a.allocate(valueBytes);
            if (before == null)
            {
                changes += prune(a, key, wanted);
            }
            else
            {
                for (final Key k : before.keySet())
                {
                    if (!wanted.entries.containsKey(k))
                    {
                        MemorySegment.copy(k.bytes(), 0, key, JAVA_BYTE, 0, keyBytes);
                        map.delete(key);
                        changes++;
                    }
                }
            }
            for (final Map.Entry<Key, byte[]> e : wanted.entries.entrySet())
            {
                if (before == null || !Arrays.equals(before.get(e.getKey()), e.getValue()))
                {
                    MemorySegment.copy(e.getKey().bytes(), 0, key, JAVA_BYTE, 0, keyBytes);
                    MemorySegment.copy(e.getValue(), 0, value, JAVA_BYTE, 0, valueBytes);
                    map.update(key, value, Libbpf.BPF_ANY);
                    changes++;
                }
            }
            written = new HashMap<>(wanted.entries);
        }
        return changes;
    }

    /**
     * Deletes every key the kernel's map holds that {@code wanted} lacks: the walk first (a hash map's walk restarts
     * when the key it stands on is deleted), then the deletes. Returns how many.
     */
    private int prune(final Arena a, final MemorySegment key, final Entries wanted)
    {
        final MemorySegment next = a.allocate(keyBytes);
        final List<byte[]> unwanted = new ArrayList<>();
        MemorySegment previous = MemorySegment.NULL;
        while (map.nextKey(previous, next))
        {
            final byte[] bytes = next.toArray(JAVA_BYTE);
            if (!wanted.entries.containsKey(new Key(bytes)))
            {
                unwanted.add(bytes);
            }
            MemorySegment.copy(next, 0, key, 0, keyBytes);
            previous = key;
        }
        for (final byte[] bytes : unwanted)
        {
            MemorySegment.copy(bytes, 0, key, JAVA_BYTE, 0, keyBytes);
            map.delete(key);
        }
        return unwanted.size();
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
            while (map.nextKey(previous, next))
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
