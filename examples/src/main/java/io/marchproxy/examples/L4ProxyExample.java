package io.marchproxy.examples;

import io.marchproxy.dataplane.acl.AccessAction;
import io.marchproxy.dataplane.acl.AccessRule;
import io.marchproxy.dataplane.balance.Backend;
import io.marchproxy.dataplane.balance.BalancingAlgorithm;
import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.net.IpPrefix;
import io.marchproxy.dataplane.net.L4Protocol;
import io.marchproxy.dataplane.net.PortRange;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxyService;
import io.marchproxy.dataplane.proxy.ProxySettings;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Set;

/**
 * An L4 proxy on the node of an {@link ExampleLab}: UDP to the VIP 10.215.0.1:53 goes to the backend's port 5353,
 * translated both ways (full NAT: from the node's back address and a SNAT port), every source admitted. The client
 * sends datagrams to the VIP and counts the answers of an echo server on the backend; it retries, as UDP clients do
 * (the proxy learns the backend's MAC from the kernel in the background: a datagram that comes first is dropped, and
 * counted by reason in {@code proxy.drops()}). Run as root.
 */
public final class L4ProxyExample
{
    public static void main(final String[] args) throws Exception
    {
        final int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int answered = 0;
        try (ExampleLab lab = ExampleLab.create();
             DatagramChannel server = lab.backend().call(() -> DatagramChannel.open()
                 .bind(new InetSocketAddress(ExampleLab.BACKEND_IP, 5353)));
             DatagramChannel client = lab.client().call(() -> DatagramChannel.open()
                 .bind(new InetSocketAddress(ExampleLab.CLIENT_IP, 0))))
        {
            final Thread echo = Thread.ofPlatform().daemon().start(() -> UdpEcho.serve(server));
            final ProxyService dns = new ProxyService(0, "dns", IpAddress.parse(ExampleLab.VIP), L4Protocol.UDP,
                PortRange.of(53), BalancingAlgorithm.ROUND_ROBIN, List.of(Backend.of(ExampleLab.BACKEND_IP, 5353)),
                null, false);
            final AccessRule anyone = new AccessRule(0, AccessAction.ALLOW, List.of(IpPrefix.parse("0.0.0.0/0")),
                Set.of(0), Set.of(L4Protocol.UDP), List.of(PortRange.ALL));
            try (L4Proxy proxy = L4Proxy.start(lab.node(),
                     ProxySettings.of("front", "back", IpAddress.parse(ExampleLab.BACK_IP), null),
                     new ProxyConfig(1, List.of(dns), List.of(anyone), AccessAction.DENY)))
            {
                for (int i = 0; i < requests; i++)
                {
                    if (UdpEcho.ask(client, new InetSocketAddress(ExampleLab.VIP, 53), "request " + i))
                    {
                        answered++;
                    }
                }
                // proxy.apply(next) swaps a new ProxyConfig in while traffic flows; proxy.statistics(), proxy.drops()
                System.out.printf("L4 proxy: %d of %d requests answered through %s:53, %d flow(s), drops %s%n",
                    answered, requests, ExampleLab.VIP, proxy.flows(), proxy.drops());
            }
            finally
            {
                echo.interrupt();
            }
        }
        if (answered != requests)
        {
            System.exit(1);
        }
    }
}
