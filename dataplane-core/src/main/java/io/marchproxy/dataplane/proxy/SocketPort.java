package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.qos.TxPort;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskSocket;

/**
 * An AF_XDP socket's TX ring as a QoS scheduler's {@link TxPort}: frames it sends go on the ring, frames it drops go
 * back to the UMEM's pool. For the worker thread that owns the socket.
 */
final class SocketPort implements TxPort
{
    private final XskSocket socket;
    private final Umem umem;

    SocketPort(final XskSocket socket)
    {
        this.socket = socket;
        this.umem = socket.umem();
    }

    @Override
    public int txRoom(final int max)
    {
        return socket.txRoom(max);
    }

    @Override
    public boolean transmit(final long address, final int length)
    {
        return socket.transmit(address, length);
    }

    @Override
    public void discard(final long address)
    {
        if (!umem.pool().release(umem.frameBase(address)))
        {
            throw new IllegalStateException("frame " + address + " given back twice: the pool is full");
        }
    }
}
