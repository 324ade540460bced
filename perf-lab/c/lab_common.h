/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Small helpers shared by the perf-lab C tools (xsk_ref, udpgen, pktsink, xdprelay, pathref): monotonic time, a stop
 * flag set by SIGINT/SIGTERM, option parsing, and the one test frame the traffic tools build (Ethernet + IPv4 + UDP,
 * fixed layout, see perf-lab/README.md "Test frame"; pathref builds the JMH benchmark's frames instead).
 */
#ifndef MARCHPROXY_LAB_COMMON_H
#define MARCHPROXY_LAB_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sendmmsg */
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LAB_UDP_PORT 9 /* discard: source and destination port of the test frame */

static volatile sig_atomic_t lab_stop;

static __attribute__((unused)) void lab_on_signal(int sig)
{
	(void)sig;
	lab_stop = 1;
}

/* SIGINT/SIGTERM set lab_stop; no SA_RESTART so that poll() and friends return EINTR. */
static __attribute__((unused)) void lab_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = lab_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static inline double lab_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static __attribute__((unused)) void lab_die(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static __attribute__((unused)) long lab_parse_long(const char *prog, const char *opt, const char *v, long min,
						    long max)
{
	char *end;
	long x;
	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || *end || end == v || x < min || x > max)
		lab_die(prog, "bad value for %s: '%s' (expected an integer in %ld..%ld)", opt, v, min, max);
	return x;
}

static __attribute__((unused)) double lab_parse_double(const char *prog, const char *opt, const char *v, double min,
							double max)
{
	char *end;
	double x;
	errno = 0;
	x = strtod(v, &end);
	if (errno || *end || end == v || !(x >= min && x <= max))
		lab_die(prog, "bad value for %s: '%s' (expected a number in %g..%g)", opt, v, min, max);
	return x;
}

static __attribute__((unused)) void lab_parse_mac(const char *prog, const char *v, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	if (sscanf(v, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		lab_die(prog, "bad MAC address '%s' (expected aa:bb:cc:dd:ee:ff)", v);
	for (int i = 0; i < 6; i++) {
		if (b[i] > 255)
			lab_die(prog, "bad MAC address '%s'", v);
		mac[i] = (uint8_t)b[i];
	}
}

static __attribute__((unused)) uint32_t lab_parse_ip4(const char *prog, const char *v)
{
	struct in_addr a;
	if (inet_pton(AF_INET, v, &a) != 1)
		lab_die(prog, "bad IPv4 address '%s'", v);
	return a.s_addr; /* network order */
}

static __attribute__((unused)) unsigned int lab_ifindex(const char *prog, const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);
	if (!idx)
		lab_die(prog, "unknown interface '%s' in this network namespace: %s", ifname, strerror(errno));
	return idx;
}

static __attribute__((unused)) void lab_if_mac(const char *prog, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		lab_die(prog, "socket: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		lab_die(prog, "SIOCGIFHWADDR %s: %s", ifname, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

/*
 * Writes the test frame of len bytes (42..1514) into buf: Ethernet (dst, src, type 0x0800), IPv4 (version 4, IHL 5,
 * TOS 0, total length len-14, id 0, flags DF, TTL 64, protocol UDP, header checksum), UDP (ports 9 -> 9, length
 * len-34, checksum 0 = none), payload bytes all 0.
 */
static __attribute__((unused)) void lab_build_frame(uint8_t *buf, size_t len, const uint8_t dst_mac[6],
						    const uint8_t src_mac[6], uint32_t src_ip, uint32_t dst_ip)
{
	uint8_t *ip = buf + 14, *udp = buf + 34;
	uint16_t ip_len = (uint16_t)(len - 14), udp_len = (uint16_t)(len - 34);
	uint32_t sum = 0;

	memset(buf, 0, len);
	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8);
	ip[3] = (uint8_t)ip_len;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, &src_ip, 4);
	memcpy(ip + 16, &dst_ip, 4);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	ip[10] = (uint8_t)(sum >> 8);
	ip[11] = (uint8_t)sum;
	udp[0] = 0;
	udp[1] = LAB_UDP_PORT;
	udp[2] = 0;
	udp[3] = LAB_UDP_PORT;
	udp[4] = (uint8_t)(udp_len >> 8);
	udp[5] = (uint8_t)udp_len;
}

/* A measurement window: it opens `warmup` seconds after the first packet and lasts `seconds`. */
struct lab_window {
	double warmup, seconds;
	double first;     /* time of the first packet, 0 = none yet */
	double start;     /* time the counting began, 0 = not yet */
	double end;       /* time the counting ended, 0 = not yet */
	uint64_t packets; /* counted inside the window */
	double cpu_start, cpu_end; /* user + system CPU seconds of this process at the window's start and end */
	int rehearsed;    /* 1 once the rehearsal window has closed */
	double open_at, length; /* when the (rehearsal, then real) window opens after the first packet; how long */
};

static inline double lab_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/*
 * Call once per loop turn with the packets of that turn; returns 1 once the window is over.
 *
 * The window is rehearsed once inside the warm-up: it opens at warmup/4 and closes at warmup/2 after the first packet,
 * is thrown away, and the real window opens at warmup. Every transition below has then run once before the real
 * window: in the Java twin (MeasurementWindow) a branch first taken in compiled code deoptimises the loop, and this
 * way that happens, and the JIT recompiles, before the measurement rather than inside it. Same here for symmetry.
 */
static inline int lab_window_add(struct lab_window *w, double now, uint64_t n)
{
	if (w->first == 0) {
		if (n == 0)
			return 0;
		w->first = now;
	}
	if (w->start == 0) {
		if (now - w->first < w->open_at)
			return 0;
		w->start = now;
		w->packets = 0;
		w->cpu_start = lab_cpu_seconds();
		return 0; /* packets of this turn arrived before the window opened */
	}
	if (now - w->start >= w->length) {
		w->end = now;
		w->cpu_end = lab_cpu_seconds();
		if (w->rehearsed)
			return 1;
		/* the real window takes the same path as the rehearsal: only the thresholds change */
		w->rehearsed = 1;
		w->start = 0;
		w->end = 0;
		w->open_at = w->warmup;
		w->length = w->seconds;
		return 0;
	}
	w->packets += n;
	return 0;
}

/* Sets up a window (zeroed first): a rehearsal at warmup/4..warmup/2, then the real one at warmup for seconds. */
static inline void lab_window_init(struct lab_window *w, double warmup, double seconds)
{
	memset(w, 0, sizeof(*w));
	w->warmup = warmup;
	w->seconds = seconds;
	w->open_at = warmup / 4;
	w->length = warmup / 4;
}

/* Closes the window if it is still open (stopped early); returns its length in seconds. */
static inline double lab_window_close(struct lab_window *w, double now)
{
	if (w->start == 0 || !w->rehearsed) {
		/* stopped before the real window opened: nothing of the rehearsal may reach the figures */
		w->packets = 0;
		w->cpu_start = w->cpu_end = 0;
		return 0;
	}
	if (w->end == 0) {
		w->end = now;
		w->cpu_end = lab_cpu_seconds();
	}
	return w->end - w->start;
}

#endif
