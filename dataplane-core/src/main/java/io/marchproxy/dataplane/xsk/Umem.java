package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.CallState;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.NativeAccess;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.SysMman;
import io.marchproxy.ffm.libc.SysResource;
import io.marchproxy.ffm.libc.SysSocket;
import io.marchproxy.ffm.libc.Unistd;
import io.marchproxy.ffm.linux.IfXdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The packet memory of AF_XDP: a page-aligned anonymous mapping of {@code frameCount} frames of {@code frameSize}
 * bytes, registered with the kernel by the first {@link XskSocket} that uses it and shared by the others
 * ({@code XDP_SHARED_UMEM}). Frame addresses are byte offsets into the region. The UMEM owns the {@link FramePool} of
 * its frames, initially holding all of them. Close it after every socket using it; the owner thread of its sockets
 * is the owner of its pool.
 */
public final class Umem implements AutoCloseable
{
    /** Headroom the kernel keeps in front of every received packet ({@code XDP_PACKET_HEADROOM}). */
    public static final int XDP_PACKET_HEADROOM = 256;

    private final Arena arena;
    private final MemorySegment region;
    private final int frameCount;
    private final int frameSize;
    private final int frameShift;
    private final int headroom;
    private final MemorySegment[] frames;
    private final FramePool pool;
    private int sockets;
    private boolean closed;

    private Umem(final Arena arena, final MemorySegment region, final int frameCount, final int frameSize,
        final int headroom)
    {
        this.arena = arena;
        this.region = region;
        this.frameCount = frameCount;
        this.frameSize = frameSize;
        this.frameShift = Integer.numberOfTrailingZeros(frameSize);
        this.headroom = headroom;
        this.frames = new MemorySegment[frameCount];
        this.pool = new FramePool(frameCount);
        for (int i = frameCount - 1; i >= 0; i--)
        {
            frames[i] = region.asSlice((long)i * frameSize, frameSize);
            pool.release((long)i * frameSize);
        }
    }

    /**
     * Maps a UMEM of {@code frameCount} frames of {@code frameSize} bytes (a power of two from 2048 to the page size)
     * with {@code headroom} bytes reserved in front of each received packet, pages populated up front.
     *
     * @param frameCount how many frames
     * @param frameSize bytes of a frame
     * @param headroom bytes reserved in front of each received packet
     * @return the UMEM, its frames all in its pool
     */
    @SuppressWarnings("restricted") // gives the mapping its size and ties munmap to the arena: the point of this class
    public static Umem allocate(final int frameCount, final int frameSize, final int headroom)
    {
        NativeAccess.require(Umem.class.getModule());
        final int page = Unistd.getpagesize();
        if (frameSize < 2048 || frameSize > page || Integer.bitCount(frameSize) != 1)
        {
            throw new IllegalArgumentException(
                "frame size must be a power of two from 2048 to the page size (" + page + "): " + frameSize);
        }
        if (frameCount <= 0)
        {
            throw new IllegalArgumentException("frame count must be positive: " + frameCount);
        }
        if (headroom < 0 || headroom + XDP_PACKET_HEADROOM + 64 > frameSize)
        {
            throw new IllegalArgumentException("headroom " + headroom + " leaves no room in a " + frameSize +
                "-byte frame (the kernel adds " + XDP_PACKET_HEADROOM + ")");
        }
        final long length = (long)frameCount * frameSize;
        final MemorySegment mapped = SysMman.mmap(MemorySegment.NULL, length,
            SysMman.PROT_READ | SysMman.PROT_WRITE,
            SysMman.MAP_PRIVATE | SysMman.MAP_ANONYMOUS | SysMman.MAP_POPULATE, -1, 0);
        if (SysMman.failed(mapped))
        {
            throw new ErrnoException("mmap(UMEM, " + length + " bytes)", CallState.errno());
        }
        final Arena arena = Arena.ofShared();
        final MemorySegment region = mapped.reinterpret(length, arena, s -> SysMman.munmap(s, length));
        try
        {
            return new Umem(arena, region, frameCount, frameSize, headroom);
        }
        catch (final RuntimeException | Error ex)
        {
            arena.close();
            throw ex;
        }
    }

    /** {@return the whole region; frame addresses are offsets into it} */
    public MemorySegment segment()
    {
        return region;
    }

    /** {@return how many frames the UMEM has} */
    public int frameCount()
    {
        return frameCount;
    }

    /** {@return bytes of a frame} */
    public int frameSize()
    {
        return frameSize;
    }

    /** {@return bytes the application reserved in front of each received packet ({@code xdp_umem_reg.headroom})} */
    public int headroom()
    {
        return headroom;
    }

    /** {@return the pool of frames this process holds; owner thread only} */
    public FramePool pool()
    {
        return pool;
    }

    /**
     * {@return address of frame {@code index}}
     *
     * @param index the frame's index, 0..frameCount-1
     */
    public long frameAddress(final int index)
    {
        return (long)index << frameShift;
    }

    /**
     * {@return the address of the frame that holds UMEM address {@code address}}
     *
     * @param address any UMEM address
     */
    public long frameBase(final long address)
    {
        return address & -(long)frameSize;
    }

    /**
     * {@return the segment of the whole frame holding {@code address}, made once at allocation}
     *
     * @param address any UMEM address
     */
    public MemorySegment frame(final long address)
    {
        return frames[(int)(address >>> frameShift)];
    }

    /**
     * {@return offset of {@code address} within its frame}
     *
     * @param address any UMEM address
     */
    public int offsetInFrame(final long address)
    {
        return (int)(address & (frameSize - 1));
    }

    /** Registers the region with the kernel on {@code fd} ({@code XDP_UMEM_REG}), with a clear locked-memory error. */
    void register(final int fd)
    {
        ensureOpen();
        try (Arena scratch = Arena.ofConfined())
        {
            final MemorySegment reg = scratch.allocate(IfXdp.xdp_umem_reg);
            reg.set(JAVA_LONG, IfXdp.xdp_umem_reg_addr, region.address());
            reg.set(JAVA_LONG, IfXdp.xdp_umem_reg_len, region.byteSize());
            reg.set(JAVA_INT, IfXdp.xdp_umem_reg_chunk_size, frameSize);
            reg.set(JAVA_INT, IfXdp.xdp_umem_reg_headroom, headroom);
            reg.set(JAVA_INT, IfXdp.xdp_umem_reg_flags, 0);
            final int rc = SysSocket.setsockopt(fd, SysSocket.SOL_XDP, IfXdp.XDP_UMEM_REG, reg, (int)reg.byteSize());
            if (rc < 0)
            {
                final int errno = CallState.errno();
                final String call = "setsockopt(XDP_UMEM_REG, " + region.byteSize() + " bytes)";
                if (errno == Errno.ENOBUFS || errno == Errno.ENOMEM || errno == Errno.EPERM)
                {
                    throw new ErrnoException(call, errno, "not enough locked memory: the UMEM pins " +
                        region.byteSize() + " bytes, RLIMIT_MEMLOCK is " + memlockLimit(scratch) +
                        " and without CAP_IPC_LOCK that is the cap; raise it (ulimit -l, LimitMEMLOCK=) " +
                        "or use fewer/smaller frames");
                }
                throw new ErrnoException(call, errno);
            }
        }
    }

    void attach()
    {
        ensureOpen();
        sockets++;
    }

    void detach()
    {
        sockets--;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("UMEM closed");
        }
    }

    private static String memlockLimit(final Arena scratch)
    {
        final MemorySegment rl = scratch.allocate(SysResource.rlimit);
        if (SysResource.getrlimit(SysResource.RLIMIT_MEMLOCK, rl) < 0)
        {
            return "unknown";
        }
        final long cur = rl.get(JAVA_LONG, 0);
        return cur == SysResource.RLIM_INFINITY ? "unlimited" : cur + " bytes";
    }

    /** Unmaps the region. Every socket using it must be closed first. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (sockets != 0)
        {
            throw new IllegalStateException(sockets + " socket(s) still use this UMEM: close them first");
        }
        closed = true;
        arena.close();
    }
}
