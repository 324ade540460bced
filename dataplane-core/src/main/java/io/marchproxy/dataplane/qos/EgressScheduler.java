package io.marchproxy.dataplane.qos;

import io.marchproxy.dataplane.counter.SingleWriterCounters;
import io.marchproxy.dataplane.packet.DropReason;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * What stands between the proxy and one interface's TX ring when QoS is on: a shaper for services over their rate, a
 * bounded FIFO queue per {@link PriorityClass}, and a deficit round robin between the classes within the interface's
 * egress rate and the ring's room.
 *
 * <p>{@link #offer} takes a rewritten frame with its class, the instant its service's {@link TokenBucket} lets it
 * leave, and its delay bound. A frame whose tokens would come later than the bound is dropped at once
 * ({@link DropReason#QOS_RATE_EXCEEDED}, counted per class as a delay drop: the service's backlog is full); one that may leave now goes straight to the TX ring when nothing is queued and the
 * link and ring have room (the common, uncongested case: no queue touched); otherwise it joins its class's queue. A
 * frame that must wait for tokens waits in a timing wheel of {@value #SLOTS} slots of 2^{@value #SLOT_SHIFT} ns
 * (about 65 us; {@link #HORIZON} in all) and joins its class's queue when its slot comes. {@link #release} moves due
 * frames out of the wheel and sends queued frames: each class in turn gets a quantum of bytes proportional to its
 * weight, so under congestion the classes share the link 40/30/20/10 by default and a lightly loaded P0 waits at most
 * about one quantum of each other class. A frame still queued for the link a bound after it became eligible is
 * dropped ({@link DropReason#QOS_DELAY_EXCEEDED}), as is one finding its queue or the shaper full
 * ({@link DropReason#QOS_QUEUE_FULL}); both are counted per class. (So the shaper's wait, which the service's own
 * rate causes, and the queue's wait, which the other traffic causes, are bounded each by the bound: a shaped frame
 * that came due while the worker was busy is not punished for it.)
 *
 * <p>No thread sleeps here and nothing reads the clock: the caller passes the time it read once for the batch.
 * Garbage-free (every queue and wheel entry is preallocated) and exception-free per frame; for the one thread that
 * owns the interface's socket. {@link #counters()} may be read from any thread.
 */
public final class EgressScheduler
{
    /** log2 of a wheel slot's length in nanoseconds: 65.536 us. */
    public static final int SLOT_SHIFT = 16;
    /** Wheel slots: the wheel spans {@link #HORIZON}. */
    public static final int SLOTS = 1 << 14;
    /** How far ahead the shaper can hold a frame: about 1.07 s. */
    public static final Duration HORIZON = Duration.ofNanos((long)SLOTS << SLOT_SHIFT);
    /** Bytes of credit a class gets per round for each unit of weight: weight 10 covers a 1514-byte frame. */
    public static final int QUANTUM_PER_WEIGHT = 160;
    /** Frames {@link #release} sends at most per call. */
    public static final int RELEASE_BATCH = 256;

    private static final int NONE = -1;
    private static final int SLOT_MASK = SLOTS - 1;
    private static final int CLASSES = PriorityClass.COUNT;
    private static final int PER_CLASS = QosCounter.values().length;

    private final TxPort port;
    private final SingleWriterCounters drops;
    private final SingleWriterCounters counters;
    private final TokenBucket link;
    private final int[] quantum = new int[CLASSES];
    private final int[] deficit = new int[CLASSES];
    private final long[] delayMax = new long[CLASSES];

    private final int queueShift;
    private final int queueMask;
    private final long[] queueAddress;
    private final long[] queueArrival;
    private final long[] queueDeadline;
    private final int[] queueLength;
    private final int[] head = new int[CLASSES];
    private final int[] tail = new int[CLASSES];
    private int backlogged;
    private int current;
    private boolean creditGiven;

    private final int[] slotFirst = new int[SLOTS];
    private final int[] slotLast = new int[SLOTS];
    private final long[] entryAddress;
    private final long[] entryArrival;
    private final long[] entryDeadline;
    private final int[] entryLength;
    private final int[] entryClass;
    private final int[] entryNext;
    private int freeEntry;
    private int shaped;
    private long cursor;

    /**
     * A scheduler with every queue empty.
     *
     * @param settings its classes, link rate and sizes ({@code enabled} is the caller's business)
     * @param port     the TX ring frames go to and the pool dropped frames go back to
     * @param drops    the proxy's drop counters by {@link DropReason}, shared with the rest of the worker
     */
    public EgressScheduler(final QosSettings settings, final TxPort port, final SingleWriterCounters drops)
    {
        this.port = Objects.requireNonNull(port, "port");
        this.drops = Objects.requireNonNull(drops, "drops");
        this.counters = new SingleWriterCounters(labels());
        this.link = settings.linkBitsPerSecond() > 0
            ? new TokenBucket(settings.linkBitsPerSecond(), settings.linkBurstBytes()) : null;
        for (final PriorityClass c : PriorityClass.values())
        {
            quantum[c.ordinal()] = settings.of(c).weight() * QUANTUM_PER_WEIGHT;
        }
        final int capacity = settings.queueFrames();
        queueShift = Integer.numberOfTrailingZeros(capacity);
        queueMask = capacity - 1;
        queueAddress = new long[CLASSES * capacity];
        queueArrival = new long[CLASSES * capacity];
        queueDeadline = new long[CLASSES * capacity];
        queueLength = new int[CLASSES * capacity];

        final int entries = settings.shaperFrames();
        entryAddress = new long[entries];
        entryArrival = new long[entries];
        entryDeadline = new long[entries];
        entryLength = new int[entries];
        entryClass = new int[entries];
        entryNext = new int[entries];
        for (int i = 0; i < entries; i++)
        {
            entryNext[i] = i + 1 < entries ? i + 1 : NONE;
        }
        Arrays.fill(slotFirst, NONE);
        Arrays.fill(slotLast, NONE);
    }

    private static String[] labels()
    {
        final String[] labels = new String[CLASSES * PER_CLASS];
        for (final PriorityClass c : PriorityClass.values())
        {
            for (final QosCounter k : QosCounter.values())
            {
                labels[c.ordinal() * PER_CLASS + k.ordinal()] = c.name().toLowerCase(Locale.ROOT) + "_"
                    + k.name().toLowerCase(Locale.ROOT);
            }
        }
        return labels;
    }

    /**
     * Takes a frame of class {@code cls} arriving at {@code now}: sends it, queues it or holds it until
     * {@code eligibleAt}. Returns false, after counting why, when it is dropped: the caller gives the frame back.
     *
     * @param address    the frame's UMEM address
     * @param length     the frame's length
     * @param cls        its class's ordinal ({@link PriorityClass#ordinal()})
     * @param now        the time now ({@code System.nanoTime()})
     * @param eligibleAt when its service's tokens let it leave ({@code now} for a service without a limit)
     * @param boundNanos the longest it may wait for its tokens, and then for the link
     * @return true when it was sent, queued or held; false when it was dropped
     */
    public boolean offer(
        final long address, final int length, final int cls, final long now, final long eligibleAt,
        final long boundNanos)
    {
        if ((eligibleAt >> SLOT_SHIFT) > (now >> SLOT_SHIFT))
        {
            return shape(address, length, cls, now, eligibleAt, boundNanos);
        }
        if (backlogged == 0 && (link == null || link.conformsAt(now) <= now) && port.txRoom(1) > 0
            && port.transmit(address, length))
        {
            if (link != null)
            {
                link.consume(now, length);
            }
            sent(cls, length, 0);
            return true;
        }
        return enqueue(address, length, cls, now, now + boundNanos);
    }

    private boolean shape(
        final long address, final int length, final int cls, final long now, final long eligibleAt,
        final long boundNanos)
    {
        if (eligibleAt - now > boundNanos || (eligibleAt >> SLOT_SHIFT) - (now >> SLOT_SHIFT) >= SLOTS)
        {
            return drop(cls, QosCounter.DROPPED_DELAY, DropReason.QOS_RATE_EXCEEDED);
        }
        final int e = freeEntry;
        if (e == NONE)
        {
            return drop(cls, QosCounter.DROPPED_QUEUE_FULL, DropReason.QOS_QUEUE_FULL);
        }
        if (shaped == 0)
        {
            cursor = now >> SLOT_SHIFT;
        }
        freeEntry = entryNext[e];
        entryAddress[e] = address;
        entryArrival[e] = now;
        entryDeadline[e] = eligibleAt + boundNanos; // the bound again, for the wait for the link
        entryLength[e] = length;
        entryClass[e] = cls;
        entryNext[e] = NONE;
        final int slot = (int)((eligibleAt >> SLOT_SHIFT) & SLOT_MASK);
        if (slotLast[slot] == NONE)
        {
            slotFirst[slot] = e;
        }
        else
        {
            entryNext[slotLast[slot]] = e;
        }
        slotLast[slot] = e;
        shaped++;
        count(cls, QosCounter.SHAPED, 1);
        return true;
    }

    private boolean enqueue(
        final long address, final int length, final int cls, final long arrival, final long deadline)
    {
        if (tail[cls] - head[cls] > queueMask)
        {
            return drop(cls, QosCounter.DROPPED_QUEUE_FULL, DropReason.QOS_QUEUE_FULL);
        }
        final int at = (cls << queueShift) | (tail[cls] & queueMask);
        queueAddress[at] = address;
        queueArrival[at] = arrival;
        queueDeadline[at] = deadline;
        queueLength[at] = length;
        tail[cls]++;
        backlogged |= 1 << cls;
        count(cls, QosCounter.QUEUED, 1);
        return true;
    }

    /**
     * Moves frames whose tokens have come out of the shaper, then sends queued frames as the classes' turns, the link
     * rate and the TX ring's room allow. Call once or twice per turn with the turn's time.
     *
     * @param now the turn's time ({@code System.nanoTime()})
     * @return frames sent
     */
    public int release(final long now)
    {
        if (shaped > 0)
        {
            advance(now);
        }
        if (backlogged == 0)
        {
            return 0;
        }
        int room = port.txRoom(RELEASE_BATCH);
        int sent = 0;
        while (room > 0 && backlogged != 0)
        {
            final int c = current;
            if ((backlogged & (1 << c)) == 0)
            {
                deficit[c] = 0;
                nextClass();
                continue;
            }
            if (!creditGiven)
            {
                deficit[c] += quantum[c];
                creditGiven = true;
            }
            final int at = (c << queueShift) | (head[c] & queueMask);
            if (queueDeadline[at] < now)
            {
                pop(c);
                port.discard(queueAddress[at]);
                drop(c, QosCounter.DROPPED_DELAY, DropReason.QOS_DELAY_EXCEEDED);
                continue;
            }
            final int length = queueLength[at];
            if (length > deficit[c])
            {
                nextClass();
                continue;
            }
            if ((link != null && link.conformsAt(now) > now) || !port.transmit(queueAddress[at], length))
            {
                break;
            }
            pop(c);
            deficit[c] -= length;
            if (link != null)
            {
                link.consume(now, length);
            }
            sent(c, length, now - queueArrival[at]);
            room--;
            sent++;
        }
        return sent;
    }

    /** Moves the frames of every slot up to now's into their classes' queues, in the order they were held. */
    private void advance(final long now)
    {
        final long target = now >> SLOT_SHIFT;
        while (cursor < target && shaped > 0)
        {
            cursor++;
            final int slot = (int)(cursor & SLOT_MASK);
            int e = slotFirst[slot];
            if (e == NONE)
            {
                continue;
            }
            slotFirst[slot] = NONE;
            slotLast[slot] = NONE;
            while (e != NONE)
            {
                final int next = entryNext[e];
                final int cls = entryClass[e];
                if (!enqueue(entryAddress[e], entryLength[e], cls, entryArrival[e], entryDeadline[e]))
                {
                    port.discard(entryAddress[e]);
                }
                entryNext[e] = freeEntry;
                freeEntry = e;
                shaped--;
                e = next;
            }
        }
        if (shaped == 0)
        {
            cursor = target;
        }
    }

    private void pop(final int c)
    {
        head[c]++;
        if (head[c] == tail[c])
        {
            backlogged &= ~(1 << c);
        }
    }

    private void nextClass()
    {
        current = (current + 1) & (CLASSES - 1);
        creditGiven = false;
    }

    private void sent(final int cls, final int length, final long delay)
    {
        final int base = cls * PER_CLASS;
        counters.increment(base + QosCounter.SENT.ordinal());
        counters.add(base + QosCounter.SENT_BYTES.ordinal(), length);
        if (delay > 0)
        {
            counters.add(base + QosCounter.DELAY_TOTAL_NANOS.ordinal(), delay);
            if (delay > delayMax[cls])
            {
                counters.add(base + QosCounter.DELAY_MAX_NANOS.ordinal(), delay - delayMax[cls]);
                delayMax[cls] = delay;
            }
        }
    }

    private boolean drop(final int cls, final QosCounter counter, final DropReason reason)
    {
        count(cls, counter, 1);
        drops.increment(reason);
        return false;
    }

    private void count(final int cls, final QosCounter counter, final long n)
    {
        counters.add(cls * PER_CLASS + counter.ordinal(), n);
    }

    /** {@return frames held now (shaper and queues); owner thread} */
    public int held()
    {
        int held = shaped;
        for (int c = 0; c < CLASSES; c++)
        {
            held += tail[c] - head[c];
        }
        return held;
    }

    /** Gives every held frame back to the pool, uncounted (the proxy stops); owner thread. */
    public void discardAll()
    {
        for (int c = 0; c < CLASSES; c++)
        {
            while (head[c] != tail[c])
            {
                port.discard(queueAddress[(c << queueShift) | (head[c] & queueMask)]);
                head[c]++;
            }
        }
        backlogged = 0;
        for (int slot = 0; slot < SLOTS; slot++)
        {
            int e = slotFirst[slot];
            while (e != NONE)
            {
                final int next = entryNext[e];
                port.discard(entryAddress[e]);
                entryNext[e] = freeEntry;
                freeEntry = e;
                e = next;
            }
            slotFirst[slot] = NONE;
            slotLast[slot] = NONE;
        }
        shaped = 0;
    }

    /** {@return per-class counters, indexed {@code class * QosCounter count + counter}; any thread} */
    public SingleWriterCounters counters()
    {
        return counters;
    }

    /**
     * {@return a class's counter; any thread}
     *
     * @param c       the class
     * @param counter the counter
     */
    public long counter(final PriorityClass c, final QosCounter counter)
    {
        return counters.get(c.ordinal() * PER_CLASS + counter.ordinal());
    }
}
