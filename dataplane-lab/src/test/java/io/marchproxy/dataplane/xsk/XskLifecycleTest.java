package io.marchproxy.dataplane.xsk;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.lab.VethLab;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,000 cycles of the whole stack on a real veth pair: UMEM, a socket and a second one sharing the UMEM, XSKMAP
 * registration, XDP program load and attach, then everything closed. Afterwards the process holds no more file
 * descriptors, no AF_XDP mappings, no more memory mappings (within the JVM's own noise) and no pinned or locked
 * memory than before, and the interface carries no XDP program.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class XskLifecycleTest
{
    private static final int CYCLES = 1_000;
    /** The JVM maps and opens a little on its own (JIT, GC, class loading); a leak here would be thousands. */
    private static final int JVM_NOISE = 64;

    @Test
    void thousandOpenCloseCyclesLeaveNothingBehind() throws Exception
    {
        try (VethLab lab = VethLab.createForwarding())
        {
            // The kernel releases a closed socket's queue a little later (EBUSY meanwhile): rotating over the four
            // lab interfaces lets each queue rest for three cycles instead of waiting on it.
            final List<Port> ports = List.of(
                new Port(lab.nsA(), lab.ifA(), lab.ifC(), lab.nsA().call(() -> Interfaces.index(lab.ifA())),
                    lab.nsA().call(() -> Interfaces.index(lab.ifC()))),
                new Port(lab.nsB(), lab.ifB(), lab.ifD(), lab.nsB().call(() -> Interfaces.index(lab.ifB())),
                    lab.nsB().call(() -> Interfaces.index(lab.ifD()))),
                new Port(lab.nsA(), lab.ifC(), lab.ifA(), lab.nsA().call(() -> Interfaces.index(lab.ifC())),
                    lab.nsA().call(() -> Interfaces.index(lab.ifA()))),
                new Port(lab.nsB(), lab.ifD(), lab.ifB(), lab.nsB().call(() -> Interfaces.index(lab.ifD())),
                    lab.nsB().call(() -> Interfaces.index(lab.ifB()))));
            cycle(ports.get(0), 0); // class loading and first-use allocations before the baseline

            final long fdsBefore = count(Path.of("/proc/self/fd"));
            final List<String> mapsBefore = Files.readAllLines(Path.of("/proc/self/maps"));
            final long pinnedBefore = statusKb("VmPin");
            final long lockedBefore = statusKb("VmLck");

            for (int i = 1; i <= CYCLES; i++)
            {
                cycle(ports.get(i % ports.size()), i);
            }

            final long fdsAfter = count(Path.of("/proc/self/fd"));
            final List<String> mapsAfter = Files.readAllLines(Path.of("/proc/self/maps"));
            assertTrue(fdsAfter - fdsBefore <= 4, "file descriptors: " + fdsBefore + " before, " + fdsAfter + " after");
            assertEquals(0, ringMappings(), "AF_XDP ring mappings left");
            assertTrue(mapsAfter.size() - mapsBefore.size() <= JVM_NOISE,
                "mappings: " + mapsBefore.size() + " before, " + mapsAfter.size() + " after");
            assertEquals(pinnedBefore, statusKb("VmPin"), "pinned memory (kB)");
            assertEquals(lockedBefore, statusKb("VmLck"), "locked memory (kB)");
            for (final Port port : ports)
            {
                final String link = port.ns().exec("ip", "-d", "link", "show", port.name());
                assertFalse(link.contains("prog/xdp"), "an XDP program is left on " + port.name() + ":\n" + link);
            }
        }
    }

    /** An interface to open the owner socket on, and another one in the same namespace for the sharing socket. */
    private record Port(NetNamespace ns, String name, String otherName, int ifindex, int otherIfindex)
    {
    }

    private static void cycle(final Port port, final int i) throws Exception
    {
        // Every fourth cycle also opens a socket sharing the UMEM on the other interface; every twentieth loads the
        // program, registers the socket in its XSKMAP and attaches it (in turn generic and native).
        final boolean withShared = i % 4 == 0;
        final boolean withProgram = i % 20 == 0;
        try (XskProgram program = withProgram ? XskProgram.load() : null;
            Umem umem = Umem.allocate(32, 4096, 0);
            XskSocket owner = port.ns().call(() ->
                XskSocket.builder(umem).ifindex(port.ifindex()).queue(0).ringSize(32).needWakeup(i % 2 == 0).open());
            XskSocket shared = withShared ? port.ns().call(() -> XskSocket.builder(umem)
                .ifindex(port.otherIfindex()).queue(0).ringSize(32).rxSize(0).sharedWith(owner).open()) : null)
        {
            assertEquals(32, owner.fillAll());
            assertTrue(isOpenSocket(owner.fd()), "owner's descriptor is an open socket");
            if (shared != null)
            {
                assertTrue(shared.fd() != owner.fd() && isOpenSocket(shared.fd()),
                    "sharing socket has its own open socket descriptor");
            }
            if (program != null)
            {
                final XdpAttachment attachment = port.ns().call(() ->
                    program.attach(port.ifindex(), (i / 20) % 2 == 0 ? XdpMode.SKB : XdpMode.DRV));
                owner.registerIn(program);
                port.ns().run(attachment::close);
            }
            if (i == 0)
            {
                // The leak check looks for these lines: make sure open rings do show up in it.
                assertTrue(ringMappings() >= 6, "ring mappings of two open sockets: " + ringMappings());
            }
        }
    }

    private static boolean isOpenSocket(final int fd) throws IOException
    {
        final Path link = Path.of("/proc/self/fd/" + fd);
        return Files.isSymbolicLink(link) && Files.readSymbolicLink(link).toString().startsWith("socket:");
    }

    private static long ringMappings() throws IOException
    {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains("socket:")).count();
    }

    private static long count(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.count();
        }
    }

    private static long statusKb(final String field) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith(field + ":"))
            {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IllegalStateException(field + " not in /proc/self/status");
    }
}
