package io.marchproxy.dataplane.proxy;

import io.marchproxy.dataplane.net.IpAddress;

/**
 * What the backend monitor last learned of every backend: its MAC address on the back interface (0 when the kernel
 * has no usable neighbour entry) and whether it passes its health checks. Immutable; indexed like the configuration
 * it was made for ({@link #config()}: service index, backend position), with each backend's address kept so that a
 * position reused for another backend never passes for it.
 */
final class BackendLinks
{
    static final BackendLinks NONE = new BackendLinks(null, new long[0][], new boolean[0][], new IpAddress[0][]);

    private final CompiledConfig config;
    private final long[][] macs;
    private final boolean[][] healthy;
    private final IpAddress[][] addresses;

    BackendLinks(final CompiledConfig config, final long[][] macs, final boolean[][] healthy,
        final IpAddress[][] addresses)
    {
        this.config = config;
        this.macs = macs;
        this.healthy = healthy;
        this.addresses = addresses;
    }

    /**
     * The configuration these links were made for (null for {@link #NONE}): the dataplane adopts them with that
     * configuration, never under another (links for the next configuration mark the backends it disables as
     * unusable, which the current one may still be using).
     */
    CompiledConfig config()
    {
        return config;
    }

    /** The backend's MAC, 0 when unknown; per packet, so no address check (positions are stable for life). */
    long mac(final int service, final int backend)
    {
        final long[] m = service < macs.length ? macs[service] : null;
        return m == null || backend >= m.length ? 0 : m[backend];
    }

    /** True when {@code address} is what this snapshot knows at that position, with a MAC, and healthy. */
    boolean usable(final int service, final int backend, final IpAddress address)
    {
        if (service >= macs.length || macs[service] == null || backend >= macs[service].length)
        {
            return false;
        }
        return macs[service][backend] != 0 && healthy[service][backend] && address != null
            && address.equals(addresses[service][backend]);
    }

    boolean healthy(final int service, final int backend)
    {
        return service < healthy.length && healthy[service] != null && backend < healthy[service].length
            && healthy[service][backend];
    }
}
