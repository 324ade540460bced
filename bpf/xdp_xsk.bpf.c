// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * MarchProxy XDP entry program.
 *
 * Counts every frame in per-CPU counters, then redirects the frames that the redirect policy selects to the AF_XDP
 * socket registered in xsks_map for the frame's RX queue. Frames for a queue without a socket, and frames the policy
 * does not select (ARP, anything the dataplane does not handle), go on to the kernel stack (XDP_PASS).
 *
 * The counter indices and the map structs are mirrored in Java by io.marchproxy.dataplane.bpf.XskProgram; BtfLayoutTest
 * checks the structs against this object's BTF.
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

#define MAX_QUEUES 64

enum counter {
	CNT_RX_PACKETS = 0,
	CNT_RX_BYTES = 1,
	CNT_REDIRECTED = 2,
	CNT_PASSED_NO_SOCKET = 3,
	CNT_PASSED_POLICY = 4,
	CNT_MALFORMED = 5,
	CNT_SERVICE_MATCHED = 6,
	CNT_MAX = 8,
};

/* Policy bits: which frames go to the socket. 0 selects every frame. */
#define POLICY_IPV4_UDP (1u << 0)
#define POLICY_IPV4_TCP (1u << 1)
#define POLICY_IPV6_UDP (1u << 2)
#define POLICY_IPV6_TCP (1u << 3)
/* With this bit, a selected UDP/TCP frame is redirected only if (protocol, destination port) is in xsk_services. */
#define POLICY_SERVICES (1u << 4)

struct service_key {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
	__u16 port; /* host order */
};

struct redirect_policy {
	__u32 proto_mask;
	__u16 port_min; /* destination port range, host order; 0..0 means any port */
	__u16 port_max;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} xsk_counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct redirect_policy);
} xsk_policy SEC(".maps");

/* L4 services the dataplane serves: (protocol, port) -> service id, written by the control plane. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct service_key);
	__type(value, __u32);
} xsk_services SEC(".maps");

static __always_inline void count(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&xsk_counters, &idx);
	if (v)
		*v += n;
}

static __always_inline int port_ok(const struct redirect_policy *p, __u8 proto, __u16 dport_be)
{
	__u16 dport = bpf_ntohs(dport_be);
	if (p->proto_mask & POLICY_SERVICES) {
		struct service_key key = { .proto = proto, .pad = 0, .port = dport };
		if (!bpf_map_lookup_elem(&xsk_services, &key))
			return 0;
		count(CNT_SERVICE_MATCHED, 1);
	}
	if (p->port_min == 0 && p->port_max == 0)
		return 1;
	return dport >= p->port_min && dport <= p->port_max;
}

/* Returns 1 to redirect, 0 to pass, -1 for a frame too short for the headers it announces. */
static __always_inline int selected(struct xdp_md *ctx, const struct redirect_policy *p)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 proto;
	void *l4;

	if (p->proto_mask == 0)
		return 1;
	if ((void *)(eth + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl < 5)
			return -1;
		proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
		if (proto == IPPROTO_UDP && !(p->proto_mask & POLICY_IPV4_UDP))
			return 0;
		if (proto == IPPROTO_TCP && !(p->proto_mask & POLICY_IPV4_TCP))
			return 0;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > end)
			return -1;
		proto = ip6->nexthdr;
		l4 = (void *)(ip6 + 1);
		if (proto == IPPROTO_UDP && !(p->proto_mask & POLICY_IPV6_UDP))
			return 0;
		if (proto == IPPROTO_TCP && !(p->proto_mask & POLICY_IPV6_TCP))
			return 0;
	} else {
		return 0;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;
		if ((void *)(udp + 1) > end)
			return -1;
		return port_ok(p, IPPROTO_UDP, udp->dest);
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr *tcp = l4;
		if ((void *)(tcp + 1) > end)
			return -1;
		return port_ok(p, IPPROTO_TCP, tcp->dest);
	}
	return 0;
}

SEC("xdp")
int xdp_xsk_redirect(struct xdp_md *ctx)
{
	__u32 queue = ctx->rx_queue_index;
	__u32 zero = 0;
	struct redirect_policy *policy;
	int sel;

	count(CNT_RX_PACKETS, 1);
	count(CNT_RX_BYTES, (__u64)(ctx->data_end - ctx->data));

	policy = bpf_map_lookup_elem(&xsk_policy, &zero);
	if (!policy)
		return XDP_PASS;
	sel = selected(ctx, policy);
	if (sel < 0) {
		count(CNT_MALFORMED, 1);
		return XDP_PASS;
	}
	if (sel == 0) {
		count(CNT_PASSED_POLICY, 1);
		return XDP_PASS;
	}
	if (!bpf_map_lookup_elem(&xsks_map, &queue)) {
		count(CNT_PASSED_NO_SOCKET, 1);
		return XDP_PASS;
	}
	count(CNT_REDIRECTED, 1);
	/* XDP_PASS as the fallback action covers a socket removed between the lookup and the redirect. */
	return bpf_redirect_map(&xsks_map, queue, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
