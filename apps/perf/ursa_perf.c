/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf: perftest-style RDMA benchmark of ursa's soft RoCEv2 over the rdma interface.
 *
 *   ursa-perf --loopback [opts] TEST          two stacks in one process, frames carried
 *                                             between two memory ports (deterministic path)
 *   ursa-perf --server --port DEVARGS [opts]  one stack per process over a DPDK port (memif,
 *   ursa-perf --client ADDR --port DEVARGS    af_packet); QPN/PSN/rkey/VA/GID exchanged over a
 *                                             kernel TCP connection (port 18515, as perftest)
 *
 *   ursa-perf scale ...                       RDMA WRITE message rate over several QPs on
 *                                             N shards (ursa_perf_scale.c)
 *
 * The client chooses the test and sizes and tells the server. During a run both sides
 * busy-poll; between runs the server runs its stack in ursa_lcore_wait with the control
 * socket as a wait source, napping until a line comes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>

#include "ursa_perf.h"
#include "ursa_perf_peer.h"
#include "ursa_perf_perftest.h"

#define MAX_SIZE_LOG2 23
#define CTL_LINE      512

struct opts {
	int mode; /* 'l' loopback, 's' server, 'c' client */
	const char *peer;
	const char *peer_tool; /* --peer: speak this tool's exchange ("rc_pingpong") */
	const char *devargs;
	const char *addr;
	unsigned oob_port;
	int test;
	uint32_t size;
	bool all_sizes;
	uint64_t iters;
	double duration;
	uint16_t mtu;
	unsigned depth;
	const char *json;
	double report_every;
	uint64_t verify_seed;
	const char *fault;
	const char *pcap;
	unsigned lcore;
	uint64_t seed;
	bool has_seed; /* false: keys, QPNs and PSNs unpredictable (the default) */
	uint8_t ack_timeout;
	bool stats;
};

struct loop {
	struct ursa_lcore *lc[2];
	struct ursa_perf_srv *srv;
	pcap_dumper_t *dump;
	uint8_t frame[16384];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ursa-perf --loopback | --server | --client ADDR [options] [TEST]\n"
		"  TEST: write_bw write_lat read_bw read_lat send_bw send_lat atomic_lat\n"
		"  -t, --test TEST        the test (default write_bw)\n"
		"  -s, --size BYTES       message size (default 65536; latency tests 2)\n"
		"  -a, --all              every size 2^1 .. 2^23\n"
		"  -n, --iters N          iterations per size (default 1000)\n"
		"  -D, --duration SEC     run for SEC seconds per size instead of -n\n"
		"  -m, --mtu BYTES        path MTU 256..4096 (default 4096 on --loopback and "
		"memif\n"
		"                         ports, 1024 on others); on the server, the largest path\n"
		"                         MTU a client may ask for\n"
		"  -q, --tx-depth N       outstanding operations, bw tests (default 128)\n"
		"      --json FILE        results as JSON\n"
		"      --report-every SEC progress lines on long runs\n"
		"      --verify SEED      check the data (write_bw, read_bw, send_bw)\n"
		"      --fault SPEC       transmit faults on the port(s): drop=0.05,reorder=..\n"
		"      --pcap FILE        loopback: record every frame both stacks send\n"
		"  -p, --port DEVARGS     DPDK port (server/client), e.g. "
		"net_memif0,role=server,..\n"
		"      --ip ADDR/PLEN     local address (server 10.0.0.1/24, client 10.0.0.2/24)\n"
		"      --oob-port N       control connection port (default 18515)\n"
		"      --lcore N          EAL core (default 0)\n"
		"      --seed N           replayable RNG and secrets from seed N (loopback: N, "
		"N+1),\n"
		"                         for tests only (default: unpredictable)\n"
		"      --ack-timeout N    local ACK timeout 4.096 us * 2^N (default 14: 67 ms)\n"
		"      --stats            print the non-zero roce counters at the end\n"
		"      --peer rc_pingpong be the peer of rdma-core's ibv_rc_pingpong (server or\n"
		"                         client; -s, -n, -m as the tool's; --verify SEED: the\n"
		"                         client's pattern)\n"
		"      --peer perftest    be the peer of perftest's ib_write_bw / ib_read_bw /\n"
		"                         ib_send_bw (TEST write_bw, read_bw or send_bw; -s, -n,\n"
		"                         -q as the tool's)\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"loopback", no_argument, NULL, 'L'},
		{"server", no_argument, NULL, 'S'},
		{"client", required_argument, NULL, 'C'},
		{"test", required_argument, NULL, 't'},
		{"size", required_argument, NULL, 's'},
		{"all", no_argument, NULL, 'a'},
		{"iters", required_argument, NULL, 'n'},
		{"duration", required_argument, NULL, 'D'},
		{"mtu", required_argument, NULL, 'm'},
		{"tx-depth", required_argument, NULL, 'q'},
		{"json", required_argument, NULL, 'J'},
		{"report-every", required_argument, NULL, 'R'},
		{"verify", required_argument, NULL, 'V'},
		{"fault", required_argument, NULL, 'F'},
		{"pcap", required_argument, NULL, 'P'},
		{"port", required_argument, NULL, 'p'},
		{"ip", required_argument, NULL, 'I'},
		{"oob-port", required_argument, NULL, 'O'},
		{"lcore", required_argument, NULL, 'c'},
		{"seed", required_argument, NULL, 'e'},
		{"ack-timeout", required_argument, NULL, 'T'},
		{"stats", no_argument, NULL, 'X'},
		{"peer", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool size_set = false, mtu_set = false;
	int c;

	*o = (struct opts){.oob_port = 18515,
			   .test = URSA_PERF_WRITE_BW,
			   .size = 65536,
			   .iters = 1000,
			   .mtu = 1024,
			   .depth = 128};
	while ((c = getopt_long(argc, argv, "t:s:an:D:m:q:p:h", lo, NULL)) != -1) {
		switch (c) {
		case 'L':
			o->mode = 'l';
			break;
		case 'S':
			o->mode = 's';
			break;
		case 'C':
			o->mode = 'c';
			o->peer = optarg;
			break;
		case 't':
			if ((o->test = ursa_perf_test_parse(optarg)) < 0)
				goto bad;
			break;
		case 's':
			o->size = (uint32_t)strtoul(optarg, NULL, 0);
			size_set = true;
			break;
		case 'a':
			o->all_sizes = true;
			break;
		case 'n':
			o->iters = strtoull(optarg, NULL, 0);
			break;
		case 'D':
			o->duration = strtod(optarg, NULL);
			break;
		case 'm':
			o->mtu = (uint16_t)strtoul(optarg, NULL, 0);
			mtu_set = true;
			break;
		case 'q':
			o->depth = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'J':
			o->json = optarg;
			break;
		case 'R':
			o->report_every = strtod(optarg, NULL);
			break;
		case 'V':
			o->verify_seed = strtoull(optarg, NULL, 0);
			break;
		case 'F':
			o->fault = optarg;
			break;
		case 'P':
			o->pcap = optarg;
			break;
		case 'p':
			o->devargs = optarg;
			break;
		case 'I':
			o->addr = optarg;
			break;
		case 'O':
			o->oob_port = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			o->lcore = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'e':
			o->seed = strtoull(optarg, NULL, 0);
			o->has_seed = true;
			break;
		case 'X':
			o->stats = true;
			break;
		case 'K':
			if (strcmp(optarg, "rc_pingpong") != 0 && strcmp(optarg, "perftest") != 0)
				goto bad;
			o->peer_tool = optarg;
			break;
		case 'T':
			o->ack_timeout = (uint8_t)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind < argc && (o->test = ursa_perf_test_parse(argv[optind++])) < 0)
		goto bad;
	if (optind != argc || o->mode == 0)
		goto bad;
	if (!size_set && ursa_perf_test_is_lat(o->test))
		o->size = 2;
	if (!size_set && o->peer_tool != NULL && strcmp(o->peer_tool, "rc_pingpong") == 0)
		o->size = 4096; /* ibv_rc_pingpong's default */
	if (o->peer_tool != NULL && strcmp(o->peer_tool, "perftest") == 0 &&
	    o->test != URSA_PERF_WRITE_BW && o->test != URSA_PERF_READ_BW &&
	    o->test != URSA_PERF_SEND_BW) {
		fprintf(stderr, "ursa-perf: --peer perftest: write_bw, read_bw or send_bw\n");
		return -EINVAL;
	}
	if (o->test == URSA_PERF_ATOMIC_LAT)
		o->size = 8;
	/* Fewer, larger packets where the link carries them: memif (and the memory ports of
	 * loopback) take 4096 + headers; af_packet and others keep their 1500-byte links. */
	if (!mtu_set &&
	    (o->mode == 'l' || (o->devargs != NULL && strncmp(o->devargs, "net_memif", 9) == 0)))
		o->mtu = 4096;
	if (o->mtu < 256 || o->mtu > 4096 || (o->mtu & (o->mtu - 1)) != 0) {
		fprintf(stderr, "ursa-perf: --mtu must be 256, 512, 1024, 2048 or 4096\n");
		return -EINVAL;
	}
	if (o->depth == 0 || o->depth > URSA_PERF_MAX_DEPTH || o->size > (1u << MAX_SIZE_LOG2)) {
		fprintf(stderr, "ursa-perf: --tx-depth 1..%d, --size up to %u\n",
			URSA_PERF_MAX_DEPTH, 1u << MAX_SIZE_LOG2);
		return -EINVAL;
	}
	if (o->mode != 'l' && o->devargs == NULL) {
		fprintf(stderr, "ursa-perf: --server/--client need --port DEVARGS\n");
		return -EINVAL;
	}
	if (o->addr == NULL)
		o->addr = o->mode == 'c' ? "10.0.0.2/24" : "10.0.0.1/24";
	return 0;
bad:
	usage(stderr);
	return -EINVAL;
}

static int eal_start(const struct opts *o)
{
	char core[16];
	struct ursa_eal_args a;
	int rc;

	snprintf(core, sizeof(core), "%u", o->lcore);
	rc = ursa_eal_args_init(&a, "ursa-perf", 512, core, "notice");
	if (rc != 0) {
		fprintf(stderr, "ursa-perf: EAL arguments: %s %s\n", strerror(-rc), a.why);
		return -1;
	}
	ursa_eal_args_report(&a);
	if (rte_eal_init(a.argc, a.argv) < 0) {
		fprintf(stderr, "ursa-perf: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void on_readable(struct ursa_lcore *lc, int fd, uint32_t events, void *arg)
{
	(void)lc;
	(void)fd;
	(void)events;
	*(bool *)arg = true;
}

/* Run the stack (answering ARP, napping between polls) until fd is readable. */
static int wait_readable(struct ursa_lcore *lc, int fd)
{
	bool ready = false;
	int rc = ursa_lcore_add_wait_fd(lc, fd, on_readable, &ready);

	if (rc)
		return rc;
	while (rc == 0 && !ready)
		rc = ursa_lcore_wait(lc, UINT64_MAX, NULL);
	ursa_lcore_del_wait_fd(lc, fd);
	return rc;
}

/* Naps between runs of at most 1 ms: how late an ARP request may be answered. */
static int lcore_policy(struct ursa_lcore *lc)
{
	struct ursa_wait_policy pol;

	ursa_wait_policy_default(&pol);
	pol.nap_max_ns = URSA_NS_PER_MS;
	return ursa_lcore_set_wait_policy(lc, &pol);
}

static int lcore_new(const struct opts *o, const char *name, uint64_t seed, struct ursa_lcore **out)
{
	/* a whole frame at the path MTU in one mbuf: headers + payload + ICRC + headroom */
	struct ursa_lcore_conf c = {.lcore_id = rte_lcore_id(),
				    .nb_mbufs = 16383,
				    .mbuf_size = RTE_MAX((unsigned)RTE_MBUF_DEFAULT_BUF_SIZE,
							 o->mtu + 256u + RTE_PKTMBUF_HEADROOM),
				    .max_timers = 4096,
				    .seeded = o->has_seed,
				    .seed = seed,
				    .name = name};

	int rc = ursa_lcore_create(&c, out);

	return rc ? rc : lcore_policy(*out);
}

static int set_fault(const struct opts *o, struct ursa_lcore *lc, uint16_t port, uint64_t seed)
{
	struct ursa_fault_conf fc;
	char err[128] = "";
	int rc;

	if (o->fault == NULL)
		return 0;
	if ((rc = ursa_fault_parse(o->fault, &fc, err, sizeof(err))) != 0) {
		fprintf(stderr, "ursa-perf: --fault: %s\n", err);
		return rc;
	}
	fc.seed += seed;
	return ursa_port_set_fault(lc, &lc->ports[port], URSA_DIR_TX, &fc);
}

/* ---- results ---- */

static void json_open(const struct opts *o, FILE **jf)
{
	*jf = NULL;
	if (o->json == NULL)
		return;
	*jf = fopen(o->json, "w");
	if (*jf == NULL) {
		perror(o->json);
		return;
	}
	fprintf(*jf,
		"{\"tool\": \"ursa-perf\", \"mode\": \"%s\", \"mtu\": %u, \"tx_depth\": %u, "
		"\"results\": [",
		o->mode == 'l' ? "loopback" : "two-process", o->mtu, o->depth);
}

static void json_close(FILE *jf)
{
	if (jf == NULL)
		return;
	fprintf(jf, "\n]}\n");
	fclose(jf);
}

static void report(const struct opts *o, FILE *jf, uint32_t size, unsigned k,
		   const struct ursa_perf_result *r)
{
	ursa_perf_print_result(stdout, (enum ursa_perf_test)o->test, size, r);
	fflush(stdout);
	if (jf) {
		fprintf(jf, "%s\n  ", k ? "," : "");
		ursa_perf_json_result(jf, (enum ursa_perf_test)o->test, size, r);
	}
	if (r->status)
		fprintf(stderr, "ursa-perf: %s size %" PRIu32 ": %s (completion status %s)\n",
			ursa_perf_test_names[o->test], size, strerror(-r->status),
			ursa_rdma_wc_status_str(r->wc_status));
	if (r->bad)
		fprintf(stderr, "ursa-perf: %s size %" PRIu32 ": DATA MISMATCH (%" PRIu64 ")\n",
			ursa_perf_test_names[o->test], size, r->bad);
}

static unsigned sizes(const struct opts *o, uint32_t *out)
{
	unsigned n = 0;

	if (!o->all_sizes) {
		out[0] = o->size;
		return 1;
	}
	if (o->test == URSA_PERF_ATOMIC_LAT) {
		out[0] = 8;
		return 1;
	}
	for (unsigned k = 1; k <= MAX_SIZE_LOG2; k++)
		out[n++] = 1u << k;
	return n;
}

static void fill_run(const struct opts *o, uint32_t size, struct ursa_perf_run *run)
{
	*run = (struct ursa_perf_run){
		.test = (enum ursa_perf_test)o->test,
		.size = size,
		.iters = o->duration > 0 ? 0 : o->iters,
		.duration_ns = (uint64_t)(o->duration * 1e9),
		.depth = o->depth,
		.verify_seed = o->verify_seed,
		.report_every_s = o->report_every,
		.progress = stdout,
	};
}

static void print_counter(const char *block, const char *name, uint64_t val, void *arg)
{
	if (val && strcmp(block, "roce") == 0)
		printf(" %s=%" PRIu64, name, val);
	(void)arg;
}

static void print_stats(const struct opts *o, struct ursa_lcore *lc, const char *who)
{
	if (!o->stats)
		return;
	printf("# %s roce:", who);
	ursa_stats_foreach(lc, print_counter, NULL);
	printf("\n");
}

static void print_ports(struct ursa_lcore *lc)
{
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		printf("# port %s: rx %" PRIu64 " tx %" PRIu64 " tx dropped (ring full) %" PRIu64
		       "\n",
		       lc->ports[i].name, lc->ports[i].c.rx_pkts, lc->ports[i].c.tx_pkts,
		       lc->ports[i].c.tx_full_drop);
}

/* ---- loopback ---- */

static void loop_pump(void *arg)
{
	struct loop *l = arg;
	struct rte_mbuf *m[URSA_BURST];
	unsigned n;

	ursa_lcore_poll(l->lc[0]);
	if (l->srv)
		ursa_perf_srv_step(l->srv);
	ursa_lcore_poll(l->lc[1]);
	for (int i = 0; i < 2; i++)
		while ((n = ursa_port_mem_take(&l->lc[i]->ports[0], m, URSA_BURST)) > 0) {
			if (l->dump)
				for (unsigned k = 0; k < n; k++) {
					struct pcap_pkthdr h = {0};
					uint64_t t = ursa_now(l->lc[i]);
					uint32_t len = RTE_MIN(rte_pktmbuf_pkt_len(m[k]),
							       (uint32_t)sizeof(l->frame));
					const void *p = rte_pktmbuf_read(m[k], 0, len, l->frame);

					h.ts.tv_sec = (time_t)(t / URSA_NS_PER_S);
					h.ts.tv_usec = (suseconds_t)(t % URSA_NS_PER_S / 1000);
					h.caplen = h.len = len;
					pcap_dump((u_char *)l->dump, &h, p);
				}
			ursa_port_mem_inject(&l->lc[!i]->ports[0], m, n);
		}
}

static int run_loopback(const struct opts *o)
{
	static const struct rte_ether_addr mac[2] = {{{0x02, 0, 0, 0, 0, 1}},
						     {{0x02, 0, 0, 0, 0, 2}}};
	static const char *const addr[2] = {"10.0.0.1/24", "10.0.0.2/24"};
	struct ursa_perf_ep ep[2];
	struct ursa_perf_srv srv;
	struct loop *l = calloc(1, sizeof(*l));
	uint32_t sz[MAX_SIZE_LOG2];
	unsigned nsz = sizes(o, sz);
	size_t buflen = 2 * (size_t)sz[nsz - 1];
	pcap_t *pd = NULL;
	FILE *jf;
	int rc = 0, fails = 0;

	if (l == NULL)
		return -ENOMEM;
	for (int i = 0; i < 2; i++) {
		uint16_t port;

		if ((rc = lcore_new(o, i ? "perfb" : "perfa", o->seed + (uint64_t)i, &l->lc[i])) ||
		    (rc = ursa_port_open_mem(l->lc[i], &mac[i], 9000, &port)) ||
		    (rc = set_fault(o, l->lc[i], port, (uint64_t)i)) ||
		    (rc = ursa_perf_stack_up(l->lc[i], port, addr[i])) ||
		    (rc = ursa_perf_ep_create(l->lc[i], buflen, o->depth, &ep[i]))) {
			fprintf(stderr, "ursa-perf: loopback set-up: %s\n", strerror(-rc));
			return rc;
		}
	}
	ep[0].remote = ep[1].local;
	ep[1].remote = ep[0].local;
	ep[0].ack_timeout = ep[1].ack_timeout = o->ack_timeout;
	if ((rc = ursa_perf_ep_connect(&ep[0], o->mtu)) ||
	    (rc = ursa_perf_ep_connect(&ep[1], o->mtu))) {
		fprintf(stderr, "ursa-perf: connect: %s\n", strerror(-rc));
		return rc;
	}
	if (o->pcap) {
		pd = pcap_open_dead(DLT_EN10MB, 65535);
		l->dump = pd ? pcap_dump_open(pd, o->pcap) : NULL;
		if (l->dump == NULL) {
			fprintf(stderr, "ursa-perf: cannot write %s\n", o->pcap);
			return -EIO;
		}
	}
	if ((rc = ursa_perf_warmup(&ep[0], loop_pump, l)) != 0) {
		fprintf(stderr, "ursa-perf: warm-up: %s\n", strerror(-rc));
		return rc;
	}
	printf("# ursa-perf %s loopback: mtu %u, tx depth %u\n", ursa_perf_test_names[o->test],
	       o->mtu, o->depth);
	ursa_perf_print_header(stdout, (enum ursa_perf_test)o->test);
	json_open(o, &jf);
	for (unsigned k = 0; k < nsz; k++) {
		struct ursa_perf_run run;
		struct ursa_perf_result res;

		fill_run(o, sz[k], &run);
		run.pump = loop_pump;
		run.pump_arg = l;
		l->srv = &srv;
		ursa_perf_srv_start(&srv, &ep[1], run.test, sz[k], o->verify_seed);
		ursa_perf_client_run(&ep[0], &run, &res);
		for (int i = 0; i < 64; i++)
			loop_pump(l); /* let the last echoes and ACKs settle */
		res.bad += ursa_perf_srv_finish(&srv);
		l->srv = NULL;
		report(o, jf, sz[k], k, &res);
		fails += res.status != 0 || res.bad != 0;
	}
	json_close(jf);
	print_stats(o, l->lc[0], "client");
	print_stats(o, l->lc[1], "server");
	if (l->dump) {
		pcap_dump_close(l->dump);
		pcap_close(pd);
	}
	for (int i = 0; i < 2; i++) {
		ursa_perf_ep_destroy(&ep[i]);
		ursa_lcore_destroy(l->lc[i]);
	}
	free(l);
	return fails ? -EIO : 0;
}

/* ---- two processes: control connection ---- */

static int ctl_send(int fd, const char *s)
{
	size_t len = strlen(s);

	return send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -EIO;
}

/* Blocking read of one line (without '\n'). */
static int ctl_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		char c;
		ssize_t r = recv(fd, &c, 1, 0);

		if (r <= 0)
			return -ECONNRESET;
		if (c == '\n') {
			buf[n] = 0;
			return 0;
		}
		buf[n++] = c;
	}
	return -EMSGSIZE;
}

static int tcp_listen(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

int ursa_perf_tcp_connect(const char *host, unsigned port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai;
	char ps[16];
	int fd = -ECONNREFUSED, one = 1;

	snprintf(ps, sizeof(ps), "%u", port);
	if (getaddrinfo(host, ps, &hints, &ai) != 0)
		return -EHOSTUNREACH;
	/* the server may still be starting: retry for 10 s */
	for (int tries = 0; tries < 100; tries++) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -ECONNREFUSED;
		usleep(100000);
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void lc_pump(void *arg)
{
	ursa_lcore_poll(arg);
}

static int open_stack(const struct opts *o, struct ursa_lcore **lc)
{
	uint16_t port;
	int rc;

	if ((rc = lcore_new(o, o->mode == 's' ? "perfs" : "perfc", o->seed, lc)) != 0)
		return rc;
	/* room for a full packet at the path MTU (IP + UDP + BTH/RETH + ICRC) */
	if ((rc = ursa_port_open_ethdev(*lc, o->devargs, RTE_MAX(1500, o->mtu + 128), &port)) !=
	    0) {
		fprintf(stderr, "ursa-perf: --port %s: %s\n", o->devargs, strerror(-rc));
		return rc;
	}
	/* a full packet: IP 20 + UDP 8 + BTH 12 + RETH 16 + payload + ICRC 4 */
	if ((*lc)->ports[port].mtu < o->mtu + 60u) {
		fprintf(stderr,
			"ursa-perf: --port %s: MTU %u is too small for path MTU %u "
			"(the PMD did not take MTU %u)\n",
			o->devargs, (*lc)->ports[port].mtu, o->mtu, RTE_MAX(1500, o->mtu + 128));
		return -EMSGSIZE;
	}
	if ((rc = set_fault(o, *lc, port, o->mode == 's')) != 0)
		return rc;
	if ((rc = ursa_perf_stack_up(*lc, port, o->addr)) != 0)
		return rc;
	/* memif connects in the background: the client waits (napping) for the link, up to
	 * 10 s; the server cannot have a link before a client comes */
	for (uint64_t end = ursa_now(*lc) + 10 * URSA_NS_PER_S;
	     o->mode == 'c' && ursa_now(*lc) < end;) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait((*lc)->ports[port].ethdev, &link) == 0 &&
		    link.link_status)
			break;
		if ((rc = ursa_lcore_wait(*lc, URSA_NS_PER_MS, NULL)) != 0)
			return rc;
	}
	ursa_stack_start(*lc);
	return 0;
}

/*
 * The end of a session over a link that the peer's departure can tear down under a poll
 * (memif: see ursa_port_wait_peer_gone). Neither side polls while the other leaves:
 *   client: ... DONE received, QP destroyed, port flushed; sends BYE, stops polling
 *   server: BYE received, stops polling, answers BYE
 *   client: closes its port (memif tells the server), then the TCP connection
 *   server: on memif, waits until its port is down and memif's teardown has finished,
 *           then closes its port
 */
static int server_bye(struct ursa_lcore *lc, int fd)
{
	int rc;

	if (ctl_send(fd, "BYE\n") != 0)
		return -EIO;
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		if ((rc = ursa_port_wait_peer_gone(&lc->ports[i], 10000)) != 0) {
			fprintf(stderr, "ursa-perf: port %u still up 10 s after the client left\n",
				i);
			return rc;
		}
	return 0;
}

/* Server: one client at a time, as many runs as it asks for. */
static int run_server(const struct opts *o)
{
	struct ursa_lcore *lc = NULL;
	struct ursa_perf_ep ep;
	struct ursa_perf_info peer;
	char line[CTL_LINE];
	int lfd, fd = -1, rc;
	uint64_t maxsize;
	unsigned mtu, depth;
	bool bye = false;

	if ((rc = open_stack(o, &lc)) != 0) {
		if (lc)
			ursa_lcore_destroy(lc);
		return rc;
	}
	if ((lfd = tcp_listen(o->oob_port)) < 0) {
		fprintf(stderr, "ursa-perf: listen on %u: %s\n", o->oob_port, strerror(-lfd));
		return lfd;
	}
	printf("# ursa-perf server: waiting on port %u\n", o->oob_port);
	fflush(stdout);
	/* idle: the stack runs and naps until a client connects */
	if ((rc = wait_readable(lc, lfd)) != 0) {
		close(lfd);
		return rc;
	}
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	if (fd < 0)
		return -errno;
	if ((rc = ctl_line(fd, line, sizeof(line))) != 0 ||
	    sscanf(line, "HELLO maxsize=%" SCNu64 " mtu=%u depth=%u", &maxsize, &mtu, &depth) !=
		    3 ||
	    (rc = ctl_line(fd, line, sizeof(line))) != 0 ||
	    ursa_perf_info_parse(line, &peer) != 0) {
		fprintf(stderr, "ursa-perf: bad hello from the client\n");
		close(fd);
		return -EPROTO;
	}
	if (mtu > o->mtu) {
		/* the server's port and buffers were sized for its own --mtu */
		fprintf(stderr,
			"ursa-perf: the client asks for path MTU %u; start the server with "
			"--mtu %u or more\n",
			mtu, mtu);
		close(fd);
		return -EMSGSIZE;
	}
	if ((rc = ursa_perf_ep_create(lc, 2 * maxsize, depth, &ep)) != 0)
		goto out;
	ep.remote = peer;
	ep.ack_timeout = o->ack_timeout;
	if ((rc = ursa_perf_ep_connect(&ep, (uint16_t)mtu)) != 0 ||
	    (rc = ursa_perf_info_fmt(&ep.local, line, sizeof(line))) != 0 ||
	    (rc = ctl_send(fd, line)) != 0)
		goto out_ep;
	for (;;) {
		struct ursa_perf_srv srv;
		char test[32], ln[CTL_LINE];
		uint32_t size;
		uint64_t seed;
		size_t got = 0;
		unsigned spins = 0;
		int t;

		/* between runs: nap until the client's next line */
		if ((rc = wait_readable(lc, fd)) != 0 ||
		    (rc = ctl_line(fd, line, sizeof(line))) != 0)
			break;
		if (strcmp(line, "BYE") == 0) {
			bye = true;
			break;
		}
		if (sscanf(line, "RUN %31s %" SCNu32 " %" SCNu64, test, &size, &seed) != 3 ||
		    (t = ursa_perf_test_parse(test)) < 0) {
			rc = -EPROTO;
			break;
		}
		if ((rc = ursa_perf_srv_start(&srv, &ep, (enum ursa_perf_test)t, size, seed)) !=
			    0 ||
		    (rc = ctl_send(fd, "GO\n")) != 0)
			break;
		/* the run: busy-poll, look at the socket every 4096 polls */
		for (;;) {
			ursa_lcore_poll(lc);
			ursa_perf_srv_step(&srv);
			if (++spins % 4096)
				continue;
			ssize_t r = recv(fd, ln + got, sizeof(ln) - 1 - got, MSG_DONTWAIT);

			if (r == 0) {
				rc = -ECONNRESET;
				goto out_ep;
			}
			if (r > 0 && (got += (size_t)r) > 0 && memchr(ln, '\n', got))
				break;
		}
		for (int i = 0; i < 1024; i++)
			ursa_lcore_poll(lc);
		snprintf(line, sizeof(line), "DONE bad=%" PRIu64 " errors=%" PRIu64 "\n",
			 ursa_perf_srv_finish(&srv), ep.errors);
		if ((rc = ctl_send(fd, line)) != 0)
			break;
	}
out_ep:
	printf("# ursa-perf server: done (%s)\n", rc ? strerror(-rc) : "ok");
	print_ports(lc);
	print_stats(o, lc, "server");
	ursa_perf_ep_destroy(&ep);
out:
	if (bye)
		rc = server_bye(lc, fd);
	close(fd);
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		ursa_port_flush(lc, &lc->ports[i]);
	ursa_lcore_destroy(lc);
	return rc;
}

static int run_client(const struct opts *o)
{
	struct ursa_lcore *lc = NULL;
	struct ursa_perf_ep ep;
	uint32_t sz[MAX_SIZE_LOG2];
	unsigned nsz = sizes(o, sz);
	char line[CTL_LINE];
	FILE *jf;
	int fd, rc, fails = 0;

	if ((rc = open_stack(o, &lc)) != 0) {
		if (lc)
			ursa_lcore_destroy(lc);
		return rc;
	}
	if ((rc = ursa_perf_ep_create(lc, 2 * (size_t)sz[nsz - 1], o->depth, &ep)) != 0) {
		ursa_lcore_destroy(lc);
		return rc;
	}
	ep.ack_timeout = o->ack_timeout;
	if ((fd = ursa_perf_tcp_connect(o->peer, o->oob_port)) < 0) {
		fprintf(stderr, "ursa-perf: cannot reach %s:%u: %s\n", o->peer, o->oob_port,
			strerror(-fd));
		return fd;
	}
	snprintf(line, sizeof(line), "HELLO maxsize=%" PRIu32 " mtu=%u depth=%u\n", sz[nsz - 1],
		 o->mtu, o->depth);
	if ((rc = ctl_send(fd, line)) != 0 ||
	    (rc = ursa_perf_info_fmt(&ep.local, line, sizeof(line))) != 0 ||
	    (rc = ctl_send(fd, line)) != 0 || (rc = ctl_line(fd, line, sizeof(line))) != 0 ||
	    (rc = ursa_perf_info_parse(line, &ep.remote)) != 0 ||
	    (rc = ursa_perf_ep_connect(&ep, o->mtu)) != 0) {
		fprintf(stderr, "ursa-perf: exchange with the server failed: %s\n", strerror(-rc));
		goto out;
	}
	if ((rc = ursa_perf_warmup(&ep, lc_pump, lc)) != 0) {
		fprintf(stderr, "ursa-perf: warm-up WRITE: %s\n", strerror(-rc));
		goto out;
	}
	printf("# ursa-perf %s client: mtu %u, tx depth %u, server QPN %" PRIu32 "\n",
	       ursa_perf_test_names[o->test], o->mtu, o->depth, ep.remote.qpn);
	ursa_perf_print_header(stdout, (enum ursa_perf_test)o->test);
	json_open(o, &jf);
	for (unsigned k = 0; k < nsz; k++) {
		struct ursa_perf_run run;
		struct ursa_perf_result res;
		uint64_t bad = 0, errs = 0;

		snprintf(line, sizeof(line), "RUN %s %" PRIu32 " %" PRIu64 "\n",
			 ursa_perf_test_names[o->test], sz[k], o->verify_seed);
		if ((rc = ctl_send(fd, line)) != 0 ||
		    (rc = ctl_line(fd, line, sizeof(line))) != 0 || strcmp(line, "GO") != 0) {
			rc = rc ? rc : -EPROTO;
			break;
		}
		fill_run(o, sz[k], &run);
		run.pump = lc_pump;
		run.pump_arg = lc;
		ursa_perf_client_run(&ep, &run, &res);
		if ((rc = ctl_send(fd, "END\n")) != 0 ||
		    (rc = ctl_line(fd, line, sizeof(line))) != 0 ||
		    sscanf(line, "DONE bad=%" SCNu64 " errors=%" SCNu64, &bad, &errs) != 2) {
			rc = rc ? rc : -EPROTO;
			break;
		}
		res.bad += bad;
		report(o, jf, sz[k], k, &res);
		fails += res.status != 0 || res.bad != 0 || errs != 0;
		if (res.status != 0)
			break;
	}
	json_close(jf);
	print_ports(lc);
	print_stats(o, lc, "client");
out:
	/* The end of the session (see server_bye): our port closes only once the server has
	 * stopped polling its own, and the server closes its port only after ours is gone. */
	ursa_perf_ep_destroy(&ep);
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		ursa_port_flush(lc, &lc->ports[i]);
	if (ctl_send(fd, "BYE\n") != 0 || ctl_line(fd, line, sizeof(line)) != 0 ||
	    strcmp(line, "BYE") != 0) {
		fprintf(stderr, "ursa-perf: the server did not answer BYE\n");
		rc = rc ? rc : -EPROTO;
	}
	ursa_lcore_destroy(lc);
	close(fd);
	return rc ? rc : fails ? -EIO : 0;
}

/* ib_send_bw: the server's receives posted, a barrier, the run, the close. */
static int perftest_send(const struct opts *o, struct ursa_perf_ep *ep, int fd)
{
	struct ursa_perf_result res = {0};
	struct ursa_perf_srv srv;
	struct ursa_perf_run run;
	int rc;

	if (o->mode == 's' &&
	    (rc = ursa_perf_srv_start(&srv, ep, URSA_PERF_SEND_BW, o->size, 0)) != 0)
		return rc;
	if ((rc = ursa_perf_pt_barrier(ep, fd, o->mode == 'c', 30 * URSA_NS_PER_S, lc_pump,
				       ep->lc)) != 0)
		return rc;
	if (o->mode == 's') {
		uint64_t last = ursa_now(ep->lc), seen = 0;

		/* until every message came, or nothing did for 10 s */
		while (srv.count < o->iters && ursa_now(ep->lc) - last < 10 * URSA_NS_PER_S) {
			ursa_lcore_poll(ep->lc);
			ursa_perf_srv_step(&srv);
			if (srv.count != seen) {
				seen = srv.count;
				last = ursa_now(ep->lc);
			}
		}
		printf("# received %" PRIu64 " of %" PRIu64 " messages, %" PRIu64
		       " of the wrong size\n",
		       srv.count, o->iters, srv.bad);
		rc = srv.count >= o->iters && srv.bad == 0 && ep->errors == 0 ? 0 : -EIO;
	} else {
		fill_run(o, o->size, &run);
		run.pump = lc_pump;
		run.pump_arg = ep->lc;
		ursa_perf_print_header(stdout, URSA_PERF_SEND_BW);
		rc = ursa_perf_client_run(ep, &run, &res);
		ursa_perf_print_result(stdout, URSA_PERF_SEND_BW, o->size, &res);
	}
	if (rc == 0)
		rc = ursa_perf_pt_close(ep, fd, o->mode == 'c', lc_pump, ep->lc);
	return rc;
}

/* --peer perftest: the client runs the test, the server's stack answers until it is over. */
static int perftest_run(const struct opts *o, struct ursa_perf_ep *ep, int fd)
{
	struct ursa_perf_pt_report mine = {.size = o->size}, theirs;
	struct ursa_perf_result res = {0};
	struct ursa_perf_run run;
	bool client = o->mode == 'c';
	int rc;

	if ((rc = ursa_perf_pt_begin(ep, fd, client, o->mtu, o->size, lc_pump, ep->lc)) != 0) {
		fprintf(stderr, "ursa-perf: perftest exchange: %s\n", strerror(-rc));
		return rc;
	}
	printf("# ursa-perf %s as perftest's peer: local QPN 0x%06x, remote QPN 0x%06x\n",
	       ursa_perf_test_names[o->test], ep->local.qpn, ep->remote.qpn);
	if (o->test == URSA_PERF_SEND_BW)
		return perftest_send(o, ep, fd);
	if (client) {
		fill_run(o, o->size, &run);
		run.pump = lc_pump;
		run.pump_arg = ep->lc;
		ursa_perf_print_header(stdout, (enum ursa_perf_test)o->test);
		if ((rc = ursa_perf_client_run(ep, &run, &res)) == 0) {
			double s = (double)res.ns / 1e9;

			mine.iters = res.iters;
			mine.bw_avg = s > 0 ? (double)res.bytes / s / 1048576.0 : 0;
			mine.bw_peak = mine.bw_avg;
			mine.msg_rate = s > 0 ? (double)res.iters / s / 1e6 : 0;
		}
		ursa_perf_print_result(stdout, (enum ursa_perf_test)o->test, o->size, &res);
		if (rc != 0)
			printf("# run failed: %s (completion status %d)\n", strerror(-rc),
			       (int)res.wc_status);
	}
	if (rc == 0 &&
	    (rc = ursa_perf_pt_end(ep, fd, client, &mine, &theirs, lc_pump, ep->lc)) == 0 &&
	    !client)
		printf(" %-10" PRIu64 " %-14" PRIu64 " %-20.2f %-.6f   (the client's report)\n",
		       theirs.size, theirs.iters, theirs.bw_avg * 1.048576, theirs.msg_rate);
	return rc;
}

/* --peer rc_pingpong: the exchange and ping-pong of rdma-core's ibv_rc_pingpong. */
static int run_peer(const struct opts *o)
{
	struct ursa_perf_pp_conf c = {.size = o->size,
				      .iters = (uint32_t)o->iters,
				      .client = o->mode == 'c',
				      .seed = o->verify_seed + 1};
	struct ursa_perf_pp_result r = {0};
	struct ursa_lcore *lc = NULL;
	struct ursa_perf_ep ep;
	int fd = -1, lfd, rc;
	double us;

	if ((rc = open_stack(o, &lc)) != 0)
		goto out_lc;
	/* perftest's client picks where in our buffer it writes: room beyond 2 x size */
	if ((rc = ursa_perf_ep_create(lc, 4 * (size_t)o->size + (1u << 20),
				      strcmp(o->peer_tool, "perftest") == 0 ? o->depth : 16,
				      &ep)) != 0)
		goto out_lc;
	ep.ack_timeout = o->ack_timeout;
	if (c.client) {
		fd = ursa_perf_tcp_connect(o->peer, o->oob_port);
	} else if ((lfd = tcp_listen(o->oob_port)) >= 0) {
		printf("# ursa-perf rc_pingpong server: waiting on port %u\n", o->oob_port);
		fflush(stdout);
		fd = (rc = wait_readable(lc, lfd)) != 0 ? rc : accept(lfd, NULL, NULL);
		fd = fd < 0 && rc == 0 ? -errno : fd;
		close(lfd);
	} else {
		fd = lfd;
	}
	if (fd >= 0 && strcmp(o->peer_tool, "perftest") == 0) {
		rc = perftest_run(o, &ep, fd);
		print_stats(o, lc, c.client ? "client" : "server");
		goto out_ep;
	}
	if ((rc = fd < 0 ? fd : ursa_perf_pp_exchange(&ep, fd, c.client, o->mtu, lc_pump, lc)) !=
	    0) {
		fprintf(stderr, "ursa-perf: rc_pingpong exchange: %s\n", strerror(-rc));
		goto out_ep;
	}
	printf("  local address:  LID 0x0000, QPN 0x%06x, PSN 0x%06x\n"
	       "  remote address: LID 0x0000, QPN 0x%06x, PSN 0x%06x\n",
	       ep.local.qpn, ep.local.psn, ep.remote.qpn, ep.remote.psn);
	rc = ursa_perf_pp_run(&ep, &c, lc_pump, lc, &r);
	us = (double)r.ns / 1000.0;
	printf("%" PRIu64 " bytes in %.2f seconds = %.2f Mbit/sec\n", (uint64_t)c.size * r.sent * 2,
	       us / 1e6, us > 0 ? c.size * r.sent * 16.0 / us : 0);
	printf("%u iters in %.2f seconds = %.2f usec/iter\n", r.sent, us / 1e6,
	       r.sent ? us / r.sent : 0);
	printf("# sent %u received %u, %" PRIu64 " failed the check%s%s\n", r.sent, r.received,
	       r.bad, rc ? ": " : "", rc ? strerror(-rc) : "");
	/* the peer's last ACKs and anything it still retransmits */
	for (int i = 0; i < 4096; i++)
		ursa_lcore_poll(lc);
	print_stats(o, lc, c.client ? "client" : "server");
	rc = rc ? rc : r.bad ? -EIO : 0;
out_ep:
	if (fd >= 0)
		close(fd);
	ursa_perf_ep_destroy(&ep);
out_lc:
	if (lc) {
		for (uint16_t i = 0; i < lc->nb_ports; i++)
			ursa_port_flush(lc, &lc->ports[i]);
		ursa_lcore_destroy(lc);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc;

	if (argc > 1 && strcmp(argv[1], "scale") == 0)
		return ursa_perf_scale_main(argc - 1, argv + 1);
	if (parse(argc, argv, &o) != 0)
		return 2;
	if (eal_start(&o) != 0)
		return 1;
	rc = o.peer_tool && o.mode != 'l' ? run_peer(&o)
	     : o.mode == 'l'		  ? run_loopback(&o)
	     : o.mode == 's'		  ? run_server(&o)
					  : run_client(&o);
	rte_eal_cleanup();
	return rc ? 1 : 0;
}
