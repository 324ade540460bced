package io.marchproxy.examples;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.packet.Checksums;
import io.marchproxy.dataplane.packet.EthernetFrame;
import io.marchproxy.dataplane.packet.Ipv4Header;
import io.marchproxy.dataplane.xsk.Umem;
import io.marchproxy.dataplane.xsk.XskForwarder;
import io.marchproxy.dataplane.xsk.XskSocket;
import org.agrona.concurrent.AgentRunner;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The AF_XDP building blocks on their own: the node of an {@link ExampleLab} routes the client's UDP to the backend in
 * user space. The XDP program steers IPv4 UDP arriving on {@code front} to an AF_XDP socket; an {@link XskForwarder}
 * on an agrona duty-cycle thread rewrites each frame in place (MACs for the next hop, TTL down by one, the IPv4
 * checksum updated incrementally) and sends the same UMEM frame out of {@code back}, no copy. Run as root.
 */
public final class XskForwardExample
{
    public static void main(final String[] args) throws Exception
    {
        final int datagrams = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        long arrived = 0;
        try (ExampleLab lab = ExampleLab.create();
             DatagramChannel sink = lab.backend().call(() -> DatagramChannel.open()
                 .bind(new InetSocketAddress(ExampleLab.BACKEND_IP, 9000)));
             DatagramChannel source = lab.client().call(DatagramChannel::open);
             XskProgram program = XskProgram.load();                        // the XDP object inside the jar
             Umem umem = Umem.allocate(4096, 4096, 0);                      // 4096 frames of 4 KiB, off-heap
             XskSocket in = lab.node().call(() -> XskSocket.builder(umem).interfaceName("front").txSize(0).open());
             XskSocket out = lab.node().call(() -> XskSocket.builder(umem).interfaceName("back").rxSize(0)
                 .sharedWith(in).open()))
        {
            final UdpEcho.Counter counter = new UdpEcho.Counter(sink);
            Thread.ofPlatform().daemon().start(counter);
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);             // the rest goes to the kernel (ARP...)
            final XdpAttachment xdp = lab.node().call(() -> program.attach(Interfaces.index("front"), XdpMode.DRV));
            try
            {
                in.registerIn(program);                                     // after attach: registerIn checks it
                in.fillAll();                                               // the fill ring full before traffic
                final EthernetFrame ethernet = new EthernetFrame();          // flyweights, one per thread, reused
                final Ipv4Header ip = new Ipv4Header();
                final XskForwarder forwarder = new XskForwarder(in, out, 64, packet ->
                {
                    ethernet.wrap(packet.frame(), packet.offset(), packet.length());
                    ip.wrap(packet.frame(), packet.offset() + EthernetFrame.HEADER_LENGTH,
                        packet.length() - EthernetFrame.HEADER_LENGTH);
                    if (!ip.isComplete() || ip.ttl() <= 1)
                    {
                        return false;                                       // dropped, counted by the forwarder
                    }
                    final int oldWord = ip.ttl() << 8 | ip.protocol();       // TTL and protocol share a 16-bit word
                    ip.ttl(ip.ttl() - 1);
                    ip.checksum(Checksums.update16(ip.checksum(), oldWord, ip.ttl() << 8 | ip.protocol()));
                    ethernet.destinationMac(ExampleLab.BACKEND_MAC.bits());
                    ethernet.sourceMac(ExampleLab.BACK_MAC.bits());
                    return true;
                });
                try (AgentRunner runner = new AgentRunner(forwarder.idleStrategy(100), Throwable::printStackTrace,
                    null, forwarder))
                {
                    AgentRunner.startOnThread(runner);
                    final InetSocketAddress to = new InetSocketAddress(ExampleLab.BACKEND_IP, 9000);
                    final long deadline = System.nanoTime() + 10_000_000_000L;
                    for (int i = 0; i < datagrams && System.nanoTime() < deadline; i++)
                    {
                        while (i - counter.count() >= 64 && System.nanoTime() < deadline)
                        {
                            Thread.onSpinWait();                            // at most 64 in flight
                        }
                        source.send(ByteBuffer.wrap(("datagram " + i).getBytes()), to);
                    }
                    while (counter.count() < datagrams && System.nanoTime() < deadline)
                    {
                        Thread.sleep(1);
                    }
                    arrived = counter.count();
                }
                System.out.printf("AF_XDP forward: %d of %d datagrams arrived; forwarded %d, dropped %d, TX kicks %d"
                    + " (retried %d, failed %d)%n", arrived, datagrams, forwarder.forwarded(), forwarder.dropped(),
                    out.txKicks(), out.kickRetries(), out.kickErrors());
            }
            finally
            {
                lab.node().run(xdp::close);                                 // detach in the interface's namespace
            }
        }
        if (arrived != datagrams)
        {
            System.exit(1);
        }
    }
}
