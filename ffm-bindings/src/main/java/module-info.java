/**
 * Raw FFM bindings to libc, libbpf and the kernel's AF_XDP, XDP and routing-netlink headers, in jextract's shape.
 * Depends on nothing but {@code java.base}. Its code calls restricted methods: run with
 * {@code --enable-native-access=io.marchproxy.ffm} on the module path ({@code ALL-UNNAMED} on the class path).
 */
module io.marchproxy.ffm
{
    exports io.marchproxy.ffm;
    exports io.marchproxy.ffm.libbpf;
    exports io.marchproxy.ffm.libc;
    exports io.marchproxy.ffm.linux;
}
