package io.marchproxy.node.cli;

/**
 * The default SNAT port range as annotation text ({@code ProxySettings.DEFAULT_SNAT_PORTS}; {@code CommandTest} checks
 * they agree).
 */
final class SnatPorts
{
    /** {@code ProxySettings.DEFAULT_SNAT_PORTS} as {@code A-B}. */
    static final String DEFAULT = "20000-32767";

    private SnatPorts()
    {
    }
}
