package io.marchproxy.dataplane.xsk;

import io.marchproxy.ffm.ErrnoException;

/**
 * Child process of {@link XskErrorsTest}: registers a 4 MiB UMEM on a socket for the loopback interface and prints
 * the outcome. Exit status 0 registered, 3 an {@link ErrnoException} (its message on stdout).
 */
public final class UmemRegisterMain
{
    private UmemRegisterMain()
    {
    }

    public static void main(final String[] args)
    {
        try (Umem umem = Umem.allocate(1024, 4096, 0);
            XskSocket socket = XskSocket.builder(umem).interfaceName("lo").ringSize(64).open())
        {
            System.out.println("registered and bound: " + socket);
        }
        catch (final ErrnoException ex)
        {
            System.out.println(ex.getMessage());
            System.exit(3);
        }
    }
}
