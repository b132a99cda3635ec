/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-pcap-replay: the pcap-tests runner. Builds one stack instance from a case's
 * case.conf (an lcore on a virtual clock, a memory port, the interfaces, addresses and
 * routes, static neighbours, and for RoCE cases the RDMA objects: rdma.c), replays
 * input.pcap into it on the virtual clock (each frame injected at its capture time relative
 * to the first, timers firing in order as time passes), runs on for the case's settle time,
 * compares what the stack sent with expected.pcap field by field, and checks the counters
 * the case names. Exit status: 0 pass, 1 mismatch, 2 setup error, 77 when EAL cannot start
 * here.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "runner.h"
#ifdef URSA_PCAP_HAVE_STACK
#include "ursa.h"
#endif

#define EXIT_PASS     0
#define EXIT_MISMATCH 1
#define EXIT_SETUP    2
#define EXIT_SKIP     77

/* The virtual clock starts here; the first input frame is injected at this instant. */
#define REPLAY_T0 (1000 * URSA_NS_PER_S)
/* Polls per instant before the runner gives up on a stack that never goes idle. */
#define MAX_POLLS_PER_INSTANT 10000

struct opts {
	const char *case_dir;
	const char *input, *expected, *conf;
	const char *write_actual;
	bool verbose;
	bool loopback;
	char pin[PATH_MAX], pexp[PATH_MAX], pconf[PATH_MAX];
};

struct replay {
	struct ursa_lcore *lc;
	struct frame_list sent;
	struct rdma_state *rdma;
	uint16_t ifidx[CASE_MAX_IFACES]; /* lcore interface of each iface line */
	unsigned storm;			 /* polls at the current instant */
	uint64_t storm_at;
	bool failed;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ursa-pcap-replay --case DIR [--write-actual FILE] [--verbose]\n"
		"       ursa-pcap-replay --input PCAP --expected PCAP --conf FILE [...]\n"
		"\n"
		"Replays DIR/input.pcap into one ursa stack configured by DIR/case.conf on a\n"
		"virtual clock and compares what it sends with DIR/expected.pcap field by field.\n"
		"\n"
		"  --case DIR           a case folder (input.pcap, expected.pcap, case.conf)\n"
		"  --input PCAP         frames to inject (overrides the case's)\n"
		"  --expected PCAP      frames expected from ursa (overrides the case's)\n"
		"  --conf FILE          case configuration (overrides the case's)\n"
		"  --write-actual FILE  write what ursa sent as a pcap (times on the input's "
		"clock)\n"
		"  --verbose            print every packet's fields, matched or not\n"
		"  --loopback           runner self-test: send every input frame back unchanged\n"
		"                       instead of running the stack\n"
		"  --help               this text\n"
		"\n"
		"Exit status: 0 pass, 1 mismatch, 2 setup error, 77 cannot run here.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{"case", required_argument, NULL, 'c'},
		{"input", required_argument, NULL, 'i'},
		{"expected", required_argument, NULL, 'e'},
		{"conf", required_argument, NULL, 'f'},
		{"write-actual", required_argument, NULL, 'w'},
		{"verbose", no_argument, NULL, 'v'},
		{"loopback", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:i:e:f:w:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o->case_dir = optarg;
			break;
		case 'i':
			o->input = optarg;
			break;
		case 'e':
			o->expected = optarg;
			break;
		case 'f':
			o->conf = optarg;
			break;
		case 'w':
			o->write_actual = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'l':
			o->loopback = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_PASS);
		case ':':
			fprintf(stderr, "ursa-pcap-replay: %s needs an argument\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(stderr, "ursa-pcap-replay: unknown option '%s'\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "ursa-pcap-replay: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (o->case_dir) {
		snprintf(o->pin, sizeof(o->pin), "%s/input.pcap", o->case_dir);
		snprintf(o->pexp, sizeof(o->pexp), "%s/expected.pcap", o->case_dir);
		snprintf(o->pconf, sizeof(o->pconf), "%s/case.conf", o->case_dir);
		if (!o->input)
			o->input = o->pin;
		if (!o->expected)
			o->expected = o->pexp;
		if (!o->conf)
			o->conf = o->pconf;
	}
	if (!o->input || !o->expected || !o->conf) {
		fprintf(stderr,
			"ursa-pcap-replay: give --case DIR, or all of --input, --expected "
			"and --conf (missing: %s%s%s)\n",
			o->input ? "" : "--input ", o->expected ? "" : "--expected ",
			o->conf ? "" : "--conf");
		return -EINVAL;
	}
	return 0;
}

static int start_eal(void)
{
	struct ursa_eal_args a;
	int rc = ursa_eal_args_init(&a, "ursa-pcap-replay", 256, "0", "error");

	if (rc != 0) {
		fprintf(stderr, "SKIP: no EAL arguments here (%s%s%s)\n", strerror(-rc),
			a.why[0] ? ": " : "", a.why);
		return -ENODEV;
	}
	ursa_eal_args_report(&a);
	if (rte_eal_init(a.argc, a.argv) < 0) {
		fprintf(stderr, "SKIP: DPDK EAL cannot start here (%s)\n", rte_strerror(rte_errno));
		return -ENODEV;
	}
	return 0;
}

/* Runner self-test (--loopback): every received frame goes straight back out. */
static void loopback_rx(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf **pkts,
			uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		ursa_port_tx(lc, p, pkts[i]);
}

/* Take everything the memory port transmitted, stamped with the virtual time. */
static void collect(struct replay *r)
{
	struct ursa_port *p = &r->lc->ports[0];
	struct rte_mbuf *m;
	static_assert(RTE_MBUF_DEFAULT_BUF_SIZE <= 65536, "frame copy buffer");
	uint8_t buf[65536];

	while (ursa_port_mem_take(p, &m, 1) == 1) {
		uint32_t len = rte_pktmbuf_pkt_len(m);
		const void *d = len <= sizeof(buf) ? rte_pktmbuf_read(m, 0, len, buf) : NULL;

		if (d == NULL || frames_add(&r->sent, ursa_now(r->lc), d, len) != 0) {
			fprintf(stderr,
				"ursa-pcap-replay: cannot record a sent frame of %u bytes\n", len);
			r->failed = true;
		}
		rte_pktmbuf_free(m);
	}
}

/* Poll until the stack is idle at this instant, recording what it sends. */
static void poll_idle(struct replay *r)
{
	unsigned work;

	if (r->storm_at != ursa_now(r->lc)) {
		r->storm_at = ursa_now(r->lc);
		r->storm = 0;
	}
	do {
		work = ursa_lcore_poll(r->lc);
		collect(r);
		if (++r->storm > MAX_POLLS_PER_INSTANT) {
			if (!r->failed)
				fprintf(stderr,
					"ursa-pcap-replay: the stack is still busy after %d "
					"polls at t=%" PRIu64 " ns; giving up\n",
					MAX_POLLS_PER_INSTANT,
					(uint64_t)(ursa_now(r->lc) - REPLAY_T0));
			r->failed = true;
			return;
		}
	} while (work != 0);
}

/* Move the virtual clock to t, stopping at every timer expiry on the way. */
static void run_until(struct replay *r, uint64_t t)
{
	while (!r->failed) {
		uint64_t next = ursa_timer_next(r->lc);

		if (next > t)
			break;
		ursa_clock_set(&r->lc->clock, next);
		poll_idle(r);
	}
	ursa_clock_set(&r->lc->clock, t);
	poll_idle(r);
}

static int inject(struct replay *r, const struct frame *f, unsigned idx)
{
	struct rte_mbuf *m = ursa_pkt_alloc(r->lc);
	char *p;

	if (m == NULL) {
		fprintf(stderr, "ursa-pcap-replay: out of mbufs at input frame %u\n", idx + 1);
		return -ENOBUFS;
	}
	p = f->len <= UINT16_MAX ? rte_pktmbuf_append(m, (uint16_t)f->len) : NULL;
	if (p == NULL) {
		fprintf(stderr,
			"ursa-pcap-replay: input frame %u (%u bytes) does not fit in an "
			"mbuf\n",
			idx + 1, f->len);
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	memcpy(p, f->data, f->len);
	return ursa_port_mem_inject(&r->lc->ports[0], &m, 1);
}

static int build(struct replay *r, const struct case_conf *c, bool loopback)
{
	struct ursa_lcore_conf lconf = {
		.nb_mbufs = 8191,
		.seeded = true, /* replays are byte-exact */
		.seed = c->seed,
		.virtual_clock = true,
		.virtual_start_ns = REPLAY_T0,
		.name = "replay",
	};
	uint16_t port;
	int rc;

	lconf.lcore_id = rte_lcore_id();
	if ((rc = ursa_lcore_create(&lconf, &r->lc)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: lcore: %s\n", strerror(-rc));
		return rc;
	}
	if ((rc = ursa_port_open_mem(r->lc, &c->port_mac, c->port_mtu, &port)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: memory port: %s\n", strerror(-rc));
		return rc;
	}
	if (loopback) {
		r->lc->rx_handler = loopback_rx;
	} else {
#ifdef URSA_PCAP_HAVE_STACK
		if ((rc = ursa_stack_init(r->lc)) != 0) {
			fprintf(stderr, "ursa-pcap-replay: ursa_stack_init: %s\n", strerror(-rc));
			return rc;
		}
#else
		fprintf(stderr, "SKIP: libursa was built without the eth, arp, ip and udp layers; "
				"only --loopback can run\n");
		return -ENOTSUP;
#endif
	}
	for (unsigned i = 0; i < c->niface; i++) {
		struct ursa_iface_spec ci = c->iface[i];
		unsigned bad;
		uint16_t idx;
		char buf[64];

		ci.port = port;
		rc = ursa_iface_spec_apply(r->lc, &ci, &idx, &bad);
		r->ifidx[i] = idx;
		if (rc != 0 && bad == ci.naddr) {
			fprintf(stderr, "ursa-pcap-replay: iface %u (vlan %u): %s\n", i, ci.vlan,
				strerror(-rc));
			return rc;
		}
		if (rc != 0) {
			fprintf(stderr, "ursa-pcap-replay: iface %u: address %s/%u: %s\n", i,
				ursa_ipaddr_fmt(&ci.addr[bad], buf, sizeof(buf)), ci.plen[bad],
				strerror(-rc));
			return rc;
		}
	}
	if (loopback)
		return 0;
#ifdef URSA_PCAP_HAVE_STACK
	for (unsigned i = 0; i < c->nroute; i++) {
		const struct ursa_route_spec *rt = &c->route[i];

		rc = ursa_ip_route_add(r->lc, rt->tenant, &rt->dst, rt->plen, &rt->via, rt->iface);
		if (rc != 0) {
			fprintf(stderr, "ursa-pcap-replay: route %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
	for (unsigned i = 0; i < c->nneigh; i++) {
		const struct case_neigh *nb = &c->neigh[i];

		rc = ursa_neigh_add_static(r->lc, ursa_iface_get(r->lc, r->ifidx[nb->iface]),
					   &nb->ip, &nb->mac);
		if (rc != 0) {
			fprintf(stderr, "ursa-pcap-replay: neigh %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
	if ((rc = rdma_setup(r->lc, c, &r->rdma)) != 0)
		return rc;
	if (c->announce)
		ursa_stack_start(r->lc);
#endif
	return 0;
}

/* The counters the case names must have exactly the values it gives. */
static bool check_counters(const struct replay *r, const struct case_conf *c)
{
	bool ok = true;

	for (unsigned i = 0; i < c->ncounter; i++) {
		const struct case_counter *ct = &c->counter[i];
		uint64_t v = 0;
		int rc = ursa_stats_get(r->lc, ct->block, ct->name, &v);

		if (rc != 0) {
			printf("  COUNTER   %s.%s: no such counter\n", ct->block, ct->name);
			ok = false;
		} else if (v != ct->val) {
			printf("  COUNTER   %s.%s expected %" PRIu64 ", got %" PRIu64 "\n",
			       ct->block, ct->name, ct->val, v);
			ok = false;
		} else {
			printf("  counter   %s.%s = %" PRIu64 "\n", ct->block, ct->name, v);
		}
	}
	return ok;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct case_conf *conf = calloc(1, sizeof(*conf));
	struct frame_list in = {0}, exp = {0};
	struct replay r = {0};
	struct compare_result res;
	struct compare_opts copts;
	uint64_t in_base, exp_base;
	char err[512];
	int status = EXIT_SETUP, rc;
	bool pass;

	if (conf == NULL)
		return EXIT_SETUP;
	if (parse_args(argc, argv, &o) != 0) {
		fprintf(stderr, "(ursa-pcap-replay --help for usage)\n");
		goto out_free;
	}
	if (case_conf_load(o.conf, conf, err, sizeof(err)) != 0 ||
	    frames_load(o.input, &in, err, sizeof(err)) != 0 ||
	    frames_load(o.expected, &exp, err, sizeof(err)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: %s\n", err);
		goto out_free;
	}
	if (start_eal() != 0) {
		status = EXIT_SKIP;
		goto out_free;
	}
	rte_log_set_global_level(RTE_LOG_ERR);
	rc = build(&r, conf, o.loopback);
	if (rc != 0) {
		status = rc == -ENOTSUP ? EXIT_SKIP : EXIT_SETUP;
		goto out_destroy;
	}

	/* Input times are relative to the first input frame, injected at REPLAY_T0. With no
	 * input, expected times are relative to the first expected frame. */
	in_base = in.n ? in.v[0].t_ns : (exp.n ? exp.v[0].t_ns : 0);
	exp_base = in_base;
	poll_idle(&r);
	for (unsigned i = 0; i < in.n && !r.failed; i++) {
		uint64_t rel = in.v[i].t_ns >= in_base ? in.v[i].t_ns - in_base : 0;

		run_until(&r, REPLAY_T0 + rel);
		if (inject(&r, &in.v[i], i) != 0) {
			r.failed = true;
			break;
		}
		poll_idle(&r);
	}
	if (!r.failed)
		run_until(&r, ursa_now(r.lc) + conf->settle_ns);
	if (r.failed)
		goto out_destroy;

	/* What ursa sent, on the input's clock: lines up with input.pcap in a viewer. */
	for (unsigned i = 0; i < r.sent.n; i++)
		r.sent.v[i].t_ns = r.sent.v[i].t_ns - REPLAY_T0 + in_base;
	if (o.write_actual && frames_save(o.write_actual, &r.sent, err, sizeof(err)) != 0) {
		fprintf(stderr, "ursa-pcap-replay: %s\n", err);
		goto out_destroy;
	}
	copts = (struct compare_opts){
		.conf = conf,
		.expected_base = exp_base,
		.actual_base = in_base,
		.verbose = o.verbose,
	};
	printf("%s: replayed %u input frame%s\n", o.case_dir ? o.case_dir : o.input, in.n,
	       in.n == 1 ? "" : "s");
	pass = compare_frames(&exp, &r.sent, &copts, &res);
	if (!check_counters(&r, conf))
		pass = false;
	printf("%s: %u matched, %u differ, %u missing, %u extra\n", pass ? "PASS" : "FAIL",
	       res.matched, res.differ, res.missing, res.extra);
	status = pass ? EXIT_PASS : EXIT_MISMATCH;
out_destroy:
	rdma_teardown(r.rdma, o.verbose);
	if (r.lc)
		ursa_lcore_destroy(r.lc);
	rte_eal_cleanup();
out_free:
	frames_free(&r.sent);
	frames_free(&in);
	frames_free(&exp);
	free(conf);
	return status;
}
