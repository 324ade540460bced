package io.marchproxy.dataplane.netns;

import io.marchproxy.ffm.NativeAccess;
import io.marchproxy.ffm.libc.NetIf;

/** Interface lookups in the calling thread's network namespace. */
public final class Interfaces
{
    private Interfaces()
    {
    }

    /**
     * {@return the index of {@code name}; a clear error if there is no such interface in this namespace}
     *
     * @param name the interface's name
     * @throws IllegalArgumentException naming the calling thread's namespace when there is none
     */
    public static int index(final String name)
    {
        NativeAccess.require(Interfaces.class.getModule());
        if (name == null || name.isEmpty() || name.length() >= NetIf.IF_NAMESIZE)
        {
            throw new IllegalArgumentException("bad interface name '" + name + "': 1 to " + (NetIf.IF_NAMESIZE - 1) +
                " characters");
        }
        final int index = NetIf.if_nametoindex(name);
        if (index == 0)
        {
            final String ns = NetNamespace.describeCurrent();
            throw new IllegalArgumentException("no network interface '" + name + "' in " + ns + " (the calling " +
                "thread's; `ip link` shows its interfaces): run the call inside the interface's namespace, e.g. " +
                "NetNamespace.existing(\"NAME\").call(() -> ...)");
        }
        return index;
    }
}
