package io.marchproxy.lab;

import io.marchproxy.dataplane.netns.NetNamespace;

import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link L4LabCleanupTest}: builds a lab with servers, prints its namespaces and {@code READY}, then
 * exits without closing it ({@code exit}) or waits to be killed ({@code wait}).
 */
public final class L4LabExitMain
{
    private L4LabExitMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final L4Lab lab = L4Lab.create(1, 2);
        lab.startServers(Transport.TCP, 8080, ServerReply.NAME);
        lab.startServers(Transport.UDP, 5353, ServerReply.NAME);
        for (final NetNamespace ns : lab.namespaces())
        {
            System.out.println(ns.name());
        }
        System.out.println("READY");
        System.out.flush();
        if (args.length > 0 && args[0].equals("wait"))
        {
            // Bounded, in case the parent dies before killing us.
            Thread.sleep(TimeUnit.SECONDS.toMillis(60));
        }
        System.exit(0);
    }
}
