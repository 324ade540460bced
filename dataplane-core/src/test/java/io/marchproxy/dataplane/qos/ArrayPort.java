package io.marchproxy.dataplane.qos;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A TX port over lists, for tests: records what was sent and discarded; its room can be set. */
final class ArrayPort implements TxPort
{
    final List<long[]> sent = new ArrayList<>();
    final Set<Long> discarded = new HashSet<>();
    int room = Integer.MAX_VALUE;

    @Override
    public int txRoom(final int max)
    {
        return Math.min(max, room);
    }

    @Override
    public boolean transmit(final long address, final int length)
    {
        if (room <= 0)
        {
            return false;
        }
        if (room != Integer.MAX_VALUE)
        {
            room--;
        }
        sent.add(new long[]{address, length});
        return true;
    }

    @Override
    public void discard(final long address)
    {
        if (!discarded.add(address))
        {
            throw new AssertionError("frame " + address + " discarded twice");
        }
    }

    long sentBytes()
    {
        long total = 0;
        for (final long[] s : sent)
        {
            total += s[1];
        }
        return total;
    }
}
