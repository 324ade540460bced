// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * perf-lab lb --offload's XDP programs:
 *   xdp_drop_all  the floor of any XDP forwarder: drops every frame. On the DUT's ingress veth it shows what receiving
 *                 a frame into XDP costs the DUT CPU, and with kernel.bpf_stats_enabled the run time of a program that
 *                 does nothing (which is mostly the statistics' own two clock reads).
 *   xdp_sink      on the peer's receiving veth: drops the throughput traffic (UDP to port 9, perf-lab/lib/lb.sh's
 *                 LB_PORT) before the peer's stack, and passes the rest (the round trips' echoes). It gives the veth
 *                 the NAPI that frames redirected into its peer by XDP need to arrive at all, and keeps the receiving
 *                 side cheap enough for the source CPU, so that what the DUT forwards is what the sink counts.
 *   xdp_relay     lb --source xdp: on the receiving end of the source's own veth pair (mpg1, in the peer's namespace),
 *                 redirects every frame udpgen sends into mpp0 (relay_port[0], a DEVMAP entry xdprelay writes). mpp0
 *                 delivers it to the DUT's mpd0 as an XDP frame, the way a NIC driver hands frames to XDP: the
 *                 DUT's program runs without first copying an skb the sender built into a page with XDP's headroom
 *                 (that copy happens here, on the source CPU).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define LB_PORT 9

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} relay_port SEC(".maps");

SEC("xdp")
int xdp_drop_all(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xdp_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > end)
		return XDP_PASS;
	return udp->dest == bpf_htons(LB_PORT) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int xdp_relay(struct xdp_md *ctx)
{
	return bpf_redirect_map(&relay_port, 0, XDP_DROP);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
