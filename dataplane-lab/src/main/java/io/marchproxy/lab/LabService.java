package io.marchproxy.lab;

import java.net.InetAddress;

/**
 * A service of the lab: {@code transport} traffic to {@code vip:port}, balanced over every backend of the lab on
 * {@code backendPort}.
 */
public record LabService(Transport transport, InetAddress vip, int port, int backendPort)
{
    public LabService
    {
        if (port < 1 || port > 65535 || backendPort < 1 || backendPort > 65535)
        {
            throw new IllegalArgumentException("ports are 1..65535: " + port + " -> " + backendPort);
        }
    }
}
