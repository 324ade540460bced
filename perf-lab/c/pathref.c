/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pathref: the per-packet path of benchmarks' PacketPathBenchmark written in C, the same steps on the same data
 * structures, so that the Java figures have a native one beside them (perf-lab/path/run runs both).
 *
 * Each step mirrors its Java counterpart in dataplane-core:
 *   copy      the pristine 74-byte frame into the working frame (the benchmark's stand-in for a fresh RX frame)
 *   parse     PacketParser: untagged IPv4 (version, IHL, total length, fragments) then UDP (length) or TCP (data
 *             offset); fills a parsed packet (offsets, lengths, TTL, protocol, the 5-tuple, TCP flags) and counts the
 *             verdict
 *   service   ServiceTable: an open-addressing index of one-word keys (address, protocol, port), Fibonacci hashing
 *             (LongKeyIndex), 1,000 services
 *   access    AccessPolicy/PrefixIntervals: the source address' interval among the service's prefix boundaries (a
 *             first level on the address' top byte, then a branch-free lower bound), its fixed decision or a search
 *             of its port segments; the benchmark's 65 rules
 *   flow hit  FlowTable.hitAndRewrite: the index's seeded IPv4 hash (the same multiplications), linear probing over
 *             8-byte slots (tag, handle), the key compared in its 80-byte record, the direction/marks/closed checks,
 *             last seen and the direction's packets and bytes; then the rewrite from the record
 *             (NatRewriter.translateIpv4): the other direction's key reversed, TTL, both addresses and ports, the IPv4
 *             and L4 checksums updated incrementally (RFC 1624) by the checksum deltas stored with the flow at
 *             insert; 65,536 flows of capacity, 10,001 tracked
 *   MACs      NatRewriter.rewriteMacs
 * The parts flowHit and copyAndForward are the long way, as the Java benchmark's are: FlowTable.hit reading the other
 * direction's key as the translation, then NatRewriter.forward computing the checksum deltas from it.
 * Before timing, the rewritten frame is checked against one built from scratch with full checksums, the decisions
 * against the Java benchmark's, and the compiled access decision against the rules read one by one; any difference
 * exits 1.
 *
 * Besides the path (copyOnly, establishedFlow, perPacket) it times the parts as the Java benchmark's other methods do
 * (copyAndParse, serviceAndAccess, flowHit, copyAndForward: each on a frame parsed once, at set-up).
 *
 * Usage: pathref [--seconds S] [--rounds N]   prints one line per benchmark and protocol, then a JSON line keyed
 * benchmark_PROTOCOL (ns/op, the median of the rounds). Defaults: 1 s, 5 rounds.
 */
#include "lab_common.h"

#define FRAME_LENGTH 74
#define ETH_IPV4 0x0800
#define TCP 6
#define UDP 17

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return __builtin_bswap32(v); }
static inline uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return __builtin_bswap64(v); }
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void wr32(uint8_t *p, uint32_t v) { v = __builtin_bswap32(v); memcpy(p, &v, 4); }
static inline void wr64(uint8_t *p, uint64_t v) { v = __builtin_bswap64(v); memcpy(p, &v, 8); }
static inline uint32_t le32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t le64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void put_le64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void put_le32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* ---- checksums (dataplane-core Checksums) ---- */

static inline uint32_t fold(uint64_t sum)
{
	uint64_t halves = (sum & 0xFFFFFFFFu) + (sum >> 32);
	uint32_t word = (uint32_t)halves + (uint32_t)(halves >> 32);
	return (word + ((word << 16) | (word >> 16))) >> 16;
}

static inline uint64_t delta32(uint32_t old_value, uint32_t new_value)
{
	return (uint64_t)(~old_value) + new_value;
}

static inline uint64_t delta16(uint32_t old_word, uint32_t new_word)
{
	return (uint64_t)(~old_word & 0xFFFF) + (new_word & 0xFFFF);
}

static inline uint32_t apply_delta(uint32_t checksum, uint64_t delta)
{
	return ~fold((~checksum & 0xFFFF) + delta) & 0xFFFF;
}

static uint32_t sum_bytes(const uint8_t *p, int length)
{
	uint64_t sum = 0;
	for (int i = 0; i + 1 < length; i += 2)
		sum += rd16(p + i);
	if (length & 1)
		sum += (uint32_t)p[length - 1] << 8;
	return fold(sum);
}

/* ---- the benchmark's frame (benchmarks BenchmarkFrames.write) ---- */

static int build_frame(uint8_t *f, int protocol, uint32_t src, int sport, uint32_t dst, int dport, int payload,
	uint64_t dmac, uint64_t smac, int ttl)
{
	const int l3 = 14, l4 = 34;
	const int l4_header = protocol == TCP ? 20 : 8;
	const int l4_length = l4_header + payload;
	memset(f, 0, 128);
	for (int i = 0; i < 6; i++) {
		f[i] = (uint8_t)(dmac >> (40 - 8 * i));
		f[6 + i] = (uint8_t)(smac >> (40 - 8 * i));
	}
	wr16(f + 12, ETH_IPV4);
	f[l3] = 0x45;
	wr16(f + l3 + 2, (uint16_t)(20 + l4_length));
	wr16(f + l3 + 6, 0x4000);
	f[l3 + 8] = (uint8_t)ttl;
	f[l3 + 9] = (uint8_t)protocol;
	wr32(f + l3 + 12, src);
	wr32(f + l3 + 16, dst);
	wr16(f + l3 + 10, (uint16_t)(~sum_bytes(f + l3, 20) & 0xFFFF));
	wr16(f + l4, (uint16_t)sport);
	wr16(f + l4 + 2, (uint16_t)dport);
	if (protocol == TCP) {
		f[l4 + 12] = 5 << 4;
		f[l4 + 13] = 0x10 | 0x08; /* ACK | PSH */
		wr16(f + l4 + 14, 65535);
	} else {
		wr16(f + l4 + 4, (uint16_t)l4_length);
	}
	for (int i = 0; i < payload; i++)
		f[l4 + l4_header + i] = (uint8_t)(i * 31 + 7);
	uint64_t pseudo = (uint64_t)(src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + protocol + l4_length;
	uint32_t c = ~fold(pseudo + sum_bytes(f + l4, l4_length)) & 0xFFFF;
	if (protocol == UDP && c == 0)
		c = 0xFFFF;
	wr16(f + l4 + (protocol == TCP ? 16 : 6), (uint16_t)c);
	return l4 + l4_length;
}

/* ---- parse (dataplane-core PacketParser, its untagged-IPv4 TCP/UDP path) ---- */

enum verdict { V_DROP, V_TCP, V_UDP, V_OTHER, V_COUNT };

struct tuple {
	int family, protocol;
	uint32_t source, destination;
	int source_port, destination_port;
};

struct parsed {
	const uint8_t *frame;
	int frame_length, family, ether_type, protocol, ttl, tcp_flags, l3_length, l4_length, payload_length;
	long l3, l4, payload;
	struct tuple tuple;
	enum verdict verdict;
};

static uint64_t verdicts[V_COUNT];
static uint64_t drops[16];

static inline enum verdict drop(int reason)
{
	drops[reason]++;
	return V_DROP;
}

static inline enum verdict parse(const uint8_t *f, int length, struct parsed *out)
{
	enum verdict v;
	out->frame = f;
	out->frame_length = length;
	out->tcp_flags = 0;
	if (length < 14) {
		v = drop(0);
		goto done;
	}
	out->ether_type = rd16(f + 12);
	if (out->ether_type != ETH_IPV4) {
		v = drop(1);
		goto done;
	}
	const uint8_t *l3 = f + 14;
	const int remaining = length - 14;
	if (remaining < 20) {
		v = drop(2);
		goto done;
	}
	const uint64_t first = rd64(l3), second = rd64(l3 + 8);
	const uint32_t destination = rd32(l3 + 16);
	const int version_ihl = (int)(first >> 56);
	if ((version_ihl >> 4) != 4) {
		v = drop(3);
		goto done;
	}
	const int header_length = (version_ihl & 0xF) << 2;
	if (header_length < 20 || header_length > remaining) {
		v = drop(4);
		goto done;
	}
	const int total_length = (int)(first >> 32) & 0xFFFF;
	if (total_length < header_length || total_length > remaining) {
		v = drop(5);
		goto done;
	}
	const int protocol = (int)(second >> 48) & 0xFF;
	out->family = 4;
	out->l3 = 14;
	out->l3_length = total_length;
	out->ttl = (int)(second >> 56);
	out->protocol = protocol;
	out->tuple.family = 4;
	out->tuple.protocol = protocol;
	out->tuple.source = (uint32_t)second;
	out->tuple.destination = destination;
	const int fragment = (int)first & 0xFFFF;
	if (fragment & 0x1FFF) {
		v = drop(6);
		goto done;
	}
	if ((fragment & 0x2000) && (protocol == TCP || protocol == UDP || protocol == 1)) {
		v = drop(7);
		goto done;
	}
	const long l4 = 14 + header_length;
	const int l4_length = total_length - header_length;
	out->l4 = l4;
	out->l4_length = l4_length;
	if (protocol == TCP) {
		if (l4_length < 20) {
			v = drop(8);
			goto done;
		}
		const uint32_t ports = rd32(f + l4);
		const int offset_flags = rd16(f + l4 + 12);
		const int tcp_header = (offset_flags >> 12) << 2;
		if (tcp_header < 20 || tcp_header > l4_length) {
			v = drop(9);
			goto done;
		}
		out->tuple.source_port = (int)(ports >> 16);
		out->tuple.destination_port = (int)(ports & 0xFFFF);
		out->tcp_flags = offset_flags & 0xFF;
		out->payload = l4 + tcp_header;
		out->payload_length = l4_length - tcp_header;
		v = V_TCP;
	} else if (protocol == UDP) {
		if (l4_length < 8) {
			v = drop(10);
			goto done;
		}
		const uint64_t header = rd64(f + l4);
		const int datagram = (int)(header >> 16) & 0xFFFF;
		if (datagram < 8 || datagram > l4_length) {
			v = drop(11);
			goto done;
		}
		out->tuple.source_port = (int)(header >> 48);
		out->tuple.destination_port = (int)(header >> 32) & 0xFFFF;
		out->payload = l4 + 8;
		out->payload_length = datagram - 8;
		v = V_UDP;
	} else {
		v = V_OTHER;
	}
done:
	out->verdict = v;
	verdicts[v]++;
	return v;
}

/* ---- service table (dataplane-core ServiceTable over LongKeyIndex) ---- */

#define GOLDEN 0x9E3779B97F4A7C15ull

struct key_index {
	uint64_t *keys;
	int32_t *values;
	uint32_t mask;
	int shift;
};

static void key_index_init(struct key_index *k, int capacity)
{
	int slots = 2;
	while (slots < capacity * 2)
		slots <<= 1;
	k->keys = calloc((size_t)slots, sizeof(uint64_t));
	k->values = malloc((size_t)slots * sizeof(int32_t));
	for (int i = 0; i < slots; i++)
		k->values[i] = -1;
	k->mask = (uint32_t)slots - 1;
	k->shift = 64 - __builtin_ctz((unsigned)slots);
}

static void key_index_put(struct key_index *k, uint64_t key, int value)
{
	uint32_t slot = (uint32_t)((key * GOLDEN) >> k->shift);
	while (k->values[slot] != -1)
		slot = (slot + 1) & k->mask;
	k->keys[slot] = key;
	k->values[slot] = value;
}

static inline int key_index_get(const struct key_index *k, uint64_t key)
{
	uint32_t slot = (uint32_t)((key * GOLDEN) >> k->shift);
	for (;;) {
		const int value = k->values[slot];
		if (value == -1 || k->keys[slot] == key)
			return value;
		slot = (slot + 1) & k->mask;
	}
}

static inline uint64_t key4(uint32_t address, int protocol, int port)
{
	return (uint64_t)address << 32 | (uint64_t)(protocol & 0xFF) << 16 | (uint64_t)(port & 0xFFFF);
}

static inline int service_lookup(const struct key_index *services, const struct tuple *t)
{
	return key_index_get(services, key4(t->destination, t->protocol, t->destination_port));
}

/* ---- access rules (dataplane-core AccessPolicy, PrefixIntervals, IntervalSearch) ---- */

enum action { ALLOW, DENY };

/* A rule of service 3, in the order of evaluation (by priority). */
struct rule {
	enum action action;
	uint32_t prefix;
	int length;
	int first_port, last_port, other_port;
};

#define MAX_INTERVALS 512
#define MAX_SEGMENTS 4096

/* One group: service 3's IPv4 prefixes, as PrefixIntervals lays out a group with a first-level index. */
struct access_policy {
	int group_of_service[8]; /* service -> group, -1 for none (Java: service * 2 + family, by index) */
	int group_start[2];
	int buckets_at[1];
	int buckets[257];
	int64_t start_lo[MAX_INTERVALS];
	int8_t fixed[MAX_INTERVALS]; /* the decision when no port is needed, else -1 */
	int segment_start[MAX_INTERVALS + 1];
	int segment_low[MAX_SEGMENTS], segment_high[MAX_SEGMENTS];
	int8_t segment_action[MAX_SEGMENTS];
	enum action default_action;
};

static int cmp_u64(const void *a, const void *b)
{
	const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The decision of the first rule (by priority) whose prefix holds address and whose ports hold port (any protocol:
 * the benchmark's rules allow TCP and UDP both), else the default. */
static enum action decide_slowly(const struct rule *rules, int count, uint32_t address, int port, int *matched,
	enum action fallback)
{
	for (int i = 0; i < count; i++) {
		const struct rule *r = &rules[i];
		const uint32_t mask = r->length == 0 ? 0 : ~0u << (32 - r->length);
		if ((address & mask) != (r->prefix & mask))
			continue;
		if ((port >= r->first_port && port <= r->last_port) || port == r->other_port) {
			*matched = 1;
			return r->action;
		}
	}
	*matched = 0;
	return fallback;
}

/* Compiles the rules (sorted by priority) of service 3 into intervals of the address space, each with a fixed
 * decision or port segments; brute force, at set-up only. */
static void access_compile(struct access_policy *p, const struct rule *rules, int count, enum action fallback)
{
	uint64_t bounds[2 * 128 + 1];
	if (count > 128) {
		fprintf(stderr, "pathref: more than 128 rules\n");
		exit(1);
	}
	int n = 0;
	bounds[n++] = 0;
	for (int i = 0; i < count; i++) {
		const uint32_t mask = rules[i].length == 0 ? 0 : ~0u << (32 - rules[i].length);
		const uint64_t start = rules[i].prefix & mask;
		bounds[n++] = start;
		bounds[n++] = start + ((uint64_t)~mask & 0xFFFFFFFFu) + 1;
	}
	qsort(bounds, (size_t)n, sizeof(bounds[0]), cmp_u64);
	int intervals = 0, segments = 0;
	for (int i = 0; i < n; i++) {
		if (bounds[i] > 0xFFFFFFFFull || (intervals > 0 && (uint64_t)p->start_lo[intervals - 1] == bounds[i]))
			continue;
		const uint32_t address = (uint32_t)bounds[i];
		p->start_lo[intervals] = address;
		p->segment_start[intervals] = segments;
		/* Port segments: runs of equal decisions over ports 0..65535. */
		int uniform = 1;
		enum action run_action = ALLOW;
		int run_start = 0, run_matched = 0;
		enum action first = ALLOW;
		for (int port = 0; port <= 65536; port++) {
			int matched = 0;
			enum action a = port < 65536 ? decide_slowly(rules, count, address, port, &matched, fallback) : ALLOW;
			if (port == 0)
				first = a;
			if (port < 65536 && (a != first))
				uniform = 0;
			if (port == 65536 || port == 0 || a != run_action || matched != run_matched) {
				if (port > 0 && run_matched) {
					if (segments == MAX_SEGMENTS) {
						fprintf(stderr, "pathref: more than %d port segments\n", MAX_SEGMENTS);
						exit(1);
					}
					p->segment_low[segments] = run_start;
					p->segment_high[segments] = port - 1;
					p->segment_action[segments] = (int8_t)run_action;
					segments++;
				}
				run_start = port;
				run_action = a;
				run_matched = matched;
			}
		}
		p->fixed[intervals] = uniform ? (int8_t)first : -1;
		if (uniform)
			segments = p->segment_start[intervals];
		intervals++;
	}
	p->segment_start[intervals] = segments;
	p->group_start[0] = 0;
	p->group_start[1] = intervals;
	for (int s = 0; s < 8; s++)
		p->group_of_service[s] = s == 3 ? 0 : -1;
	/* The first level on the address' top byte: buckets[b] = the first interval starting at or after b << 24. */
	p->buckets_at[0] = 0;
	for (int b = 0, i = 0; b <= 256; b++) {
		while (i < intervals && (uint64_t)p->start_lo[i] < ((uint64_t)b << 24))
			i++;
		p->buckets[b] = i;
	}
	p->default_action = fallback;
}

static inline int access_interval(const struct access_policy *p, int service, uint32_t address)
{
	if (service < 0 || service >= 8 || p->group_of_service[service] < 0)
		return -1;
	const int group = p->group_of_service[service];
	int from = p->group_start[group];
	int count = p->group_start[group + 1] - from;
	const int at = p->buckets_at[group] + (int)(address >> 24);
	const int before = p->buckets[at] - 1 > 0 ? p->buckets[at] - 1 : 0;
	count = p->buckets[at + 1] - before;
	from += before;
	if (count <= 0)
		return -1;
	int base = from;
	const int64_t lo = address;
	while (count > 1) {
		const int half = count >> 1;
		base = p->start_lo[base + half] <= lo ? base + half : base;
		count -= half;
	}
	return p->start_lo[base] <= lo ? base : -1;
}

static inline enum action access_decide(const struct access_policy *p, int service, const struct tuple *t)
{
	if (t->protocol != TCP && t->protocol != UDP)
		return p->default_action;
	const int interval = access_interval(p, service, t->source);
	if (interval < 0)
		return p->default_action;
	if (p->fixed[interval] >= 0)
		return (enum action)p->fixed[interval];
	const int from = p->segment_start[interval], to = p->segment_start[interval + 1];
	int count = to - from;
	if (count <= 0)
		return p->default_action;
	int base = from;
	while (count > 1) {
		const int half = count >> 1;
		base = p->segment_low[base + half] <= t->destination_port ? base + half : base;
		count -= half;
	}
	return p->segment_low[base] <= t->destination_port && t->destination_port <= p->segment_high[base]
		? (enum action)p->segment_action[base]
		: p->default_action;
}

/* ---- flow table (dataplane-core FlowTable, FlowLayout: IPv4) ---- */

#define RECORD_BYTES 80
#define STATE_OFFSET 0
#define CHECKSUM_DELTAS_OFFSET 12
#define LAST_SEEN_OFFSET 16
#define COUNTERS_OFFSET 24
#define TUPLES_OFFSET 56
#define TUPLE_BYTES 12
#define DESTINATION_OFFSET 8
#define STATE_ESTABLISHED 3
#define STATE_CLOSED 5
#define STATE_UDP 6
#define TAG_ADDRESSES 0x9E3779B97F4A7C15ull
#define TAG_PORTS 0xC4CEB9FE1A85EC53ull
#define TAG_FINAL 0xFF51AFD7ED558CCDull

struct flow_table {
	uint64_t *index;
	uint8_t *records;
	uint64_t slot_mask;
	uint64_t address_seed, port_seed;
	int used;
};

static inline uint32_t flow_tag(const struct flow_table *t, const struct tuple *k)
{
	const uint64_t addresses = (uint64_t)k->source << 32 | k->destination;
	const uint64_t rest = (uint64_t)k->protocol << 32 | (uint32_t)(k->source_port << 16 | k->destination_port);
	const uint64_t sum = (addresses ^ t->address_seed) * TAG_ADDRESSES + (rest ^ t->port_seed) * TAG_PORTS;
	return (uint32_t)(((sum ^ (sum >> 32)) * TAG_FINAL) >> 32);
}

static void flow_table_init(struct flow_table *t, int max_flows, uint64_t seed)
{
	uint64_t slots = 1;
	while (slots < 4ull * (uint64_t)max_flows)
		slots <<= 1;
	t->index = aligned_alloc(64, slots * 8);
	memset(t->index, 0, slots * 8);
	t->records = aligned_alloc(64, (size_t)max_flows * RECORD_BYTES);
	memset(t->records, 0, (size_t)max_flows * RECORD_BYTES);
	t->slot_mask = slots - 1;
	t->address_seed = seed * 0x2545F4914F6CDD1Dull;
	t->port_seed = (seed + 1) * 0x9E3779B97F4A7C15ull;
	t->used = 0;
}

static void write_key(uint8_t *at, const struct tuple *k)
{
	put_le32(at, (uint32_t)(k->source_port << 16 | k->destination_port));
	put_le32(at + 4, k->source);
	put_le32(at + 8, k->destination);
}

static void add_slot(struct flow_table *t, uint32_t tag, int handle)
{
	uint64_t slot = tag & t->slot_mask;
	while (t->index[slot] != 0)
		slot = (slot + 1) & t->slot_mask;
	t->index[slot] = (uint64_t)tag << 32 | (uint32_t)(handle + 1);
}

static int flow_insert(struct flow_table *t, const struct tuple *original, const struct tuple *reply, int state)
{
	const int record = t->used++;
	uint8_t *base = t->records + (size_t)record * RECORD_BYTES;
	put_le32(base, (uint32_t)state | (uint32_t)original->protocol << 8);
	write_key(base + TUPLES_OFFSET, original);
	write_key(base + TUPLES_OFFSET + TUPLE_BYTES, reply);
	/* What an original packet's rewrite adds to its checksums: the addresses' delta low, the ports' high. */
	const uint32_t addresses = fold(delta32(original->source, reply->destination)
		+ delta32(original->destination, reply->source));
	const uint32_t ports = fold(delta32((uint32_t)(original->source_port << 16 | original->destination_port),
		(uint32_t)(reply->destination_port << 16 | reply->source_port)));
	put_le32(base + CHECKSUM_DELTAS_OFFSET, ports << 16 | addresses);
	add_slot(t, flow_tag(t, original), record << 1);
	add_slot(t, flow_tag(t, reply), record << 1 | 1);
	return record << 1;
}

/* FlowTable.lookup: the handle or -1. */
static inline int flow_find(const struct flow_table *t, const struct tuple *key)
{
	const uint32_t tag = flow_tag(t, key);
	uint64_t slot = tag & t->slot_mask;
	const uint32_t ports = (uint32_t)(key->source_port << 16 | key->destination_port);
	const uint64_t addresses = (uint64_t)key->destination << 32 | key->source;
	int handle;
	for (;;) {
		const uint64_t entry = t->index[slot];
		if (entry == 0)
			return -1;
		if ((uint32_t)(entry >> 32) == tag) {
			handle = (int)(uint32_t)entry - 1;
			const uint8_t *base = t->records + (size_t)(handle >> 1) * RECORD_BYTES;
			const uint8_t *at = base + TUPLES_OFFSET + (handle & 1) * TUPLE_BYTES;
			if (key->family == 4 && ((le32(base) >> 8) & 0xFF) == (uint32_t)key->protocol && le32(at) == ports
				&& le64(at + 4) == addresses)
				return handle;
		}
		slot = (slot + 1) & t->slot_mask;
	}
}

/* FlowTable.touchIfExpected: the flow found, checked and counted; the handle, -1 (not found) or -5 (untouched). */
static inline int flow_touch(struct flow_table *t, const struct tuple *key, int direction, uint64_t now, int bytes,
	int tcp_flags)
{
	const int handle = flow_find(t, key);
	if (handle < 0)
		return -1;
	uint8_t *base = t->records + (size_t)(handle >> 1) * RECORD_BYTES;
	const uint32_t header = le32(base);
	if ((handle & 1) != direction || (header >> 24) != 0 || (header & 0xFF) == STATE_CLOSED)
		return -5;
	uint8_t *counters = base + COUNTERS_OFFSET + direction * 16;
	put_le64(base + LAST_SEEN_OFFSET, now);
	put_le64(counters, le64(counters) + 1);
	put_le64(counters + 8, le64(counters + 8) + (uint64_t)bytes);
	const int state = header & 0xFF;
	if (state != STATE_UDP && !(state == STATE_ESTABLISHED && (tcp_flags & 0x05) == 0))
		return -5; /* a TCP state change: not on the benchmark's path */
	return handle;
}

/* FlowTable.hit: the handle, -1 (not found) or -5 (untouched); the translation read. */
static inline int flow_hit(struct flow_table *t, const struct tuple *key, int direction, uint64_t now, int bytes,
	int tcp_flags, struct tuple *translation)
{
	const int handle = flow_touch(t, key, direction, now, bytes, tcp_flags);
	if (handle < 0)
		return handle;
	const uint8_t *base = t->records + (size_t)(handle >> 1) * RECORD_BYTES;
	const uint32_t header = le32(base);
	const uint8_t *other = base + TUPLES_OFFSET + (direction ^ 1) * TUPLE_BYTES;
	const uint64_t ports_and_source = le64(other);
	translation->family = 4;
	translation->protocol = (int)(header >> 8) & 0xFF;
	translation->source = le32(other + DESTINATION_OFFSET);
	translation->destination = (uint32_t)(ports_and_source >> 32);
	translation->source_port = (int)(ports_and_source & 0xFFFF);
	translation->destination_port = (int)((uint32_t)ports_and_source >> 16);
	return handle;
}

/* FlowTable.hitAndRewrite (NatRewriter.translateIpv4 inside): the handle, -1, -5 or -6 (TTL expired). */
static inline int flow_hit_rewrite(struct flow_table *t, const struct tuple *key, int direction, uint64_t now,
	int bytes, int tcp_flags, const struct parsed *p, uint8_t *f)
{
	const int handle = flow_touch(t, key, direction, now, bytes, tcp_flags);
	if (handle < 0)
		return handle;
	const uint8_t *base = t->records + (size_t)(handle >> 1) * RECORD_BYTES;
	/* The other direction's key reversed; a reply's deltas are the complements of the stored ones. */
	const uint8_t *other = base + TUPLES_OFFSET + (direction ^ 1) * TUPLE_BYTES;
	const uint64_t ports_and_source = le64(other);
	const uint32_t other_ports = (uint32_t)ports_and_source;
	const uint32_t deltas = le32(base + CHECKSUM_DELTAS_OFFSET) ^ (uint32_t)-direction;
	const uint32_t address_delta = deltas & 0xFFFF, l4_delta = address_delta + (deltas >> 16);
	uint8_t *l3 = f + p->l3;
	const uint64_t word = rd64(l3 + 8);
	const uint32_t ttl_word = (uint32_t)(word >> 48);
	if (ttl_word < 0x200)
		return -6;
	/* A TTL decrement adds 0xFEFF to the header checksum whatever the TTL. */
	const uint32_t ip_checksum = apply_delta((uint32_t)(word >> 32) & 0xFFFF, address_delta + 0xFEFFu);
	wr64(l3 + 8, (uint64_t)(ttl_word - 0x100) << 48 | (uint64_t)ip_checksum << 32 | le32(other + DESTINATION_OFFSET));
	wr32(l3 + 16, (uint32_t)(ports_and_source >> 32));
	uint8_t *l4 = f + p->l4;
	const uint32_t ports = other_ports << 16 | other_ports >> 16;
	if (p->protocol == TCP) {
		wr32(l4, ports);
		wr16(l4 + 16, (uint16_t)apply_delta(rd16(l4 + 16), l4_delta));
	} else {
		const uint64_t header = rd64(l4);
		const uint32_t old_checksum = (uint32_t)header & 0xFFFF;
		uint32_t checksum = 0;
		if (old_checksum != 0) {
			checksum = apply_delta(old_checksum, l4_delta);
			if (checksum == 0)
				checksum = 0xFFFF;
		}
		wr64(l4, (uint64_t)ports << 32 | (header & 0xFFFF0000u) | checksum);
	}
	return handle;
}

/* NatRewriter.rewriteMacs */
static inline void write_macs(uint8_t *f, uint64_t smac, uint64_t dmac)
{
	wr16(f, (uint16_t)(dmac >> 32));
	wr32(f + 2, (uint32_t)dmac);
	wr16(f + 6, (uint16_t)(smac >> 32));
	wr32(f + 8, (uint32_t)smac);
}

/* ---- NAT rewrite (dataplane-core NatRewriter.forward, IPv4) ---- */

static inline int forward(const struct parsed *p, uint8_t *f, const struct tuple *to, uint64_t smac, uint64_t dmac)
{
	uint8_t *l3 = f + p->l3;
	const uint64_t word = rd64(l3 + 8);
	const uint32_t ttl_word = (uint32_t)(word >> 48);
	if (ttl_word < 0x200)
		return 0;
	const uint64_t address_delta = delta32((uint32_t)word, to->source) + delta32(p->tuple.destination, to->destination);
	const uint32_t ip_checksum = apply_delta((uint32_t)(word >> 32) & 0xFFFF,
		address_delta + delta16(ttl_word, ttl_word - 0x100));
	wr64(l3 + 8, (uint64_t)(ttl_word - 0x100) << 48 | (uint64_t)ip_checksum << 32 | to->source);
	wr32(l3 + 16, to->destination);
	uint8_t *l4 = f + p->l4;
	const uint32_t ports = (uint32_t)(to->source_port << 16 | to->destination_port);
	if (p->protocol == TCP) {
		const uint32_t old_ports = (uint32_t)(p->tuple.source_port << 16 | p->tuple.destination_port);
		wr32(l4, ports);
		wr16(l4 + 16, (uint16_t)apply_delta(rd16(l4 + 16), address_delta + delta32(old_ports, ports)));
	} else {
		const uint64_t header = rd64(l4);
		const uint32_t old_checksum = (uint32_t)header & 0xFFFF;
		uint32_t checksum = 0;
		if (old_checksum != 0) {
			checksum = apply_delta(old_checksum, address_delta + delta32((uint32_t)(header >> 32), ports));
			if (checksum == 0)
				checksum = 0xFFFF;
		}
		wr64(l4, (uint64_t)ports << 32 | (header & 0xFFFF0000u) | checksum);
	}
	write_macs(f, smac, dmac);
	return 1;
}

/* ---- the benchmark ---- */

#define SOURCE_MAC 0x020000000003ull
#define DESTINATION_MAC 0x020000000004ull
#define CLIENT 0xC6336407u /* 198.51.100.7 */
#define VIP 0xC000020Au    /* 192.0.2.10 */

struct bench {
	uint8_t *pristine, *frame, *rewritten;
	struct parsed packet;
	struct tuple translation;
	struct parsed parsed;          /* the parts' input, parsed once: what the Java benchmark's `parsed` holds */
	struct tuple parsed_translation;
	struct key_index services;
	struct access_policy access;
	struct flow_table flows;
	struct rule rules[65];
};

/* SplittableRandom's nextInt (the benchmark draws its rules' and flows' addresses from new SplittableRandom(74)). */
static uint64_t rnd_seed;
static int32_t next_int(void)
{
	uint64_t z = (rnd_seed += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 33)) * 0x62A9D9ED799705F5ull;
	return (int32_t)(((z ^ (z >> 28)) * 0xCB24D0A5C88C35B3ull) >> 32);
}

static int set_up(struct bench *b, int protocol)
{
	b->pristine = aligned_alloc(64, 128);
	b->frame = aligned_alloc(64, 128);
	b->rewritten = aligned_alloc(64, 128);
	if (build_frame(b->pristine, protocol, CLIENT, 40000, VIP, 443, protocol == TCP ? 20 : 32, 0x020000000002ull,
		0x020000000001ull, 64) != FRAME_LENGTH)
		return -1;
	rnd_seed = 74;
	key_index_init(&b->services, 1000);
	key_index_put(&b->services, key4(VIP, protocol, 443), 3);
	for (int i = 0; i < 999; i++)
		key_index_put(&b->services, key4(0x0A000000u | (uint32_t)i, TCP, 1000 + i), 100 + i);

	struct rule *const rules = b->rules;
	const int lengths[] = {8, 16, 24, 32};
	for (int i = 0; i < 64; i++) {
		const uint32_t source = i % 8 == 0 ? CLIENT : (uint32_t)next_int();
		rules[i] = (struct rule){i % 8 != 0 && i % 3 == 0 ? DENY : ALLOW, source, lengths[i % 4], 1,
			1000 + i * 7, 8080};
	}
	rules[64] = (struct rule){ALLOW, 0, 0, 0, 65535, -1}; /* priority 1000: every source, every port */
	access_compile(&b->access, rules, 65, DENY);

	flow_table_init(&b->flows, 65536, 0x5EED);
	for (int i = 0; i < 10000; i++) {
		const struct tuple original = {4, protocol, (uint32_t)next_int(), VIP, 1024 + i, 443};
		const struct tuple reply = {4, protocol, 0x0A000107u, 0x0A000001u, 8443, 20000 + i};
		flow_insert(&b->flows, &original, &reply, protocol == UDP ? STATE_UDP : STATE_ESTABLISHED);
	}
	const struct tuple original = {4, protocol, CLIENT, VIP, 40000, 443};
	const struct tuple reply = {4, protocol, 0x0A000107u, 0x0A000001u, 8443, 19999};
	flow_insert(&b->flows, &original, &reply, protocol == UDP ? STATE_UDP : STATE_ESTABLISHED);
	return 0;
}

/* The Java benchmark's methods, by name (names[]): the path, then its parts. */
enum which { COPY, ESTABLISHED, PER_PACKET, COPY_PARSE, SERVICE_ACCESS, FLOW_HIT, COPY_FORWARD, BENCHMARKS };
static const char *const names[BENCHMARKS] = {"copyOnly", "establishedFlow", "perPacket", "copyAndParse",
	"serviceAndAccess", "flowHit", "copyAndForward"};

static inline int step(struct bench *b, enum which which)
{
	switch (which) {
	case SERVICE_ACCESS: {
		const int service = service_lookup(&b->services, &b->parsed.tuple);
		return service + (int)access_decide(&b->access, service, &b->parsed.tuple);
	}
	case FLOW_HIT:
		return flow_hit(&b->flows, &b->parsed.tuple, 0, 1, FRAME_LENGTH, b->parsed.tcp_flags,
			&b->parsed_translation);
	case COPY_FORWARD:
		memcpy(b->rewritten, b->pristine, FRAME_LENGTH);
		return forward(&b->parsed, b->rewritten, &b->parsed_translation, SOURCE_MAC, DESTINATION_MAC);
	default:
		break;
	}
	memcpy(b->frame, b->pristine, FRAME_LENGTH);
	if (which == COPY)
		return b->frame[0];
	if (which == COPY_PARSE)
		return (int)parse(b->frame, FRAME_LENGTH, &b->packet);
	parse(b->frame, FRAME_LENGTH, &b->packet);
	int service = 0, action = 0;
	if (which == PER_PACKET) {
		service = service_lookup(&b->services, &b->packet.tuple);
		action = access_decide(&b->access, service, &b->packet.tuple);
	}
	const int handle = flow_hit_rewrite(&b->flows, &b->packet.tuple, 0, 1, FRAME_LENGTH, b->packet.tcp_flags,
		&b->packet, b->frame);
	write_macs(b->frame, SOURCE_MAC, DESTINATION_MAC);
	return service + action + handle;
}

/* The rewritten frame equals one built from scratch (full checksums): node 10.0.0.1:19999 -> backend 10.0.1.7:8443,
 * TTL 63, the new MACs; and the decisions are the Java benchmark's (service 3, ALLOW, the flow found). */
static int check(struct bench *b, int protocol)
{
	uint8_t expected[128];
	memcpy(b->frame, b->pristine, FRAME_LENGTH);
	if (parse(b->frame, FRAME_LENGTH, &b->packet) != (protocol == TCP ? V_TCP : V_UDP))
		return -1;
	const int service = service_lookup(&b->services, &b->packet.tuple);
	const enum action action = access_decide(&b->access, service, &b->packet.tuple);
	const int handle = flow_hit_rewrite(&b->flows, &b->packet.tuple, 0, 1, FRAME_LENGTH, b->packet.tcp_flags,
		&b->packet, b->frame);
	if (service != 3 || action != ALLOW || handle != 20000)
		return -2;
	write_macs(b->frame, SOURCE_MAC, DESTINATION_MAC);
	/* The compiled decision agrees with the rules read one by one, for every rule's first address and the ports at
	 * the edges of its ranges (most of those intervals need their port segments: the search the flow above skips). */
	const int ports[] = {0, 1, 443, 999, 1000, 1392, 1393, 8079, 8080, 8081, 65535};
	for (int i = 0; i < 65; i++) {
		for (size_t k = 0; k < sizeof(ports) / sizeof(ports[0]); k++) {
			const struct tuple t = {4, UDP, b->rules[i].prefix, VIP, 40000, ports[k]};
			int matched;
			if (access_decide(&b->access, 3, &t) != decide_slowly(b->rules, 65, t.source, ports[k], &matched, DENY))
				return -6;
		}
	}
	build_frame(expected, protocol, 0x0A000001u, 19999, 0x0A000107u, 8443, protocol == TCP ? 20 : 32, DESTINATION_MAC,
		SOURCE_MAC, 63);
	if (memcmp(expected, b->frame, FRAME_LENGTH) != 0)
		return -4;
	/* The long way (the parts flowHit and copyAndForward) writes the same frame. */
	memcpy(b->frame, b->pristine, FRAME_LENGTH);
	parse(b->frame, FRAME_LENGTH, &b->packet);
	if (flow_hit(&b->flows, &b->packet.tuple, 0, 1, FRAME_LENGTH, b->packet.tcp_flags, &b->translation) != handle
		|| !forward(&b->packet, b->frame, &b->translation, SOURCE_MAC, DESTINATION_MAC))
		return -3;
	if (memcmp(expected, b->frame, FRAME_LENGTH) != 0)
		return -7;
	/* The parts' input, as the Java benchmark sets it up: a parsed copy of the frame and its flow's translation. */
	memcpy(b->rewritten, b->pristine, FRAME_LENGTH);
	if (parse(b->rewritten, FRAME_LENGTH, &b->parsed) != (protocol == TCP ? V_TCP : V_UDP)
		|| flow_hit(&b->flows, &b->parsed.tuple, 0, 1, FRAME_LENGTH, b->parsed.tcp_flags, &b->parsed_translation)
			!= handle)
		return -5;
	return 0;
}

static double run(struct bench *b, enum which which, double seconds, uint64_t *sink)
{
	uint64_t operations = 0;
	const double start = lab_now();
	double elapsed;
	do {
		for (int i = 0; i < 100000; i++) {
			*sink += (uint64_t)step(b, which);
			__asm__ volatile("" ::: "memory"); /* each operation on its own, like JMH's loop with a Blackhole */
		}
		operations += 100000;
	} while ((elapsed = lab_now() - start) < seconds);
	return elapsed * 1e9 / (double)operations;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	double seconds = 1;
	int rounds = 5;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = lab_parse_double("pathref", "--seconds", argv[++i], 0.001, 3600);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = (int)lab_parse_long("pathref", "--rounds", argv[++i], 1, 100);
		else {
			fprintf(stderr, "usage: pathref [--seconds S] [--rounds N]\n");
			return 2;
		}
	}
	double median[2][BENCHMARKS];
	uint64_t sink = 0;
	for (int p = 0; p < 2; p++) {
		const int protocol = p == 0 ? UDP : TCP;
		struct bench *b = calloc(1, sizeof(*b));
		if (b == NULL || set_up(b, protocol) != 0) {
			fprintf(stderr, "pathref: set-up failed\n");
			return 1;
		}
		const int checked = check(b, protocol);
		if (checked != 0) {
			fprintf(stderr, "pathref: %s: the rewritten frame or a decision differs from the Java path's (%d)\n",
				p == 0 ? "UDP" : "TCP", checked);
			return 1;
		}
		for (int w = 0; w < BENCHMARKS; w++) {
			double figures[100];
			run(b, (enum which)w, seconds / 2, &sink); /* warm-up */
			for (int r = 0; r < rounds; r++)
				figures[r] = run(b, (enum which)w, seconds, &sink);
			qsort(figures, (size_t)rounds, sizeof(double), cmp_double);
			median[p][w] = figures[rounds / 2];
			printf("pathref %-16s %s  %.2f ns/op (median of %d rounds of %.1f s; min %.2f, max %.2f)\n", names[w],
				p == 0 ? "UDP" : "TCP", median[p][w], rounds, seconds, figures[0], figures[rounds - 1]);
		}
	}
	/* One JSON object keyed as perf-lab/path/run keys JMH's results: benchmark_PROTOCOL -> ns/op. */
	printf("{");
	for (int p = 0; p < 2; p++)
		for (int w = 0; w < BENCHMARKS; w++)
			printf("\"%s_%s\": %.2f, ", names[w], p == 0 ? "UDP" : "TCP", median[p][w]);
	printf("\"sink\": %llu}\n", (unsigned long long)(sink & 1));
	return 0;
}
