package io.marchproxy.journal;

import io.marchproxy.dataplane.net.IpAddress;
import io.marchproxy.dataplane.packet.DropReason;

import java.time.Duration;
import java.time.Instant;

/**
 * One record of the flow journal as a reader sees it.
 *
 * @param type            open, close or a drop sample
 * @param time            when it happened (the dataplane's clock, as wall-clock time)
 * @param service         the service's name when the record was written; null when unknown (a drop before a service
 *                        was found)
 * @param serviceIndex    the service's index, -1 when unknown
 * @param backendIndex    the backend's position in its service, -1 for drops
 * @param protocol        IP protocol number (6 TCP, 17 UDP), 0 when unknown
 * @param client          the client's address and port (a drop's source), null when unknown
 * @param vip             the address and port the client reached (a drop's destination), null when unknown
 * @param backend         the backend the flow went to, null for drops
 * @param snat            the node's address and port toward the backend, null for drops
 * @param packetsToBackend packets client to backend (close: the whole flow; open: its first packet)
 * @param bytesToBackend  bytes client to backend
 * @param packetsToClient packets backend to client
 * @param bytesToClient   bytes backend to client
 * @param duration        close: from the first to the last packet; null otherwise
 * @param dropReason      drop samples: why; null otherwise
 * @param dropCount       drop samples: frames dropped for the reason since the previous sample; 0 otherwise
 */
public record FlowRecord(
    FlowRecordType type,
    Instant time,
    String service,
    int serviceIndex,
    int backendIndex,
    int protocol,
    Endpoint client,
    Endpoint vip,
    Endpoint backend,
    Endpoint snat,
    long packetsToBackend,
    long bytesToBackend,
    long packetsToClient,
    long bytesToClient,
    Duration duration,
    DropReason dropReason,
    long dropCount)
{
    /** An address and port. */
    public record Endpoint(IpAddress address, int port)
    {
        @Override
        public String toString()
        {
            return address.family() == 6 ? "[" + address + "]:" + port : address + ":" + port;
        }
    }

    /** The protocol's name ({@code tcp}, {@code udp}) or its number. */
    public String protocolName()
    {
        return switch (protocol)
        {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 0 -> "-";
            default -> Integer.toString(protocol);
        };
    }

    /** One line for people: what {@code journal tail} prints. */
    public String toLine()
    {
        final StringBuilder b = new StringBuilder(160).append(time).append(' ')
            .append(type.name().toLowerCase()).append(' ');
        if (type == FlowRecordType.DROP)
        {
            b.append(dropReason).append(" x").append(dropCount).append(' ');
        }
        b.append(protocolName()).append(' ').append(service == null ? "-" : service);
        if (client != null)
        {
            b.append(' ').append(client).append(" -> ").append(vip);
        }
        if (backend != null)
        {
            b.append(" via ").append(backend).append(" (snat ").append(snat).append(')');
        }
        if (type == FlowRecordType.CLOSE)
        {
            b.append(" packets ").append(packetsToBackend).append('/').append(packetsToClient)
                .append(" bytes ").append(bytesToBackend).append('/').append(bytesToClient)
                .append(" duration ").append(String.format("%.3f", duration.toNanos() / 1e6)).append(" ms");
        }
        return b.toString();
    }
}
