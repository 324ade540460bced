package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.linux.IfXdp;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring protocol over plain memory laid out as the kernel lays it out, with this test playing the kernel's side:
 * what a producer publishes, when it sees the consumer's progress, partial reservations, cancel, wrap-around of the
 * free-running 32-bit indices, and the need-wakeup flag.
 */
class RingProtocolTest
{
    private static final int SIZE = 8;

    @Test
    void descriptorArithmetic()
    {
        final RingDescriptor d = RingDescriptor.standalone(SIZE, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
        assertEquals(16, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
        assertEquals(3 * 64 + SIZE * 16, d.mappedLength());
        assertEquals(d.entriesOffset() + 3 * 16, d.entryOffset(SIZE * 5 + 3));
        assertEquals(d.entriesOffset() + 7 * 16, d.entryOffset(-1), "index -1 is 2^32-1, the last slot");
        assertThrows(IllegalArgumentException.class, () -> RingDescriptor.standalone(12, 8));
        assertThrows(IllegalArgumentException.class, () -> RingDescriptor.standalone(0, 8));
        assertThrows(IllegalArgumentException.class, () -> RingDescriptor.standalone(8, 12));
    }

    @Test
    void fillRingPublishesOnSubmitAndSeesConsumerProgressOnlyWhenFull()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RingDescriptor d = RingDescriptor.standalone(SIZE, RingDescriptor.ADDRESS_ENTRY_SIZE);
            final MemorySegment mem = arena.allocate(d.mappedLength(), 64);
            final FillRing fill = new FillRing(mem, d);

            assertEquals(5, fill.reserve(5));
            for (int i = 0; i < 5; i++)
            {
                fill.set(i, 4096L * i);
            }
            assertEquals(0, mem.get(JAVA_INT, d.producerOffset()), "nothing published before submit");
            fill.submit();
            assertEquals(5, mem.get(JAVA_INT, d.producerOffset()));
            for (int i = 0; i < 5; i++)
            {
                assertEquals(4096L * i, mem.get(JAVA_LONG, d.entryOffset(i)));
            }

            assertEquals(3, fill.reserve(10), "only three slots left");
            fill.cancel(3);
            assertEquals(0, fill.reserve(0));

            // The kernel consumes four entries; the producer sees it when it runs short.
            mem.set(JAVA_INT, d.consumerOffset(), 4);
            assertEquals(7, fill.reserve(7));
            fill.submit();
            assertEquals(12, mem.get(JAVA_INT, d.producerOffset()));
            assertEquals(0, fill.reserve(1), "full again");
            assertEquals(8, fill.outstanding());
        }
    }

    @Test
    void rxRingPeekReleaseCancel()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RingDescriptor d = RingDescriptor.standalone(SIZE, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
            final MemorySegment mem = arena.allocate(d.mappedLength(), 64);
            final RxRing rx = new RxRing(mem, d);
            assertEquals(0, rx.peek(4));

            kernelProduce(mem, d, 0, 6);
            assertEquals(4, rx.peek(4));
            for (int i = 0; i < 4; i++)
            {
                assertEquals(1000L + i, rx.address(i));
                assertEquals(60 + i, rx.length(i));
                assertEquals(i, rx.options(i));
            }
            rx.cancel(1);
            rx.release();
            assertEquals(3, mem.get(JAVA_INT, d.consumerOffset()), "the cancelled entry is not released");
            assertEquals(3, rx.peek(64));
            assertEquals(1003L, rx.address(0));
            assertEquals(1005L, rx.address(2));
            rx.release();
            assertEquals(6, mem.get(JAVA_INT, d.consumerOffset()));
            assertEquals(0, rx.peek(64));
        }
    }

    @Test
    void indicesWrapAroundTwoToThe32()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RingDescriptor fd = RingDescriptor.standalone(SIZE, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
            final MemorySegment txMem = arena.allocate(fd.mappedLength(), 64);
            final int start = -3; // 2^32 - 3: the next eight indices cross the wrap
            txMem.set(JAVA_INT, fd.producerOffset(), start);
            txMem.set(JAVA_INT, fd.consumerOffset(), start);
            final TxRing tx = new TxRing(txMem, fd);
            assertEquals(SIZE, tx.reserve(SIZE + 1));
            for (int i = 0; i < SIZE; i++)
            {
                tx.set(i, 7000L + i, 100 + i);
            }
            tx.submit();
            assertEquals(start + SIZE, txMem.get(JAVA_INT, fd.producerOffset()));
            for (int i = 0; i < SIZE; i++)
            {
                assertEquals(7000L + i, txMem.get(JAVA_LONG, fd.entryOffset(start + i)));
            }

            final RingDescriptor cd = RingDescriptor.standalone(SIZE, RingDescriptor.ADDRESS_ENTRY_SIZE);
            final MemorySegment crMem = arena.allocate(cd.mappedLength(), 64);
            crMem.set(JAVA_INT, cd.producerOffset(), start);
            crMem.set(JAVA_INT, cd.consumerOffset(), start);
            final CompletionRing cr = new CompletionRing(crMem, cd);
            for (int i = 0; i < 5; i++)
            {
                crMem.set(JAVA_LONG, cd.entryOffset(start + i), 9000L + i);
            }
            crMem.set(JAVA_INT, cd.producerOffset(), start + 5);
            assertEquals(5, cr.peek(SIZE));
            for (int i = 0; i < 5; i++)
            {
                assertEquals(9000L + i, cr.address(i));
            }
            cr.release();
            assertEquals(start + 5, crMem.get(JAVA_INT, cd.consumerOffset()));
        }
    }

    @Test
    void needWakeupFlag()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final RingDescriptor d = RingDescriptor.standalone(SIZE, RingDescriptor.ADDRESS_ENTRY_SIZE);
            final MemorySegment mem = arena.allocate(d.mappedLength(), 64);
            final FillRing fill = new FillRing(mem, d);
            assertFalse(fill.needsWakeup());
            mem.set(JAVA_INT, d.flagsOffset(), IfXdp.XDP_RING_NEED_WAKEUP);
            assertTrue(fill.needsWakeup());
        }
    }

    @Test
    void framePoolIsAStackThatRefusesOverflow()
    {
        final FramePool pool = new FramePool(2);
        assertEquals(FramePool.NO_FRAME, pool.acquire());
        assertTrue(pool.release(4096));
        assertTrue(pool.release(8192));
        assertFalse(pool.release(0), "a third frame in a pool of two is a double release");
        assertEquals(8192, pool.acquire());
        assertEquals(4096, pool.acquire());
        assertEquals(FramePool.NO_FRAME, pool.acquire());
    }

    private static void kernelProduce(final MemorySegment mem, final RingDescriptor d, final int from, final int count)
    {
        for (int i = from; i < from + count; i++)
        {
            final long slot = d.entryOffset(i);
            mem.set(JAVA_LONG, slot + RingDescriptor.DESC_ADDR_OFFSET, 1000L + i);
            mem.set(JAVA_INT, slot + RingDescriptor.DESC_LEN_OFFSET, 60 + i);
            mem.set(JAVA_INT, slot + RingDescriptor.DESC_OPTIONS_OFFSET, i);
        }
        mem.set(JAVA_INT, d.producerOffset(), from + count);
    }
}
