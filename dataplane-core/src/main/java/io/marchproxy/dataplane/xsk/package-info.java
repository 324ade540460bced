/**
 * AF_XDP driven from Java: the UMEM and its {@link io.marchproxy.dataplane.xsk.FramePool}, the four rings over the
 * kernel's mmap'd ring memory ({@link io.marchproxy.dataplane.xsk.FillRing}, {@link io.marchproxy.dataplane.xsk.RxRing}
 * as the kernel's producers and our consumers, {@link io.marchproxy.dataplane.xsk.TxRing},
 * {@link io.marchproxy.dataplane.xsk.CompletionRing}), their layout arithmetic in
 * {@link io.marchproxy.dataplane.xsk.RingDescriptor}, and {@link io.marchproxy.dataplane.xsk.XskSocket} with its
 * zero-copy packet API. Native calls happen only at setup and for wake-ups; the ring protocol is plain Java over
 * {@code MemorySegment}s with acquire/release index accesses. Everything here is single-threaded per socket (and per
 * UMEM when sockets share one): one duty-cycle thread owns it. Depends on {@code ffm-bindings} only;
 * {@code io.marchproxy.dataplane.bpf} supplies the XDP program whose XSKMAP the sockets are registered in.
 */
package io.marchproxy.dataplane.xsk;
