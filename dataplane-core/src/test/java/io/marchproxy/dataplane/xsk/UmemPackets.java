package io.marchproxy.dataplane.xsk;

/**
 * {@link Packet}s over a {@link Umem} for tests that run a {@link XskForwarder.Rewriter} without a socket: frames
 * written into the UMEM by the test stand in for frames the kernel received.
 */
public final class UmemPackets
{
    private UmemPackets()
    {
    }

    /**
     * {@return a packet of {@code length} bytes at {@code address} of {@code umem}}
     *
     * @param umem    the UMEM
     * @param address the packet's first byte
     * @param length  its length
     */
    public static Packet at(final Umem umem, final long address, final int length)
    {
        return new Packet(umem).wrap(address, length);
    }
}
