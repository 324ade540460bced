package io.marchproxy.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The capabilities a dataplane needs, checked before anything starts, so a command run without them stops with one
 * line that says what is missing instead of failing half-way (after the control plane created its store).
 */
final class Privileges
{
    private static final int CAP_NET_ADMIN = 12;
    private static final int CAP_NET_RAW = 13;
    private static final int CAP_SYS_ADMIN = 21;
    private static final int CAP_BPF = 39;

    private Privileges()
    {
    }

    /**
     * Throws unless this process may attach XDP programs and open AF_XDP sockets (CAP_NET_ADMIN, CAP_NET_RAW and
     * CAP_BPF or CAP_SYS_ADMIN), and for a lab also create network namespaces (CAP_SYS_ADMIN).
     *
     * @param command the command, for the message
     * @param lab     whether the command builds a lab
     * @throws IllegalStateException naming the missing capabilities
     */
    static void requireDataplane(final String command, final boolean lab)
    {
        final long effective = effective();
        final List<String> missing = new ArrayList<>();
        if (!has(effective, CAP_NET_ADMIN))
        {
            missing.add("CAP_NET_ADMIN");
        }
        if (!has(effective, CAP_NET_RAW))
        {
            missing.add("CAP_NET_RAW");
        }
        if (!has(effective, CAP_BPF) && !has(effective, CAP_SYS_ADMIN))
        {
            missing.add("CAP_BPF");
        }
        if (lab && !has(effective, CAP_SYS_ADMIN))
        {
            missing.add("CAP_SYS_ADMIN");
        }
        if (!missing.isEmpty())
        {
            throw new IllegalStateException("marchproxy " + command + " needs root (or " +
                (lab ? "CAP_BPF, CAP_NET_ADMIN, CAP_NET_RAW and CAP_SYS_ADMIN: it attaches XDP programs, opens AF_XDP " +
                    "sockets and creates network namespaces" : "CAP_BPF, CAP_NET_ADMIN and CAP_NET_RAW: it attaches " +
                    "XDP programs and opens AF_XDP sockets") + "); missing: " + String.join(", ", missing) +
                ". Run it as root, e.g. sudo.");
        }
    }

    private static boolean has(final long effective, final int capability)
    {
        return (effective & (1L << capability)) != 0;
    }

    /** The effective capability set, from {@code /proc/self/status}. */
    private static long effective()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
            {
                if (line.startsWith("CapEff:"))
                {
                    return Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read /proc/self/status to check capabilities", ex);
        }
        throw new IllegalStateException("no CapEff line in /proc/self/status");
    }
}
