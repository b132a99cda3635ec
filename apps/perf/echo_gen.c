/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-echo-gen: an ICMP echo load generator on one raw DPDK port. It resolves the target
 * with ARP (and answers ARP for its own address), then keeps a window of N echo requests
 * outstanding: every reply lets the next request go, so it sends as fast as the peer answers.
 * It counts replies, measures round trips from a TSC stamp carried in the payload, and prints
 * one JSON object: replies per second and latency percentiles. Bounded by time and count.
 *
 * It does not use libursa on purpose: the same generator measures ursa and the Linux kernel
 * over the same path, so neither side gets help from the other's code.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "ursa_eal.h"

#define BURST	    32
#define NB_DESC	    1024
#define NB_MBUFS    8191
#define SEQ_SLOTS   65536
#define MAX_WINDOW  4096
#define MAX_SAMPLES (8u << 20)
#define ECHO_ID	    0x7572 /* "ur" */
#define STALL_MS    100	   /* no reply for this long: the outstanding requests are lost */

struct gen_conf {
	const char *devargs;
	const char *label;
	rte_be32_t src_ip, dst_ip;
	unsigned window;
	double duration_s, warmup_s, arp_timeout_s;
	uint64_t count; /* 0 = unbounded */
	unsigned size;	/* ICMP payload bytes (>= 8: the TSC stamp) */
	char eal_lcore[16];
	struct ursa_eal_args eal; /* the default EAL options */
};

struct gen {
	struct gen_conf c;
	uint16_t port;
	struct rte_mempool *pool;
	struct rte_ether_addr mac, peer_mac;
	uint64_t hz;
	uint64_t *sent_tsc; /* per sequence number while outstanding, else 0 */
	uint16_t seq;
	unsigned outstanding;
	bool measuring;
	uint64_t measure_start; /* TSC: replies to requests sent before it are not counted */
	uint64_t sent, replies, lost, stray, arp_answered;
	uint32_t *rtt_ns;
	uint64_t nsamples;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ursa-echo-gen [EAL options] -- --port DEVARGS --src-ip A --dst-ip B "
		"[options]\n"
		"  --port DEVARGS     DPDK port, e.g. net_af_packet0,iface=veth0 or\n"
		"                     "
		"net_memif0,role=client,socket=/tmp/x.sock,socket-abstract=no\n"
		"  --src-ip A         this generator's IPv4 address (answered for in ARP)\n"
		"  --dst-ip B         the IPv4 address to ping\n"
		"  --window N         echo requests kept outstanding (default 32, at most %d)\n"
		"  --duration S       measured seconds (default 10)\n"
		"  --warmup S         seconds before measuring (default 1)\n"
		"  --count N          stop after N replies measured (default: no limit)\n"
		"  --size BYTES       ICMP payload size, >= 8 (default 56, as ping)\n"
		"  --label TEXT       name carried into the JSON output\n"
		"  --lcore N          EAL lcore (only without EAL options; default 1)\n"
		"Without EAL options: --in-memory (hugepages free) or --no-huge, -m 256 "
		"--no-shconf\n"
		"--no-pci --no-telemetry -l N.\n"
		"Output: one JSON object on stdout.\n",
		MAX_WINDOW);
}

static int parse_ip(const char *opt, const char *s, rte_be32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "ursa-echo-gen: %s: bad IPv4 address '%s'\n", opt, s);
		return -EINVAL;
	}
	*out = a.s_addr;
	return 0;
}

static int parse_num(const char *opt, const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "ursa-echo-gen: %s: bad value '%s' (%g..%g)\n", opt, s, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct gen_conf *c, int *eal_argc, char **eal_argv)
{
	static const struct option opts[] = {
		{"port", required_argument, NULL, 'p'},
		{"src-ip", required_argument, NULL, 's'},
		{"dst-ip", required_argument, NULL, 'd'},
		{"window", required_argument, NULL, 'w'},
		{"duration", required_argument, NULL, 't'},
		{"warmup", required_argument, NULL, 'W'},
		{"count", required_argument, NULL, 'n'},
		{"size", required_argument, NULL, 'z'},
		{"label", required_argument, NULL, 'L'},
		{"lcore", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int sep = -1, opt, uargc;
	char **uargv;
	double v;

	memset(c, 0, sizeof(*c));
	c->window = 32;
	c->duration_s = 10;
	c->warmup_s = 1;
	c->arp_timeout_s = 5;
	c->size = 56;
	c->label = "";
	snprintf(c->eal_lcore, sizeof(c->eal_lcore), "1");
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	*eal_argc = 0;
	eal_argv[(*eal_argc)++] = argv[0];
	for (int i = 1; i < sep && *eal_argc < 60; i++)
		eal_argv[(*eal_argc)++] = argv[i];
	uargc = sep >= 0 ? argc - sep : argc;
	uargv = sep >= 0 ? argv + sep : argv;
	opterr = 0;
	while ((opt = getopt_long(uargc, uargv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			c->devargs = optarg;
			break;
		case 's':
			if (parse_ip("--src-ip", optarg, &c->src_ip))
				return 2;
			break;
		case 'd':
			if (parse_ip("--dst-ip", optarg, &c->dst_ip))
				return 2;
			break;
		case 'w':
			if (parse_num("--window", optarg, 1, MAX_WINDOW, &v))
				return 2;
			c->window = (unsigned)v;
			break;
		case 't':
			if (parse_num("--duration", optarg, 0.01, 3600, &c->duration_s))
				return 2;
			break;
		case 'W':
			if (parse_num("--warmup", optarg, 0, 60, &c->warmup_s))
				return 2;
			break;
		case 'n':
			if (parse_num("--count", optarg, 1, 1e12, &v))
				return 2;
			c->count = (uint64_t)v;
			break;
		case 'z':
			if (parse_num("--size", optarg, 8, 1400, &v))
				return 2;
			c->size = (unsigned)v;
			break;
		case 'L':
			c->label = optarg;
			break;
		case 'l':
			if (parse_num("--lcore", optarg, 0, RTE_MAX_LCORE - 1, &v))
				return 2;
			snprintf(c->eal_lcore, sizeof(c->eal_lcore), "%u", (unsigned)v);
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "ursa-echo-gen: %s: unknown option or missing value\n",
				uargv[optind - 1]);
			return 2;
		}
	}
	if (c->devargs == NULL || c->src_ip == 0 || c->dst_ip == 0) {
		fprintf(stderr, "ursa-echo-gen: --port, --src-ip and --dst-ip are required\n");
		return 2;
	}
	if (sep <= 1) {
		if (ursa_eal_args_init(&c->eal, "ursa-echo-gen", 256, c->eal_lcore, "error") != 0) {
			fprintf(stderr, "ursa-echo-gen: EAL arguments: %s\n", c->eal.why);
			return 2;
		}
		ursa_eal_args_report(&c->eal);
		for (int i = 1; i < c->eal.argc; i++)
			eal_argv[(*eal_argc)++] = c->eal.argv[i];
	}
	eal_argv[*eal_argc] = NULL;
	return 0;
}

static int port_open(struct gen *g)
{
	struct rte_eth_conf conf = {0};
	char name[RTE_ETH_NAME_MAX_LEN];
	const char *comma = strchr(g->c.devargs, ',');
	size_t n = comma ? (size_t)(comma - g->c.devargs) : strlen(g->c.devargs);
	struct rte_eth_link link;
	uint64_t deadline;
	int rc;

	if (n == 0 || n >= sizeof(name))
		return -EINVAL;
	memcpy(name, g->c.devargs, n);
	name[n] = '\0';
	rc = rte_dev_probe(g->c.devargs);
	if (rc)
		return rc;
	if (rte_eth_dev_get_port_by_name(name, &g->port) != 0)
		return -ENODEV;
	if ((rc = rte_eth_dev_configure(g->port, 1, 1, &conf)) != 0 ||
	    (rc = rte_eth_rx_queue_setup(g->port, 0, NB_DESC, rte_eth_dev_socket_id(g->port), NULL,
					 g->pool)) != 0 ||
	    (rc = rte_eth_tx_queue_setup(g->port, 0, NB_DESC, rte_eth_dev_socket_id(g->port),
					 NULL)) != 0 ||
	    (rc = rte_eth_dev_start(g->port)) != 0)
		return rc;
	rte_eth_macaddr_get(g->port, &g->mac);
	/* memif comes up when the peer connects: wait for it. */
	deadline = rte_get_tsc_cycles() + 10 * g->hz;
	do {
		if (rte_eth_link_get_nowait(g->port, &link) == 0 && link.link_status)
			return 0;
		rte_delay_ms(10);
	} while (rte_get_tsc_cycles() < deadline);
	return -ENETDOWN;
}

static struct rte_mbuf *arp_frame(struct gen *g, uint16_t op, const struct rte_ether_addr *dmac,
				  rte_be32_t tip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	ah = (struct rte_arp_hdr *)(eh + 1);
	eh->dst_addr = *dmac;
	eh->src_addr = g->mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	ah->arp_data.arp_sha = g->mac;
	ah->arp_data.arp_sip = g->c.src_ip;
	ah->arp_data.arp_tha = op == RTE_ARP_OP_REPLY ? *dmac : (struct rte_ether_addr){{0}};
	ah->arp_data.arp_tip = tip;
	return m;
}

static void tx_one(struct gen *g, struct rte_mbuf *m)
{
	if (m && rte_eth_tx_burst(g->port, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

/* ARP: learn the target's MAC from any ARP it sends, answer requests for our address. */
static void rx_arp(struct gen *g, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ah))
		return;
	if (ah->arp_data.arp_sip == g->c.dst_ip)
		g->peer_mac = ah->arp_data.arp_sha;
	if (ah->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    ah->arp_data.arp_tip == g->c.src_ip) {
		tx_one(g,
		       arp_frame(g, RTE_ARP_OP_REPLY, &ah->arp_data.arp_sha, ah->arp_data.arp_sip));
		g->arp_answered++;
	}
}

static void rx_icmp(struct gen *g, struct rte_mbuf *m, uint64_t now)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_icmp_hdr *ic;
	unsigned ihl;
	uint16_t seq;
	uint64_t t;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ip) + sizeof(*ic) + 8)
		return;
	ihl = (ip->version_ihl & 0xf) * 4u;
	if (ip->next_proto_id != IPPROTO_ICMP || ip->src_addr != g->c.dst_ip ||
	    ip->dst_addr != g->c.src_ip ||
	    rte_pktmbuf_data_len(m) < sizeof(*eh) + ihl + sizeof(*ic) + 8)
		return;
	ic = (struct rte_icmp_hdr *)((uint8_t *)ip + ihl);
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REPLY || ic->icmp_ident != rte_cpu_to_be_16(ECHO_ID))
		return;
	seq = rte_be_to_cpu_16(ic->icmp_seq_nb);
	t = g->sent_tsc[seq];
	if (t == 0) {
		g->stray++; /* late (already declared lost) or duplicated */
		return;
	}
	g->sent_tsc[seq] = 0;
	g->outstanding--;
	if (!g->measuring || t < g->measure_start)
		return;
	g->replies++;
	if (g->nsamples < MAX_SAMPLES)
		g->rtt_ns[g->nsamples++] =
			(uint32_t)RTE_MIN((now - t) * 1000000000ull / g->hz, (uint64_t)UINT32_MAX);
}

static void poll_rx(struct gen *g)
{
	struct rte_mbuf *pkts[BURST];
	uint16_t n = rte_eth_rx_burst(g->port, 0, pkts, BURST);
	uint64_t now = rte_rdtsc();

	for (uint16_t i = 0; i < n; i++) {
		struct rte_ether_hdr *eh = rte_pktmbuf_mtod(pkts[i], struct rte_ether_hdr *);

		if (rte_pktmbuf_data_len(pkts[i]) >= sizeof(*eh)) {
			if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
				rx_arp(g, pkts[i]);
			else if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
				rx_icmp(g, pkts[i], now);
		}
		rte_pktmbuf_free(pkts[i]);
	}
}

static int resolve(struct gen *g)
{
	const struct rte_ether_addr bcast = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
	uint64_t deadline = rte_get_tsc_cycles() + (uint64_t)(g->c.arp_timeout_s * (double)g->hz);
	uint64_t next = 0;

	while (rte_is_zero_ether_addr(&g->peer_mac)) {
		uint64_t now = rte_get_tsc_cycles();

		if (now > deadline)
			return -EHOSTUNREACH;
		if (now >= next) {
			tx_one(g, arp_frame(g, RTE_ARP_OP_REQUEST, &bcast, g->c.dst_ip));
			next = now + g->hz / 5;
		}
		poll_rx(g);
	}
	return 0;
}

static struct rte_mbuf *echo_frame(struct gen *g, uint16_t seq, uint64_t tsc)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(g->pool);
	uint16_t len =
		(uint16_t)(sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_icmp_hdr) + g->c.size);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ip;
	struct rte_icmp_hdr *ic;
	uint8_t *data;

	if (m == NULL)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eh) + len));
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ip = (struct rte_ipv4_hdr *)(eh + 1);
	ic = (struct rte_icmp_hdr *)(ip + 1);
	data = (uint8_t *)(ic + 1);
	eh->dst_addr = g->peer_mac;
	eh->src_addr = g->mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(len);
	ip->packet_id = rte_cpu_to_be_16(seq);
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	ip->src_addr = g->c.src_ip;
	ip->dst_addr = g->c.dst_ip;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_code = 0;
	ic->icmp_cksum = 0;
	ic->icmp_ident = rte_cpu_to_be_16(ECHO_ID);
	ic->icmp_seq_nb = rte_cpu_to_be_16(seq);
	memcpy(data, &tsc, sizeof(tsc));
	for (unsigned i = sizeof(tsc); i < g->c.size; i++)
		data[i] = (uint8_t)i;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, sizeof(*ic) + g->c.size);
	return m;
}

static void send_window(struct gen *g)
{
	struct rte_mbuf *pkts[BURST];
	unsigned want = g->c.window - g->outstanding, n = 0;
	uint64_t now = rte_rdtsc();
	uint16_t sent;

	if (want > BURST)
		want = BURST;
	while (n < want && g->sent_tsc[g->seq] == 0) {
		pkts[n] = echo_frame(g, g->seq, now);
		if (pkts[n] == NULL)
			break;
		g->sent_tsc[g->seq++] = now;
		n++;
	}
	if (n == 0)
		return;
	sent = rte_eth_tx_burst(g->port, 0, pkts, (uint16_t)n);
	for (unsigned i = sent; i < n; i++) {
		/* Not sent: give the sequence numbers back. */
		g->seq--;
		g->sent_tsc[g->seq] = 0;
		rte_pktmbuf_free(pkts[i]);
	}
	g->outstanding += sent;
	if (g->measuring)
		g->sent += sent;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const struct gen *g, double p)
{
	uint64_t i;

	if (g->nsamples == 0)
		return 0;
	i = (uint64_t)(p / 100.0 * (double)(g->nsamples - 1) + 0.5);
	return g->rtt_ns[i] / 1000.0;
}

static int run(struct gen *g)
{
	uint64_t start = rte_rdtsc(), last_progress = start, end, now;
	uint64_t warm = (uint64_t)(g->c.warmup_s * (double)g->hz);
	uint64_t dur = (uint64_t)(g->c.duration_s * (double)g->hz);
	uint64_t stall = g->hz / 1000 * STALL_MS;
	double secs;

	g->measuring = warm == 0;
	if (g->measuring)
		g->measure_start = start;
	end = start + warm + dur;
	for (now = start; now < end; now = rte_rdtsc()) {
		unsigned before = g->outstanding;

		if (!g->measuring && now - start >= warm) {
			g->measuring = true;
			g->measure_start = now;
		}
		send_window(g);
		poll_rx(g);
		if (g->outstanding < before || g->outstanding == 0)
			last_progress = now;
		else if (now - last_progress > stall) {
			/* Nothing came back for a while: count the window as lost, restart it. */
			if (g->measuring)
				g->lost += g->outstanding;
			memset(g->sent_tsc, 0, SEQ_SLOTS * sizeof(*g->sent_tsc));
			g->outstanding = 0;
			last_progress = now;
		}
		if (g->c.count && g->replies >= g->c.count)
			break;
	}
	now = rte_rdtsc();
	secs = g->measuring ? (double)(now - g->measure_start) / (double)g->hz : 0;
	qsort(g->rtt_ns, g->nsamples, sizeof(*g->rtt_ns), cmp_u32);
	printf("{\"label\": \"%s\", \"port\": \"%s\", \"window\": %u, \"size\": %u, "
	       "\"duration_s\": %.3f, \"sent\": %" PRIu64 ", \"replies\": %" PRIu64
	       ", \"lost\": %" PRIu64 ", \"stray\": %" PRIu64 ", \"arp_answered\": %" PRIu64
	       ", \"replies_per_s\": %.0f, \"rtt_us\": {\"p50\": %.1f, \"p90\": %.1f, "
	       "\"p99\": %.1f, \"p999\": %.1f, \"max\": %.1f}}\n",
	       g->c.label, g->c.devargs, g->c.window, g->c.size, secs, g->sent, g->replies, g->lost,
	       g->stray, g->arp_answered, secs > 0 ? (double)g->replies / secs : 0.0, pct(g, 50),
	       pct(g, 90), pct(g, 99), pct(g, 99.9), pct(g, 100));
	fflush(stdout);
	return g->replies > 0 ? 0 : -EHOSTUNREACH;
}

int main(int argc, char **argv)
{
	char *eal_argv[64];
	int eal_argc, rc;
	struct gen *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return 1;
	rc = parse_args(argc, argv, &g->c, &eal_argc, eal_argv);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		fprintf(stderr, "ursa-echo-gen: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	rc = 1;
	g->hz = rte_get_tsc_hz();
	g->sent_tsc = calloc(SEQ_SLOTS, sizeof(*g->sent_tsc));
	g->rtt_ns = malloc(MAX_SAMPLES * sizeof(*g->rtt_ns));
	g->pool = rte_pktmbuf_pool_create("gen", NB_MBUFS, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	if (g->sent_tsc == NULL || g->rtt_ns == NULL || g->pool == NULL) {
		fprintf(stderr, "ursa-echo-gen: out of memory\n");
		goto out;
	}
	if ((rc = port_open(g)) != 0) {
		fprintf(stderr, "ursa-echo-gen: --port '%s': %s\n", g->c.devargs, strerror(-rc));
		rc = 1;
		goto out;
	}
	if (resolve(g) != 0) {
		fprintf(stderr, "ursa-echo-gen: no ARP answer from the target\n");
		rc = 1;
		goto out_port;
	}
	rc = run(g) == 0 ? 0 : 1;
out_port:
	rte_eth_dev_stop(g->port);
	rte_eth_dev_close(g->port);
out:
	rte_mempool_free(g->pool);
	free(g->rtt_ns);
	free(g->sent_tsc);
	free(g);
	rte_eal_cleanup();
	return rc;
}
