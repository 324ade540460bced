package io.marchproxy.dataplane.bpf;

import io.marchproxy.ffm.libbpf.Libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
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
    /** The program's name in the object. */
    public static final String PROGRAM = "xdp_xsk_redirect";

    /** Redirect every frame. */
    public static final int POLICY_ALL = 0;
    /** Policy bit: IPv4 UDP. */
    public static final int POLICY_IPV4_UDP = 1;
    /** Policy bit: IPv4 TCP. */
    public static final int POLICY_IPV4_TCP = 1 << 1;
    /** Policy bit: IPv6 UDP. */
    public static final int POLICY_IPV6_UDP = 1 << 2;
    /** Policy bit: IPv6 TCP. */
    public static final int POLICY_IPV6_TCP = 1 << 3;
    /** With the protocol bits: redirect only frames whose (protocol, destination port) is a registered service. */
    public static final int POLICY_SERVICES = 1 << 4;

    /** IP protocol numbers used as service keys. */
    public static final int IPPROTO_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int IPPROTO_UDP = 17;

    /** {@code struct service_key}: checked against the object's BTF by {@code BtfLayoutTest}. */
    public static final StructLayout SERVICE_KEY = MemoryLayout.structLayout(
        JAVA_BYTE.withName("proto"),
        JAVA_BYTE.withName("pad"),
        JAVA_SHORT.withName("port")).withName("service_key");

    /** {@code struct redirect_policy}: checked against the object's BTF by {@code BtfLayoutTest}. */
    public static final StructLayout REDIRECT_POLICY = MemoryLayout.structLayout(
        JAVA_INT.withName("proto_mask"),
        JAVA_SHORT.withName("port_min"),
        JAVA_SHORT.withName("port_max")).withName("redirect_policy");

    private static final VarHandle POLICY_MASK = REDIRECT_POLICY.varHandle(groupElement("proto_mask"));
    private static final VarHandle POLICY_MIN = REDIRECT_POLICY.varHandle(groupElement("port_min"));
    private static final VarHandle POLICY_MAX = REDIRECT_POLICY.varHandle(groupElement("port_max"));
    private static final VarHandle KEY_PROTO = SERVICE_KEY.varHandle(groupElement("proto"));
    private static final VarHandle KEY_PAD = SERVICE_KEY.varHandle(groupElement("pad"));
    private static final VarHandle KEY_PORT = SERVICE_KEY.varHandle(groupElement("port"));

    /** The per-CPU counters, in the order of {@code enum counter} in the C source. */
    public enum Counter
    {
        /** Frames the program saw. */
        RX_PACKETS,
        /** Bytes of the frames the program saw. */
        RX_BYTES,
        /** Frames redirected to the queue's AF_XDP socket. */
        REDIRECTED,
        /** Selected frames passed to the kernel because no socket is registered for their queue. */
        PASSED_NO_SOCKET,
        /** Frames the policy did not select, passed to the kernel. */
        PASSED_POLICY,
        /** Frames too short to parse for the policy, passed to the kernel. */
        MALFORMED,
        /** Frames to a registered service ({@link #POLICY_SERVICES}). */
        SERVICE_MATCHED
    }

    private final EmbeddedProgram program;
    private final BpfMap sockets;
    private final BpfMap policy;
    private final BpfMap services;
    /** Attachments made through {@link #attach}: what {@link #isAttachedTo} answers from. */
    private final List<XdpAttachment> attachments = new CopyOnWriteArrayList<>();

    private XskProgram(final EmbeddedProgram program)
    {
        this.program = program;
        this.sockets = program.map("xsks_map");
        this.policy = program.map("xsk_policy");
        this.services = program.map("xsk_services");
    }

    /**
     * Loads the program shipped in this jar.
     *
     * @return the loaded program, not attached anywhere yet
     */
    public static XskProgram load()
    {
        return EmbeddedProgram.load(RESOURCE, PROGRAM, "xsk_counters", XskProgram::new);
    }

    /** {@return the loaded program's file descriptor} */
    public int programFd()
    {
        return program.programFd();
    }

    /**
     * Attaches the program to {@code ifindex}; run inside the interface's namespace.
     *
     * @param ifindex the interface's index there
     * @param mode driver or generic mode
     * @return the attachment; closing it detaches the program
     */
    public XdpAttachment attach(final int ifindex, final XdpMode mode)
    {
        final XdpAttachment attachment = program.attach(ifindex, mode);
        attachments.removeIf(a -> !a.isAttached());
        attachments.add(attachment);
        return attachment;
    }

    /**
     * Whether this program is attached (through {@link #attach}, not closed yet) to interface {@code ifindex} of the
     * network namespace {@code namespaceId} ({@link io.marchproxy.dataplane.netns.NetNamespace#currentId()}). A socket
     * registered in a program that is not attached to its interface receives nothing, silently: {@code
     * XskSocket.registerIn} checks this first.
     *
     * @param ifindex     the interface's index in that namespace
     * @param namespaceId the namespace's identity
     * @return true when an open attachment matches both
     */
    public boolean isAttachedTo(final int ifindex, final long namespaceId)
    {
        for (final XdpAttachment a : attachments)
        {
            if (a.isAttached() && a.ifindex() == ifindex && a.namespaceId() == namespaceId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends frames arriving on {@code queue} to the AF_XDP socket {@code xskFd}.
     *
     * @param queue the RX queue
     * @param xskFd the AF_XDP socket bound to it
     */
    public void registerSocket(final int queue, final int xskFd)
    {
        sockets.putInt(queue, xskFd);
    }

    /**
     * Stops redirecting {@code queue}; its frames go to the kernel stack again.
     *
     * @param queue the RX queue
     */
    public void unregisterSocket(final int queue)
    {
        sockets.deleteInt(queue);
    }

    /**
     * Selects which frames are redirected: {@code protoMask} of {@code POLICY_*} bits (0 = all frames) and a destination
     * port range (0..0 = any port).
     *
     * @param protoMask {@code POLICY_*} bits, 0 for every frame
     * @param portMin the lowest destination port, 0 for any
     * @param portMax the highest destination port, 0 for any
     */
    public void setPolicy(final int protoMask, final int portMin, final int portMax)
    {
        if (portMin < 0 || portMax > 65535 || portMin > portMax)
        {
            throw new IllegalArgumentException("bad port range " + portMin + ".." + portMax);
        }
        try (Arena a = Arena.ofConfined())
        {
            final MemorySegment value = a.allocate(REDIRECT_POLICY);
            POLICY_MASK.set(value, 0L, protoMask);
            POLICY_MIN.set(value, 0L, (short)portMin);
            POLICY_MAX.set(value, 0L, (short)portMax);
            policy.update(a.allocateFrom(JAVA_INT, 0), value, Libbpf.BPF_ANY);
        }
    }

    /**
     * Registers the L4 service {@code (ipProtocol, port)} under {@code serviceId}; frames to it are selected when the
     * policy has {@link #POLICY_SERVICES}.
     *
     * @param ipProtocol {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}
     * @param port the destination port
     * @param serviceId the service's id
     */
    public void putService(final int ipProtocol, final int port, final int serviceId)
    {
        try (Arena a = Arena.ofConfined())
        {
            services.update(serviceKey(a, ipProtocol, port), a.allocateFrom(JAVA_INT, serviceId), Libbpf.BPF_ANY);
        }
    }

    /**
     * Removes the service {@code (ipProtocol, port)}: false if it was not registered.
     *
     * @param ipProtocol {@link #IPPROTO_TCP} or {@link #IPPROTO_UDP}
     * @param port the destination port
     * @return true when it was registered
     */
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
        final MemorySegment key = a.allocate(SERVICE_KEY);
        KEY_PROTO.set(key, 0L, (byte)ipProtocol);
        KEY_PAD.set(key, 0L, (byte)0);
        KEY_PORT.set(key, 0L, (short)port);
        return key;
    }

    /**
     * {@return a counter summed over all CPUs}
     *
     * @param counter the counter
     */
    public long counter(final Counter counter)
    {
        return program.counter(counter.ordinal());
    }

    @Override
    public void close()
    {
        program.close();
    }
}
