package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The embedded AF_XDP redirect program ({@code bpf/xdp_xsk.bpf.c}) loaded into the kernel: counts every frame in per-CPU
 * counters and redirects the frames its policy selects to the AF_XDP socket registered for their RX queue; the rest go
 * to the kernel stack. Closing unloads it (attachments must be closed first).
 *
 * <p>Counter reads and policy/socket updates are setup-rate operations and may be called from any thread.
 */
public final class XskProgram implements AutoCloseable
{
    /** Class-path location of the compiled object inside the dataplane-core jar. */
    public static final String RESOURCE = "/io/marchproxy/dataplane/bpf/xdp_xsk.bpf.o";
    public static final String PROGRAM = "xdp_xsk_redirect";

    /** Redirect every frame. */
    public static final int POLICY_ALL = 0;
    public static final int POLICY_IPV4_UDP = 1;
    public static final int POLICY_IPV4_TCP = 1 << 1;
    public static final int POLICY_IPV6_UDP = 1 << 2;
    public static final int POLICY_IPV6_TCP = 1 << 3;
    /** With the protocol bits: redirect only frames whose (protocol, destination port) is a registered service. */
    public static final int POLICY_SERVICES = 1 << 4;

    /** IP protocol numbers used as service keys. */
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;

    /** The per-CPU counters, in the order of {@code enum counter} in the C source. */
    public enum Counter
    {
        RX_PACKETS, RX_BYTES, REDIRECTED, PASSED_NO_SOCKET, PASSED_POLICY, MALFORMED, SERVICE_MATCHED
    }

    private final BpfObject object;
    private final BpfMap sockets;
    private final BpfMap counters;
    private final BpfMap policy;
    private final BpfMap services;
    private final int programFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment counterScratch;

    private XskProgram(final BpfObject object)
    {
        this.object = object;
        this.sockets = object.map("xsks_map");
        this.counters = object.map("xsk_counters");
        this.policy = object.map("xsk_policy");
        this.services = object.map("xsk_services");
        this.programFd = object.programFd(PROGRAM);
        this.counterScratch = arena.allocate((long)Long.BYTES * (1 + Libbpf.libbpf_num_possible_cpus()), 8);
    }

    /** Loads the program shipped in this jar. */
    public static XskProgram load()
    {
        final BpfObject object = BpfObject.openResource(RESOURCE);
        try
        {
            object.load();
            return new XskProgram(object);
        }
        catch (final RuntimeException ex)
        {
            object.close();
            throw ex;
        }
    }

    public int programFd()
    {
        return programFd;
    }

    /** Attaches the program to {@code ifindex}; run inside the interface's namespace. */
    public XdpAttachment attach(final int ifindex, final XdpMode mode)
    {
        return XdpAttachment.attach(ifindex, programFd, mode);
    }

    /** Sends frames arriving on {@code queue} to the AF_XDP socket {@code xskFd}. */
    public void registerSocket(final int queue, final int xskFd)
    {
        sockets.putInt(queue, xskFd);
    }

    /** Stops redirecting {@code queue}; its frames go to the kernel stack again. */
    public void unregisterSocket(final int queue)
    {
        sockets.deleteInt(queue);
    }

    /**
     * Selects which frames are redirected: {@code protoMask} of {@code POLICY_*} bits (0 = all frames) and a destination
     * port range (0..0 = any port).
     */
    public void setPolicy(final int protoMask, final int portMin, final int portMax)
    {
        if (portMin < 0 || portMax > 65535 || portMin > portMax)
        {
            throw new IllegalArgumentException("bad port range " + portMin + ".." + portMax);
        }
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment value = a.allocate(8, 4);
            value.set(JAVA_INT, 0, protoMask);
            value.set(JAVA_SHORT, 4, (short)portMin);
            value.set(JAVA_SHORT, 6, (short)portMax);
            policy.update(a.allocateFrom(JAVA_INT, 0), value, Libbpf.BPF_ANY);
        }
    }

    /**
     * Registers the L4 service {@code (ipProtocol, port)} under {@code serviceId}; frames to it are selected when the
     * policy has {@link #POLICY_SERVICES}.
     */
    public void putService(final int ipProtocol, final int port, final int serviceId)
    {
        try (Arena a = Arena.ofConfined())
        {
            services.update(serviceKey(a, ipProtocol, port), a.allocateFrom(JAVA_INT, serviceId), Libbpf.BPF_ANY);
        }
    }

    /** Removes the service {@code (ipProtocol, port)}: false if it was not registered. */
    public boolean removeService(final int ipProtocol, final int port)
    {
        try (Arena a = Arena.ofConfined())
        {
            return services.delete(serviceKey(a, ipProtocol, port));
        }
    }

    private static MemorySegment serviceKey(final Arena a, final int ipProtocol, final int port)
    {
        if (ipProtocol != IPPROTO_TCP && ipProtocol != IPPROTO_UDP)
        {
            throw new IllegalArgumentException("service protocol must be TCP (6) or UDP (17), not " + ipProtocol);
        }
        if (port < 1 || port > 65535)
        {
            throw new IllegalArgumentException("service port must be 1..65535, not " + port);
        }
        final MemorySegment key = a.allocate(4, 2);
        key.set(JAVA_BYTE, 0, (byte)ipProtocol);
        key.set(JAVA_BYTE, 1, (byte)0);
        key.set(JAVA_SHORT, 2, (short)port);
        return key;
    }

    /** A counter summed over all CPUs. */
    public synchronized long counter(final Counter counter)
    {
        return counters.sumPerCpuLong(counter.ordinal(), counterScratch);
    }

    @Override
    public void close()
    {
        object.close();
        arena.close();
    }
}
