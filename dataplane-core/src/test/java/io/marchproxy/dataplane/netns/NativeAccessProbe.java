package io.marchproxy.dataplane.netns;

import io.marchproxy.ffm.libc.NetIf;

/**
 * A child JVM's main for {@link NativeAccessTest}: looks up {@code lo} through the library ({@code library}) or through
 * the raw binding ({@code binding}) and prints its index; any failure is printed with its causes and exits 3.
 */
final class NativeAccessProbe
{
    private NativeAccessProbe()
    {
    }

    public static void main(final String[] args)
    {
        try
        {
            System.out.println("index " + (args[0].equals("library") ? Interfaces.index("lo") : NetIf.if_nametoindex("lo")));
        }
        catch (final Throwable ex)
        {
            for (Throwable t = ex; t != null; t = t.getCause())
            {
                System.out.println(t.getClass().getName() + ": " + t.getMessage());
            }
            System.exit(3);
        }
    }
}
