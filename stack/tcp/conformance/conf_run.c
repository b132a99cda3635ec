/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP conformance runner: one ursa stack (memory port, one interface with the local
 * address, a static neighbour for the remote, so there is no ARP/ND traffic) on a virtual
 * clock, driven by a script (conf_script.c).
 *
 * Order of work per event: move the clock to the event's time, firing timers and collecting
 * what the stack transmits; a TCP segment sent when the script expects none is an error.
 * '<' builds the segment (conf_pkt.c) and feeds it in; '>' waits (clock moving) for the next
 * transmitted segment within the time tolerance and compares it field by field; a call runs
 * the socket API (stack/sock) and compares the result.
 *
 * Numbering follows packetdrill: remote sequence numbers are written as they are on the wire
 * (the remote's ISN is the script's value); local ones are relative to the stack's ISN, learnt
 * from its first segment of the flow; ACK fields are translated the same way. Times after an
 * outbound segment are shifted by how late (within tolerance) it really came, as packetdrill
 * does. Socket handles are shown as fd = handle + 3 (packetdrill's first socket is 3).
 *
 * Deliberate differences from packetdrill, each for a reason written in README.md: PSH is
 * not compared on outbound segments, the outbound TS val is not compared (ecr is), option
 * order is not compared (kinds and values are), and '*' in a value means "any".
 *
 * Usage: tcp-conf [-v] script.pkt        exit 0 pass, 1 fail, 77 skipped (no EAL)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_sock.h"
#include "ursa_tcp.h"
#include "ursa_test.h"

#define FD_BASE	   3
#define BIND_PORT  8080 /* packetdrill's --bind_port and --connect_port */
#define MAX_FLOWS  16
#define MAX_QUEUED 256
#define MAX_IO	   1048576

struct flow {
	uint16_t lport, rport;
	bool isn_known;
	uint32_t isn;
	bool ts_known;
	uint32_t last_tsval; /* the stack's latest TS val, echoed in inbound ecr */
	bool ended; /* a FIN or RST passed: a SYN starts a new incarnation with a new ISN */
};

struct sent {
	uint64_t t;
	struct conf_wire w;
};

struct runner {
	struct ursa_lcore *lc;
	struct conf_script *s;
	bool verbose;
	uint64_t t0;
	int64_t shift;
	uint8_t lmac[6], rmac[6];
	uint8_t lip[16], rip[16];
	uint16_t lport, rport; /* the current flow; lport 0 = learn from the next SYN */
	unsigned nflows;
	struct flow flows[MAX_FLOWS];
	unsigned nq;
	struct sent q[MAX_QUEUED];
	unsigned non_tcp;
	uint8_t *io;
	unsigned line;
};

static int fail_at(struct runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail_at(struct runner *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%u: FAIL: ", r->s->path, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -1;
}

static double script_secs(const struct runner *r, uint64_t t)
{
	return (double)((int64_t)(t - r->t0)) / 1e9;
}

static struct flow *flow_get(struct runner *r, uint16_t lport, uint16_t rport, bool create)
{
	for (unsigned i = 0; i < r->nflows; i++)
		if (r->flows[i].lport == lport && r->flows[i].rport == rport)
			return &r->flows[i];
	if (!create || r->nflows == MAX_FLOWS)
		return NULL;
	memset(&r->flows[r->nflows], 0, sizeof(r->flows[0]));
	r->flows[r->nflows].lport = lport;
	r->flows[r->nflows].rport = rport;
	return &r->flows[r->nflows++];
}

/* ---- stack set-up ---- */

static int setup(struct runner *r)
{
	struct rte_ether_addr rmac = URSA_TEST_PEER_MAC;
	struct ursa_iface_conf ic = {.port = 0, .no_linklocal = true};
	struct ursa_ipaddr la = {0}, ra = {0};
	uint16_t ifi;
	int rc;

	r->lc = ursa_test_lcore(1);
	if (r->lc == NULL) {
		fprintf(stderr, "cannot create the test lcore\n");
		return -1;
	}
	memcpy(r->lmac, &r->lc->ports[0].mac, 6);
	memcpy(r->rmac, &rmac, 6);
	if ((rc = ursa_eth_init(r->lc)) != 0 || (rc = ursa_arp_init(r->lc)) != 0 ||
	    (rc = ursa_ip_init(r->lc)) != 0 || (rc = ursa_tcp_init(r->lc)) != 0 ||
	    (rc = ursa_sock_init(r->lc)) != 0) {
		fprintf(stderr, "stack init: %s\n", strerror(-rc));
		return -1;
	}
	r->lc->ports[0].mtu = r->s->mtu;
	if (r->s->challenge_ack_limit >= 0) {
		struct ursa_tcp_conf tc = *ursa_tcp_get_conf(r->lc);

		tc.challenge_ack_limit = (uint32_t)r->s->challenge_ack_limit;
		if ((rc = ursa_tcp_set_conf(r->lc, &tc)) != 0) {
			fprintf(stderr, "tcp conf: %s\n", strerror(-rc));
			return -1;
		}
	}
	if ((rc = ursa_iface_add(r->lc, &ic, &ifi)) != 0) {
		fprintf(stderr, "iface: %s\n", strerror(-rc));
		return -1;
	}
	if (r->s->ipv6) {
		/* 2001:db8::/32 is the documentation prefix (RFC 3849) */
		const char *l = "2001:db8::1", *rem = "2001:db8::2";

		ursa_ipaddr_parse(l, &la, NULL);
		ursa_ipaddr_parse(rem, &ra, NULL);
		rc = ursa_iface_addr_add(r->lc, ifi, &la, 64);
		memcpy(r->lip, la.v6, 16);
		memcpy(r->rip, ra.v6, 16);
	} else {
		/* packetdrill's local 192.168.0.1; the remote on the same /24 so no gateway */
		ursa_ipaddr_parse("192.168.0.1", &la, NULL);
		ursa_ipaddr_parse("192.168.0.2", &ra, NULL);
		rc = ursa_iface_addr_add(r->lc, ifi, &la, 24);
		memcpy(r->lip, &la.v4, 4);
		memcpy(r->rip, &ra.v4, 4);
	}
	if (rc == 0)
		rc = ursa_neigh_add_static(r->lc, ursa_iface_get(r->lc, ifi), &ra, &rmac);
	if (rc != 0) {
		fprintf(stderr, "address/neighbour: %s\n", strerror(-rc));
		return -1;
	}
	r->t0 = ursa_now(r->lc);
	r->rport = r->s->remote_port;
	return 0;
}

/* ---- what the stack sends ---- */

static void seg_from_wire(const struct runner *r, const struct conf_wire *w, struct conf_seg *g)
{
	const struct flow *f = NULL;

	for (unsigned i = 0; i < r->nflows; i++)
		if (r->flows[i].lport == w->sport && r->flows[i].rport == w->dport)
			f = &r->flows[i];
	memset(g, 0, sizeof(*g));
	g->flags = w->flags;
	g->seq = w->seq - (f && f->isn_known ? f->isn : 0);
	g->len = w->paylen;
	g->end = g->seq + w->paylen;
	g->has_ack = (w->flags & CONF_F_ACK) != 0;
	g->ack = w->ack;
	g->win = w->win;
	g->has_opts = w->nopt > 0;
	g->nopt = w->nopt;
	memcpy(g->opt, w->opt, sizeof(w->opt));
}

static void describe(const struct runner *r, const struct sent *x, char *buf, size_t len)
{
	struct conf_seg g;
	char seg[256];

	seg_from_wire(r, &x->w, &g);
	conf_seg_fmt(&g, seg, sizeof(seg));
	snprintf(buf, len, "%.6f > %s (ports %u>%u%s)", script_secs(r, x->t), seg, x->w.sport,
		 x->w.dport, x->w.cksum_ok ? "" : ", BAD CHECKSUM");
}

/* Move what the port sent into the queue (TCP only; the rest is counted). */
static int collect(struct runner *r)
{
	struct rte_mbuf *m;

	ursa_port_flush(r->lc, &r->lc->ports[0]);
	while (ursa_port_mem_take(&r->lc->ports[0], &m, 1) == 1) {
		const char *what = "";
		struct sent *x = &r->q[r->nq];
		int rc = conf_pkt_parse(m, &x->w, &what);

		rte_pktmbuf_free(m);
		if (rc < 0)
			return fail_at(r, "the stack sent a malformed frame: %s", what);
		if (rc == 0) {
			r->non_tcp++;
			if (r->verbose)
				fprintf(stderr, "  (ignored outbound %s)\n", what);
			continue;
		}
		if (r->nq == MAX_QUEUED)
			return fail_at(r, "more than %d segments sent and not expected",
				       MAX_QUEUED);
		x->t = ursa_now(r->lc);
		if (r->verbose) {
			char d[320];

			describe(r, x, d, sizeof(d));
			fprintf(stderr, "  sent %s\n", d);
		}
		r->nq++;
	}
	return 0;
}

static int poll_idle(struct runner *r)
{
	for (int i = 0; i < 64; i++)
		if (ursa_lcore_poll(r->lc) == 0)
			break;
	return collect(r);
}

/* Advance to time t (virtual ns), firing timers on the way. */
static int advance_to(struct runner *r, uint64_t t)
{
	for (;;) {
		uint64_t now = ursa_now(r->lc), next;

		if (poll_idle(r) != 0)
			return -1;
		if (now >= t)
			return 0;
		next = ursa_timer_next(r->lc);
		ursa_clock_set(&r->lc->clock, next < t ? (next > now ? next : now) : t);
		if (next <= now) {
			/* a timer re-armed for now waits for the next run: let it fire */
			if (poll_idle(r) != 0)
				return -1;
			ursa_clock_set(&r->lc->clock, now + 1);
		}
	}
}

static int no_unexpected(struct runner *r, const char *before)
{
	char d[320];

	if (r->nq == 0)
		return 0;
	describe(r, &r->q[0], d, sizeof(d));
	return fail_at(r, "unexpected outbound segment before %s: %s", before, d);
}

/* ---- comparing an outbound segment ---- */

static bool opt_matches(const struct conf_opt *e, const struct conf_opt *g)
{
	if (e->kind != g->kind)
		return false;
	switch (e->kind) {
	case CONF_OPT_MSS:
	case CONF_OPT_WSCALE:
		return e->v1 == CONF_ANY || e->v1 == g->v1;
	case CONF_OPT_TS:
		return e->v2 == CONF_ANY || e->v2 == g->v2; /* val: not compared */
	case CONF_OPT_SACK:
		if (e->nsack != g->nsack)
			return false;
		for (unsigned i = 0; i < e->nsack; i++)
			if (e->sack[i][0] != g->sack[i][0] || e->sack[i][1] != g->sack[i][1])
				return false;
		return true;
	case CONF_OPT_EXP:
		return e->raw_kind == g->raw_kind && e->raw_len == g->raw_len &&
		       memcmp(e->raw, g->raw, e->raw_len) == 0;
	default:
		return true;
	}
}

static int compare_opts(struct runner *r, const struct conf_seg *e, const struct conf_wire *w,
			char *why, size_t len)
{
	bool used[12] = {false};
	unsigned ne = 0, ng = 0;

	(void)r;
	for (unsigned i = 0; i < w->nopt; i++)
		ng += w->opt[i].kind != CONF_OPT_NOP && w->opt[i].kind != CONF_OPT_EOL;
	if (e->opts_any)
		return 0;
	if (!e->has_opts) {
		if (ng != 0)
			snprintf(why, len, "options: expected none, got %u", ng);
		return ng != 0 ? -1 : 0;
	}
	for (unsigned i = 0; i < e->nopt; i++) {
		const struct conf_opt *o = &e->opt[i];
		bool found = false;

		if (o->kind == CONF_OPT_NOP || o->kind == CONF_OPT_EOL)
			continue;
		ne++;
		for (unsigned j = 0; j < w->nopt && !found; j++)
			if (!used[j] && opt_matches(o, &w->opt[j]))
				found = used[j] = true;
		if (!found) {
			struct conf_seg one = {.has_opts = true, .nopt = 1};

			one.opt[0] = *o;
			conf_seg_fmt(&one, why, len);
			memmove(why, why + 1, strlen(why)); /* drop the flag-less leading blank */
			snprintf(why + strlen(why), len - strlen(why), " missing or different");
			return -1;
		}
	}
	if (ne != ng) {
		snprintf(why, len, "options: expected %u, got %u", ne, ng);
		return -1;
	}
	return 0;
}

static int check_out(struct runner *r, const struct conf_event *ev, const struct sent *x)
{
	const struct conf_seg *e = &ev->seg;
	const struct conf_wire *w = &x->w;
	struct flow *f;
	char why[256] = "", exp[256], got[320];
	uint32_t rel;

	if (!w->cksum_ok)
		snprintf(why, sizeof(why), "bad TCP checksum");
	else if (memcmp(w->src, r->lip, r->s->ipv6 ? 16 : 4) != 0 ||
		 memcmp(w->dst, r->rip, r->s->ipv6 ? 16 : 4) != 0)
		snprintf(why, sizeof(why), "addresses are not local > remote");
	if (why[0] == 0 && r->lport == 0 && (w->flags & CONF_F_SYN))
		r->lport = w->sport; /* an active open: learn our port */
	if (why[0] == 0 && (w->sport != r->lport || w->dport != r->rport))
		snprintf(why, sizeof(why), "ports: expected %u>%u, got %u>%u", r->lport, r->rport,
			 w->sport, w->dport);
	f = why[0] == 0 ? flow_get(r, w->sport, w->dport, true) : NULL;
	if (why[0] == 0 && f == NULL)
		snprintf(why, sizeof(why), "too many flows");
	if (why[0] == 0 && (!f->isn_known || (f->ended && (w->flags & CONF_F_SYN)))) {
		f->ended = false;
		f->isn = w->seq - e->seq;
		f->isn_known = true;
	}
	if (why[0] == 0) {
		rel = w->seq - f->isn;
		if ((w->flags & ~CONF_F_PSH) != (e->flags & ~CONF_F_PSH))
			snprintf(why, sizeof(why), "flags differ");
		else if (rel != e->seq)
			snprintf(why, sizeof(why), "seq: expected %u, got %u", e->seq, rel);
		else if (w->paylen != e->len)
			snprintf(why, sizeof(why), "length: expected %u, got %u", e->len,
				 w->paylen);
		else if (e->has_ack && w->ack != e->ack)
			snprintf(why, sizeof(why), "ack: expected %u, got %u", e->ack, w->ack);
		else if (e->win != CONF_ANY && w->win != e->win)
			snprintf(why, sizeof(why), "win: expected %" PRIu64 ", got %u", e->win,
				 w->win);
		else
			compare_opts(r, e, w, why, sizeof(why));
	}
	if (why[0] != 0) {
		conf_seg_fmt(e, exp, sizeof(exp));
		describe(r, x, got, sizeof(got));
		return fail_at(r,
			       "outbound segment mismatch (%s)\n  expected: > %s\n  got:      %s",
			       why, exp, got);
	}
	if (w->flags & (CONF_F_FIN | CONF_F_RST))
		f->ended = true;
	for (unsigned i = 0; i < w->nopt; i++)
		if (w->opt[i].kind == CONF_OPT_TS) {
			f->ts_known = true;
			f->last_tsval = (uint32_t)w->opt[i].v1;
		}
	return 0;
}

static int do_out(struct runner *r, const struct conf_event *ev)
{
	int64_t tol = r->s->tolerance_ns;
	uint64_t lo, hi, want_lo, want_hi;
	struct sent x;
	int rc;

	want_lo = r->t0 + (uint64_t)(ev->t_ns + r->shift);
	want_hi = r->t0 + (uint64_t)(ev->t_end_ns + r->shift);
	if (ev->t_any) {
		lo = 0;
		hi = ursa_now(r->lc) + 3600ull * URSA_NS_PER_S;
	} else {
		lo = want_lo > (uint64_t)tol ? want_lo - (uint64_t)tol : 0;
		hi = want_hi + (uint64_t)tol;
	}
	if (r->nq == 0 && poll_idle(r) != 0)
		return -1;
	while (r->nq == 0) {
		uint64_t now = ursa_now(r->lc), next;

		if (now >= hi)
			break;
		next = ursa_timer_next(r->lc);
		if (next > hi)
			next = hi;
		if (next <= now)
			next = now + 1;
		ursa_clock_set(&r->lc->clock, next);
		if (poll_idle(r) != 0)
			return -1;
	}
	if (r->nq == 0) {
		char exp[256];

		conf_seg_fmt(&ev->seg, exp, sizeof(exp));
		return fail_at(r, "expected outbound segment not sent by %.6f s\n  expected: > %s",
			       script_secs(r, hi), exp);
	}
	x = r->q[0];
	memmove(&r->q[0], &r->q[1], (r->nq - 1) * sizeof(r->q[0]));
	r->nq--;
	if ((rc = check_out(r, ev, &x)) != 0)
		return rc;
	if (x.t < lo) {
		char got[320];

		describe(r, &x, got, sizeof(got));
		return fail_at(r,
			       "outbound segment too early: expected at %.6f s (+-%.3f ms), "
			       "sent at %.6f s\n  got: %s",
			       script_secs(r, want_lo), (double)tol / 1e6, script_secs(r, x.t),
			       got);
	}
	/* Later events are timed from when this one really happened (as packetdrill adjusts
	 * relative times after a packet within tolerance, and after a '*' or a range). */
	r->shift = (int64_t)(x.t - r->t0) - ev->t_ns;
	return 0;
}

/* ---- inbound ---- */

/* An ICMP error kind in the family's own type and code. */
static bool icmp_code_of(const char *kind, bool v6, uint8_t *type, uint8_t *code)
{
	static const struct {
		const char *kind;
		uint8_t t4, c4, t6, c6; /* t6 0: no ICMPv6 equivalent */
	} map[] = {
		{"frag_needed", 3, 4, 2, 0},	  {"packet_too_big", 3, 4, 2, 0},
		{"port_unreachable", 3, 3, 1, 4}, {"protocol_unreachable", 3, 2, 0, 0},
		{"host_unreachable", 3, 1, 1, 3}, {"net_unreachable", 3, 0, 1, 0},
		{"time_exceeded", 11, 0, 3, 0},
	};

	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(kind, map[i].kind) == 0) {
			*type = v6 ? map[i].t6 : map[i].t4;
			*code = v6 ? map[i].c6 : map[i].c4;
			return *type != 0;
		}
	return false;
}

/* "< icmp ...": the remote (as a router would) reports an error about a segment of ours. */
static int do_icmp(struct runner *r, const struct conf_event *ev)
{
	const struct conf_seg *e = &ev->seg;
	struct flow *f = flow_get(r, r->lport, r->rport, false);
	struct conf_wire w, q;
	struct rte_mbuf *m;
	uint8_t type, code;

	if (f == NULL || !f->isn_known)
		return fail_at(r, "ICMP about a segment of a flow the stack has not sent on");
	if (!icmp_code_of(e->icmp_kind, r->s->ipv6, &type, &code))
		return fail_at(r, "no such ICMP error in this family");
	memset(&w, 0, sizeof(w));
	w.ipv6 = r->s->ipv6;
	memcpy(w.src, r->rip, 16);
	memcpy(w.dst, r->lip, 16);
	q = w;
	memcpy(q.src, r->lip, 16);
	memcpy(q.dst, r->rip, 16);
	q.sport = r->lport;
	q.dport = r->rport;
	q.flags = CONF_F_ACK;
	q.seq = e->seq + f->isn;
	q.win = 65535;
	q.paylen = e->len;
	m = conf_pkt_build_icmp(r->lc, r->rmac, r->lmac, &w, &q, type, code, e->icmp_mtu);
	if (m == NULL)
		return fail_at(r, "cannot build the ICMP error");
	ursa_port_mem_inject(&r->lc->ports[0], &m, 1);
	return poll_idle(r);
}

static int do_in(struct runner *r, const struct conf_event *ev)
{
	const struct conf_seg *e = &ev->seg;
	struct flow *f;
	struct conf_wire w;
	struct rte_mbuf *m;

	if (r->lport == 0)
		return fail_at(r, "inbound segment but the local port is not known yet "
				  "(bind or connect first)");
	if (e->icmp)
		return do_icmp(r, ev);
	f = flow_get(r, r->lport, r->rport, true);
	if (f != NULL && (e->flags & (CONF_F_FIN | CONF_F_RST)))
		f->ended = true;
	memset(&w, 0, sizeof(w));
	w.ipv6 = r->s->ipv6;
	memcpy(w.src, r->rip, 16);
	memcpy(w.dst, r->lip, 16);
	w.sport = r->rport;
	w.dport = r->lport;
	w.flags = e->flags;
	w.seq = e->seq;
	w.ack = e->ack + (f != NULL && f->isn_known ? f->isn : 0);
	w.win = (uint16_t)(e->win == CONF_ANY ? 65535 : e->win);
	w.paylen = e->len;
	w.nopt = e->nopt;
	memcpy(w.opt, e->opt, sizeof(e->opt));
	for (unsigned i = 0; i < w.nopt; i++) {
		struct conf_opt *o = &w.opt[i];

		if ((o->kind == CONF_OPT_MSS || o->kind == CONF_OPT_WSCALE ||
		     o->kind == CONF_OPT_TS) &&
		    (o->v1 == CONF_ANY || o->v2 == CONF_ANY))
			return fail_at(r, "'*' is only for outbound segments");
		if (o->kind == CONF_OPT_TS && o->v2 != 0)
			o->v2 = f != NULL && f->ts_known ? f->last_tsval : o->v2;
		if (o->kind == CONF_OPT_SACK && f != NULL && f->isn_known)
			for (unsigned j = 0; j < o->nsack; j++) {
				o->sack[j][0] += f->isn;
				o->sack[j][1] += f->isn;
			}
	}
	m = conf_pkt_build(r->lc, r->rmac, r->lmac, &w);
	if (m == NULL)
		return fail_at(r,
			       "cannot build the inbound frame (no mbuf, or options > 40 bytes)");
	ursa_port_mem_inject(&r->lc->ports[0], &m, 1);
	return poll_idle(r);
}

/* ---- calls ---- */

static int arg_int(struct runner *r, const struct conf_call *c, unsigned i, int64_t *v)
{
	if (i >= c->nargs)
		return fail_at(r, "%s: argument %u missing", c->name, i + 1);
	if (c->args[i].kind == CONF_ARG_STR)
		return fail_at(r, "%s: unknown constant '%s'", c->name, c->args[i].str);
	if (c->args[i].kind != CONF_ARG_INT)
		return fail_at(r, "%s: argument %u must be a number", c->name, i + 1);
	*v = c->args[i].i;
	return 0;
}

static int arg_fd(struct runner *r, const struct conf_call *c, int *fd)
{
	int64_t v;

	if (arg_int(r, c, 0, &v) != 0)
		return -1;
	*fd = (int)v - FD_BASE;
	return 0;
}

static socklen_t make_sa(struct runner *r, const uint8_t *ip, uint16_t port,
			 struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (r->s->ipv6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (ip != NULL)
			memcpy(&a->sin6_addr, ip, 16);
		return sizeof(*a);
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	if (ip != NULL)
		memcpy(&a4->sin_addr, ip, 4);
	return sizeof(*a4);
}

static int do_call(struct runner *r, const struct conf_event *ev)
{
	const struct conf_call *c = &ev->call;
	struct ursa_lcore *lc = r->lc;
	struct sockaddr_storage ss;
	socklen_t sl;
	int64_t a1 = 0, a2 = 0, a3 = 0;
	int64_t ret;
	int fd = -1;
	bool is_fd_result = false;

	if (strcmp(c->name, "sleep") == 0) {
		/* sleep() = 0: nothing but the passing of time up to this line */
		ret = 0;
	} else if (strcmp(c->name, "socket") == 0) {
		/* "..." as the family: the script's (AF_INET, or AF_INET6 with family=ipv6) */
		if (c->nargs > 0 && c->args[0].kind == CONF_ARG_ELLIPSIS)
			a1 = r->s->ipv6 ? AF_INET6 : AF_INET;
		else if (arg_int(r, c, 0, &a1))
			return -1;
		if (arg_int(r, c, 1, &a2) || arg_int(r, c, 2, &a3))
			return -1;
		ret = ursa_socket(lc, (int)a1, (int)a2, (int)a3);
		is_fd_result = true;
	} else if (arg_fd(r, c, &fd) != 0) {
		return -1;
	} else if (strcmp(c->name, "bind") == 0) {
		sl = make_sa(r, NULL, BIND_PORT, &ss);
		ret = ursa_bind(lc, fd, (struct sockaddr *)&ss, sl);
		if (ret == 0) {
			r->lport = BIND_PORT;
		}
	} else if (strcmp(c->name, "listen") == 0) {
		if (arg_int(r, c, 1, &a1))
			return -1;
		ret = ursa_listen(lc, fd, (int)a1);
	} else if (strcmp(c->name, "accept") == 0) {
		sl = sizeof(ss);
		ret = ursa_accept(lc, fd, (struct sockaddr *)&ss, &sl);
		is_fd_result = true;
	} else if (strcmp(c->name, "connect") == 0) {
		sl = make_sa(r, r->rip, BIND_PORT, &ss);
		if (r->lport == 0 || r->rport != BIND_PORT) {
			r->rport = BIND_PORT;
			r->lport = 0; /* learnt from the SYN */
		}
		ret = ursa_connect(lc, fd, (struct sockaddr *)&ss, sl);
		if (r->lport == 0) {
			struct sockaddr_storage me;
			socklen_t ml = sizeof(me);

			/* sin_port and sin6_port are at the same offset */
			if (ursa_getsockname(lc, fd, (struct sockaddr *)&me, &ml) == 0)
				r->lport = ntohs(((struct sockaddr_in *)&me)->sin_port);
		}
	} else if (strcmp(c->name, "write") == 0 || strcmp(c->name, "send") == 0) {
		if (arg_int(r, c, 2, &a1))
			return -1;
		if (a1 < 0 || a1 > MAX_IO)
			return fail_at(r, "%s: length out of range", c->name);
		for (int64_t i = 0; i < a1; i++)
			r->io[i] = (uint8_t)('A' + i % 26);
		ret = ursa_send(lc, fd, r->io, (size_t)a1, 0);
	} else if (strcmp(c->name, "read") == 0 || strcmp(c->name, "recv") == 0) {
		if (arg_int(r, c, 2, &a1))
			return -1;
		if (a1 < 0 || a1 > MAX_IO)
			return fail_at(r, "%s: length out of range", c->name);
		if (c->nargs > 3 && arg_int(r, c, 3, &a2))
			return -1;
		ret = ursa_recv(lc, fd, r->io, (size_t)a1, (int)a2);
	} else if (strcmp(c->name, "shutdown") == 0) {
		if (arg_int(r, c, 1, &a1))
			return -1;
		ret = ursa_shutdown(lc, fd, (int)a1);
	} else if (strcmp(c->name, "close") == 0) {
		ret = ursa_close(lc, fd);
	} else if (strcmp(c->name, "setsockopt") == 0) {
		if (arg_int(r, c, 1, &a1) || arg_int(r, c, 2, &a2))
			return -1;
		if (c->nargs < 4)
			return fail_at(r, "setsockopt: value missing");
		if (c->args[3].kind == CONF_ARG_LINGER) {
			struct linger l = {.l_onoff = (int)c->args[3].onoff,
					   .l_linger = (int)c->args[3].linger};

			ret = ursa_setsockopt(lc, fd, (int)a1, (int)a2, &l, sizeof(l));
		} else {
			int v;

			if (arg_int(r, c, 3, &a3))
				return -1;
			v = (int)a3;
			ret = ursa_setsockopt(lc, fd, (int)a1, (int)a2, &v, sizeof(v));
		}
	} else if (strcmp(c->name, "getsockopt") == 0) {
		int v = 0;
		socklen_t vl = sizeof(v);

		if (arg_int(r, c, 1, &a1) || arg_int(r, c, 2, &a2))
			return -1;
		ret = ursa_getsockopt(lc, fd, (int)a1, (int)a2, &v, &vl);
		if (ret == 0 && c->nargs > 3 && c->args[3].kind == CONF_ARG_INT &&
		    v != c->args[3].i)
			return fail_at(r, "getsockopt value: expected %" PRId64 ", got %d",
				       c->args[3].i, v);
	} else if (strcmp(c->name, "fcntl") == 0) {
		/* every ursa socket is non-blocking already */
		if (arg_int(r, c, 1, &a1))
			return -1;
		ret = a1 == F_GETFL ? (O_RDWR | O_NONBLOCK) : 0;
		if (ursa_getsockopt(lc, fd, SOL_SOCKET, SO_ERROR, &(int){0},
				    &(socklen_t){sizeof(int)}) == -EBADF)
			ret = -EBADF;
	} else if (strcmp(c->name, "poll_events") == 0) {
		/* poll_events(fd, EVENTS) = REVENTS: one ursa_sock_poll() look, no waiting */
		struct ursa_pollfd p = {.fd = fd};

		if (arg_int(r, c, 1, &a1))
			return -1;
		p.events = (short)a1;
		ursa_sock_poll(lc, &p, 1);
		ret = p.revents;
	} else {
		return fail_at(r, "unknown call '%s'", c->name);
	}
	if (r->verbose)
		fprintf(stderr, "  %s() = %" PRId64 "%s%s\n", c->name,
			is_fd_result && ret >= 0 ? ret + FD_BASE : ret, ret < 0 ? " " : "",
			ret < 0 ? conf_errno_name((int)-ret) : "");
	if (c->ret_any)
		return 0;
	if (c->ret == -1) {
		if (ret >= 0)
			return fail_at(r, "%s: expected -1 %s, got %" PRId64, c->name,
				       conf_errno_name(c->err), is_fd_result ? ret + FD_BASE : ret);
		if (-ret != c->err)
			return fail_at(r, "%s: expected -1 %s, got -1 %s", c->name,
				       conf_errno_name(c->err), conf_errno_name((int)-ret));
		return 0;
	}
	if (ret < 0)
		return fail_at(r, "%s: expected %" PRId64 ", got -1 %s", c->name, c->ret,
			       conf_errno_name((int)-ret));
	if (is_fd_result)
		ret += FD_BASE;
	if (ret != c->ret)
		return fail_at(r, "%s: expected %" PRId64 ", got %" PRId64, c->name, c->ret, ret);
	return 0;
}

/* ---- main ---- */

static int run(struct runner *r)
{
	for (unsigned i = 0; i < r->s->nev; i++) {
		const struct conf_event *ev = &r->s->ev[i];
		uint64_t t = r->t0 + (uint64_t)(ev->t_ns + r->shift);
		int rc = 0;

		r->line = ev->line;
		if (ev->kind != CONF_EV_OUT) {
			if (advance_to(r, t) != 0)
				return -1;
			if (no_unexpected(r, ev->kind == CONF_EV_IN ? "this inbound segment"
								    : "this line") != 0)
				return -1;
		}
		switch (ev->kind) {
		case CONF_EV_IN:
			rc = do_in(r, ev);
			break;
		case CONF_EV_OUT:
			rc = do_out(r, ev);
			break;
		case CONF_EV_CALL:
			rc = do_call(r, ev);
			if (rc == 0)
				rc = poll_idle(r); /* what the call sent, sent now */
			break;
		case CONF_EV_SET:
			if (strcmp(ev->key, "remote_port") == 0) {
				r->rport = (uint16_t)ev->val;
				if (r->lport == 0)
					r->lport = BIND_PORT;
			} else if (strcmp(ev->key, "local_port") == 0) {
				r->lport = (uint16_t)ev->val;
			}
			break;
		}
		if (rc != 0)
			return rc;
	}
	/* what was sent together with the last event must have been expected too */
	if (poll_idle(r) != 0)
		return -1;
	return no_unexpected(r, "the end of the script");
}

int main(int argc, char **argv)
{
	struct conf_script *script = malloc(sizeof(*script)); /* large: not on the stack */
	struct runner r = {.s = script};
	char err[256];
	int rc = 1, argi = 1;

	if (argc > argi && strcmp(argv[argi], "-v") == 0) {
		r.verbose = true;
		argi++;
	}
	if (argc != argi + 1) {
		fprintf(stderr, "usage: %s [-v] script.pkt\n", argv[0]);
		free(script);
		return 2;
	}
	r.io = malloc(MAX_IO);
	if (script == NULL || r.io == NULL)
		goto out_free;
	if (conf_script_load(argv[argi], script, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", argv[argi], err);
		goto out_free;
	}
	if (setup(&r) != 0)
		goto out_destroy;
	rc = run(&r);
	if (rc == 0)
		printf("%s: PASS (%u events)\n", argv[argi], script->nev);
out_destroy:
	if (r.lc != NULL)
		ursa_lcore_destroy(r.lc);
out_free:
	free(r.io);
	free(script);
	return rc == 0 ? 0 : 1;
}
