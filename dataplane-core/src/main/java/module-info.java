/**
 * The MarchProxy dataplane: XDP programs (shipped compiled in this module), eBPF maps, network namespaces, AF_XDP
 * sockets and rings, packet flyweights and checksums, and the L4 proxy. Its API uses types of {@code io.marchproxy.ffm}
 * (errors), agrona ({@code Agent}, {@code IdleStrategy}) and HdrHistogram (latency snapshots), so all three are read
 * transitively. Its code calls restricted methods: run with
 * {@code --enable-native-access=io.marchproxy.ffm,io.marchproxy.dataplane} on the module path, and give agrona
 * {@code --add-exports=java.base/jdk.internal.misc=org.agrona}.
 */
module io.marchproxy.dataplane
{
    requires transitive io.marchproxy.ffm;
    requires transitive org.agrona;
    // HdrHistogram's jar names no module: its name comes from the file name (HdrHistogram-2.2.2.jar)
    requires transitive HdrHistogram;

    exports io.marchproxy.dataplane.acl;
    exports io.marchproxy.dataplane.balance;
    exports io.marchproxy.dataplane.bpf;
    exports io.marchproxy.dataplane.conntrack;
    exports io.marchproxy.dataplane.counter;
    exports io.marchproxy.dataplane.cpu;
    exports io.marchproxy.dataplane.nat;
    exports io.marchproxy.dataplane.net;
    exports io.marchproxy.dataplane.netlink;
    exports io.marchproxy.dataplane.netns;
    exports io.marchproxy.dataplane.packet;
    exports io.marchproxy.dataplane.proxy;
    exports io.marchproxy.dataplane.qos;
    exports io.marchproxy.dataplane.service;
    exports io.marchproxy.dataplane.xsk;
    // io.marchproxy.dataplane.memory (UncheckedMemory) stays unexported: only code of this module that proves its
    // accesses in bounds may use it.
}
