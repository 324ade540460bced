// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xsk_ref: the plain-C AF_XDP reference of the perf lab. The Java side (io.marchproxy.perflab.XskScenario) takes the
 * same options, runs the same loops and prints the same JSON line, so that perf-lab/run can compare the two.
 *
 * AF_XDP is driven with libc only: socket(AF_XDP), setsockopt(XDP_UMEM_REG, ring sizes), getsockopt(XDP_MMAP_OFFSETS),
 * mmap of the four rings, bind, sendto() kicks and poll(). libbpf (1.1.2, which has no xsk.h) only loads the
 * project's XDP object (bpf/xdp_xsk.bpf.c), sets its policy, attaches it and puts the socket in its XSKMAP.
 *
 * Scenarios (algorithms spelled out in perf-lab/README.md):
 *   rxdrop  receive on IF and give every frame straight back to the fill ring; counts RX descriptors.
 *   txonly  transmit the fixed test frame on IF as fast as the kernel takes it; counts TX completions.
 *   l2fwd   receive on IF, swap the Ethernet addresses, transmit the same UMEM frame on IF2 (shared UMEM, no copy;
 *           IF2 = IF bounces it back); counts TX completions.
 * While running it prints nothing; at the end exactly one JSON line on stdout:
 *   {"impl":"c","scenario":"rxdrop","packets":N,"seconds":S,"pps":P,"cpu_seconds":C}
 * (packets counted in the measurement window, its length, their rate, the process's CPU time during the window).
 * Exit status: 0 after a full window, 2 if no packet came within --start-timeout seconds, 130 after SIGINT/SIGTERM
 * (the JSON line is printed in every case), 1 on a setup error (message on stderr, no JSON).
 */
#include "lab_common.h"

#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef SOL_XDP
#define SOL_XDP 283
#endif
#ifndef AF_XDP
#define AF_XDP 44
#endif

#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9 /* Linux 6.17 uapi; Debian's linux-libc-dev 6.1 lacks it */
#endif
#define PROG "xsk_ref"
#define POLICY_IPV4_UDP 1u

enum scenario { RXDROP, TXONLY, L2FWD };

struct opts {
	enum scenario scenario;
	const char *scenario_name, *ifname, *ifname2, *bpf_object;
	unsigned int queue, batch, ring, frames, frame_size, frame_len, need_wakeup, tx_budget;
	double seconds, warmup, start_timeout;
	int drv_mode;
	uint8_t dst_mac[6];
	uint32_t src_ip, dst_ip;
	int have_dst_mac, have_src_ip, have_dst_ip;
};

static struct opts O;

/* ---- rings ---------------------------------------------------------------------------------------------------- */

struct ring {
	uint32_t *producer, *consumer, *flags;
	void *desc;
	uint32_t mask, size, cached_prod, cached_cons;
	void *map;
	size_t map_len;
};

static inline uint32_t load_acquire(uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
static inline void store_release(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* Producer rings (fill, TX): how many of n slots can be written from index *idx on. */
static inline uint32_t prod_reserve(struct ring *r, uint32_t n, uint32_t *idx)
{
	uint32_t free_slots = r->size - (r->cached_prod - r->cached_cons);
	if (free_slots < n) {
		r->cached_cons = load_acquire(r->consumer);
		free_slots = r->size - (r->cached_prod - r->cached_cons);
	}
	if (n > free_slots)
		n = free_slots;
	*idx = r->cached_prod;
	r->cached_prod += n;
	return n;
}

static inline void prod_submit(struct ring *r) { store_release(r->producer, r->cached_prod); }

/* Consumer rings (RX, completion): how many of up to n entries can be read from index *idx on. */
static inline uint32_t cons_peek(struct ring *r, uint32_t n, uint32_t *idx)
{
	uint32_t avail = r->cached_prod - r->cached_cons;
	if (avail == 0) {
		r->cached_prod = load_acquire(r->producer);
		avail = r->cached_prod - r->cached_cons;
	}
	if (n > avail)
		n = avail;
	*idx = r->cached_cons;
	r->cached_cons += n;
	return n;
}

static inline void cons_release(struct ring *r) { store_release(r->consumer, r->cached_cons); }

static inline int needs_wakeup(const struct ring *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP;
}

/* Producer rings: does the ring hold entries the kernel has not consumed yet? (refreshes the cached consumer) */
static inline int prod_pending(struct ring *r)
{
	r->cached_cons = load_acquire(r->consumer);
	return r->cached_prod != r->cached_cons;
}

static inline uint64_t *addr_slot(struct ring *r, uint32_t idx) { return (uint64_t *)r->desc + (idx & r->mask); }
static inline struct xdp_desc *desc_slot(struct ring *r, uint32_t idx)
{
	return (struct xdp_desc *)r->desc + (idx & r->mask);
}

static void ring_map(int fd, struct ring *r, const struct xdp_ring_offset *off, uint32_t size, size_t entry,
		     off_t pgoff, const char *what)
{
	r->map_len = off->desc + (size_t)size * entry;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, pgoff);
	if (r->map == MAP_FAILED)
		lab_die(PROG, "mmap of the %s ring: %s", what, strerror(errno));
	r->producer = (uint32_t *)((char *)r->map + off->producer);
	r->consumer = (uint32_t *)((char *)r->map + off->consumer);
	r->flags = (uint32_t *)((char *)r->map + off->flags);
	r->desc = (char *)r->map + off->desc;
	r->size = size;
	r->mask = size - 1;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
}

static void ring_unmap(struct ring *r)
{
	if (r->map && r->map != MAP_FAILED)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

/* ---- sockets -------------------------------------------------------------------------------------------------- */

struct xsk {
	int fd;
	unsigned int ifindex;
	struct ring rx, tx, fill, comp;
};

static void set_ring_size(int fd, int opt, unsigned int size, const char *what)
{
	int v = (int)size;
	if (setsockopt(fd, SOL_XDP, opt, &v, sizeof(v)) < 0)
		lab_die(PROG, "setsockopt(%s ring size %u): %s", what, size, strerror(errno));
}

/*
 * Opens an AF_XDP socket on (ifindex, queue). With shared_fd < 0 it registers the UMEM and gets all four rings; with
 * shared_fd >= 0 it shares that socket's UMEM (XDP_SHARED_UMEM) and gets fill, completion and TX rings only.
 */
static void xsk_open(struct xsk *x, const struct opts *o, unsigned int ifindex, void *umem, size_t umem_len,
		     int shared_fd)
{
	struct xdp_mmap_offsets off;
	socklen_t optlen = sizeof(off);
	struct sockaddr_xdp sxdp;
	int tries;

	memset(x, 0, sizeof(*x));
	x->ifindex = ifindex;
	x->fd = socket(AF_XDP, SOCK_RAW, 0);
	if (x->fd < 0)
		lab_die(PROG, "socket(AF_XDP): %s", strerror(errno));
	if (shared_fd < 0) {
		struct xdp_umem_reg mr;
		memset(&mr, 0, sizeof(mr));
		mr.addr = (uint64_t)(uintptr_t)umem;
		mr.len = umem_len;
		mr.chunk_size = o->frame_size;
		mr.headroom = 0;
		if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof(mr)) < 0)
			lab_die(PROG, "setsockopt(XDP_UMEM_REG, %zu bytes, frame size %u): %s", umem_len, o->frame_size,
				strerror(errno));
	}
	set_ring_size(x->fd, XDP_UMEM_FILL_RING, o->ring, "fill");
	set_ring_size(x->fd, XDP_UMEM_COMPLETION_RING, o->ring, "completion");
	if (shared_fd < 0)
		set_ring_size(x->fd, XDP_RX_RING, o->ring, "RX");
	set_ring_size(x->fd, XDP_TX_RING, o->ring, "TX");
	if (o->tx_budget) {
		/* Frames one copy-mode kick may send (Linux 6.17+; the kernel's default is 32). */
		if (setsockopt(x->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &o->tx_budget, sizeof(o->tx_budget)) < 0)
			lab_die(PROG, "setsockopt(XDP_MAX_TX_SKB_BUDGET, %u): %s%s", o->tx_budget, strerror(errno),
				errno == ENOPROTOOPT ? " (needs Linux 6.17 or later)" : " (32..ring size)");
	}
	if (getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &optlen) < 0)
		lab_die(PROG, "getsockopt(XDP_MMAP_OFFSETS): %s", strerror(errno));
	ring_map(x->fd, &x->fill, &off.fr, o->ring, sizeof(uint64_t), XDP_UMEM_PGOFF_FILL_RING, "fill");
	ring_map(x->fd, &x->comp, &off.cr, o->ring, sizeof(uint64_t), XDP_UMEM_PGOFF_COMPLETION_RING, "completion");
	if (shared_fd < 0)
		ring_map(x->fd, &x->rx, &off.rx, o->ring, sizeof(struct xdp_desc), XDP_PGOFF_RX_RING, "RX");
	ring_map(x->fd, &x->tx, &off.tx, o->ring, sizeof(struct xdp_desc), XDP_PGOFF_TX_RING, "TX");

	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_ifindex = ifindex;
	sxdp.sxdp_queue_id = o->queue;
	if (shared_fd < 0) {
		/* flags 0: zero-copy where the driver has it, else copy (veth: copy). */
		sxdp.sxdp_flags = o->need_wakeup ? XDP_USE_NEED_WAKEUP : 0;
	} else {
		sxdp.sxdp_flags = XDP_SHARED_UMEM; /* mode and need-wakeup come from the UMEM owner */
		sxdp.sxdp_shared_umem_fd = (uint32_t)shared_fd;
	}
	/* A queue whose previous socket has just closed can answer EBUSY for a moment: retry for up to 2 s. */
	for (tries = 0;; tries++) {
		if (bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp)) == 0)
			break;
		if (errno != EBUSY || tries >= 20)
			lab_die(PROG, "bind(AF_XDP, ifindex %u, queue %u): %s", ifindex, o->queue, strerror(errno));
		usleep(100000);
	}
}

/* With XSK_REF_STATS=1 in the environment: the socket's XDP_STATISTICS on stderr (diagnostics only). */
static void xsk_print_stats(const struct xsk *x, const char *name)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);
	const char *env = getenv("XSK_REF_STATS");
	if (!env || strcmp(env, "1") || x->fd < 0)
		return;
	memset(&st, 0, sizeof(st));
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
		return;
	fprintf(stderr,
		PROG ": %s: rx_dropped %llu rx_invalid_descs %llu tx_invalid_descs %llu rx_ring_full %llu"
		     " rx_fill_ring_empty_descs %llu tx_ring_empty_descs %llu\n",
		name, (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_invalid_descs,
		(unsigned long long)st.tx_invalid_descs, (unsigned long long)st.rx_ring_full,
		(unsigned long long)st.rx_fill_ring_empty_descs, (unsigned long long)st.tx_ring_empty_descs);
}

static void xsk_close(struct xsk *x)
{
	ring_unmap(&x->rx);
	ring_unmap(&x->tx);
	ring_unmap(&x->fill);
	ring_unmap(&x->comp);
	if (x->fd > 0)
		close(x->fd);
	x->fd = -1;
}

/*
 * The kick rule: sendto() only while the TX ring holds descriptors the kernel has not taken yet, and with
 * need-wakeup only when the kernel sets XDP_RING_NEED_WAKEUP on the TX ring.
 */
static inline void kick_tx(struct xsk *x)
{
	if (!prod_pending(&x->tx) || (O.need_wakeup && !needs_wakeup(&x->tx)))
		return;
	if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
		if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN && errno != EINTR)
			lab_die(PROG, "sendto (TX kick): %s", strerror(errno));
	}
}

static inline void wait_rx(const struct xsk *x)
{
	struct pollfd pfd = {.fd = x->fd, .events = POLLIN};
	if (O.need_wakeup && needs_wakeup(&x->fill))
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
	poll(&pfd, 1, 100);
}

/* ---- XDP program ---------------------------------------------------------------------------------------------- */

struct xdp_prog {
	struct bpf_object *obj;
	unsigned int ifindex;
	uint32_t flags;
	int attached;
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void xdp_load(struct xdp_prog *p, const struct opts *o, unsigned int ifindex)
{
	struct bpf_map *xsks, *policy;
	struct {
		uint32_t proto_mask;
		uint16_t port_min, port_max;
	} pol = {POLICY_IPV4_UDP, 0, 0};
	uint32_t zero = 0;
	int err;

	memset(p, 0, sizeof(*p));
	p->ifindex = ifindex;
	p->flags = o->drv_mode ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
	libbpf_set_print(libbpf_quiet);
	p->obj = bpf_object__open_file(o->bpf_object, NULL);
	if (!p->obj)
		lab_die(PROG, "cannot open BPF object %s: %s", o->bpf_object, strerror(errno));
	err = bpf_object__load(p->obj);
	if (err)
		lab_die(PROG, "cannot load BPF object %s: %s", o->bpf_object, strerror(-err));
	if (!bpf_object__find_program_by_name(p->obj, "xdp_xsk_redirect"))
		lab_die(PROG, "program xdp_xsk_redirect not found in %s", o->bpf_object);
	xsks = bpf_object__find_map_by_name(p->obj, "xsks_map");
	policy = bpf_object__find_map_by_name(p->obj, "xsk_policy");
	if (!xsks || !policy)
		lab_die(PROG, "maps xsks_map / xsk_policy not found in %s", o->bpf_object);
	if (bpf_map_update_elem(bpf_map__fd(policy), &zero, &pol, BPF_ANY))
		lab_die(PROG, "setting xsk_policy: %s", strerror(errno));
}

static void xdp_register(struct xdp_prog *p, unsigned int queue, int xsk_fd)
{
	struct bpf_map *xsks = bpf_object__find_map_by_name(p->obj, "xsks_map");
	if (bpf_map_update_elem(bpf_map__fd(xsks), &queue, &xsk_fd, BPF_ANY))
		lab_die(PROG, "putting the socket in xsks_map[%u]: %s", queue, strerror(errno));
}

static void xdp_attach(struct xdp_prog *p)
{
	int prog_fd = bpf_program__fd(bpf_object__find_program_by_name(p->obj, "xdp_xsk_redirect"));
	int err = bpf_xdp_attach((int)p->ifindex, prog_fd, p->flags | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err)
		lab_die(PROG, "attaching XDP (%s mode) to ifindex %u: %s", p->flags == XDP_FLAGS_DRV_MODE ? "drv" : "skb",
			p->ifindex, strerror(-err));
	p->attached = 1;
}

static void xdp_unload(struct xdp_prog *p)
{
	if (p->attached)
		bpf_xdp_detach((int)p->ifindex, p->flags, NULL);
	p->attached = 0;
	if (p->obj)
		bpf_object__close(p->obj);
	p->obj = NULL;
}

/* ---- the lab state; cleanup also runs on lab_die via atexit ------------------------------------------------- */

static struct xsk X1, X2 = {.fd = -1};
static struct xdp_prog P;
static void *umem;
static size_t umem_len;
static uint64_t *pool; /* the frame pool, see below */
static uint32_t pool_n;

static void cleanup(void)
{
	/* Detach first so that no frame is redirected to a closing socket. */
	xdp_unload(&P);
	if (X2.fd > 0)
		xsk_close(&X2);
	if (X1.fd > 0)
		xsk_close(&X1);
	if (umem && umem != MAP_FAILED)
		munmap(umem, umem_len);
	umem = NULL;
	free(pool);
	pool = NULL;
}

/* ---- scenarios ------------------------------------------------------------------------------------------------ */

/*
 * The frame pool: a stack of free UMEM frame addresses (frame i at i * frame-size), all frames in it at the start.
 * Every frame is in exactly one place: the pool, the fill ring, the RX ring, the TX ring or the completion ring.
 */
static inline uint64_t frame_base(uint64_t addr) { return addr - addr % O.frame_size; }

static void pool_init(void)
{
	pool = malloc(sizeof(uint64_t) * O.frames);
	if (!pool)
		lab_die(PROG, "out of memory");
	for (pool_n = 0; pool_n < O.frames; pool_n++)
		pool[pool_n] = (uint64_t)(O.frames - 1 - pool_n) * O.frame_size; /* frame 0 on top */
}

/* Moves as many pool frames as the fill ring takes into it. */
static inline void refill(struct xsk *x)
{
	uint32_t idx, n = prod_reserve(&x->fill, pool_n, &idx);
	for (uint32_t i = 0; i < n; i++)
		*addr_slot(&x->fill, idx + i) = pool[--pool_n];
	if (n)
		prod_submit(&x->fill);
}

/* Takes up to --batch completed TX frames back into the pool; returns how many. */
static inline uint32_t reclaim(struct xsk *x)
{
	uint32_t idx, n = cons_peek(&x->comp, O.batch, &idx);
	for (uint32_t i = 0; i < n; i++)
		pool[pool_n++] = frame_base(*addr_slot(&x->comp, idx + i));
	if (n)
		cons_release(&x->comp);
	return n;
}

static inline int no_start(const struct lab_window *w, double t0)
{
	return w->first == 0 && lab_now() - t0 >= O.start_timeout;
}

static void run_rxdrop(struct lab_window *w)
{
	struct xsk *x = &X1;
	double t0 = lab_now();
	while (!lab_stop) {
		uint32_t idx, n;
		refill(x);
		n = cons_peek(&x->rx, O.batch, &idx);
		if (n == 0) {
			if (lab_window_add(w, lab_now(), 0) || no_start(w, t0))
				break;
			wait_rx(x);
			continue;
		}
		for (uint32_t i = 0; i < n; i++)
			pool[pool_n++] = frame_base(desc_slot(&x->rx, idx + i)->addr);
		cons_release(&x->rx);
		if (lab_window_add(w, lab_now(), n))
			break;
	}
}

static void run_txonly(struct lab_window *w)
{
	struct xsk *x = &X1;
	uint8_t src_mac[6];

	lab_if_mac(PROG, O.ifname, src_mac);
	for (uint32_t i = 0; i < O.frames; i++)
		lab_build_frame((uint8_t *)umem + (size_t)i * O.frame_size, O.frame_len, O.dst_mac, src_mac, O.src_ip,
				O.dst_ip);
	while (!lab_stop) {
		uint32_t idx, done = reclaim(x), n;
		n = prod_reserve(&x->tx, O.batch < pool_n ? O.batch : pool_n, &idx);
		for (uint32_t i = 0; i < n; i++) {
			struct xdp_desc *d = desc_slot(&x->tx, idx + i);
			d->addr = pool[--pool_n];
			d->len = O.frame_len;
			d->options = 0;
		}
		if (n) {
			prod_submit(&x->tx);
			if (w->first == 0)
				w->first = lab_now(); /* the window starts at the first submit */
		}
		kick_tx(x);
		if (lab_window_add(w, lab_now(), done))
			break;
	}
}

static void run_l2fwd(struct lab_window *w)
{
	struct xsk *in = &X1, *out = X2.fd > 0 ? &X2 : &X1;
	uint32_t outstanding = 0;
	double t0 = lab_now();

	while (!lab_stop) {
		uint32_t idx_rx, idx_tx, done = reclaim(out), n, t;
		outstanding -= done;
		refill(in);
		if (lab_window_add(w, lab_now(), done) || no_start(w, t0))
			break;
		n = cons_peek(&in->rx, O.batch, &idx_rx);
		t = prod_reserve(&out->tx, n, &idx_tx);
		in->rx.cached_cons -= n - t; /* what the TX ring cannot take stays in the RX ring for the next turn */
		if (t) {
			if (w->first == 0)
				w->first = lab_now(); /* the window starts at the first forwarded frame */
			for (uint32_t i = 0; i < t; i++) {
				struct xdp_desc *rd = desc_slot(&in->rx, idx_rx + i), *td = desc_slot(&out->tx, idx_tx + i);
				uint8_t *pkt = (uint8_t *)umem + rd->addr, mac[6];
				memcpy(mac, pkt, 6);
				memcpy(pkt, pkt + 6, 6);
				memcpy(pkt + 6, mac, 6);
				td->addr = rd->addr;
				td->len = rd->len;
				td->options = 0;
			}
			prod_submit(&out->tx);
			cons_release(&in->rx);
			outstanding += t;
		}
		kick_tx(out);
		if (n == 0 && outstanding == 0) {
			wait_rx(in);
		}
	}
}

/* ---- main ----------------------------------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xsk_ref --scenario rxdrop|txonly|l2fwd --ifname IF [--ifname2 IF2] [--queue 0] [--seconds 5]\n"
		"               [--warmup 2] [--start-timeout 10] [--batch 64] [--ring 2048] [--frames 4096]\n"
		"               [--frame-size 4096] [--mode skb|drv] [--need-wakeup 0|1] [--bpf-object PATH]\n"
		"               [--tx-budget 0|32..ring] [--frame-len 60] [--dst-mac MAC --src-ip IP --dst-ip IP (txonly)]\n"
		"Prints one JSON line at the end: {\"impl\":\"c\",\"scenario\":...,\"packets\":N,\"seconds\":S,\"pps\":P}\n");
}

static int is_pow2(unsigned int v) { return v && !(v & (v - 1)); }

static void parse(int argc, char **argv)
{
	O.queue = 0;
	O.seconds = 5;
	O.warmup = 2;
	O.start_timeout = 10;
	O.batch = 64;
	O.ring = 2048;
	O.frames = 4096;
	O.frame_size = 4096;
	O.frame_len = 60;
	O.need_wakeup = 1;
	O.drv_mode = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			exit(0);
		}
		if (!v)
			lab_die(PROG, "option %s needs a value (see --help)", a);
		i++;
		if (!strcmp(a, "--scenario")) {
			O.scenario_name = v;
			if (!strcmp(v, "rxdrop"))
				O.scenario = RXDROP;
			else if (!strcmp(v, "txonly"))
				O.scenario = TXONLY;
			else if (!strcmp(v, "l2fwd"))
				O.scenario = L2FWD;
			else
				lab_die(PROG, "unknown scenario '%s' (rxdrop, txonly or l2fwd)", v);
		} else if (!strcmp(a, "--ifname"))
			O.ifname = v;
		else if (!strcmp(a, "--ifname2"))
			O.ifname2 = v;
		else if (!strcmp(a, "--queue"))
			O.queue = (unsigned int)lab_parse_long(PROG, a, v, 0, 63);
		else if (!strcmp(a, "--seconds"))
			O.seconds = lab_parse_double(PROG, a, v, 0.1, 3600);
		else if (!strcmp(a, "--warmup"))
			O.warmup = lab_parse_double(PROG, a, v, 0, 600);
		else if (!strcmp(a, "--start-timeout"))
			O.start_timeout = lab_parse_double(PROG, a, v, 0.1, 600);
		else if (!strcmp(a, "--batch"))
			O.batch = (unsigned int)lab_parse_long(PROG, a, v, 1, 4096);
		else if (!strcmp(a, "--ring"))
			O.ring = (unsigned int)lab_parse_long(PROG, a, v, 1, 1 << 20);
		else if (!strcmp(a, "--frames"))
			O.frames = (unsigned int)lab_parse_long(PROG, a, v, 1, 1 << 22);
		else if (!strcmp(a, "--frame-size"))
			O.frame_size = (unsigned int)lab_parse_long(PROG, a, v, 2048, 65536);
		else if (!strcmp(a, "--frame-len"))
			O.frame_len = (unsigned int)lab_parse_long(PROG, a, v, 42, 1514);
		else if (!strcmp(a, "--need-wakeup"))
			O.need_wakeup = (unsigned int)lab_parse_long(PROG, a, v, 0, 1);
		else if (!strcmp(a, "--tx-budget"))
			O.tx_budget = (unsigned int)lab_parse_long(PROG, a, v, 0, 1 << 20);
		else if (!strcmp(a, "--mode")) {
			if (!strcmp(v, "drv"))
				O.drv_mode = 1;
			else if (!strcmp(v, "skb"))
				O.drv_mode = 0;
			else
				lab_die(PROG, "unknown mode '%s' (skb or drv)", v);
		} else if (!strcmp(a, "--bpf-object"))
			O.bpf_object = v;
		else if (!strcmp(a, "--dst-mac")) {
			lab_parse_mac(PROG, v, O.dst_mac);
			O.have_dst_mac = 1;
		} else if (!strcmp(a, "--src-ip")) {
			O.src_ip = lab_parse_ip4(PROG, v);
			O.have_src_ip = 1;
		} else if (!strcmp(a, "--dst-ip")) {
			O.dst_ip = lab_parse_ip4(PROG, v);
			O.have_dst_ip = 1;
		} else
			lab_die(PROG, "unknown option %s (see --help)", a);
	}
	if (!O.scenario_name || !O.ifname)
		lab_die(PROG, "--scenario and --ifname are required (see --help)");
	if (!is_pow2(O.ring) || !is_pow2(O.frame_size))
		lab_die(PROG, "--ring and --frame-size must be powers of two");
	if (O.frame_len > O.frame_size - 256 /* XDP_PACKET_HEADROOM in copy mode */)
		lab_die(PROG, "--frame-len %u does not fit a %u-byte frame", O.frame_len, O.frame_size);
	if (O.scenario != TXONLY && !O.bpf_object)
		lab_die(PROG, "--bpf-object is required for %s", O.scenario_name);
	if (O.scenario == TXONLY && !(O.have_dst_mac && O.have_src_ip && O.have_dst_ip))
		lab_die(PROG, "txonly needs --dst-mac, --src-ip and --dst-ip");
	if (O.scenario != L2FWD || !O.ifname2)
		O.ifname2 = O.ifname;
}

int main(int argc, char **argv)
{
	struct lab_window w;
	struct rlimit rl = {RLIM_INFINITY, RLIM_INFINITY};
	unsigned int ifindex, ifindex2;
	double secs;
	int status;

	parse(argc, argv);
	ifindex = lab_ifindex(PROG, O.ifname);
	ifindex2 = lab_ifindex(PROG, O.ifname2);
	setrlimit(RLIMIT_MEMLOCK, &rl); /* may fail without CAP_SYS_RESOURCE; CAP_IPC_LOCK still lets the UMEM register */
	lab_install_signals();
	X1.fd = -1;
	atexit(cleanup);

	umem_len = (size_t)O.frames * O.frame_size;
	umem = mmap(NULL, umem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (umem == MAP_FAILED)
		lab_die(PROG, "mmap of a %zu-byte UMEM: %s", umem_len, strerror(errno));

	/* Order: program loaded, sockets bound and registered, then attach, so that no selected frame passes by. */
	if (O.scenario != TXONLY)
		xdp_load(&P, &O, ifindex);
	xsk_open(&X1, &O, ifindex, umem, umem_len, -1);
	if (O.scenario == L2FWD && ifindex2 != ifindex)
		xsk_open(&X2, &O, ifindex2, umem, umem_len, X1.fd);
	if (O.scenario != TXONLY) {
		xdp_register(&P, O.queue, X1.fd);
		xdp_attach(&P);
	}

	pool_init();
	lab_window_init(&w, O.warmup, O.seconds);
	switch (O.scenario) {
	case RXDROP:
		run_rxdrop(&w);
		break;
	case TXONLY:
		run_txonly(&w);
		break;
	case L2FWD:
		run_l2fwd(&w);
		break;
	}
	secs = lab_window_close(&w, lab_now());
	xsk_print_stats(&X1, O.ifname);
	if (X2.fd > 0)
		xsk_print_stats(&X2, O.ifname2);
	status = lab_stop ? 130 : w.first == 0 ? 2 : 0;
	cleanup();
	if (w.first == 0 && !lab_stop)
		fprintf(stderr, PROG ": no packet within %.1f s\n", O.start_timeout);
	printf("{\"impl\":\"c\",\"scenario\":\"%s\",\"packets\":%llu,\"seconds\":%.3f,\"pps\":%.0f,\"cpu_seconds\":%.3f}\n",
	       O.scenario_name, (unsigned long long)w.packets, secs, secs > 0 ? (double)w.packets / secs : 0.0,
	       w.cpu_end - w.cpu_start);
	fflush(stdout);
	return status;
}
