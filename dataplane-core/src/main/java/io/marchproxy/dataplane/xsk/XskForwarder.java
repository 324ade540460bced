package io.marchproxy.dataplane.xsk;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Forwards the frames received on one {@link XskSocket} out of another that shares its {@link Umem}, without copying:
 * the RX descriptor's address goes into the other socket's TX ring after an in-place {@link Rewriter rewrite}. An
 * agrona {@link Agent}: run it on a duty-cycle thread with {@link org.agrona.concurrent.AgentRunner} and
 * {@link #idleStrategy(int)}, or call {@link #doWork()} from a loop of your own. It owns neither socket.
 *
 * <p>One turn: take completed TX frames back into the pool, refill the fill ring, receive at most {@code batch}
 * frames and at most as many as the TX ring has room for (the rest wait in the RX ring: a frame the forwarder has
 * taken is never dropped for want of TX room; under sustained overload it is the kernel that drops, when the RX ring is
 * full, counted in {@link XskSocket#statistics()}), queue them, publish and kick when the ring asks for it. No
 * allocation and no exception on this path.
 *
 * <p>With an {@link Egress} (QoS) the rewritten frames go to it instead of straight to the TX ring: it may send them,
 * hold them or drop them (counting why), and each turn it gets to send what it holds. The forwarder then receives a
 * full batch whatever the ring's room, since the egress decides (by priority) what waits and what is dropped. In copy
 * mode give {@code out} a TX budget of at least the batch ({@link XskSocket.Builder#txBudgetIfSupported}): with the
 * kernel's 32 a turn may take a batch of 64 and send 32, and the egress's queues grow by the difference.
 *
 * <p>Threads: {@link #doWork()} and the idle strategy belong to the one duty-cycle thread that owns both sockets;
 * {@link #forwarded()} and {@link #dropped()} may be read from any thread (released by the writer, acquired by the
 * reader).
 */
public final class XskForwarder implements Agent, PacketHandler
{
    private static final VarHandle FORWARDED;
    private static final VarHandle DROPPED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            FORWARDED = lookup.findVarHandle(XskForwarder.class, "forwarded", long.class);
            DROPPED = lookup.findVarHandle(XskForwarder.class, "dropped", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /** Rewrites a received frame in place before it leaves (MAC/IP addresses, TTL, checksums). */
    @FunctionalInterface
    public interface Rewriter
    {
        /**
         * Rewrites {@code packet} in place; {@code false} drops it (the frame goes back to the pool).
         *
         * @param packet the received packet, in place
         * @return true to transmit it, false to drop it
         */
        boolean rewrite(Packet packet);
    }

    /**
     * What a forwarder hands its rewritten frames to instead of the TX ring, e.g. priority queues and shapers. For the
     * forwarder's thread; must neither throw nor allocate.
     */
    public interface Egress
    {
        /**
         * Takes the rewritten {@code packet}: true when it was sent or is held (it will leave through the out socket's
         * TX ring, or be given back to the pool by the egress), false when it is dropped (counted by the egress; the
         * forwarder gives the frame back).
         *
         * @param packet the rewritten frame
         * @return true when it was sent or is held, false when it was dropped
         */
        boolean accept(Packet packet);

        /** {@return the frames sent} Sends what may leave now; called at least once per turn. */
        int release();
    }

    private final XskSocket in;
    private final XskSocket out;
    private final int batch;
    private final Rewriter rewriter;
    private final Egress egress;
    private long forwarded;
    private long dropped;

    /**
     * A forwarder that sends every rewritten frame straight to {@code out}'s TX ring (no {@link Egress}).
     *
     * @param in the socket to receive on (with an RX ring)
     * @param out the socket to transmit on (with a TX ring, same UMEM; may be {@code in} to bounce frames back)
     * @param batch frames per turn, 1..the RX ring size
     * @param rewriter what to do to each frame before it leaves
     */
    public XskForwarder(final XskSocket in, final XskSocket out, final int batch, final Rewriter rewriter)
    {
        this(in, out, batch, rewriter, null);
    }

    /**
     * A forwarder from {@code in} to {@code out}, neither of which it owns.
     *
     * @param in the socket to receive on (with an RX ring)
     * @param out the socket to transmit on (with a TX ring, same UMEM; may be {@code in} to bounce frames back)
     * @param batch frames per turn, 1..the RX ring size
     * @param rewriter what to do to each frame before it leaves
     * @param egress what takes the rewritten frames (and sends them on {@code out}), or null to send them directly
     */
    public XskForwarder(
        final XskSocket in, final XskSocket out, final int batch, final Rewriter rewriter, final Egress egress)
    {
        this.egress = egress;
        this.in = Objects.requireNonNull(in, "in");
        this.out = Objects.requireNonNull(out, "out");
        this.rewriter = Objects.requireNonNull(rewriter, "rewriter");
        if (in.umem() != out.umem())
        {
            throw new IllegalArgumentException("in and out must share one UMEM to forward without a copy");
        }
        if (in.rxRing() == null || out.txRing() == null)
        {
            throw new IllegalArgumentException("in needs an RX ring and out a TX ring");
        }
        if (batch < 1 || batch > in.rxRing().capacity())
        {
            throw new IllegalArgumentException("batch must be 1.." + in.rxRing().capacity() + ": " + batch);
        }
        this.batch = batch;
    }

    /** Fills {@code in}'s fill ring from the pool, so that a burst arriving before the first turn finds frames. */
    @Override
    public void onStart()
    {
        in.fillAll();
    }

    @Override
    public int doWork()
    {
        final XskSocket out = this.out;
        final int completed = out.complete();
        final int received;
        int released = 0;
        if (egress == null)
        {
            received = in.receive(out.txRoom(batch), this);
        }
        else
        {
            // Held frames first (what came due leaves before newer frames may overtake it), then the new batch.
            released = egress.release();
            received = in.receive(batch, this);
            if (received > 0)
            {
                released += egress.release();
            }
        }
        out.flush();
        return completed + received + released;
    }

    @Override
    public boolean onPacket(final Packet packet)
    {
        if (rewriter.rewrite(packet) && (egress == null ? out.transmit(packet) : egress.accept(packet)))
        {
            FORWARDED.setRelease(this, forwarded + 1); // single writer: a plain read, a release store
            return true;
        }
        DROPPED.setRelease(this, dropped + 1);
        return false;
    }

    @Override
    public String roleName()
    {
        return "xsk-forwarder-" + in.ifindex() + ":" + in.queue() + "->" + out.ifindex() + ":" + out.queue();
    }

    /** {@return frames queued for transmission on {@code out} (with an {@link Egress}: taken by it); any thread} */
    public long forwarded()
    {
        return (long)FORWARDED.getAcquire(this);
    }

    /**
     * {@return frames the rewriter refused (or, never with the room check, that found the TX ring full); any thread}
     */
    public long dropped()
    {
        return (long)DROPPED.getAcquire(this);
    }

    /**
     * The idle strategy of this forwarder ({@link XskPollIdleStrategy}): spins while frames are in flight on
     * {@code out}, else sleeps in {@code poll(POLLIN)} on {@code in} for at most {@code pollTimeoutMs}.
     *
     * @param pollTimeoutMs how long one poll may sleep
     * @return the idle strategy
     */
    public IdleStrategy idleStrategy(final int pollTimeoutMs)
    {
        return new XskPollIdleStrategy(new XskPoller(in), pollTimeoutMs, out);
    }
}
