// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * pktsink: counts the frames that arrive on IF, from the interface's rx_packets counter in /proc/net/dev of the
 * network namespace it runs in (so it costs the receiver nothing per frame). It uses the same window as xsk_ref: it
 * opens --warmup seconds after the counter first moves and lasts --seconds. At the end it prints one JSON line:
 * {"tool":"pktsink","packets":N,"seconds":S,"pps":P}.
 *
 *   pktsink --ifname IF [--seconds 5] [--warmup 1] [--start-timeout 15]
 */
#include "lab_common.h"

#define PROG "pktsink"

static unsigned long long rx_packets(const char *ifname)
{
	char line[512];
	size_t len = strlen(ifname);
	unsigned long long bytes, packets;
	FILE *f = fopen("/proc/net/dev", "r");
	if (!f)
		lab_die(PROG, "/proc/net/dev: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		while (*p == ' ')
			p++;
		if (!strncmp(p, ifname, len) && p[len] == ':' && sscanf(p + len + 1, "%llu %llu", &bytes, &packets) == 2) {
			fclose(f);
			return packets;
		}
	}
	fclose(f);
	lab_die(PROG, "interface %s not in /proc/net/dev of this network namespace", ifname);
	return 0;
}

static void nap(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (!lab_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	double seconds = 5, warmup = 1, start_timeout = 15, t0, ts = 0, te = 0;
	unsigned long long c0, cs = 0, ce = 0;
	int status = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("usage: pktsink --ifname IF [--seconds 5] [--warmup 1] [--start-timeout 15]\n");
			return 0;
		}
		if (!v)
			lab_die(PROG, "option %s needs a value", a);
		i++;
		if (!strcmp(a, "--ifname"))
			ifname = v;
		else if (!strcmp(a, "--seconds"))
			seconds = lab_parse_double(PROG, a, v, 0.1, 3600);
		else if (!strcmp(a, "--warmup"))
			warmup = lab_parse_double(PROG, a, v, 0, 600);
		else if (!strcmp(a, "--start-timeout"))
			start_timeout = lab_parse_double(PROG, a, v, 0.1, 600);
		else
			lab_die(PROG, "unknown option %s", a);
	}
	if (!ifname)
		lab_die(PROG, "--ifname is required");
	lab_install_signals();

	t0 = lab_now();
	c0 = rx_packets(ifname);
	while (!lab_stop && rx_packets(ifname) == c0) {
		if (lab_now() - t0 > start_timeout) {
			fprintf(stderr, PROG ": no frame on %s within %.1f s\n", ifname, start_timeout);
			status = 2;
			break;
		}
		nap(0.005);
	}
	if (!status && !lab_stop) {
		nap(warmup);
		cs = rx_packets(ifname);
		ts = lab_now();
		nap(seconds);
		ce = rx_packets(ifname);
		te = lab_now();
	}
	if (lab_stop && ts != 0 && te == 0) {
		ce = rx_packets(ifname);
		te = lab_now();
	}
	printf("{\"tool\":\"pktsink\",\"packets\":%llu,\"seconds\":%.3f,\"pps\":%.0f}\n", ce - cs, te - ts,
	       te > ts ? (double)(ce - cs) / (te - ts) : 0.0);
	return status ? status : lab_stop ? 130 : 0;
}
