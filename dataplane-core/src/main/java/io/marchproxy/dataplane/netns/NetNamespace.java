package io.marchproxy.dataplane.netns;

import io.marchproxy.ffm.ErrnoException;
import io.marchproxy.ffm.NativeAccess;
import io.marchproxy.ffm.libc.Errno;
import io.marchproxy.ffm.libc.Fcntl;
import io.marchproxy.ffm.libc.Sched;
import io.marchproxy.ffm.libc.Unistd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A named network namespace ({@code /var/run/netns/NAME}, as {@code ip netns} makes them). {@link #call(Callable)} runs
 * code inside it on the calling thread: sockets, interface lookups and XDP attachments made there belong to the
 * namespace and stay usable from any thread afterwards.
 *
 * <p>A namespace this class {@link #create created} is deleted by {@link #close()}; one {@link #existing} is not.
 */
public final class NetNamespace implements AutoCloseable
{
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final Path THREAD_NETNS = Path.of("/proc/thread-self/ns/net");
    private static final Path INITIAL_NETNS = Path.of("/proc/1/ns/net");

    private final String name;
    private final boolean owned;
    private boolean closed;

    private NetNamespace(final String name, final boolean owned)
    {
        this.name = name;
        this.owned = owned;
    }

    /**
     * Creates a namespace (with its loopback up); it is deleted on {@link #close()}.
     *
     * @param name the namespace's name under {@code /var/run/netns}
     * @return the namespace
     */
    public static NetNamespace create(final String name)
    {
        HostCommand.run("ip", "netns", "add", name);
        final NetNamespace ns = new NetNamespace(name, true);
        try
        {
            HostCommand.run("ip", "-n", name, "link", "set", "lo", "up");
        }
        catch (final RuntimeException ex)
        {
            ns.close();
            throw ex;
        }
        return ns;
    }

    /**
     * {@return a namespace that already exists, e.g. made by an operator; {@link #close()} leaves it alone}
     *
     * @param name the namespace's name under {@code /var/run/netns}
     * @throws IllegalArgumentException when there is none
     */
    public static NetNamespace existing(final String name)
    {
        if (!Files.exists(NETNS_DIR.resolve(name)))
        {
            throw new IllegalArgumentException("no network namespace " + name + " (ip netns list shows them)");
        }
        return new NetNamespace(name, false);
    }

    /** {@return the namespace's name under {@code /var/run/netns}} */
    public String name()
    {
        return name;
    }

    /** {@return the namespace's file, for {@code nsenter --net=} and {@code setns}} */
    public Path path()
    {
        return NETNS_DIR.resolve(name);
    }

    /**
     * Runs {@code task} on the calling thread inside this namespace and moves the thread back afterwards, also when the
     * task throws.
     *
     * @param <T> what the task returns
     * @param task the work
     * @return what the task returned
     * @throws Exception what the task threw, or when entering or leaving the namespace failed
     */
    public <T> T call(final Callable<T> task) throws Exception
    {
        NativeAccess.require(NetNamespace.class.getModule());
        final int target = openNamespace(path().toString());
        final int original;
        try
        {
            original = openNamespace("/proc/thread-self/ns/net");
        }
        catch (final RuntimeException ex)
        {
            Unistd.close(target);
            throw ex;
        }
        try
        {
            Errno.check(Sched.setns(target, Sched.CLONE_NEWNET), "setns(" + name + ")");
            try
            {
                return task.call();
            }
            finally
            {
                if (Sched.setns(original, Sched.CLONE_NEWNET) < 0)
                {
                    // A thread left in the wrong namespace would corrupt everything it does next.
                    throw new IllegalStateException(new ErrnoException("setns(back from " + name + ")",
                        io.marchproxy.ffm.CallState.errno()));
                }
            }
        }
        finally
        {
            Unistd.close(target);
            Unistd.close(original);
        }
    }

    /**
     * As {@link #call(Callable)} for a task without a result or checked exceptions.
     *
     * @param task the work
     */
    public void run(final Runnable task)
    {
        try
        {
            call(() ->
            {
                task.run();
                return null;
            });
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * {@return a process builder for {@code argv} run inside this namespace (through {@code nsenter}, which keeps bpffs
     * visible)}
     *
     * @param argv the command and its arguments
     */
    public ProcessBuilder command(final String... argv)
    {
        final List<String> full = new ArrayList<>(List.of("nsenter", "--net=" + path()));
        full.addAll(List.of(argv));
        return new ProcessBuilder(full);
    }

    /**
     * Runs {@code argv} in this namespace to completion and returns its output; throws if it fails.
     *
     * @param argv the command and its arguments
     * @return its output
     */
    public String exec(final String... argv)
    {
        return HostCommand.run(command(argv).command());
    }

    /** Deletes the namespace if this object created it; its interfaces go with it. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (owned && Files.exists(path()))
            {
                HostCommand.run("ip", "netns", "delete", name);
            }
        }
    }

    /**
     * The identity of the calling thread's network namespace: the inode number of its {@code nsfs} file (what
     * {@code ls -iL /proc/self/ns/net} and {@code ls -i /var/run/netns} show). Two threads, sockets or attachments
     * are in the same namespace exactly when their ids are equal. Setup-rate: it reads {@code /proc}.
     *
     * @return the namespace's inode number
     */
    public static long currentId()
    {
        return inode(THREAD_NETNS);
    }

    /**
     * Names the calling thread's network namespace for a message: {@code network namespace 'NAME'} when it is one of
     * {@code /var/run/netns} (as {@code ip netns} names them), {@code the initial network namespace} for the host's
     * own, otherwise {@code network namespace net:[INODE]}. Setup-rate; never throws.
     *
     * @return a phrase naming the namespace
     */
    public static String describeCurrent()
    {
        try
        {
            return describe(currentId());
        }
        catch (final RuntimeException ex)
        {
            return "this network namespace";
        }
    }

    /**
     * Names the network namespace with identity {@code id} ({@link #currentId()}) as {@link #describeCurrent()} does.
     *
     * @param id a namespace identity from {@link #currentId()}
     * @return a phrase naming the namespace
     */
    public static String describe(final long id)
    {
        if (Files.isDirectory(NETNS_DIR))
        {
            try (DirectoryStream<Path> names = Files.newDirectoryStream(NETNS_DIR))
            {
                for (final Path file : names)
                {
                    if (inodeOrZero(file) == id)
                    {
                        return "network namespace '" + file.getFileName() + "'";
                    }
                }
            }
            catch (final IOException | RuntimeException ignored)
            {
                // fall through to the unnamed forms
            }
        }
        if (inodeOrZero(INITIAL_NETNS) == id)
        {
            return "the initial network namespace";
        }
        return "network namespace net:[" + id + "]";
    }

    private static long inodeOrZero(final Path file)
    {
        try
        {
            return inode(file);
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
    }

    private static long inode(final Path file)
    {
        try
        {
            return ((Number)Files.getAttribute(file, "unix:ino")).longValue();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot stat " + file, ex);
        }
    }

    private static int openNamespace(final String file)
    {
        try (Arena arena = Arena.ofConfined())
        {
            return Errno.check(
                Fcntl.open(arena.allocateFrom(file), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0), "open(" + file + ")");
        }
    }
}
