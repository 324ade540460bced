package io.marchproxy.dataplane.bpf;

import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.lab.VethLab;
import io.marchproxy.ffm.ErrnoException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The embedded XDP program on a real veth pair in namespaces this test creates: attach (native and generic), confirm
 * with bpf_xdp_query, count frames sent by the kernel in the peer namespace through the per-CPU counters, detach, and
 * leave nothing behind.
 */
class XdpAttachVethTest
{
    private static final int FRAMES = 40;
    private static final int PORT = 7001;

    private static VethLab lab;
    private static XskProgram program;

    @BeforeAll
    static void setUp()
    {
        lab = VethLab.create();
        program = XskProgram.load();
        // Only IPv4 UDP is for the dataplane: anything else the kernel might send is passed and counted apart.
        program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
    }

    @AfterAll
    static void tearDown()
    {
        if (program != null)
        {
            program.close();
        }
        if (lab != null)
        {
            lab.close();
            assertFalse(Files.exists(lab.nsA().path()), "namespace A removed");
            assertFalse(Files.exists(lab.nsB().path()), "namespace B removed");
        }
    }

    @ParameterizedTest
    @EnumSource(XdpMode.class)
    void attachCountDetach(final XdpMode mode) throws Exception
    {
        final int ifindex = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
        final long rxBefore = program.counter(XskProgram.Counter.RX_PACKETS);
        final long passedBefore = program.counter(XskProgram.Counter.PASSED_NO_SOCKET);
        final long bytesBefore = program.counter(XskProgram.Counter.RX_BYTES);

        final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifindex, mode));
        try
        {
            final XdpAttachment.XdpQuery query = lab.nsA().call(() -> XdpAttachment.query(ifindex));
            assertTrue(query.attachedIn(mode), "attached in " + mode + ": " + query);
            assertNotEquals(0, query.progId());

            // A second attach in the same mode must not replace the first.
            final ErrnoException busy = assertThrows(ErrnoException.class,
                () -> lab.nsA().call(() -> program.attach(ifindex, mode)));
            assertTrue(busy.getMessage().startsWith("bpf_xdp_attach(ifindex " + ifindex), busy.getMessage());

            sendFromB(FRAMES, 64);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (program.counter(XskProgram.Counter.PASSED_NO_SOCKET) - passedBefore < FRAMES &&
                System.nanoTime() < deadline)
            {
                Thread.sleep(10);
            }
            assertEquals(FRAMES, program.counter(XskProgram.Counter.PASSED_NO_SOCKET) - passedBefore,
                "UDP frames seen and passed (no socket registered)");
            assertTrue(program.counter(XskProgram.Counter.RX_PACKETS) - rxBefore >= FRAMES);
            // 14 Ethernet + 20 IPv4 + 8 UDP + 64 payload.
            assertTrue(program.counter(XskProgram.Counter.RX_BYTES) - bytesBefore >= (long)FRAMES * 106);
            assertEquals(0, program.counter(XskProgram.Counter.REDIRECTED));
        }
        finally
        {
            lab.nsA().run(attachment::close);
        }
        final XdpAttachment.XdpQuery after = lab.nsA().call(() -> XdpAttachment.query(ifindex));
        assertEquals(0, after.progId(), "detached: " + after);

        final long rxDetached = program.counter(XskProgram.Counter.RX_PACKETS);
        sendFromB(5, 16);
        Thread.sleep(200);
        assertEquals(rxDetached, program.counter(XskProgram.Counter.RX_PACKETS), "no counting once detached");
    }

    @Test
    void serviceMapSelectsOnlyRegisteredPorts() throws Exception
    {
        final int ifindex = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
        program.setPolicy(XskProgram.POLICY_IPV4_UDP | XskProgram.POLICY_SERVICES, 0, 0);
        program.putService(XskProgram.IPPROTO_UDP, PORT, 42);
        final XdpAttachment attachment = lab.nsA().call(() -> program.attach(ifindex, XdpMode.DRV));
        try
        {
            final long matched = program.counter(XskProgram.Counter.SERVICE_MATCHED);
            final long policyPassed = program.counter(XskProgram.Counter.PASSED_POLICY);
            sendFromB(30, 32);
            sendFromB(PORT + 1, 10, 32);
            awaitCounter(XskProgram.Counter.PASSED_POLICY, policyPassed + 10);
            awaitCounter(XskProgram.Counter.SERVICE_MATCHED, matched + 30);
            assertEquals(matched + 30, program.counter(XskProgram.Counter.SERVICE_MATCHED));
            assertEquals(policyPassed + 10, program.counter(XskProgram.Counter.PASSED_POLICY));

            assertTrue(program.removeService(XskProgram.IPPROTO_UDP, PORT));
            assertFalse(program.removeService(XskProgram.IPPROTO_UDP, PORT));
            sendFromB(5, 32);
            awaitCounter(XskProgram.Counter.PASSED_POLICY, policyPassed + 15);
            assertEquals(matched + 30, program.counter(XskProgram.Counter.SERVICE_MATCHED), "removed service not matched");
            assertThrows(IllegalArgumentException.class, () -> program.putService(1, PORT, 1));
            assertThrows(IllegalArgumentException.class, () -> program.putService(XskProgram.IPPROTO_TCP, 0, 1));
        }
        finally
        {
            lab.nsA().run(attachment::close);
            program.setPolicy(XskProgram.POLICY_IPV4_UDP, 0, 0);
        }
    }

    private static void awaitCounter(final XskProgram.Counter counter, final long atLeast) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (program.counter(counter) < atLeast && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
    }

    @Test
    void wrongInterfaceNameIsAClearError() throws Exception
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> lab.nsA().call(() -> Interfaces.index("mpnope0")));
        assertEquals("no network interface 'mpnope0' in network namespace '" + lab.nsA().name() + "' (the calling " +
            "thread's; `ip link` shows its interfaces): run the call inside the interface's namespace, e.g. " +
            "NetNamespace.existing(\"NAME\").call(() -> ...)", ex.getMessage());
        // The other namespace's interface is not visible from A.
        assertThrows(IllegalArgumentException.class, () -> lab.nsA().call(() -> Interfaces.index(lab.ifB())));
    }

    @Test
    void missingCapabilityIsAClearError() throws Exception
    {
        // A child JVM stripped of every capability (setpriv) tries to load the program.
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final List<String> cmd = new ArrayList<>(List.of(
            "setpriv", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs",
            java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            LoadProgramMain.class.getName()));
        final Process child = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, child.exitValue(), out);
        assertTrue(out.contains("bpf_object__load(" + XskProgram.RESOURCE + "): EPERM (Operation not permitted): " +
            "loading BPF programs needs root or CAP_BPF"), out);
    }

    private static void sendFromB(final int count, final int payload) throws Exception
    {
        sendFromB(PORT, count, payload);
    }

    private static void sendFromB(final int port, final int count, final int payload) throws Exception
    {
        lab.nsB().call(() ->
        {
            try (DatagramChannel ch = DatagramChannel.open())
            {
                final InetSocketAddress to = new InetSocketAddress(lab.ipA(), port);
                final ByteBuffer buf = ByteBuffer.allocate(payload);
                for (int i = 0; i < count; i++)
                {
                    buf.clear();
                    buf.putInt(0, i);
                    ch.send(buf, to);
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            return null;
        });
    }
}
