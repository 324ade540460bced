// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * udpgen: the perf lab's traffic source. Sends the fixed test frame (lab_common.h, perf-lab/README.md) out of IF as
 * fast as the kernel takes it (or paced at --pps frames a second), through an AF_PACKET socket with PACKET_QDISC_BYPASS
 * and sendmmsg() batches, for --seconds or until --count frames are sent or SIGINT/SIGTERM, whichever comes first. At
 * the end it prints one JSON line: {"tool":"udpgen","packets":N,"seconds":S,"pps":P} (packets the kernel accepted from
 * sendmmsg).
 *
 *   udpgen --ifname IF --dst-mac MAC --src-ip IP --dst-ip IP [--frame-len 60] [--seconds 5] [--count N] [--batch 64]
 *          [--pps 0 (as fast as possible)] [--src-mac MAC (default: IF's; lb --source xdp relays the frames from
 *          another interface)]
 */
#include "lab_common.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>

#define PROG "udpgen"
#define MAX_BATCH 1024

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	uint8_t dst_mac[6], src_mac[6], frame[1514];
	uint32_t src_ip = 0, dst_ip = 0;
	unsigned int frame_len = 60, batch = 64, have = 0, own_src_mac = 1;
	double seconds = 5, pps = 0, t0, t1;
	unsigned long long count = ~0ULL, sent = 0;
	static struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov;
	struct sockaddr_ll sll;
	int fd, one = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: udpgen --ifname IF --dst-mac MAC --src-ip IP --dst-ip IP [--frame-len 60] [--seconds 5]"
			       " [--count N] [--batch 64] [--pps 0] [--src-mac MAC]\n");
			return 0;
		}
		if (!v)
			lab_die(PROG, "option %s needs a value", a);
		i++;
		if (!strcmp(a, "--ifname"))
			ifname = v, have |= 1;
		else if (!strcmp(a, "--dst-mac"))
			lab_parse_mac(PROG, v, dst_mac), have |= 2;
		else if (!strcmp(a, "--src-mac"))
			lab_parse_mac(PROG, v, src_mac), own_src_mac = 0;
		else if (!strcmp(a, "--src-ip"))
			src_ip = lab_parse_ip4(PROG, v), have |= 4;
		else if (!strcmp(a, "--dst-ip"))
			dst_ip = lab_parse_ip4(PROG, v), have |= 8;
		else if (!strcmp(a, "--frame-len"))
			frame_len = (unsigned int)lab_parse_long(PROG, a, v, 42, 1514);
		else if (!strcmp(a, "--seconds"))
			seconds = lab_parse_double(PROG, a, v, 0.1, 3600);
		else if (!strcmp(a, "--count"))
			count = (unsigned long long)lab_parse_long(PROG, a, v, 1, 1L << 62);
		else if (!strcmp(a, "--batch"))
			batch = (unsigned int)lab_parse_long(PROG, a, v, 1, MAX_BATCH);
		else if (!strcmp(a, "--pps"))
			pps = lab_parse_double(PROG, a, v, 0, 1e9);
		else
			lab_die(PROG, "unknown option %s", a);
	}
	if (have != 15)
		lab_die(PROG, "--ifname, --dst-mac, --src-ip and --dst-ip are required");

	if (own_src_mac)
		lab_if_mac(PROG, ifname, src_mac);
	lab_build_frame(frame, frame_len, dst_mac, src_mac, src_ip, dst_ip);
	fd = socket(AF_PACKET, SOCK_RAW, 0); /* protocol 0: this socket receives nothing */
	if (fd < 0)
		lab_die(PROG, "socket(AF_PACKET): %s", strerror(errno));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)lab_ifindex(PROG, ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		lab_die(PROG, "bind(AF_PACKET, %s): %s", ifname, strerror(errno));
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) < 0)
		lab_die(PROG, "PACKET_QDISC_BYPASS: %s", strerror(errno));
	iov.iov_base = frame;
	iov.iov_len = frame_len;
	for (unsigned int i = 0; i < batch; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	lab_install_signals();

	t0 = t1 = lab_now();
	while (!lab_stop && sent < count && t1 - t0 < seconds) {
		unsigned int n = count - sent < batch ? (unsigned int)(count - sent) : batch;
		int r;
		if (pps > 0) {
			/* paced: this batch leaves when the frames sent so far are due; sleeping, not spinning */
			double due = t0 + (double)sent / pps;
			if (due > t1) {
				struct timespec ts = {(time_t)(due - t1), (long)((due - t1 - (double)(time_t)(due - t1)) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r > 0)
			sent += (unsigned long long)r;
		else if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			lab_die(PROG, "sendmmsg: %s", strerror(errno));
		t1 = lab_now();
	}
	close(fd);
	printf("{\"tool\":\"udpgen\",\"packets\":%llu,\"seconds\":%.3f,\"pps\":%.0f}\n", sent, t1 - t0,
	       t1 > t0 ? (double)sent / (t1 - t0) : 0.0);
	return 0;
}
