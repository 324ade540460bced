package io.marchproxy.node;

import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxyService;

import java.util.function.IntFunction;

/**
 * Service names by index, as the proxy's current configuration has them: what the flow journal writes next to a
 * record's service index. Recomputed when the configuration changes; for the journal's one agent thread.
 */
final class ServiceNames implements IntFunction<String>
{
    private volatile L4Proxy proxy;
    private ProxyConfig config;
    private String[] names = new String[0];

    /** Starts naming from {@code proxy}'s configuration (before that: no names). */
    void of(final L4Proxy proxy)
    {
        this.proxy = proxy;
    }

    @Override
    public String apply(final int index)
    {
        final L4Proxy p = proxy;
        if (p == null)
        {
            return null;
        }
        final ProxyConfig now = p.config();
        if (now != config)
        {
            int max = -1;
            for (final ProxyService s : now.services())
            {
                max = Math.max(max, s.index());
            }
            final String[] next = new String[max + 1];
            for (final ProxyService s : now.services())
            {
                next[s.index()] = s.name();
            }
            names = next;
            config = now;
        }
        return index >= 0 && index < names.length ? names[index] : null;
    }
}
