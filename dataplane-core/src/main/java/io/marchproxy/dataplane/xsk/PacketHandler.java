package io.marchproxy.dataplane.xsk;

/** Receives the packets of {@link XskSocket#receive(int, PacketHandler)}, on the socket's owner thread. */
@FunctionalInterface
public interface PacketHandler
{
    /**
     * Handles one received packet. The {@link Packet} flyweight is valid only during the call. Return {@code false}
     * to give the frame back (it goes back to the pool and the fill ring), {@code true} when the handler kept it,
     * e.g. by queuing it for transmission with {@link XskSocket#transmit(Packet)}; a kept frame comes back through the
     * completion ring. Must not throw.
     *
     * @param packet the packet, in place
     * @return true when the handler keeps the frame (it gave it to a TX ring and the completion returns it)
     */
    boolean onPacket(Packet packet);
}
