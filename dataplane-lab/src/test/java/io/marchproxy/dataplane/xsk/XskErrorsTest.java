package io.marchproxy.dataplane.xsk;

import io.marchproxy.dataplane.bpf.XdpAttachment;
import io.marchproxy.dataplane.bpf.XdpMode;
import io.marchproxy.dataplane.bpf.XskProgram;
import io.marchproxy.dataplane.netns.Interfaces;
import io.marchproxy.lab.VethLab;
import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.libc.Errno;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The failures an operator meets, on a real veth pair: each gives an error that names the cause, and a failed open
 * leaves the UMEM usable (nothing half-open behind).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XskErrorsTest
{
    private static VethLab lab;
    private static int ifindex;

    @BeforeAll
    static void setUp() throws Exception
    {
        lab = VethLab.create();
        ifindex = lab.nsA().call(() -> Interfaces.index(lab.ifA()));
    }

    @AfterAll
    static void tearDown()
    {
        if (lab != null)
        {
            lab.close();
        }
    }

    @Test
    void zeroCopyOnVethIsAClearErrorAndAutoFallsBackToCopy() throws Exception
    {
        try (Umem umem = Umem.allocate(64, 4096, 0))
        {
            final ErrnoException ex = assertThrows(ErrnoException.class, () -> lab.nsA().call(() ->
                XskSocket.builder(umem).ifindex(ifindex).ringSize(64).bindMode(BindMode.ZERO_COPY).open()));
            assertEquals(Errno.EOPNOTSUPP, ex.errno());
            assertTrue(ex.getMessage().contains("zero-copy"), ex.getMessage());
            assertTrue(ex.getMessage().contains("AUTO"), ex.getMessage());

            try (XskSocket auto = lab.nsA().call(() ->
                XskSocket.builder(umem).ifindex(ifindex).ringSize(64).bindMode(BindMode.AUTO).open()))
            {
                assertFalse(auto.zeroCopy(), "AUTO on veth binds in copy mode and says so");
            }
            try (XskSocket copy = lab.nsA().call(() ->
                XskSocket.builder(umem).ifindex(ifindex).ringSize(64).bindMode(BindMode.COPY).open()))
            {
                assertFalse(copy.zeroCopy());
            }
        }
    }

    @Test
    void unknownInterfaceNamesTheInterface() throws Exception
    {
        try (Umem umem = Umem.allocate(64, 4096, 0))
        {
            final IllegalArgumentException byName = assertThrows(IllegalArgumentException.class, () ->
                lab.nsA().call(() -> XskSocket.builder(umem).interfaceName("nosuch0").ringSize(64).open()));
            assertTrue(byName.getMessage().contains("'nosuch0'"), byName.getMessage());

            // The peer's interface is not in namespace A: its index there means nothing.
            final ErrnoException byIndex = assertThrows(ErrnoException.class, () ->
                lab.nsA().call(() -> XskSocket.builder(umem).ifindex(999_999).ringSize(64).open()));
            assertEquals(Errno.ENODEV, byIndex.errno());
            assertTrue(byIndex.getMessage().contains("no interface with that index"), byIndex.getMessage());
        }
    }

    @Test
    void missingQueueIsNamed() throws Exception
    {
        try (Umem umem = Umem.allocate(64, 4096, 0))
        {
            final ErrnoException ex = assertThrows(ErrnoException.class, () ->
                lab.nsA().call(() -> XskSocket.builder(umem).ifindex(ifindex).queue(5).ringSize(64).open()));
            assertEquals(Errno.EINVAL, ex.errno());
            assertTrue(ex.getMessage().contains("no queue 5"), ex.getMessage());
        }
    }

    @Test
    void busyQueueIsRetriedThenNamed() throws Exception
    {
        try (Umem first = Umem.allocate(64, 4096, 0);
            Umem second = Umem.allocate(64, 4096, 0);
            XskSocket holder = lab.nsA().call(() -> XskSocket.builder(first).ifindex(ifindex).ringSize(64).open()))
        {
            final long start = System.nanoTime();
            final ErrnoException ex = assertThrows(ErrnoException.class, () -> lab.nsA().call(() ->
                XskSocket.builder(second).ifindex(ifindex).ringSize(64).busyRetry(Duration.ofMillis(200)).open()));
            final long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(Errno.EBUSY, ex.errno());
            assertTrue(ex.getMessage().contains("taken by another AF_XDP socket"), ex.getMessage());
            assertTrue(tookMillis >= 200, "retried for the configured 200 ms, took " + tookMillis);
            final Path holderFd = Path.of("/proc/self/fd/" + holder.fd());
            assertTrue(Files.readSymbolicLink(holderFd).toString().startsWith("socket:"),
                "the holder's socket stays open after the failed bind");
        }
    }

    @Test
    void tooLittleLockedMemoryIsNamed() throws Exception
    {
        // A child JVM without CAP_IPC_LOCK and with a 1 MiB RLIMIT_MEMLOCK registers a 4 MiB UMEM.
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process child = new ProcessBuilder(List.of(
            "prlimit", "--memlock=1048576:1048576",
            "setpriv", "--inh-caps=-ipc_lock", "--bounding-set=-ipc_lock",
            java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
            UmemRegisterMain.class.getName())).redirectErrorStream(true).start();
        final String out = new String(child.getInputStream().readAllBytes());
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertEquals(3, child.exitValue(), out);
        assertTrue(out.contains("setsockopt(XDP_UMEM_REG, 4194304 bytes): ENOBUFS"), out);
        assertTrue(out.contains("not enough locked memory"), out);
        assertTrue(out.contains("RLIMIT_MEMLOCK is 1048576 bytes"), out);
    }

    @Test
    void closingTheOwnerBeforeASocketSharingItsQueueIsRefused() throws Exception
    {
        try (Umem umem = Umem.allocate(64, 4096, 0))
        {
            final XskSocket owner = lab.nsA().call(() ->
                XskSocket.builder(umem).ifindex(ifindex).queue(0).ringSize(64).txSize(0).open());
            final XskSocket sharer = lab.nsA().call(() -> XskSocket.builder(umem)
                .ifindex(ifindex).queue(0).rxSize(0).txSize(64).sharedWith(owner).open());
            assertSame(owner.fillRing(), sharer.fillRing());
            final IllegalStateException ex = assertThrows(IllegalStateException.class, owner::close);
            assertEquals("1 socket(s) sharing this socket's queue still use its fill and completion rings: " +
                "close them first", ex.getMessage());
            // The refused close left the owner whole: its rings are still mapped and usable.
            assertEquals(64, owner.fillAll());
            assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + owner.fd())).toString()
                .startsWith("socket:"), "the owner's socket stays open");
            sharer.close();
            owner.close();
        }
    }

    @Test
    void closingTheUmemBeforeItsSocketsIsRefused() throws Exception
    {
        final Umem umem = Umem.allocate(64, 4096, 0);
        final XskSocket socket = lab.nsA().call(() -> XskSocket.builder(umem).ifindex(ifindex).ringSize(64).open());
        final IllegalStateException ex = assertThrows(IllegalStateException.class, umem::close);
        assertTrue(ex.getMessage().contains("close them first"), ex.getMessage());
        socket.close();
        umem.close();
    }

    /**
     * A socket registered in a program that is not attached to its interface would receive nothing and nothing would
     * fail: registerIn refuses, naming the interface, the namespace and the fix. An attachment to the same index in
     * another namespace does not count; after the attachment is closed, registering is refused again.
     */
    @Test
    void registeringInAProgramNotAttachedToTheSocketsInterfaceIsRefused() throws Exception
    {
        try (Umem umem = Umem.allocate(64, 4096, 0);
            XskProgram program = XskProgram.load())
        {
            try (XskSocket socket = lab.nsA().call(() ->
                XskSocket.builder(umem).interfaceName(lab.ifA()).ringSize(64).txSize(0).open()))
            {
                final IllegalStateException none = assertThrows(IllegalStateException.class,
                    () -> socket.registerIn(program));
                assertEquals("the XDP program is not attached to '" + lab.ifA() + "' (ifindex " + ifindex + ") in " +
                    "network namespace '" + lab.nsA().name() + "', the interface of this socket: it would receive " +
                    "nothing. Attach it first, in that namespace: program.attach(ifindex, XdpMode.DRV), then " +
                    "registerIn", none.getMessage());

                // Attached to the peer in namespace B (whose index may well be the same number): still refused.
                final int peer = lab.nsB().call(() -> Interfaces.index(lab.ifB()));
                final XdpAttachment elsewhere = lab.nsB().call(() -> program.attach(peer, XdpMode.SKB));
                try
                {
                    assertThrows(IllegalStateException.class, () -> socket.registerIn(program));
                }
                finally
                {
                    lab.nsB().run(elsewhere::close);
                }

                final XdpAttachment attached = lab.nsA().call(() -> program.attach(ifindex, XdpMode.SKB));
                try
                {
                    socket.registerIn(program);
                }
                finally
                {
                    lab.nsA().run(attached::close);
                }
            }
            try (XskSocket again = lab.nsA().call(() ->
                XskSocket.builder(umem).ifindex(ifindex).ringSize(64).txSize(0).open()))
            {
                final IllegalStateException detached = assertThrows(IllegalStateException.class,
                    () -> again.registerIn(program));
                assertTrue(detached.getMessage().contains("'" + lab.ifA() + "'"), "the name is looked up when the " +
                    "socket was opened by index: " + detached.getMessage());
            }
        }
    }

    /**
     * A kick the kernel refuses for a real reason is counted as an error with its errno, not as a retry: with the
     * interface down, sendto on the socket fails with ENETDOWN.
     */
    @Test
    void kickOnADownInterfaceIsAnErrorWithItsErrno() throws Exception
    {
        try (VethLab own = VethLab.create();
            Umem umem = Umem.allocate(64, 4096, 0);
            XskSocket socket = own.nsA().call(() -> XskSocket.builder(umem).interfaceName(own.ifA()).rxSize(0)
                .txSize(64).needWakeup(false).open()))
        {
            own.nsA().exec("ip", "link", "set", own.ifA(), "down");
            final long frame = umem.pool().acquire();
            assertTrue(socket.transmit(frame, 60));
            socket.flush();
            assertEquals(1, socket.txKicks());
            assertEquals(1, socket.kickErrors(), "the kick on a down interface");
            assertEquals(Errno.ENETDOWN, socket.lastKickErrno(), Errno.name(socket.lastKickErrno()));
            assertEquals(0, socket.kickRetries());
        }
    }
}
