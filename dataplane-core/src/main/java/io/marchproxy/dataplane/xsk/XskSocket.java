package io.marchproxy.dataplane.xsk;

import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.Poll;
import io.marchproxy.ffm.libc.SysMman;
import io.marchproxy.ffm.libc.SysSocket;
import io.marchproxy.ffm.libc.Unistd;
import io.marchproxy.ffm.linux.IfXdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_XDP socket bound to one (interface, queue), with its rings mapped and the packet API on top: receive a batch
 * as zero-copy {@link Packet}s, transmit UMEM frames, forward a received frame without copying it, and return
 * completed frames to the UMEM's {@link FramePool}. Built by {@link #builder(Umem)}; setup happens in the calling
 * thread's network namespace. After setup every method is for one owner thread (the one that also owns the UMEM's
 * pool, shared by all sockets of the UMEM); the packet methods neither allocate nor throw: failed kicks are counted.
 *
 * <pre>{@code
 * try (Umem umem = Umem.allocate(4096, 4096, 0);
 *      XskSocket in = XskSocket.builder(umem).interfaceName("eth0").queue(0).open();
 *      XskSocket out = XskSocket.builder(umem).interfaceName("eth1").queue(0).rxSize(0).sharedWith(in).open())
 * {
 *     in.registerIn(program);                 // XskProgram, attached to eth0 by the caller
 *     in.fillAll();
 *     PacketHandler forward = packet -> out.transmit(packet);   // same UMEM frame, no copy
 *     while (running)
 *     {
 *         out.complete();                     // transmitted frames back to the pool
 *         int n = in.receive(64, forward);    // received frames in place; refills the fill ring
 *         out.flush();                        // publish TX descriptors, kick only if the kernel needs it
 *         if (n == 0) idleStrategy.idle();    // or in.poll(Poll.POLLIN, timeout)
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #close()} unregisters the socket from the XDP program it was registered in, unmaps the rings and closes
 * the descriptor, in that order. Close sockets before their {@link Umem}, and detach the program (its
 * {@code XdpAttachment}) before or after as the caller prefers: the kernel drops frames for a closed socket.
 */
public final class XskSocket implements AutoCloseable
{
    /** Frames moved per refill of the fill ring at most, matching the kernel's NAPI budget. */
    private static final int REFILL_BATCH = 64;

    /**
     * Frames one copy-mode TX kick sends when the socket sets no budget (the kernel's {@code TX_BATCH_SIZE}), and the
     * least {@link Builder#txBudget(int)} takes.
     */
    public static final int KERNEL_TX_BUDGET = 32;

    /** Offsets of the fields of {@code struct xdp_statistics}, in the order of {@link XskStatistics}. */
    private static final long[] STATISTICS_OFFSETS = {
        statisticsOffset("rx_dropped"),
        statisticsOffset("rx_invalid_descs"),
        statisticsOffset("tx_invalid_descs"),
        statisticsOffset("rx_ring_full"),
        statisticsOffset("rx_fill_ring_empty_descs"),
        statisticsOffset("tx_ring_empty_descs"),
    };

    private final int fd;
    private final int ifindex;
    /** The interface's name (for messages) and the network namespace the socket was bound in. */
    private final String ifname;
    private final long namespaceId;
    private final int queue;
    private final Umem umem;
    private final FramePool pool;
    private final Arena arena;
    private final FillRing fill;
    private final CompletionRing completion;
    private final RxRing rx;
    private final TxRing tx;
    private final boolean zeroCopy;
    private final boolean needWakeup;
    private final boolean busyPoll;
    private final int txBudget;
    private final MemorySegment pollFd;
    private final Packet packet;
    /** The socket whose fill and completion rings this one uses, or null when it has its own. */
    private final XskSocket ringOwner;

    private XskProgram program;
    private boolean closed;
    private int ringSharers;
    private int txQueued;
    private long rxPackets;
    private long txSubmitted;
    private long txCompleted;
    private long txKicks;
    private long rxWakeups;
    private long kickRetries;
    private long kickErrors;
    private int lastKickErrno;
    /** Where the kick and wake-up syscalls write errno: this socket's own, allocated once. */
    private final MemorySegment kickState;

    private XskSocket(final Builder b, final String ifname, final long namespaceId, final int fd, final Arena arena,
        final FillRing fill,
        final CompletionRing completion, final RxRing rx, final TxRing tx, final boolean zeroCopy,
        final boolean busyPoll, final int txBudget, final XskSocket ringOwner)
    {
        this.fd = fd;
        this.ifindex = b.ifindex;
        this.ifname = ifname;
        this.namespaceId = namespaceId;
        this.queue = b.queue;
        this.umem = b.umem;
        this.pool = b.umem.pool();
        this.arena = arena;
        this.fill = fill;
        this.completion = completion;
        this.rx = rx;
        this.tx = tx;
        this.zeroCopy = zeroCopy;
        this.needWakeup = b.shared != null ? b.shared.needWakeup : b.needWakeup;
        this.busyPoll = busyPoll;
        this.txBudget = txBudget;
        this.pollFd = arena.allocate(Poll.pollfd);
        this.pollFd.set(JAVA_INT, Poll.pollfd_fd, fd);
        this.packet = new Packet(b.umem);
        this.ringOwner = ringOwner;
        this.kickState = CallState.allocate(arena);
    }

    /**
     * {@return a builder for a socket over {@code umem}}
     *
     * @param umem the UMEM the socket's frames live in
     */
    public static Builder builder(final Umem umem)
    {
        return new Builder(umem);
    }

    /** {@return the socket's file descriptor, e.g. for an XSKMAP} */
    public int fd()
    {
        return fd;
    }

    /** {@return the index of the interface the socket is bound to} */
    public int ifindex()
    {
        return ifindex;
    }

    /** {@return the queue the socket is bound to} */
    public int queue()
    {
        return queue;
    }

    /** {@return the UMEM the socket's frames live in} */
    public Umem umem()
    {
        return umem;
    }

    /** {@return whether the kernel bound the socket in zero-copy mode ({@code XDP_OPTIONS}, read at bind)} */
    public boolean zeroCopy()
    {
        return zeroCopy;
    }

    /** {@return whether the socket was bound with {@code XDP_USE_NEED_WAKEUP}} */
    public boolean needWakeup()
    {
        return needWakeup;
    }

    /** {@return whether busy polling was asked for and the kernel accepted all three socket options} */
    public boolean busyPoll()
    {
        return busyPoll;
    }

    /**
     * {@return frames one copy-mode TX kick may send ({@code XDP_MAX_TX_SKB_BUDGET}), or 0 for the kernel's budget of
     * 32: see {@link Builder#txBudget(int)} and {@link Builder#txBudgetIfSupported(int)}}
     */
    public int txBudget()
    {
        return txBudget;
    }

    /** {@return the fill ring, or the UMEM owner's for a socket sharing the owner's (interface, queue)} */
    public FillRing fillRing()
    {
        return fill;
    }

    /** {@return the completion ring, or the UMEM owner's for a socket sharing the owner's (interface, queue)} */
    public CompletionRing completionRing()
    {
        return completion;
    }

    /** {@return the RX ring, or null when the socket was built without one} */
    public RxRing rxRing()
    {
        return rx;
    }

    /** {@return the TX ring, or null when the socket was built without one} */
    public TxRing txRing()
    {
        return tx;
    }

    /**
     * Puts this socket in {@code program}'s XSKMAP for its queue, so the program redirects the queue's frames here;
     * {@link #close()} takes it out again. The program must be attached to this socket's interface first
     * ({@link XskProgram#attach}, in the socket's namespace): registered in a program that is not, the socket would
     * receive nothing and no call would fail, so this one does, with the fix in its message. Any thread.
     *
     * @param program the loaded program, attached to this socket's interface
     * @throws IllegalStateException when the socket is registered already or the program is not attached to its
     *                               interface
     */
    public void registerIn(final XskProgram program)
    {
        if (this.program != null)
        {
            throw new IllegalStateException("already registered in an XDP program");
        }
        if (!program.isAttachedTo(ifindex, namespaceId))
        {
            throw new IllegalStateException("the XDP program is not attached to " + ifname + " (ifindex " + ifindex +
                ") in " + NetNamespace.describe(namespaceId) + ", the interface of this socket: it would receive " +
                "nothing. Attach it first, in that namespace: program.attach(ifindex, XdpMode.DRV), then registerIn");
        }
        program.registerSocket(queue, fd);
        this.program = program;
    }

    /**
     * Moves frames from the UMEM's pool into the fill ring, at most {@value #REFILL_BATCH} per call and as many as
     * fit, and returns how many. {@link #receive} does it on every call. Owner thread.
     *
     * @return how many frames went into the fill ring
     */
    public int refill()
    {
        final int want = Math.min(pool.available(), REFILL_BATCH);
        if (want == 0)
        {
            return 0;
        }
        final int n = fill.reserve(want);
        for (int i = 0; i < n; i++)
        {
            fill.set(i, pool.acquire());
        }
        if (n > 0)
        {
            fill.submit();
        }
        return n;
    }

    /**
     * Refills until the fill ring is full or the pool empty. Owner thread.
     *
     * @return how many frames went in
     */
    public int fillAll()
    {
        int total = 0;
        int n;
        while ((n = refill()) > 0)
        {
            total += n;
        }
        return total;
    }

    /**
     * Refills the fill ring from the pool, then hands up to {@code max} received packets to {@code handler}, releases
     * their RX slots and returns the frames the handler did not keep to the pool (they go to the fill ring on the next
     * call). When {@code max > 0} and nothing arrived and the kernel asked for a wake-up (or busy polling is on), it
     * wakes the kernel.
     * Returns the number of packets. Owner thread.
     *
     * @param max the most packets to take, 0 to only refill
     * @param handler what to do with each packet, in place
     * @return the number of packets
     */
    public int receive(final int max, final PacketHandler handler)
    {
        final RxRing rx = this.rx;
        if (rx == null)
        {
            throw new IllegalStateException("socket built without an RX ring (rxSize 0): nothing to receive");
        }
        refill();
        final int n = rx.peek(max);
        if (n == 0)
        {
            // Wake the kernel only when frames were asked for and none came: a caller asking for none (e.g. a
            // forwarder whose TX ring is full) must not cost a syscall per turn.
            if (max > 0 && (busyPoll || (needWakeup && fill.needsWakeup())))
            {
                wakeRx();
            }
            return 0;
        }
        final Packet packet = this.packet;
        final FramePool pool = this.pool;
        for (int i = 0; i < n; i++)
        {
            final long address = rx.address(i);
            if (!handler.onPacket(packet.wrap(address, rx.length(i))))
            {
                pool.release(umem.frameBase(address));
            }
        }
        rx.release();
        rxPackets += n;
        return n;
    }

    /**
     * Queues the frame at UMEM {@code address} of {@code length} bytes for transmission; false when the TX ring is
     * full. The frame belongs to the kernel until it comes back through {@link #complete()}. Queued frames leave on
     * {@link #flush()}. Owner thread.
     *
     * @param address the frame's UMEM address
     * @param length the packet's length
     * @return false when the TX ring is full
     */
    public boolean transmit(final long address, final int length)
    {
        if (tx == null)
        {
            throw new IllegalStateException("socket built without a TX ring (txSize 0): nothing to transmit on");
        }
        if (tx.reserve(1) == 0)
        {
            return false;
        }
        tx.set(0, address, length);
        txQueued++;
        return true;
    }

    /**
     * {@return how many of {@code max} frames {@link #transmit} would take now (free TX slots, capped)} Owner thread.
     *
     * @param max the most frames wanted
     */
    public int txRoom(final int max)
    {
        if (tx == null)
        {
            throw new IllegalStateException("socket built without a TX ring (txSize 0): nothing to transmit on");
        }
        return tx.room(max);
    }

    /**
     * Queues a received packet for transmission on this socket without copying it (forwarding). Owner thread.
     *
     * @param packet a packet received on a socket of the same UMEM
     * @return false when the TX ring is full
     */
    public boolean transmit(final Packet packet)
    {
        return transmit(packet.address(), packet.length());
    }

    /**
     * Publishes the queued TX descriptors and kicks the kernel when the TX ring holds descriptors it has not taken
     * yet and, with need-wakeup, the ring's flag asks for it. Returns the number of descriptors published. Owner
     * thread.
     *
     * @return the number of descriptors published
     */
    public int flush()
    {
        final TxRing tx = this.tx;
        if (tx == null)
        {
            throw new IllegalStateException("socket built without a TX ring (txSize 0): nothing to flush");
        }
        final int n = txQueued;
        if (n > 0)
        {
            tx.submit();
            txQueued = 0;
            txSubmitted += n;
        }
        if ((!needWakeup || tx.needsWakeup()) && tx.outstanding() > 0)
        {
            kickTx();
        }
        return n;
    }

    /**
     * Takes completed TX frames from the completion ring back into the pool and returns how many. For a socket that
     * shares its owner's completion ring this also collects the owner's completions. Owner thread.
     *
     * @return how many frames came back
     */
    public int complete()
    {
        final CompletionRing completion = this.completion;
        final int n = completion.peek(completion.capacity());
        for (int i = 0; i < n; i++)
        {
            pool.release(umem.frameBase(completion.address(i)));
        }
        if (n > 0)
        {
            completion.release();
            txCompleted += n;
        }
        return n;
    }

    /**
     * Tells the kernel to process the TX ring: {@code sendto(fd, NULL, 0, MSG_DONTWAIT)}. A kick the kernel answers
     * with EAGAIN, EBUSY or ENOBUFS is counted in {@link #kickRetries()}: in copy mode it sends a budget of frames per
     * kick and asks for another one, and under load the device may be busy; the next {@link #flush()} kicks again.
     * Any other failure is counted in {@link #kickErrors()} with its errno in {@link #lastKickErrno()}. Owner thread.
     */
    public void kickTx()
    {
        txKicks++;
        if (WakeupCalls.sendtoEmpty(kickState, fd, SysSocket.MSG_DONTWAIT) < 0)
        {
            kickFailed();
        }
    }

    /**
     * Wakes the kernel to process the fill ring ({@code recvfrom(fd, NULL, 0, MSG_DONTWAIT)}); failures are counted as
     * for {@link #kickTx()}. Owner thread.
     */
    public void wakeRx()
    {
        rxWakeups++;
        if (WakeupCalls.recvfromEmpty(kickState, fd, SysSocket.MSG_DONTWAIT) < 0)
        {
            kickFailed();
        }
    }

    private void kickFailed()
    {
        final int errno = CallState.errno(kickState);
        if (errno == Errno.EAGAIN || errno == Errno.EBUSY || errno == Errno.ENOBUFS)
        {
            kickRetries++;
        }
        else
        {
            kickErrors++;
            lastKickErrno = errno;
        }
    }

    /**
     * Waits up to {@code timeoutMs} for {@code events} ({@link Poll#POLLIN}, {@link Poll#POLLOUT}) and returns the
     * events that are ready (0 on timeout or interruption). This is also what wakes the kernel for RX under
     * need-wakeup. Owner thread; allocation-free.
     *
     * @param events {@code POLLIN} and/or {@code POLLOUT}
     * @param timeoutMs how long to wait
     * @return the ready events
     */
    public int poll(final int events, final int timeoutMs)
    {
        pollFd.set(JAVA_SHORT, Poll.pollfd_events, (short)events);
        pollFd.set(JAVA_SHORT, Poll.pollfd_revents, (short)0);
        final int rc = WakeupCalls.poll(pollFd, 1, timeoutMs);
        return rc <= 0 ? 0 : pollFd.get(JAVA_SHORT, Poll.pollfd_revents) & 0xffff;
    }

    /**
     * {@link #txSubmitted()} minus {@link #txCompleted()}: frames published on this socket's TX ring and not yet
     * collected. Completions are counted on the socket that collects them from its completion ring, so for sockets
     * sharing one completion ring (same interface and queue) the figures of each are only meaningful together.
     *
     * @return frames in flight
     */
    public int txInFlight()
    {
        return (int)(txSubmitted - txCompleted);
    }

    /** {@return packets received} */
    public long rxPackets()
    {
        return rxPackets;
    }

    /** {@return frames published on the TX ring} */
    public long txSubmitted()
    {
        return txSubmitted;
    }

    /** {@return frames collected from the completion ring} */
    public long txCompleted()
    {
        return txCompleted;
    }

    /** {@return TX kicks made ({@code sendto})} */
    public long txKicks()
    {
        return txKicks;
    }

    /** {@return RX wake-ups made ({@code recvfrom})} */
    public long rxWakeups()
    {
        return rxWakeups;
    }

    /**
     * {@return kicks and wake-ups the kernel answered with EAGAIN, EBUSY or ENOBUFS} It asked to be kicked again
     * (copy mode sends a budget of frames per kick) or the device was busy: normal under load, not an error.
     */
    public long kickRetries()
    {
        return kickRetries;
    }

    /**
     * {@return kicks and wake-ups that failed with any other errno} (e.g. ENETDOWN once the interface is down, ENXIO
     * when it is gone); {@link #lastKickErrno()} says which. Not 0 means the socket or its interface is broken.
     */
    public long kickErrors()
    {
        return kickErrors;
    }

    /** {@return the errno of the latest failure counted in {@link #kickErrors()}, 0 if none} */
    public int lastKickErrno()
    {
        return lastKickErrno;
    }

    /** {@return the kernel's counters for this socket ({@code XDP_STATISTICS}); setup-rate, allocates} */
    public XskStatistics statistics()
    {
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment stats = scratch.allocate(IfXdp.xdp_statistics);
            final MemorySegment len = scratch.allocateFrom(JAVA_INT, (int)stats.byteSize());
            Errno.check(SysSocket.getsockopt(fd, SysSocket.SOL_XDP, IfXdp.XDP_STATISTICS, stats, len),
                "getsockopt(XDP_STATISTICS)");
            final int returned = len.get(JAVA_INT, 0);
            final long[] v = new long[STATISTICS_OFFSETS.length];
            for (int i = 0; i < v.length; i++)
            {
                final long offset = STATISTICS_OFFSETS[i];
                v[i] = offset + Long.BYTES <= returned ? stats.get(JAVA_LONG, offset) : -1;
            }
            return new XskStatistics(v[0], v[1], v[2], v[3], v[4], v[5]);
        }
    }

    private static long statisticsOffset(final String field)
    {
        return IfXdp.xdp_statistics.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }

    /**
     * Unregisters from the XDP program, unmaps the rings, closes the descriptor. Idempotent. A socket whose fill and
     * completion rings are used by sockets sharing its (interface, queue) refuses to close until they are closed.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (ringSharers > 0)
        {
            throw new IllegalStateException(ringSharers + " socket(s) sharing this socket's queue still use its fill " +
                "and completion rings: close them first");
        }
        closed = true;
        if (ringOwner != null)
        {
            ringOwner.ringSharers--;
        }
        RuntimeException failure = null;
        if (program != null)
        {
            try
            {
                program.unregisterSocket(queue);
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
            program = null;
        }
        try
        {
            arena.close();
        }
        catch (final RuntimeException ex)
        {
            if (failure == null)
            {
                failure = ex;
            }
        }
        finally
        {
            if (Unistd.close(fd) < 0 && failure == null)
            {
                failure = new ErrnoException("close(AF_XDP socket " + fd + ")", CallState.errno());
            }
            umem.detach();
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    @Override
    public String toString()
    {
        return "XskSocket[fd=" + fd + ", ifindex=" + ifindex + ", queue=" + queue + (zeroCopy ? ", zero-copy" : ", copy") +
            (needWakeup ? ", need-wakeup" : "") + "]";
    }

    private static boolean isZeroCopy(final int fd, final Arena scratch)
    {
        final MemorySegment options = scratch.allocate(IfXdp.xdp_options);
        final MemorySegment len = scratch.allocateFrom(JAVA_INT, (int)options.byteSize());
        Errno.check(SysSocket.getsockopt(fd, SysSocket.SOL_XDP, IfXdp.XDP_OPTIONS, options, len),
            "getsockopt(XDP_OPTIONS)");
        return (options.get(JAVA_INT, IfXdp.xdp_options_flags) & IfXdp.XDP_OPTIONS_ZEROCOPY) != 0;
    }

    /** Configures and opens an {@link XskSocket}. Defaults: queue 0, 2048-entry rings, {@link BindMode#AUTO}, need-wakeup on. */
    public static final class Builder
    {
        private final Umem umem;
        private int ifindex;
        private String ifname;
        private int queue;
        private int rxSize = 2048;
        private int txSize = 2048;
        private int fillSize = 2048;
        private int completionSize = 2048;
        private BindMode bindMode = BindMode.AUTO;
        private boolean needWakeup = true;
        private int busyPollMicros;
        private int busyPollBudget;
        private int txBudget;
        private boolean txBudgetRequired;
        private XskSocket shared;
        private Duration busyRetry = Duration.ofSeconds(2);

        private Builder(final Umem umem)
        {
            this.umem = Objects.requireNonNull(umem, "umem");
        }

        /**
         * The interface by index (in the namespace of the thread that calls {@link #open()}).
         *
         * @param ifindex the interface's index
         * @return this builder
         */
        public Builder ifindex(final int ifindex)
        {
            this.ifindex = ifindex;
            this.ifname = null;
            return this;
        }

        /**
         * The interface by name, resolved in the namespace of the thread that calls {@link #open()}.
         *
         * @param ifname the interface's name
         * @return this builder
         */
        public Builder interfaceName(final String ifname)
        {
            this.ifname = Objects.requireNonNull(ifname, "ifname");
            return this;
        }

        /**
         * The RX queue to bind to (default 0).
         *
         * @param queue the queue, from 0
         * @return this builder
         */
        public Builder queue(final int queue)
        {
            this.queue = queue;
            return this;
        }

        /**
         * Sets all four ring sizes (powers of two).
         *
         * @param size the size of each ring
         * @return this builder
         */
        public Builder ringSize(final int size)
        {
            return rxSize(size).txSize(size).fillSize(size).completionSize(size);
        }

        /**
         * RX ring size, 0 for a transmit-only socket (default 2048).
         *
         * @param size a power of two, or 0
         * @return this builder
         */
        public Builder rxSize(final int size)
        {
            this.rxSize = size;
            return this;
        }

        /**
         * TX ring size, 0 for a receive-only socket (default 2048).
         *
         * @param size a power of two, or 0
         * @return this builder
         */
        public Builder txSize(final int size)
        {
            this.txSize = size;
            return this;
        }

        /**
         * Fill ring size (default 2048).
         *
         * @param size a power of two
         * @return this builder
         */
        public Builder fillSize(final int size)
        {
            this.fillSize = size;
            return this;
        }

        /**
         * Completion ring size (default 2048).
         *
         * @param size a power of two
         * @return this builder
         */
        public Builder completionSize(final int size)
        {
            this.completionSize = size;
            return this;
        }

        /**
         * How to bind: copy, zero-copy, or zero-copy if the driver can (default).
         *
         * @param mode the bind mode
         * @return this builder
         */
        public Builder bindMode(final BindMode mode)
        {
            this.bindMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Binds with {@code XDP_USE_NEED_WAKEUP} (default): the kernel says through the ring flags when it needs a
         * syscall.
         *
         * @param needWakeup whether to
         * @return this builder
         */
        public Builder needWakeup(final boolean needWakeup)
        {
            this.needWakeup = needWakeup;
            return this;
        }

        /**
         * Asks for busy polling: {@code SO_PREFER_BUSY_POLL}, {@code SO_BUSY_POLL} = {@code micros} and
         * {@code SO_BUSY_POLL_BUDGET} = {@code budget}. Options the kernel refuses are skipped;
         * {@link XskSocket#busyPoll()} says whether all were accepted.
         *
         * @param micros {@code SO_BUSY_POLL}
         * @param budget {@code SO_BUSY_POLL_BUDGET}
         * @return this builder
         */
        public Builder busyPoll(final int micros, final int budget)
        {
            this.busyPollMicros = micros;
            this.busyPollBudget = budget;
            return this;
        }

        /**
         * Shares {@code owner}'s UMEM ({@code XDP_SHARED_UMEM}). On another interface or queue the new socket gets its
         * own fill and completion rings; on the owner's interface and queue it uses the owner's. Mode and need-wakeup
         * follow the owner.
         *
         * @param owner the socket whose UMEM to share, or null for none
         * @return this builder
         */
        public Builder sharedWith(final XskSocket owner)
        {
            if (owner != null && owner.umem != umem)
            {
                throw new IllegalArgumentException("the owner socket uses another UMEM");
            }
            this.shared = owner;
            return this;
        }

        /**
         * How many frames one TX kick may send in copy mode ({@code XDP_MAX_TX_SKB_BUDGET}, Linux 6.17+): the kernel
         * sends at most 32 per {@code sendto()} by default, so a batch of 64 costs two kicks. 0 (default) keeps the
         * kernel's; otherwise 32..TX ring size. An older kernel refuses it at {@link #open()} with a clear error.
         * Zero-copy drivers transmit without this budget.
         *
         * @param frames 0, or 32..the TX ring size
         * @return this builder
         */
        public Builder txBudget(final int frames)
        {
            checkTxBudget(frames);
            this.txBudget = frames;
            this.txBudgetRequired = true;
            return this;
        }

        /**
         * As {@link #txBudget(int)} where the kernel has the option, the kernel's budget of 32 where it has not (older
         * than Linux 6.17): for a forwarder that takes a batch of more than 32 frames per turn and wants one kick to
         * send all of it. {@link XskSocket#txBudget()} says which budget the socket got.
         *
         * @param frames 0, or 32..the TX ring size
         * @return this builder
         */
        public Builder txBudgetIfSupported(final int frames)
        {
            checkTxBudget(frames);
            this.txBudget = frames;
            this.txBudgetRequired = false;
            return this;
        }

        private static void checkTxBudget(final int frames)
        {
            if (frames != 0 && frames < KERNEL_TX_BUDGET)
            {
                throw new IllegalArgumentException("txBudget must be 0 (kernel default) or >= " + KERNEL_TX_BUDGET
                    + ": " + frames);
            }
        }

        /**
         * How long to retry a bind that fails with EBUSY (a socket on the queue just closed). Default 2 s.
         *
         * @param retry how long
         * @return this builder
         */
        public Builder busyRetry(final Duration retry)
        {
            this.busyRetry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** {@return creates, configures, maps and binds the socket in the calling thread's network namespace} */
        public XskSocket open()
        {
            if (ifname != null)
            {
                ifindex = Interfaces.index(ifname);
            }
            if (ifindex <= 0)
            {
                throw new IllegalArgumentException("no interface given (ifindex or interfaceName)");
            }
            if (queue < 0)
            {
                throw new IllegalArgumentException("queue must be >= 0: " + queue);
            }
            if (shared != null && shared.closed)
            {
                throw new IllegalStateException("the owner socket is closed: " + shared);
            }
            if (rxSize == 0 && txSize == 0)
            {
                throw new IllegalArgumentException("a socket needs an RX ring, a TX ring or both");
            }
            final boolean ownRings = shared == null || shared.ifindex != ifindex || shared.queue != queue;
            for (final int size : new int[] {rxSize, txSize})
            {
                if (size != 0)
                {
                    RingDescriptor.checkCapacity(size);
                }
            }
            if (ownRings)
            {
                RingDescriptor.checkCapacity(fillSize);
                RingDescriptor.checkCapacity(completionSize);
            }

            umem.attach();
            final int fd = SysSocket.socket(SysSocket.AF_XDP, SysSocket.SOCK_RAW | SysSocket.SOCK_CLOEXEC, 0);
            if (fd < 0)
            {
                umem.detach();
                throw new ErrnoException("socket(AF_XDP)", CallState.errno(),
                    "the kernel needs CONFIG_XDP_SOCKETS and the process CAP_NET_RAW");
            }
            final Arena arena = Arena.ofShared();
            try (Arena scratch = Arena.ofConfined())
            {
                if (shared == null)
                {
                    umem.register(fd);
                }
                final MemorySegment value = scratch.allocate(JAVA_INT);
                if (ownRings)
                {
                    setInt(fd, SysSocket.SOL_XDP, IfXdp.XDP_UMEM_FILL_RING, fillSize, value, "XDP_UMEM_FILL_RING");
                    setInt(fd, SysSocket.SOL_XDP, IfXdp.XDP_UMEM_COMPLETION_RING, completionSize, value,
                        "XDP_UMEM_COMPLETION_RING");
                }
                if (rxSize != 0)
                {
                    setInt(fd, SysSocket.SOL_XDP, IfXdp.XDP_RX_RING, rxSize, value, "XDP_RX_RING");
                }
                if (txSize != 0)
                {
                    setInt(fd, SysSocket.SOL_XDP, IfXdp.XDP_TX_RING, txSize, value, "XDP_TX_RING");
                }
                final int budget = txBudget != 0 ? setTxBudget(fd, value) : 0;
                final MemorySegment offsets = scratch.allocate(IfXdp.xdp_mmap_offsets);
                final MemorySegment len = scratch.allocateFrom(JAVA_INT, (int)offsets.byteSize());
                Errno.check(SysSocket.getsockopt(fd, SysSocket.SOL_XDP, IfXdp.XDP_MMAP_OFFSETS, offsets, len),
                    "getsockopt(XDP_MMAP_OFFSETS)");

                final FillRing fill;
                final CompletionRing completion;
                if (ownRings)
                {
                    final RingDescriptor fr = RingDescriptor.fromKernel(
                        offsets, IfXdp.xdp_mmap_offsets_fr, fillSize, RingDescriptor.ADDRESS_ENTRY_SIZE);
                    final RingDescriptor cr = RingDescriptor.fromKernel(
                        offsets, IfXdp.xdp_mmap_offsets_cr, completionSize, RingDescriptor.ADDRESS_ENTRY_SIZE);
                    fill = new FillRing(map(fd, fr, IfXdp.XDP_UMEM_PGOFF_FILL_RING, arena, "fill"), fr);
                    completion = new CompletionRing(
                        map(fd, cr, IfXdp.XDP_UMEM_PGOFF_COMPLETION_RING, arena, "completion"), cr);
                }
                else
                {
                    fill = shared.fill;
                    completion = shared.completion;
                }
                RxRing rx = null;
                if (rxSize != 0)
                {
                    final RingDescriptor d = RingDescriptor.fromKernel(
                        offsets, IfXdp.xdp_mmap_offsets_rx, rxSize, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
                    rx = new RxRing(map(fd, d, IfXdp.XDP_PGOFF_RX_RING, arena, "RX"), d);
                }
                TxRing tx = null;
                if (txSize != 0)
                {
                    final RingDescriptor d = RingDescriptor.fromKernel(
                        offsets, IfXdp.xdp_mmap_offsets_tx, txSize, RingDescriptor.DESCRIPTOR_ENTRY_SIZE);
                    tx = new TxRing(map(fd, d, IfXdp.XDP_PGOFF_TX_RING, arena, "TX"), d);
                }

                final boolean busyPollAccepted = busyPollMicros > 0 && busyPoll(fd, value);
                bind(fd, scratch);
                final boolean zeroCopy = isZeroCopy(fd, scratch);
                final XskSocket ringOwner = ownRings ? null : shared.ringOwner != null ? shared.ringOwner : shared;
                final XskSocket socket = new XskSocket(this, interfaceName(), NetNamespace.currentId(), fd, arena,
                    fill, completion, rx, tx, zeroCopy, busyPollAccepted, budget, ringOwner);
                if (ringOwner != null)
                {
                    ringOwner.ringSharers++;
                }
                return socket;
            }
            catch (final RuntimeException | Error ex)
            {
                arena.close();
                Unistd.close(fd);
                umem.detach();
                throw ex;
            }
        }

        /** The interface's name in the calling thread's namespace, for messages. */
        private String interfaceName()
        {
            if (ifname != null)
            {
                return "'" + ifname + "'";
            }
            try
            {
                final java.net.NetworkInterface nif = java.net.NetworkInterface.getByIndex(ifindex);
                return nif == null ? "an unnamed interface" : "'" + nif.getName() + "'";
            }
            catch (final java.net.SocketException ex)
            {
                return "an unnamed interface";
            }
        }

        private boolean busyPoll(final int fd, final MemorySegment value)
        {
            boolean all = trySetInt(fd, SysSocket.SO_PREFER_BUSY_POLL, 1, value);
            all &= trySetInt(fd, SysSocket.SO_BUSY_POLL, busyPollMicros, value);
            all &= trySetInt(fd, SysSocket.SO_BUSY_POLL_BUDGET, busyPollBudget, value);
            return all;
        }

        private void bind(final int fd, final Arena scratch)
        {
            final MemorySegment addr = scratch.allocate(IfXdp.sockaddr_xdp);
            addr.set(JAVA_SHORT, IfXdp.sockaddr_xdp_sxdp_family, (short)SysSocket.AF_XDP);
            final int flags;
            if (shared != null)
            {
                flags = IfXdp.XDP_SHARED_UMEM;
                addr.set(JAVA_INT, IfXdp.sockaddr_xdp_sxdp_shared_umem_fd, shared.fd);
            }
            else
            {
                flags = bindMode.bindFlags() | (needWakeup ? IfXdp.XDP_USE_NEED_WAKEUP : 0);
            }
            addr.set(JAVA_SHORT, IfXdp.sockaddr_xdp_sxdp_flags, (short)flags);
            addr.set(JAVA_INT, IfXdp.sockaddr_xdp_sxdp_ifindex, ifindex);
            addr.set(JAVA_INT, IfXdp.sockaddr_xdp_sxdp_queue_id, queue);

            // A queue whose previous socket has just closed stays busy until the kernel's deferred release has run:
            // retry with a short, growing pause.
            final long deadline = System.nanoTime() + busyRetry.toNanos();
            long pauseNanos = 500_000L;
            while (true)
            {
                if (SysSocket.bind(fd, addr, (int)addr.byteSize()) == 0)
                {
                    return;
                }
                final int errno = CallState.errno();
                if (errno == Errno.EBUSY && System.nanoTime() < deadline)
                {
                    LockSupport.parkNanos(pauseNanos);
                    pauseNanos = Math.min(pauseNanos * 2, 32_000_000L);
                    continue;
                }
                throw bindFailure(errno);
            }
        }

        private ErrnoException bindFailure(final int errno)
        {
            final String call = "bind(AF_XDP, ifindex " + ifindex + (ifname != null ? " '" + ifname + "'" : "") +
                ", queue " + queue + ", " + (shared != null ? "shared UMEM" : bindMode) + ")";
            return switch (errno)
            {
                case Errno.EOPNOTSUPP -> new ErrnoException(call, errno, bindMode == BindMode.ZERO_COPY ?
                    "the device's driver has no AF_XDP zero-copy support (veth never has): bind with BindMode.AUTO " +
                    "or BindMode.COPY" : "the device does not support AF_XDP in this mode");
                case Errno.EBUSY -> new ErrnoException(call, errno, "the queue is taken by another AF_XDP socket " +
                    "(still busy after " + busyRetry.toMillis() + " ms of retries): close it, or share its UMEM");
                case Errno.ENODEV -> new ErrnoException(call, errno,
                    "no interface with that index in this thread's network namespace");
                case Errno.EINVAL -> new ErrnoException(call, errno, "the interface has no queue " + queue +
                    " (queues are counted from 0; see ethtool -l / /sys/class/net/IF/queues) or the bind flags are " +
                    "invalid for it");
                case Errno.ENETDOWN -> new ErrnoException(call, errno, "the interface is down");
                default -> new ErrnoException(call, errno);
            };
        }

        private static void setInt(final int fd, final int level, final int name, final int v,
            final MemorySegment value, final String what)
        {
            value.set(JAVA_INT, 0, v);
            Errno.check(SysSocket.setsockopt(fd, level, name, value, Integer.BYTES), "setsockopt(" + what + ", " + v + ")");
        }

        /** Sets the TX budget; returns the budget the socket got (0: the kernel's). */
        private int setTxBudget(final int fd, final MemorySegment value)
        {
            if (txSize == 0)
            {
                throw new IllegalArgumentException("txBudget needs a TX ring (txSize is 0)");
            }
            if (txBudget > txSize)
            {
                throw new IllegalArgumentException("txBudget " + txBudget + " exceeds the TX ring size " + txSize);
            }
            value.set(JAVA_INT, 0, txBudget);
            if (SysSocket.setsockopt(fd, SysSocket.SOL_XDP, IfXdp.XDP_MAX_TX_SKB_BUDGET, value, Integer.BYTES) != 0)
            {
                final int errno = CallState.errno();
                if (errno == Errno.ENOPROTOOPT && !txBudgetRequired)
                {
                    return 0; // the kernel's, as txBudgetIfSupported promises
                }
                throw new ErrnoException("setsockopt(XDP_MAX_TX_SKB_BUDGET, " + txBudget + ")", errno,
                    errno == Errno.ENOPROTOOPT ? "this kernel has no TX budget option (Linux 6.17 or later)"
                        : "the budget must be 32..TX ring size");
            }
            return txBudget;
        }

        private static boolean trySetInt(final int fd, final int name, final int v, final MemorySegment value)
        {
            value.set(JAVA_INT, 0, v);
            return SysSocket.setsockopt(fd, SysSocket.SOL_SOCKET, name, value, Integer.BYTES) == 0;
        }

        @SuppressWarnings("restricted") // sizes the kernel's ring mapping and ties munmap to the socket's arena
        private static MemorySegment map(final int fd, final RingDescriptor d, final long pgoff, final Arena arena,
            final String what)
        {
            final long length = d.mappedLength();
            final MemorySegment mapped = SysMman.mmap(MemorySegment.NULL, length,
                SysMman.PROT_READ | SysMman.PROT_WRITE, SysMman.MAP_SHARED | SysMman.MAP_POPULATE, fd, pgoff);
            if (SysMman.failed(mapped))
            {
                throw new ErrnoException("mmap(" + what + " ring, " + length + " bytes)", CallState.errno());
            }
            return mapped.reinterpret(length, arena, s -> SysMman.munmap(s, length));
        }
    }
}
