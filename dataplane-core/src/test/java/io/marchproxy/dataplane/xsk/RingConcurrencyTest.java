package io.marchproxy.dataplane.xsk;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The acquire/release protocol between two threads, as between the process and the kernel: a {@link TxRing} producer
 * and an {@link RxRing} consumer over the same descriptor-ring memory (same entry layout), a small ring so that
 * indices wrap often and both sides keep meeting. Every descriptor must arrive once, in order, with the fields
 * written before its producer index was published. On x86 (TSO) this mainly proves the free-space and wrap-around
 * arithmetic under real concurrency; the ordering itself rests on the acquire/release access modes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RingConcurrencyTest
{
    private static final int CAPACITY = 64;
    private static final int ENTRIES = 500_000;

    @Test
    void producerAndConsumerThreadsSeeEveryEntryInOrder() throws Exception
    {
        try (Arena arena = Arena.ofShared())
        {
            final RingDescriptor d = RingDescriptor.standalone(CAPACITY, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
            final MemorySegment memory = arena.allocate(d.mappedLength(), 64);
            final TxRing producer = new TxRing(memory, d);
            final RxRing consumer = new RxRing(memory, d);
            final AtomicReference<String> failure = new AtomicReference<>();

            final Thread consumerThread = new Thread(() ->
            {
                long expected = 0;
                while (expected < ENTRIES && failure.get() == null)
                {
                    final int n = consumer.peek(16);
                    for (int i = 0; i < n; i++)
                    {
                        final long address = consumer.address(i);
                        final int length = consumer.length(i);
                        if (address != expected || length != (int)(expected * 7) || consumer.options(i) != 1)
                        {
                            failure.compareAndSet(null, "entry " + expected + ": address " + address + ", length " +
                                length);
                        }
                        expected++;
                    }
                    if (n == 0)
                    {
                        Thread.yield();
                    }
                    consumer.release();
                }
            }, "ring-consumer");
            consumerThread.start();

            long next = 0;
            while (next < ENTRIES && failure.get() == null && consumerThread.isAlive())
            {
                final int n = producer.reserve((int)Math.min(1 + (next % 23), ENTRIES - next));
                for (int i = 0; i < n; i++)
                {
                    producer.set(i, next, (int)(next * 7), 1);
                    next++;
                }
                if (n == 0)
                {
                    Thread.yield();
                }
                producer.submit();
            }
            consumerThread.join(TimeUnit.SECONDS.toMillis(30));
            assertNull(failure.get());
            assertEquals(ENTRIES, next);
            assertEquals(ENTRIES, consumer.consumerIndex());
            assertEquals(0, producer.outstanding(), "the consumer released every entry");
        }
    }
}
