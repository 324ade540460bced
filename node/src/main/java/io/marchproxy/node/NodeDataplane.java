package io.marchproxy.node;

import io.marchproxy.control.ControlPlane;
import io.marchproxy.dataplane.netns.NetNamespace;
import io.marchproxy.dataplane.proxy.FlowEvents;
import io.marchproxy.dataplane.proxy.L4Proxy;
import io.marchproxy.dataplane.proxy.ProxyConfig;
import io.marchproxy.dataplane.proxy.ProxySettings;
import io.marchproxy.journal.FlowJournal;

import java.time.Clock;

/**
 * The dataplane side of a running node, composed: the flow journal (unless disabled), the L4 proxy feeding it, the
 * {@link L4Dataplane} that keeps the proxy serving the node's cluster, and {@link NodeMetrics} in the control plane's
 * registry. {@link #close()} takes it apart in reverse order: metrics, subscription, proxy, then the journal (which
 * appends what its rings still hold).
 */
final class NodeDataplane implements AutoCloseable
{
    private final ControlPlane plane;
    private FlowJournal journal;
    private L4Proxy proxy;
    private L4Dataplane dataplane;
    private AutoCloseable subscription;
    private NodeMetrics metrics;

    private NodeDataplane(final ControlPlane plane)
    {
        this.plane = plane;
    }

    /**
     * Starts the dataplane in {@code namespace} (null: this process's) for {@code cluster}, applies the cluster's
     * config once, and registers the metrics. Releases what it made when a step fails.
     *
     * @param journalSettings null: no journal
     */
    static NodeDataplane start(final ControlPlane plane, final NetNamespace namespace, final ProxySettings settings,
        final String cluster, final FlowJournal.Settings journalSettings, final Clock clock) throws Exception
    {
        final NodeDataplane node = new NodeDataplane(plane);
        try
        {
            final ServiceNames names = new ServiceNames();
            FlowEvents events = FlowEvents.NONE;
            if (journalSettings != null)
            {
                node.journal = FlowJournal.open(journalSettings, names);
                events = node.journal.newWriter();
            }
            node.proxy = L4Proxy.start(namespace, settings, ProxyConfig.EMPTY, events);
            names.of(node.proxy);
            node.dataplane = new L4Dataplane(plane.store(), plane.publisher(), cluster, node.proxy, clock);
            node.subscription = plane.publisher().subscribe(node.dataplane);
            node.dataplane.apply(null);
            node.metrics = new NodeMetrics(node.proxy, node.dataplane, node.journal);
            plane.metrics().register(node.metrics);
            return node;
        }
        catch (final Exception | Error ex)
        {
            node.close();
            throw ex;
        }
    }

    L4Proxy proxy()
    {
        return proxy;
    }

    L4Dataplane dataplane()
    {
        return dataplane;
    }

    /** The flow journal, or null when disabled. */
    FlowJournal journal()
    {
        return journal;
    }

    @Override
    public void close() throws Exception
    {
        if (metrics != null)
        {
            plane.metrics().unregister(metrics);
        }
        try (FlowJournal j = journal; L4Proxy p = proxy; AutoCloseable s = subscription)
        {
            // closed in reverse order: the subscription, the proxy (the journal's writer thread), the journal
        }
    }
}
