/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf scale: RDMA WRITE message rate over several RC QPs spread over the shards of one
 * ursa stack (struct ursa_stack, one EAL lcore each), against a peer ursa-perf scale --server
 * in its own process. The scaling benchmark (scripts/bench-scale) and the netns test
 * roce-scale run it.
 *
 *   ursa-perf scale --server --port DEVARGS --addr A/LEN [--lcores N] [--oob-port P]
 *   ursa-perf scale --client HOST --port DEVARGS --addr A/LEN --qps Q [--lcores N]
 *                   [--size B] [--depth D] (--seconds S | --iters K) [--oob-port P] [--cpus L]
 *                   [--ack-timeout E]
 *
 * QP i belongs to shard i % N, which creates it (its QPN is of that shard's partition, so a
 * packet for it that lands on another queue is handed over by dispatch) and drives it: D
 * signalled WRITEs of B bytes (default 64) outstanding, each completion replaced at once,
 * for S seconds or K WRITEs per QP. Each QP writes its own seeded pattern into its own region
 * of the server; the server checks every region at the end. The QP parameters go over a
 * kernel TCP connection, as perftest's: "SCALE qps=Q size=B", Q info lines each way, "END",
 * "DONE bad=N", "BYE".
 *
 * The local ACK timeout is 4.096 us * 2^E, E = --ack-timeout (default 14, 67 ms, as
 * perftest's).
 *
 * A client shard done with its own QPs goes on polling until every shard is done: the ACKs of
 * another shard's QPs may land on its queue, and a queue nobody polls loses them.
 *
 * Output (stdout): one line per shard and a total, as ursa-tcp load's:
 *   ursa-perf: scale shard=0 qps=4 writes=812345 seconds=5.000 rate=162469.0 dispatch_out=0
 *              dispatch_in=2210
 *   ursa-perf: scale role=client lcores=2 qps=8 size=64 writes=... seconds=... rate=...
 *              errors=0 verify=ok
 * Exit 0 when every completion succeeded and the server found every region as written.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "ursa_perf.h"
#include "ursa_spec.h"
#include "ursa_stack.h"

#define MAX_QPS	 256
#define LINE	 512
#define PAT_SEED 0x5ca1eull

struct sopts {
	const char *peer, *devargs, *addr, *cpus;
	bool server;
	unsigned lcores, qps, depth, oob_port;
	uint8_t ack_timeout;
	uint32_t size;
	double seconds;
	uint64_t iters;
};

struct sqp {
	struct ursa_perf_ep ep;
	unsigned idx, out;
	uint64_t done;
};

struct sshard {
	struct srun *r;
	struct ursa_lcore *lc;
	struct sqp *q[MAX_QPS];
	unsigned nq;
	uint64_t writes, errors, t0, t1;
	const char *fail;
};

struct srun {
	struct sopts o;
	struct ursa_stack *st;
	struct sshard sh[URSA_MAX_SHARDS];
	struct sqp qp[MAX_QPS];
	unsigned nqp;
	unsigned finished; /* atomic: shards done with their own QPs */
};

/* ---- the stack: N shards, one interface ---- */

static int eal_start(const struct sopts *o)
{
	char lc[1024], cpus[512];
	char *argv[] = {"ursa-perf", "--no-huge",      "-m",	   "1024", "--no-shconf",
			"--no-pci",  "--no-telemetry", "--lcores", lc,	   "--log-level=error",
			NULL};
	cpu_set_t set;
	size_t n = 0;
	unsigned k = 0;

	if (o->cpus != NULL) {
		char *save, *tok, *dup = strdup(o->cpus);

		for (tok = strtok_r(dup, ",", &save); tok != NULL && k < o->lcores;
		     tok = strtok_r(NULL, ",", &save), k++)
			n += (size_t)snprintf(lc + n, sizeof(lc) - n, "%u@%s,", k, tok);
		free(dup);
	} else if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		size_t m = 0;

		for (int c = 0; c < CPU_SETSIZE && m + 8 < sizeof(cpus); c++)
			if (CPU_ISSET(c, &set))
				m += (size_t)snprintf(cpus + m, sizeof(cpus) - m, "%s%d",
						      m ? "," : "", c);
		for (; k < o->lcores && n < sizeof(lc); k++)
			n += (size_t)snprintf(lc + n, sizeof(lc) - n, "%u@(%s),", k, cpus);
	}
	if (k < o->lcores || n == 0 || n >= sizeof(lc)) {
		fprintf(stderr, "ursa-perf: scale: cannot name %u lcores\n", o->lcores);
		return -1;
	}
	lc[n - 1] = '\0';
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "ursa-perf: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static void poll_all(void *arg)
{
	struct srun *r = arg;

	for (uint16_t s = 0; s < ursa_stack_nb_shards(r->st); s++)
		ursa_lcore_poll(ursa_stack_shard(r->st, s));
}

static int settle(struct srun *r, uint64_t ticket)
{
	for (uint64_t i = 0; !ursa_stack_applied(r->st, ticket); i++) {
		if (i > 1000000)
			return -ETIMEDOUT;
		poll_all(r);
	}
	return ursa_stack_result(r->st, ticket);
}

static int stack_up(struct srun *r)
{
	struct ursa_lcore_conf confs[URSA_MAX_SHARDS];
	struct ursa_stack_conf sc = {.nb_shards = (uint16_t)r->o.lcores, .shard = confs};
	struct ursa_iface_conf ic = {.port = 0, .no_linklocal = true};
	struct ursa_ipaddr a;
	unsigned id, k = 0;
	uint64_t t = 0;
	uint16_t port, ifi;
	uint8_t plen;
	int rc;

	if (ursa_ipaddr_parse(r->o.addr, &a, &plen) != 0)
		return -EINVAL;
	confs[0] = (struct ursa_lcore_conf){.lcore_id = rte_get_main_lcore()};
	RTE_LCORE_FOREACH_WORKER(id)
	{
		if (++k == r->o.lcores)
			break;
		confs[k] = (struct ursa_lcore_conf){.lcore_id = id};
	}
	for (k = 0; k < r->o.lcores; k++) {
		confs[k].nb_mbufs = 16383;
		confs[k].name = r->o.server ? "pss" : "psc";
	}
	if ((rc = ursa_stack_create(&sc, &r->st)) != 0 ||
	    (rc = ursa_stack_port_open_ethdev(r->st, r->o.devargs, 0, &port)) != 0)
		return rc;
	for (k = 0; k < r->o.lcores; k++) {
		r->sh[k] = (struct sshard){.r = r, .lc = ursa_stack_shard(r->st, (uint16_t)k)};
		if ((rc = ursa_stack_init(r->sh[k].lc)) != 0)
			return rc;
	}
	if ((rc = ursa_stack_iface_add(r->st, &ic, &ifi, &t)) != 0 || (rc = settle(r, t)) != 0 ||
	    (rc = ursa_stack_addr_add(r->st, ifi, &a, plen, &t)) != 0 || (rc = settle(r, t)) != 0)
		return rc;
	ursa_stack_start(r->sh[0].lc);
	return 0;
}

/* ---- the control connection ---- */

static int ctl_send(int fd, const char *s)
{
	size_t len = strlen(s);

	return send(fd, s, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -EIO;
}

/* One line (without '\n'); the stack keeps running while the peer is silent. */
static int ctl_line(struct srun *r, int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		char c;
		ssize_t got = recv(fd, &c, 1, MSG_DONTWAIT);

		if (got == 0 || (got < 0 && errno != EAGAIN))
			return -ECONNRESET;
		if (got < 0) {
			/* a lone shard waits on its wait sources (spinning, then napping), so
			 * that a peer sharing the CPUs keeps its share */
			if (r->o.lcores == 1)
				ursa_lcore_wait(r->sh[0].lc, 100 * URSA_NS_PER_US, NULL);
			else
				poll_all(r);
			continue;
		}
		if (c == '\n') {
			buf[n] = '\0';
			return 0;
		}
		buf[n++] = c;
	}
	return -EMSGSIZE;
}

static int oob_connect(const struct sopts *o)
{
	return ursa_perf_tcp_connect(o->peer, o->oob_port);
}

static int oob_accept(const struct sopts *o)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->oob_port)};
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), fd, one = 1;

	if (lfd < 0)
		return -errno;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 1) != 0) {
		fd = -errno;
		close(lfd);
		return fd;
	}
	printf("# ursa-perf scale server: waiting on port %u\n", o->oob_port);
	fflush(stdout);
	fd = accept(lfd, NULL, NULL);
	close(lfd);
	return fd < 0 ? -errno : fd;
}

/* ---- QPs ---- */

/* Create QP i on shard i % N (buffer: two pages; WRITEs land in the upper half). */
static int qps_create(struct srun *r, unsigned nqp)
{
	int rc;

	for (unsigned i = 0; i < nqp; i++) {
		struct sshard *s = &r->sh[i % r->o.lcores];
		struct sqp *q = &r->qp[i];

		if ((rc = ursa_perf_ep_create(s->lc, 8192, r->o.depth, &q->ep)) != 0)
			return rc;
		q->ep.ack_timeout = r->o.ack_timeout;
		q->idx = i;
		s->q[s->nq++] = q;
		r->nqp = i + 1;
	}
	return 0;
}

static void qps_destroy(struct srun *r)
{
	for (unsigned i = 0; i < r->nqp; i++)
		ursa_perf_ep_destroy(&r->qp[i].ep);
}

/* Send ours, then read theirs (the client), or the other way round (the server); connect. */
static int qps_exchange(struct srun *r, int fd)
{
	char line[LINE];
	int rc;

	for (unsigned pass = 0; pass < 2; pass++) {
		bool send_now = (pass == 0) != r->o.server;

		for (unsigned i = 0; i < r->nqp; i++) {
			struct ursa_perf_ep *ep = &r->qp[i].ep;

			if (send_now) {
				if ((rc = ursa_perf_info_fmt(&ep->local, line, sizeof(line))) ||
				    (rc = ctl_send(fd, line)))
					return rc;
			} else if ((rc = ctl_line(r, fd, line, sizeof(line))) != 0 ||
				   (rc = ursa_perf_info_parse(line, &ep->remote)) != 0) {
				return rc ? rc : -EPROTO;
			}
		}
	}
	for (unsigned i = 0; i < r->nqp; i++)
		if ((rc = ursa_perf_ep_connect(&r->qp[i].ep, 1024)) != 0)
			return rc;
	return 0;
}

static int post_write(struct sqp *q, uint32_t size)
{
	struct ursa_perf_ep *ep = &q->ep;
	struct ursa_rdma_sge sge = {(uintptr_t)ep->buf, size, ep->mr->lkey};
	struct ursa_rdma_send_wr wr = {
		.wr_id = q->idx,
		.opcode = URSA_RDMA_WR_RDMA_WRITE,
		.send_flags = URSA_RDMA_SEND_SIGNALED,
		.sg_list = &sge,
		.num_sge = 1,
		.rdma = {.remote_addr = ep->remote.vaddr + ep->remote.len / 2,
			 .rkey = ep->remote.rkey},
	};

	return ursa_rdma_post_send(ep->qp, &wr, 1);
}

/* Take the completions of q. */
static void reap(struct sshard *s, struct sqp *q)
{
	struct ursa_rdma_wc wc[32];
	int n = ursa_rdma_poll_cq(q->ep.cq, wc, RTE_DIM(wc));

	for (int i = 0; i < n; i++) {
		q->out--;
		if (wc[i].status != URSA_RDMA_WC_SUCCESS) {
			if (s->errors++ == 0)
				fprintf(stderr, "ursa-perf: scale: QP %u: %s\n", q->idx,
					ursa_rdma_wc_status_str(wc[i].status));
			continue;
		}
		q->done++;
		s->writes++;
	}
}

/* A client shard: keep depth WRITEs outstanding on each QP until the time or the count is
 * reached (or a completion fails), then let the last ones complete. */
static int shard_main(void *arg)
{
	struct sshard *s = arg;
	const struct sopts *o = &s->r->o;
	uint64_t stop, drain_end = 0, now;
	bool more = true, busy = true;

	s->t0 = ursa_now(s->lc);
	stop = s->t0 + (uint64_t)(o->seconds * 1e9);
	while (busy) {
		now = ursa_now(s->lc);
		if (more && ((o->iters == 0 && now >= stop) || s->errors)) {
			more = false;
			s->t1 = now;
			drain_end = now + 2 * URSA_NS_PER_S;
		}
		busy = false;
		for (unsigned i = 0; i < s->nq; i++) {
			struct sqp *q = s->q[i];

			while (more && q->out < o->depth &&
			       (o->iters == 0 || q->done + q->out < o->iters) &&
			       post_write(q, o->size) == 1)
				q->out++;
			reap(s, q);
			busy |= q->out > 0 || (more && (o->iters == 0 || q->done < o->iters));
		}
		ursa_lcore_poll(s->lc);
		if (!more && now > drain_end) {
			s->fail = "completions missing";
			break;
		}
	}
	if (more) /* --iters: every QP has made its count */
		s->t1 = ursa_now(s->lc);
	/* Frames of the other shards' QPs land on this shard's queue too (the peer picks the
	 * hash): keep polling until every shard is done. */
	__atomic_add_fetch(&s->r->finished, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&s->r->finished, __ATOMIC_ACQUIRE) < o->lcores)
		ursa_lcore_poll(s->lc);
	return s->fail != NULL || s->errors != 0;
}

/* ---- the two sides ---- */

/* Every drop, retransmission or time-out counter that moved, per shard, on stderr. */
static void print_drop(const char *block, const char *name, uint64_t val, void *arg)
{
	if (val != 0 &&
	    (strncmp(name, "drop", 4) == 0 || strstr(name, "retr") || strstr(name, "timeout") ||
	     strcmp(block, "neigh") == 0 || strcmp(block, "arp") == 0))
		fprintf(stderr, "ursa-perf: shard %u: %s.%s %" PRIu64 "\n", *(unsigned *)arg, block,
			name, val);
}

static int run_server(struct srun *r)
{
	char line[LINE];
	unsigned nqp, bad = 0;
	uint32_t size;
	int fd, rc;

	if ((fd = oob_accept(&r->o)) < 0)
		return fd;
	if ((rc = ctl_line(r, fd, line, sizeof(line))) != 0 ||
	    sscanf(line, "SCALE qps=%u size=%" SCNu32, &nqp, &size) != 2 || nqp == 0 ||
	    nqp > MAX_QPS || size == 0 || size > 4096) {
		rc = rc ? rc : -EPROTO;
		goto out;
	}
	if ((rc = qps_create(r, nqp)) != 0 || (rc = qps_exchange(r, fd)) != 0 ||
	    (rc = ctl_line(r, fd, line, sizeof(line))) != 0)
		goto out;
	if (strcmp(line, "END") != 0) {
		rc = -EPROTO;
		goto out;
	}
	for (unsigned i = 0; i < r->nqp; i++) {
		struct ursa_perf_ep *ep = &r->qp[i].ep;

		bad += ursa_perf_pattern_check(ep->buf + ep->buflen / 2, size, PAT_SEED + i) != -1;
	}
	snprintf(line, sizeof(line), "DONE bad=%u\n", bad);
	if ((rc = ctl_send(fd, line)) == 0)
		rc = ctl_line(r, fd, line, sizeof(line)); /* BYE, or the client has gone */
	printf("ursa-perf: scale role=server qps=%u size=%" PRIu32 " bad=%u\n", nqp, size, bad);
	for (unsigned k = 0; k < r->o.lcores; k++)
		ursa_stats_foreach(r->sh[k].lc, print_drop, &k);
	rc = bad ? -EIO : 0;
out:
	if (rc)
		fprintf(stderr, "ursa-perf: scale server: %s\n", strerror(-rc));
	qps_destroy(r);
	close(fd);
	return rc;
}

static uint64_t counter(struct sshard *s, const char *block, const char *name)
{
	uint64_t v = 0;

	ursa_stats_get(s->lc, block, name, &v);
	return v;
}

static int report(struct srun *r, unsigned bad)
{
	uint64_t writes = 0, errors = 0;
	double rate = 0, el_max = 0;
	const char *fail = NULL;

	for (unsigned k = 0; k < r->o.lcores; k++) {
		struct sshard *s = &r->sh[k];
		double el = (double)(s->t1 - s->t0) / 1e9;

		printf("ursa-perf: scale shard=%u qps=%u writes=%" PRIu64 " seconds=%.3f rate=%.1f "
		       "dispatch_out=%" PRIu64 " dispatch_in=%" PRIu64 "%s%s\n",
		       k, s->nq, s->writes, el, el > 0 ? (double)s->writes / el : 0.0,
		       counter(s, "dispatch", "out"), counter(s, "dispatch", "in"),
		       s->fail ? " error=" : "", s->fail ? s->fail : "");
		writes += s->writes;
		errors += s->errors;
		rate += el > 0 ? (double)s->writes / el : 0.0;
		el_max = el > el_max ? el : el_max;
		fail = fail ? fail : s->fail;
	}
	printf("ursa-perf: scale role=client lcores=%u qps=%u size=%" PRIu32 " writes=%" PRIu64
	       " seconds=%.3f rate=%.1f errors=%" PRIu64 " verify=%s%s%s\n",
	       r->o.lcores, r->nqp, r->o.size, writes, el_max, rate, errors,
	       bad ? "mismatch" : "ok", fail ? " error=" : "", fail ? fail : "");
	fflush(stdout);
	for (unsigned k = 0; (fail || errors) && k < r->o.lcores; k++)
		ursa_stats_foreach(r->sh[k].lc, print_drop, &k);
	return fail == NULL && errors == 0 && bad == 0 ? 0 : -EIO;
}

static int run_client(struct srun *r)
{
	char line[LINE];
	unsigned bad = 0;
	int fd, rc;

	if ((rc = qps_create(r, r->o.qps)) != 0)
		return rc;
	for (unsigned i = 0; i < r->nqp; i++)
		ursa_perf_pattern(r->qp[i].ep.buf, r->o.size, PAT_SEED + i);
	if ((fd = oob_connect(&r->o)) < 0) {
		qps_destroy(r);
		return fd;
	}
	snprintf(line, sizeof(line), "SCALE qps=%u size=%" PRIu32 "\n", r->nqp, r->o.size);
	if ((rc = ctl_send(fd, line)) != 0 || (rc = qps_exchange(r, fd)) != 0)
		goto out;
	/* neighbours resolved and each QP's first ACK seen before the clock starts */
	for (unsigned i = 0; i < r->nqp; i++)
		if ((rc = ursa_perf_warmup(&r->qp[i].ep, poll_all, r)) != 0)
			goto out;
	for (unsigned k = 1; k < r->o.lcores; k++)
		rte_eal_remote_launch(shard_main, &r->sh[k], r->sh[k].lc->lcore_id);
	shard_main(&r->sh[0]);
	rte_eal_mp_wait_lcore();
	if ((rc = ctl_send(fd, "END\n")) != 0 || (rc = ctl_line(r, fd, line, sizeof(line))) != 0 ||
	    sscanf(line, "DONE bad=%u", &bad) != 1) {
		rc = rc ? rc : -EPROTO;
		goto out;
	}
	rc = report(r, bad);
	ctl_send(fd, "BYE\n");
out:
	if (rc)
		fprintf(stderr, "ursa-perf: scale client: %s\n", strerror(-rc));
	qps_destroy(r);
	close(fd);
	return rc;
}

/* ---- options ---- */

static void usage(FILE *f)
{
	fprintf(f, "usage: ursa-perf scale --server --port DEVARGS --addr A/LEN [--lcores N]\n"
		   "                 [--oob-port P]\n"
		   "       ursa-perf scale --client HOST --port DEVARGS --addr A/LEN --qps Q\n"
		   "                 [--lcores N] [--cpus LIST] [--size B] [--depth D]\n"
		   "                 (--seconds S | --iters K) [--oob-port P] [--ack-timeout E]\n");
}

static int num(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;

	if (ursa_spec_u64(s, hi, &v) != 0 || v < lo)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A number 1..hi for option opt, said on stderr when it is not. */
static int unum(const char *opt, const char *arg, uint64_t hi, uint64_t *v)
{
	if (num(arg, 1, hi, v) == 0)
		return 0;
	fprintf(stderr, "ursa-perf: scale: %s %s: expected 1 to %" PRIu64 "\n", opt, arg, hi);
	return -1;
}

static int parse_opt(struct sopts *o, int c, const char *arg)
{
	uint64_t v = 0;
	char *end;

	switch (c) {
	case 'S':
		o->server = true;
		return 0;
	case 'C':
		o->peer = arg;
		return 0;
	case 'p':
		o->devargs = arg;
		return 0;
	case 'A':
		o->addr = arg;
		return 0;
	case 'u':
		o->cpus = arg;
		return 0;
	case 'L':
		if (unum("--lcores", arg, URSA_MAX_SHARDS, &v) != 0)
			return -1;
		o->lcores = (unsigned)v;
		return 0;
	case 'q':
		if (unum("--qps", arg, MAX_QPS, &v) != 0)
			return -1;
		o->qps = (unsigned)v;
		return 0;
	case 's':
		if (unum("--size", arg, 4096, &v) != 0)
			return -1;
		o->size = (uint32_t)v;
		return 0;
	case 'd':
		if (unum("--depth", arg, URSA_PERF_MAX_DEPTH, &v) != 0)
			return -1;
		o->depth = (unsigned)v;
		return 0;
	case 'o':
		if (unum("--oob-port", arg, 65535, &v) != 0)
			return -1;
		o->oob_port = (unsigned)v;
		return 0;
	case 'n':
		return unum("--iters", arg, UINT32_MAX, &o->iters);
	case 't':
		if (unum("--ack-timeout", arg, 31, &v) != 0)
			return -1;
		o->ack_timeout = (uint8_t)v;
		return 0;
	case 'D':
		o->seconds = strtod(arg, &end);
		if (!(o->seconds > 0) || *end != '\0') {
			fprintf(stderr, "ursa-perf: scale: --seconds %s: expected seconds > 0\n",
				arg);
			return -1;
		}
		return 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		return -1;
	}
}

static int parse(int argc, char **argv, struct sopts *o)
{
	static const struct option lo[] = {
		{"server", 0, NULL, 'S'},      {"client", 1, NULL, 'C'}, {"port", 1, NULL, 'p'},
		{"addr", 1, NULL, 'A'},	       {"cpus", 1, NULL, 'u'},	 {"lcores", 1, NULL, 'L'},
		{"qps", 1, NULL, 'q'},	       {"size", 1, NULL, 's'},	 {"depth", 1, NULL, 'd'},
		{"oob-port", 1, NULL, 'o'},    {"iters", 1, NULL, 'n'},	 {"seconds", 1, NULL, 'D'},
		{"ack-timeout", 1, NULL, 't'}, {"help", 0, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	int c;

	*o = (struct sopts){.lcores = 1,
			    .qps = 1,
			    .depth = 16,
			    .oob_port = 18516,
			    .size = 64,
			    .ack_timeout = 14};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (parse_opt(o, c, optarg) != 0)
			return -1;
	if (optind != argc || o->server == (o->peer != NULL) || o->devargs == NULL ||
	    o->addr == NULL) {
		fprintf(stderr, "ursa-perf: scale: --server or --client HOST, --port and --addr\n");
		return -1;
	}
	if (!o->server && ((o->seconds > 0) == (o->iters > 0) || o->qps < o->lcores)) {
		fprintf(stderr, "ursa-perf: scale: --seconds or --iters, and a QP per lcore\n");
		return -1;
	}
	return 0;
}

int ursa_perf_scale_main(int argc, char **argv)
{
	struct srun *r = calloc(1, sizeof(*r));
	int rc = -EINVAL;

	if (r == NULL)
		return 1;
	if (parse(argc, argv, &r->o) != 0) {
		usage(stderr);
		free(r);
		return 2;
	}
	if (eal_start(&r->o) != 0) {
		free(r);
		return 1;
	}
	if ((rc = stack_up(r)) != 0)
		fprintf(stderr, "ursa-perf: scale: stack on %s: %s\n", r->o.devargs, strerror(-rc));
	else
		rc = r->o.server ? run_server(r) : run_client(r);
	if (r->st != NULL)
		ursa_stack_destroy(r->st);
	rte_eal_cleanup();
	free(r);
	return rc ? 1 : 0;
}
