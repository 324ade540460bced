// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * MarchProxy L4 proxy entry program.
 *
 * Runs on the node's interfaces (front, toward clients, and back, toward backends) and decides, per frame, before any
 * copy into user space:
 *   - a TCP/UDP frame to a service (VIP, protocol, port or port range): the access rules are checked here, by an LPM
 *     lookup of (service, source address); denied frames are dropped and counted in the kernel, allowed ones (and
 *     ones the rules cannot decide here: "punt") go to the AF_XDP socket of the interface's RX queue;
 *   - a TCP/UDP frame to one of the node's SNAT addresses on a port of its SNAT range (a backend's reply): to the
 *     socket, where the Java proxy reverses the translation;
 *   - fragments, ICMP errors, IPv6 extension headers and frames too short for their headers, when addressed to a VIP,
 *     and ICMP errors to a SNAT address quoting a packet sent from its SNAT range: to the socket, where the Java
 *     parser translates ICMP errors and drops and counts the rest by reason;
 *   - everything else (ARP, neighbour discovery, the node's own traffic): to the kernel (XDP_PASS).
 *
 * Services and access rules exist in two generations (maps *_0 and *_1); l4_config.generation says which one is live
 * and l4_config.sequence[g] which configuration generation g holds (0 while it is being written). The writer marks the
 * idle generation 0, fills it completely, writes its sequence, then flips the generation with one map update. A run
 * reads the sequence of the generation it uses before and after its lookups: if the writer rewrote that generation
 * meanwhile (a run that outlived a flip and the next stage, e.g. a preempted vCPU), it decides again on the new live
 * one (counted as L4_CONFIG_RETRIED). So a frame sees a whole configuration, never half of a change. Frames given to
 * user space carry the sequence they were decided under in 8 bytes put in front of the frame (struct l4_meta, with
 * bpf_xdp_adjust_head: this kernel refuses bpf_xdp_adjust_meta), so the Java side can check that it never handles a
 * frame the kernel judged under a configuration it has not adopted; it skips them before parsing and sending.
 *
 * Every struct below is mirrored in Java by io.marchproxy.dataplane.bpf.L4Program, and BtfLayoutTest checks the Java
 * layouts against this object's BTF.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MAX_SOCKETS 256
#define MAX_SERVICES 65536
#define MAX_ACL_ENTRIES 262144
#define ACL_SEGMENTS 8
#define VLAN_MAX_DEPTH 2

/* From <linux/icmp.h> and <linux/in6.h>, which pull libc headers into a BPF build. */
#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#ifndef IPPROTO_ICMPV6
#define IPPROTO_ICMPV6 58
#endif

#define FAMILY_IPV4 4
#define FAMILY_IPV6 6

#define ACTION_DENY 0
#define ACTION_ALLOW 1
#define ACTION_PUNT 2

enum l4_counter {
	L4_RX_PACKETS = 0,
	L4_RX_BYTES = 1,
	L4_REDIRECTED = 2,
	L4_PASSED = 3,
	L4_SERVICE_MATCHED = 4,
	L4_ACL_DROPPED = 5,
	L4_ACL_PUNTED = 6,
	L4_SNAT_RETURN = 7,
	L4_PUNTED = 8,
	L4_MALFORMED = 9,
	L4_NO_SOCKET = 10,
	L4_CONFIG_RETRIED = 11,
	L4_NO_HEADROOM = 12,
	L4_COUNTERS = 13,
};

/* The 8 bytes in front of every frame steered to a socket: what configuration decided it (0: none did). */
#define L4_META_MAGIC 0x4d504d31 /* "MPM1" */
struct l4_meta {
	__u32 magic;
	__u32 sequence;
};

/* Only here so that struct l4_meta is in the object's BTF, where BtfLayoutTest checks the Java side against it. */
const volatile struct l4_meta l4_meta_layout = { .magic = L4_META_MAGIC };

/* An exact service: (family, protocol, destination port in network order, VIP; IPv4 in the first 4 bytes). */
struct l4_service_key {
	__u8 family;
	__u8 proto;
	__be16 port;
	__u8 addr[16];
};

/* A service over a port range, as LPM prefixes over (family, proto, VIP, port): prefixlen = 144 + port bits. */
struct l4_range_key {
	__u32 prefixlen;
	__u8 family;
	__u8 proto;
	__u8 addr[16];
	__be16 port;
};

struct l4_service_value {
	__u32 service;
	__u32 flags;
};

/* Access rules: LPM over (service, family, source address): prefixlen = 40 + source prefix length. */
struct l4_acl_key {
	__u32 prefixlen;
	__be32 service;
	__u8 family;
	__u8 addr[16];
};

/* A destination-port segment of an access decision (host order, inclusive). */
struct l4_acl_segment {
	__u16 port_lo;
	__u16 port_hi;
	__u8 action;
	__u8 pad[3];
};

/* The decision for sources in one prefix: the first segment holding the port decides, else default_action. */
struct l4_acl_value {
	__u8 default_action;
	__u8 segments;
	__u8 pad[2];
	struct l4_acl_segment segment[ACL_SEGMENTS];
};

/* A VIP (proto 0) or a SNAT address (proto TCP/UDP). */
struct l4_addr_key {
	__u8 family;
	__u8 proto;
	__u16 pad;
	__u8 addr[16];
};

/* The SNAT port range of an address, host order, inclusive. */
struct l4_snat_value {
	__u16 port_lo;
	__u16 port_hi;
};

struct l4_config {
	__u32 generation;
	/* Per generation: the action for a service packet no access entry covers, and whether range services exist. */
	__u8 default_action[2];
	__u8 has_ranges[2];
	/* Per generation: the sequence number of the configuration it holds; 0 while the writer rewrites it. */
	__u32 sequence[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, MAX_SOCKETS);
	__type(key, __u32);
	__type(value, __u32);
} l4_xsks SEC(".maps");

/* Interface index -> first XSKMAP slot of its queues (slot = base + RX queue). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} l4_ifslots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, L4_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} l4_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct l4_config);
} l4_config SEC(".maps");

#define SERVICE_MAP(name)                                  \
	struct {                                           \
		__uint(type, BPF_MAP_TYPE_HASH);           \
		__uint(max_entries, MAX_SERVICES);         \
		__type(key, struct l4_service_key);        \
		__type(value, struct l4_service_value);    \
	} name SEC(".maps")
#define RANGE_MAP(name)                                    \
	struct {                                           \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);       \
		__uint(max_entries, MAX_SERVICES);         \
		__uint(map_flags, BPF_F_NO_PREALLOC);      \
		__type(key, struct l4_range_key);          \
		__type(value, struct l4_service_value);    \
	} name SEC(".maps")
#define ACL_MAP(name)                                      \
	struct {                                           \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);       \
		__uint(max_entries, MAX_ACL_ENTRIES);      \
		__uint(map_flags, BPF_F_NO_PREALLOC);      \
		__type(key, struct l4_acl_key);            \
		__type(value, struct l4_acl_value);        \
	} name SEC(".maps")

SERVICE_MAP(l4_services_0);
SERVICE_MAP(l4_services_1);
RANGE_MAP(l4_ranges_0);
RANGE_MAP(l4_ranges_1);
ACL_MAP(l4_acl_0);
ACL_MAP(l4_acl_1);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_SERVICES);
	__type(key, struct l4_addr_key);
	__type(value, __u32);
} l4_vips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct l4_addr_key);
	__type(value, struct l4_snat_value);
} l4_snat SEC(".maps");

/* What the parser found out about a frame. */
struct l4_frame {
	__u8 family;
	__u8 proto;
	__u8 unparsed; /* fragment, IPv6 extension header, ICMP error or truncated L4: the Java parser decides */
	__u8 icmp_error;
	__u8 quoted_proto; /* of an ICMP error: the protocol and source port of the packet it quotes, if readable */
	__be16 quoted_sport;
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&l4_counters, &idx);
	if (v)
		*v += n;
}

/* x86 keeps loads in program order (TSO); a weakly ordered CPU would need a load-acquire here. */
#define READ_ONCE_U32(x) (*(volatile __u32 *)&(x))

static __always_inline int to_socket(struct xdp_md *ctx, __u32 sequence)
{
	__u32 ifindex = ctx->ingress_ifindex;
	struct l4_meta *meta;
	void *end;
	__u32 *base = bpf_map_lookup_elem(&l4_ifslots, &ifindex);
	__u32 slot;

	if (!base) {
		count(L4_NO_SOCKET, 1);
		return XDP_PASS;
	}
	slot = *base + ctx->rx_queue_index;
	if (!bpf_map_lookup_elem(&l4_xsks, &slot)) {
		count(L4_NO_SOCKET, 1);
		return XDP_PASS;
	}
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct l4_meta)) != 0) {
		count(L4_NO_HEADROOM, 1);
		return XDP_PASS;
	}
	meta = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if ((void *)(meta + 1) > end) {
		count(L4_NO_HEADROOM, 1);
		return XDP_DROP; /* cannot happen after a successful adjust; and the frame is no longer the one received */
	}
	meta->magic = L4_META_MAGIC;
	meta->sequence = sequence;
	count(L4_REDIRECTED, 1);
	return bpf_redirect_map(&l4_xsks, slot, XDP_PASS);
}

static __always_inline int is_icmp_error(__u8 proto, __u8 type)
{
	if (proto == IPPROTO_ICMP)
		return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
	if (proto == IPPROTO_ICMPV6)
		return type >= 1 && type <= 4;
	return 0;
}

/* The protocol and source port of the packet an ICMP error quotes (left 0 when they cannot be read). */
static __always_inline void quoted(void *q, void *end, struct l4_frame *f)
{
	void *ports;

	if (f->family == FAMILY_IPV4) {
		struct iphdr *ip = q;
		if ((void *)(ip + 1) > end)
			return;
		f->quoted_proto = ip->protocol;
		ports = q + ((ip->ihl & 0xf) << 2);
	} else {
		struct ipv6hdr *ip6 = q;
		if ((void *)(ip6 + 1) > end)
			return;
		f->quoted_proto = ip6->nexthdr;
		ports = ip6 + 1;
	}
	if (ports + 4 > end)
		return;
	f->quoted_sport = *(__be16 *)ports;
}

/* Fills f from the frame's L2/L3/L4 headers. Returns 0, or -1 when not even the addresses can be read. */
static __always_inline int parse(struct xdp_md *ctx, struct l4_frame *f)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l3;
	void *l4;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > end)
		return -1;
	proto = eth->h_proto;
	l3 = eth + 1;
#pragma unroll
	for (i = 0; i < VLAN_MAX_DEPTH; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if (l3 + 4 > end)
			return -1;
		proto = *(__be16 *)(l3 + 2);
		l3 += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;
		if ((void *)(ip + 1) > end)
			return -1;
		f->family = FAMILY_IPV4;
		f->proto = ip->protocol;
		__builtin_memcpy(f->saddr, &ip->saddr, 4);
		__builtin_memcpy(f->daddr, &ip->daddr, 4);
		if (ip->ihl < 5 || (ip->frag_off & bpf_htons(0x3fff))) {
			f->unparsed = 1;
			return 0;
		}
		l4 = l3 + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;
		if ((void *)(ip6 + 1) > end)
			return -1;
		f->family = FAMILY_IPV6;
		f->proto = ip6->nexthdr;
		__builtin_memcpy(f->saddr, &ip6->saddr, 16);
		__builtin_memcpy(f->daddr, &ip6->daddr, 16);
		if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP && f->proto != IPPROTO_ICMPV6) {
			f->unparsed = 1; /* an extension header: the Java parser walks the chain */
			return 0;
		}
		l4 = ip6 + 1;
	} else {
		return 1; /* not IP */
	}
	if (f->proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > end) {
			f->unparsed = 1;
			return 0;
		}
		f->sport = tcp->source;
		f->dport = tcp->dest;
	} else if (f->proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > end) {
			f->unparsed = 1;
			return 0;
		}
		f->sport = udp->source;
		f->dport = udp->dest;
	} else if (f->proto == IPPROTO_ICMP || f->proto == IPPROTO_ICMPV6) {
		__u8 *type = l4;
		if ((void *)(type + 1) > end) {
			f->unparsed = 1;
			return 0;
		}
		if (is_icmp_error(f->proto, *type)) {
			f->unparsed = 1;
			f->icmp_error = 1;
			quoted(l4 + 8, end, f);
		}
	}
	return 0;
}

static __always_inline struct l4_service_value *service(struct l4_frame *f, __u32 gen, int ranges)
{
	struct l4_service_key k = { .family = f->family, .proto = f->proto, .port = f->dport };
	struct l4_service_value *v;

	__builtin_memcpy(k.addr, f->daddr, 16);
	v = gen ? bpf_map_lookup_elem(&l4_services_1, &k) : bpf_map_lookup_elem(&l4_services_0, &k);
	if (v || !ranges)
		return v;
	struct l4_range_key r = { .prefixlen = 160, .family = f->family, .proto = f->proto, .port = f->dport };
	__builtin_memcpy(r.addr, f->daddr, 16);
	return gen ? bpf_map_lookup_elem(&l4_ranges_1, &r) : bpf_map_lookup_elem(&l4_ranges_0, &r);
}

static __always_inline int access(struct l4_frame *f, __u32 gen, __u32 svc, __u8 fallback)
{
	struct l4_acl_key k = { .prefixlen = 168, .service = bpf_htonl(svc), .family = f->family };
	struct l4_acl_value *v;
	__u16 port = bpf_ntohs(f->dport);
	int i;

	__builtin_memcpy(k.addr, f->saddr, 16);
	v = gen ? bpf_map_lookup_elem(&l4_acl_1, &k) : bpf_map_lookup_elem(&l4_acl_0, &k);
	if (!v)
		return fallback;
#pragma unroll
	for (i = 0; i < ACL_SEGMENTS; i++) {
		if (i >= v->segments)
			break;
		if (port >= v->segment[i].port_lo && port <= v->segment[i].port_hi)
			return v->segment[i].action;
	}
	return v->default_action;
}

/*
 * An unparsed frame for the Java parser: anything to a VIP (all of it is the proxy's), and to a SNAT address only an
 * ICMP error about a packet the proxy sent (quoting a source port of the SNAT range): the node's own traffic from that
 * address (health checks, say) keeps its errors in the kernel.
 */
static __always_inline int for_the_proxy(struct l4_frame *f)
{
	struct l4_addr_key k = { .family = f->family };
	struct l4_snat_value *snat;
	__u16 port;

	__builtin_memcpy(k.addr, f->daddr, 16);
	if (bpf_map_lookup_elem(&l4_vips, &k))
		return 1;
	if (!f->icmp_error || (f->quoted_proto != IPPROTO_TCP && f->quoted_proto != IPPROTO_UDP))
		return 0;
	k.proto = f->quoted_proto;
	snat = bpf_map_lookup_elem(&l4_snat, &k);
	if (!snat)
		return 0;
	port = bpf_ntohs(f->quoted_sport);
	return port >= snat->port_lo && port <= snat->port_hi;
}

/*
 * The service and access decision for a TCP/UDP frame under the live generation: -1 when no service matches, else the
 * action. *sequence is the configuration it was decided under; 0 when the generation kept changing under two tries
 * (then the caller lets user space decide a service frame).
 */
static __always_inline int service_action(struct l4_frame *f, struct l4_config *cfg, __u32 *sequence)
{
	struct l4_service_value *svc;
	int action = -1;
	__u32 gen, seq;
	int i;

#pragma unroll
	for (i = 0; i < 2; i++) {
		gen = READ_ONCE_U32(cfg->generation) & 1;
		seq = READ_ONCE_U32(cfg->sequence[gen]);
		svc = service(f, gen, gen ? cfg->has_ranges[1] : cfg->has_ranges[0]);
		action = svc ? access(f, gen, svc->service, gen ? cfg->default_action[1] : cfg->default_action[0]) : -1;
		if (seq != 0 && READ_ONCE_U32(cfg->sequence[gen]) == seq) {
			*sequence = seq;
			return action;
		}
		count(L4_CONFIG_RETRIED, 1);
	}
	*sequence = 0;
	return action < 0 ? -1 : ACTION_PUNT;
}

SEC("xdp")
int xdp_l4(struct xdp_md *ctx)
{
	struct l4_frame f = {};
	struct l4_config *cfg;
	__u32 zero = 0;
	__u32 sequence;
	int rc;

	count(L4_RX_PACKETS, 1);
	count(L4_RX_BYTES, (__u64)(ctx->data_end - ctx->data));
	rc = parse(ctx, &f);
	if (rc != 0) {
		if (rc < 0)
			count(L4_MALFORMED, 1);
		count(L4_PASSED, 1);
		return XDP_PASS;
	}
	cfg = bpf_map_lookup_elem(&l4_config, &zero);
	if (!cfg) {
		count(L4_PASSED, 1);
		return XDP_PASS;
	}
	if (f.unparsed) {
		if (for_the_proxy(&f)) {
			count(L4_PUNTED, 1);
			return to_socket(ctx, 0);
		}
		count(L4_PASSED, 1);
		return XDP_PASS;
	}
	if (f.proto == IPPROTO_TCP || f.proto == IPPROTO_UDP) {
		int action = service_action(&f, cfg, &sequence);
		if (action >= 0) {
			count(L4_SERVICE_MATCHED, 1);
			if (action == ACTION_DENY) {
				count(L4_ACL_DROPPED, 1);
				return XDP_DROP;
			}
			if (action == ACTION_PUNT)
				count(L4_ACL_PUNTED, 1);
			return to_socket(ctx, sequence);
		}
		struct l4_addr_key sk = { .family = f.family, .proto = f.proto };
		__builtin_memcpy(sk.addr, f.daddr, 16);
		struct l4_snat_value *snat = bpf_map_lookup_elem(&l4_snat, &sk);
		if (snat) {
			__u16 port = bpf_ntohs(f.dport);
			if (port >= snat->port_lo && port <= snat->port_hi) {
				count(L4_SNAT_RETURN, 1);
				return to_socket(ctx, 0);
			}
		}
	}
	count(L4_PASSED, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
