/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control commands (protocol: ctl.h): each names its effect class, and writes its answer
 * as one JSON value. Reads look at the shards from the main lcore's thread: a shard's tables
 * change only in its own thread, so a listing of another shard is a snapshot that may be a
 * moment old (counters are 64-bit words, read whole). Writes reach every shard through
 * ctl_apply (the stack's command rings); destructive commands act where the target lives.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_log.h>

#include "ctl.h"

int ctl_write_ipaddr(FILE *f, const struct ursa_ipaddr *a)
{
	char ip[64];

	return fprintf(f, "\"%s\"", a->family ? ursa_ipaddr_fmt(a, ip, sizeof(ip)) : "");
}

int ctl_apply(struct ctl_req *r, int (*fn)(struct ursa_lcore *lc, const void *arg), const void *arg,
	      size_t len)
{
	const struct ursad_ctl_env *env = ctl_env(r->ctl);
	int rc;

	if (env->st == NULL)
		return fn(env->lc, arg);
	if ((rc = ursa_stack_exec(env->st, fn, arg, len, &r->cl->ticket)) != 0)
		return rc;
	r->cl->pending = true;
	return CTL_DEFER;
}

/* After a stack call that returned a ticket: wait for it, or the lone lcore's result. */
static int ctl_ticket(struct ctl_req *r, int rc)
{
	if (rc != 0 || ctl_env(r->ctl)->st == NULL)
		return rc;
	r->cl->pending = true;
	return CTL_DEFER;
}

static int need_args(struct ctl_req *r, int n, const char *usage)
{
	if (r->argc != n + 1)
		return ctl_err(r, "usage: %s %s", r->argv[0], usage);
	return 0;
}

/* Clear the bits past plen (the network of a connected route). */
static void ipaddr_mask(struct ursa_ipaddr *a, unsigned plen)
{
	uint8_t *b = a->family == AF_INET ? (uint8_t *)&a->v4 : a->v6;
	unsigned nbytes = a->family == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < nbytes; i++) {
		unsigned keep = plen >= 8 * (i + 1) ? 8 : plen > 8 * i ? plen - 8 * i : 0;

		b[i] &= (uint8_t)(0xff00u >> keep);
	}
}

/* ---- read ---------------------------------------------------------------------------- */

static int cmd_help(struct ctl_req *r)
{
	fputc('[', r->out);
	for (unsigned i = 0; i < ctl_nb_cmds; i++)
		fprintf(r->out,
			"%s{\"command\": \"%s\", \"class\": \"%s\", \"args\": \"%s\", "
			"\"help\": \"%s\"}",
			i ? ", " : "", ctl_cmds[i].name, ctl_class_names[ctl_cmds[i].cls],
			ctl_cmds[i].args, ctl_cmds[i].help);
	fputc(']', r->out);
	return 0;
}

struct stats_json {
	FILE *f;
	const char *cur;
};

static void stats_cb(const char *block, const char *name, uint64_t val, void *arg)
{
	struct stats_json *j = arg;

	if (j->cur == NULL || strcmp(j->cur, block) != 0) {
		fprintf(j->f, "%s\"%s\": {", j->cur ? "}, " : "", block);
		j->cur = block;
	} else {
		fputs(", ", j->f);
	}
	fprintf(j->f, "\"%s\": %" PRIu64, name, val);
}

static int cmd_stats(struct ctl_req *r)
{
	fputs("{\"shards\": [", r->out);
	for (uint16_t s = 0; s < ctl_nb_shards(r->ctl); s++) {
		struct stats_json j = {.f = r->out};
		const struct ursa_lcore *lc = ctl_shard(r->ctl, s);

		fprintf(r->out, "%s{\"shard\": %u, \"lcore\": %u, \"ports\": [", s ? ", " : "", s,
			lc->lcore_id);
		for (uint16_t i = 0; i < lc->nb_ports; i++) {
			const struct ursa_port_counters *c = &lc->ports[i].c;

			fprintf(r->out,
				"%s{\"port\": %u, \"name\": \"%s\", \"rx_pkts\": %" PRIu64
				", \"rx_bytes\": %" PRIu64 ", \"tx_pkts\": %" PRIu64
				", \"tx_bytes\": %" PRIu64 ", \"tx_full_drop\": %" PRIu64 "}",
				i ? ", " : "", i, lc->ports[i].name, c->rx_pkts, c->rx_bytes,
				c->tx_pkts, c->tx_bytes, c->tx_full_drop);
		}
		fputs("], \"counters\": {", r->out);
		ursa_stats_foreach(lc, stats_cb, &j);
		fputs(j.cur ? "}}}" : "}}", r->out);
	}
	fputs("]}", r->out);
	return 0;
}

static void iface_json(FILE *f, const struct ursa_iface *ifc)
{
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	bool first = true;

	rte_ether_format_addr(mac, sizeof(mac), &ifc->mac);
	fprintf(f,
		"{\"index\": %u, \"port\": %u, \"vlan\": %u, \"tenant\": %u, \"mtu\": %u, "
		"\"mac\": \"%s\", \"removed\": %s, \"addrs\": [",
		ifc->index, ifc->port, ifc->vlan, ifc->tenant, ifc->mtu, mac,
		ifc->removed ? "true" : "false");
	for (unsigned k = 0; k < ifc->n4 + ifc->n6; k++) {
		const struct ursa_iface_addr *a = k < ifc->n4 ? &ifc->v4[k] : &ifc->v6[k - ifc->n4];
		char ip[64];

		fprintf(f, "%s\"%s/%u\"", first ? "" : ", ",
			ursa_ipaddr_fmt(&a->addr, ip, sizeof(ip)), a->plen);
		first = false;
	}
	fputs("]}", f);
}

/* Interfaces as shard 0 has them (every shard has the same replica). */
static int cmd_interfaces(struct ctl_req *r)
{
	struct ursa_lcore *lc = ctl_shard(r->ctl, 0);

	fputc('[', r->out);
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		fputs(i ? ", " : "", r->out);
		iface_json(r->out, &lc->ifaces[i]);
	}
	fputc(']', r->out);
	return 0;
}

struct walk_json {
	FILE *f;
	unsigned n;
	uint16_t shard;
};

static void neigh_cb(const struct ursa_iface *ifc, const struct ursa_ipaddr *a,
		     const struct rte_ether_addr *mac, enum ursa_neigh_state st, void *arg)
{
	struct walk_json *j = arg;
	char m[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(m, sizeof(m), mac);
	fprintf(j->f, "%s{\"shard\": %u, \"iface\": %u, \"addr\": ", j->n++ ? ", " : "", j->shard,
		ifc->index);
	ctl_write_ipaddr(j->f, a);
	fprintf(j->f, ", \"mac\": \"%s\", \"state\": \"%s\"}", m, ursa_neigh_state_name(st));
}

static int cmd_neighbours(struct ctl_req *r)
{
	struct walk_json j = {.f = r->out};

	fputc('[', r->out);
	for (j.shard = 0; j.shard < ctl_nb_shards(r->ctl); j.shard++)
		ursa_neigh_walk(ctl_shard(r->ctl, j.shard), neigh_cb, &j);
	fputc(']', r->out);
	return 0;
}

static void route_cb(uint32_t tenant, const struct ursa_ipaddr *prefix, uint8_t plen,
		     const struct ursa_ipaddr *gw, uint16_t iface, void *arg)
{
	struct walk_json *j = arg;
	char ip[64];

	fprintf(j->f, "%s{\"type\": \"static\", \"tenant\": %u, \"dst\": \"%s/%u\", \"via\": ",
		j->n++ ? ", " : "", tenant, ursa_ipaddr_fmt(prefix, ip, sizeof(ip)), plen);
	ctl_write_ipaddr(j->f, gw);
	fprintf(j->f, ", \"iface\": %u}", iface);
}

/* Connected routes (from the interfaces' addresses), then the static ones, of shard 0. */
static int cmd_routes(struct ctl_req *r)
{
	struct ursa_lcore *lc = ctl_shard(r->ctl, 0);
	struct walk_json j = {.f = r->out};

	fputc('[', r->out);
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		const struct ursa_iface *ifc = &lc->ifaces[i];

		for (unsigned k = 0; !ifc->removed && k < ifc->n4 + ifc->n6; k++) {
			const struct ursa_iface_addr *a =
				k < ifc->n4 ? &ifc->v4[k] : &ifc->v6[k - ifc->n4];
			struct ursa_ipaddr net = a->addr;
			char ip[64];

			ipaddr_mask(&net, a->plen);
			fprintf(r->out,
				"%s{\"type\": \"connected\", \"tenant\": %u, \"dst\": \"%s/%u\", "
				"\"via\": \"\", \"iface\": %u}",
				j.n++ ? ", " : "", ifc->tenant,
				ursa_ipaddr_fmt(&net, ip, sizeof(ip)), a->plen, ifc->index);
		}
	}
	ursa_ip_route_walk(lc, route_cb, &j);
	fputc(']', r->out);
	return 0;
}

static void tcp_cb(const struct ursa_tcp_pcb *pcb, void *arg)
{
	struct walk_json *j = arg;
	struct ursa_ipaddr la = {0}, fa = {0};
	struct ursa_tcp_info ti = {0};
	uint16_t lp = 0, fp = 0;

	ursa_tcp_local(pcb, &la, &lp);
	ursa_tcp_peer(pcb, &fa, &fp);
	ursa_tcp_get_info(pcb, &ti);
	fprintf(j->f, "%s{\"shard\": %u, \"state\": \"%s\", \"tenant\": %u, \"local\": ",
		j->n++ ? ", " : "", j->shard, ursa_tcp_state_name(ursa_tcp_get_state(pcb)),
		ursa_tcp_tenant(pcb));
	ctl_write_ipaddr(j->f, &la);
	fprintf(j->f, ", \"lport\": %u, \"peer\": ", lp);
	ctl_write_ipaddr(j->f, &fa);
	fprintf(j->f,
		", \"pport\": %u, \"send_q\": %u, \"recv_q\": %u, \"cwnd\": %u, "
		"\"srtt_us\": %u, \"retransmits\": %" PRIu64 "}",
		fp, ti.sndbuf_used, ti.rcvbuf_used, ti.cwnd, ti.srtt_us, ti.retransmits);
}

static void qp_cb(struct ursa_roce_qp *qp, void *arg)
{
	struct walk_json *j = arg;
	struct ursa_rdma_qp_attr a = {0};

	ursa_roce_qp_query(qp, &a);
	fprintf(j->f,
		"%s{\"shard\": %u, \"qpn\": %u, \"state\": \"%s\", \"dest_qpn\": %u, "
		"\"sport\": %u, \"path_mtu\": %u}",
		j->n++ ? ", " : "", j->shard, ursa_roce_qp_num(qp),
		ursa_rdma_qp_state_str(a.qp_state), a.dest_qp_num, ursa_roce_qp_sport(qp),
		a.path_mtu);
}

/* The kinds of connection "connections" lists, one member each. A new kind (SMC link groups
 * and their connections, with fallback reasons) adds a row here. */
static void walk_tcp(struct ursa_lcore *lc, struct walk_json *j)
{
	ursa_tcp_walk(lc, tcp_cb, j);
}

static void walk_qps(struct ursa_lcore *lc, struct walk_json *j)
{
	ursa_roce_qp_walk(lc, qp_cb, j);
}

static const struct conn_kind {
	const char *name;
	void (*walk)(struct ursa_lcore *lc, struct walk_json *j);
} conn_kinds[] = {
	{"tcp", walk_tcp},
	{"qps", walk_qps},
};

static int cmd_connections(struct ctl_req *r)
{
	fputc('{', r->out);
	for (unsigned k = 0; k < RTE_DIM(conn_kinds); k++) {
		struct walk_json j = {.f = r->out};

		fprintf(r->out, "%s\"%s\": [", k ? ", " : "", conn_kinds[k].name);
		for (j.shard = 0; j.shard < ctl_nb_shards(r->ctl); j.shard++)
			conn_kinds[k].walk(ctl_shard(r->ctl, j.shard), &j);
		fputc(']', r->out);
	}
	fputc('}', r->out);
	return 0;
}

static const char *const dir_names[] = {"rx", "tx", "both"};

static int cmd_settings(struct ctl_req *r)
{
	const struct ursad_conf *c = ctl_env(r->ctl)->conf;
	struct ursa_wait_policy pol;

	ursa_lcore_get_wait_policy(ctl_shard(r->ctl, 0), &pol);
	fprintf(r->out,
		"{\"shards\": %u, \"destructive_unlocked\": %s, \"log_level\": %u, "
		"\"busy_polls\": %" PRIu64 ", \"nap_max_ns\": %" PRIu64 ", \"faults\": [",
		ctl_nb_shards(r->ctl), c->ctl_unlock_destructive ? "true" : "false",
		rte_log_get_global_level(), pol.busy_polls, pol.nap_max_ns);
	for (unsigned i = 0; i < c->nb_faults; i++) {
		const struct ursad_fault_conf *f = &c->faults[i];

		fprintf(r->out,
			"%s{\"port\": %u, \"dir\": \"%s\", \"drop\": %g, \"dup\": %g, "
			"\"reorder\": %g, \"window\": %u, \"corrupt\": %g, \"delay_ns\": %" PRIu64
			", \"jitter_ns\": %" PRIu64 ", \"seed\": %" PRIu64 "}",
			i ? ", " : "", f->port, dir_names[f->rx && f->tx ? 2 : f->tx], f->conf.drop,
			f->conf.dup, f->conf.reorder, f->conf.reorder_window, f->conf.corrupt,
			f->conf.delay_ns, f->conf.jitter_ns, f->conf.seed);
	}
	fputs("]}", r->out);
	return 0;
}

/* ---- write ----------------------------------------------------------------------------- */

struct fault_cmd {
	uint16_t port;
	bool rx, tx, off;
	struct ursa_fault_conf conf;
};

static int apply_fault(struct ursa_lcore *lc, const void *arg)
{
	const struct fault_cmd *f = arg;
	struct ursa_port *p = &lc->ports[f->port];
	const struct ursa_fault_conf *conf = f->off ? NULL : &f->conf;
	int rc = 0;

	if (f->rx)
		rc = ursa_port_set_fault(lc, p, URSA_DIR_RX, conf);
	if (rc == 0 && f->tx)
		rc = ursa_port_set_fault(lc, p, URSA_DIR_TX, conf);
	return rc;
}

/* Keep ursad's record of the faults (what settings shows) in step. */
static void record_fault(struct ursad_conf *c, const struct fault_cmd *f)
{
	for (unsigned i = 0; i < c->nb_faults;) {
		struct ursad_fault_conf *e = &c->faults[i];

		if (e->port == f->port) {
			e->rx &= !f->rx;
			e->tx &= !f->tx;
		}
		if (!e->rx && !e->tx)
			*e = c->faults[--c->nb_faults];
		else
			i++;
	}
	if (!f->off && c->nb_faults < URSAD_MAX_FAULTS)
		c->faults[c->nb_faults++] = (struct ursad_fault_conf){
			.port = f->port, .rx = f->rx, .tx = f->tx, .conf = f->conf};
}

/* fault PORT rx|tx|both off|SPEC (SPEC as --fault's after port=, e.g. drop=0.1,seed=3) */
static int cmd_fault(struct ctl_req *r)
{
	struct ursad_conf *c = ctl_env(r->ctl)->conf;
	struct fault_cmd f = {0};
	uint64_t port;
	char err[128];
	int rc;

	if ((rc = need_args(r, 3, "PORT rx|tx|both off|SPEC")) != 0)
		return rc;
	if (ursa_spec_u64(r->argv[1], UINT16_MAX, &port) != 0 ||
	    port >= ctl_shard(r->ctl, 0)->nb_ports)
		return ctl_err(r, "no port '%s'", r->argv[1]);
	f.port = (uint16_t)port;
	f.rx = strcmp(r->argv[2], "rx") == 0 || strcmp(r->argv[2], "both") == 0;
	f.tx = strcmp(r->argv[2], "tx") == 0 || strcmp(r->argv[2], "both") == 0;
	if (!f.rx && !f.tx)
		return ctl_err(r, "direction '%s': rx, tx or both", r->argv[2]);
	f.off = strcmp(r->argv[3], "off") == 0;
	if (!f.off && ursa_fault_parse(r->argv[3], &f.conf, err, sizeof(err)) != 0)
		return ctl_err(r, "fault '%s': %s", r->argv[3], err);
	rc = ctl_apply(r, apply_fault, &f, sizeof(f));
	if (rc >= 0)
		record_fault(c, &f);
	return rc;
}

static const char *const level_names[] = {"",	     "emerg",  "alert", "crit", "err",
					  "warning", "notice", "info",	"debug"};

/* log-level emerg|...|debug|1..8: EAL's global level (one for the whole process). */
static int cmd_log_level(struct ctl_req *r)
{
	uint64_t v = 0;
	int rc;

	if ((rc = need_args(r, 1, "emerg|alert|crit|err|warning|notice|info|debug|1..8")) != 0)
		return rc;
	for (unsigned i = 1; i < RTE_DIM(level_names); i++)
		if (strcmp(r->argv[1], level_names[i]) == 0)
			v = i;
	if (v == 0 && (ursa_spec_u64(r->argv[1], RTE_LOG_DEBUG, &v) != 0 || v == 0))
		return ctl_err(r, "bad log level '%s'", r->argv[1]);
	rte_log_set_global_level((uint32_t)v);
	fprintf(r->out, "{\"log_level\": %" PRIu64 "}", v);
	return 0;
}

/* iface-add SPEC (as --iface) */
static int cmd_iface_add(struct ctl_req *r)
{
	const struct ursad_ctl_env *env = ctl_env(r->ctl);
	struct ursa_iface_spec s;
	struct ursa_iface_conf conf;
	uint16_t idx = 0;
	unsigned bad;
	int rc;

	if ((rc = need_args(r, 1, "port=N[,vlan=V][,tenant=T][,ip=A/LEN]...")) != 0)
		return rc;
	if ((rc = ursa_iface_spec_parse(r->argv[1], 0, &s, r->err, sizeof(r->err))) != 0)
		return rc;
	if (s.port >= env->lc->nb_ports)
		return ctl_err(r, "no port %u", s.port);
	if (env->st == NULL) {
		rc = ursa_iface_spec_apply(env->lc, &s, &idx, &bad);
	} else {
		ursa_iface_spec_conf(&s, &conf);
		rc = ursa_stack_iface_add(env->st, &conf, &idx, &r->cl->ticket);
		for (unsigned k = 0; rc == 0 && k < s.naddr; k++)
			rc = ursa_stack_addr_add(env->st, idx, &s.addr[k], s.plen[k],
						 &r->cl->ticket);
	}
	if (rc == 0)
		fprintf(r->out, "{\"index\": %u}", idx);
	return ctl_ticket(r, rc);
}

static int parse_iface_idx(struct ctl_req *r, const char *s, uint16_t *idx)
{
	uint64_t v;

	if (ursa_spec_u64(s, UINT16_MAX, &v) != 0 || v >= ctl_shard(r->ctl, 0)->nb_ifaces)
		return ctl_err(r, "no interface '%s'", s);
	*idx = (uint16_t)v;
	return 0;
}

/* iface-del N */
static int cmd_iface_del(struct ctl_req *r)
{
	const struct ursad_ctl_env *env = ctl_env(r->ctl);
	uint16_t idx;
	int rc;

	if ((rc = need_args(r, 1, "INDEX")) != 0 || (rc = parse_iface_idx(r, r->argv[1], &idx)))
		return rc;
	if (env->st == NULL)
		return ursa_iface_del(env->lc, idx);
	return ctl_ticket(r, ursa_stack_iface_del(env->st, idx, &r->cl->ticket));
}

/* addr-add IFACE ADDR/LEN, addr-del IFACE ADDR */
static int cmd_addr(struct ctl_req *r)
{
	const struct ursad_ctl_env *env = ctl_env(r->ctl);
	bool add = strcmp(r->argv[0], "addr-add") == 0;
	struct ursa_ipaddr a;
	uint8_t plen;
	uint16_t idx;
	int rc;

	if ((rc = need_args(r, 2, add ? "IFACE ADDR/LEN" : "IFACE ADDR")) != 0 ||
	    (rc = parse_iface_idx(r, r->argv[1], &idx)) != 0)
		return rc;
	if (ursa_ipaddr_parse(r->argv[2], &a, &plen) != 0)
		return ctl_err(r, "bad address '%s'", r->argv[2]);
	if (env->st == NULL)
		return add ? ursa_iface_addr_add(env->lc, idx, &a, plen)
			   : ursa_iface_addr_del(env->lc, idx, &a);
	rc = add ? ursa_stack_addr_add(env->st, idx, &a, plen, &r->cl->ticket)
		 : ursa_stack_addr_del(env->st, idx, &a, &r->cl->ticket);
	return ctl_ticket(r, rc);
}

/* route-add SPEC, route-del SPEC (as --route; iface= is required here) */
static int cmd_route(struct ctl_req *r)
{
	const struct ursad_ctl_env *env = ctl_env(r->ctl);
	bool add = strcmp(r->argv[0], "route-add") == 0;
	struct ursa_route_spec s;
	int rc;

	if ((rc = need_args(r, 1, "tenant=T,dst=PREFIX/LEN[,via=GATEWAY],iface=I")) != 0)
		return rc;
	if ((rc = ursa_route_spec_parse(r->argv[1], &s, r->err, sizeof(r->err))) != 0)
		return rc;
	if (!s.has_iface)
		return ctl_err(r, "iface= is required");
	if (env->st == NULL)
		return add ? ursa_ip_route_add(env->lc, s.tenant, &s.dst, s.plen, &s.via, s.iface)
			   : ursa_ip_route_del(env->lc, s.tenant, &s.dst, s.plen, s.iface);
	rc = add ? ursa_ip_stack_route_add(env->st, s.tenant, &s.dst, s.plen, &s.via, s.iface,
					   &r->cl->ticket)
		 : ursa_ip_stack_route_del(env->st, s.tenant, &s.dst, s.plen, s.iface,
					   &r->cl->ticket);
	return ctl_ticket(r, rc);
}

/* capture PORT [count=N] [seconds=S], with the file's fd passed along (SCM_RIGHTS) */
static int cmd_capture(struct ctl_req *r)
{
	uint64_t port, count = 1000, seconds = 10;

	if (r->argc < 2 || r->argc > 4)
		return ctl_err(r, "usage: capture PORT [count=N] [seconds=S] (with a file fd)");
	if (ursa_spec_u64(r->argv[1], UINT16_MAX, &port) != 0 ||
	    port >= ctl_shard(r->ctl, 0)->nb_ports)
		return ctl_err(r, "no port '%s'", r->argv[1]);
	for (int i = 2; i < r->argc; i++) {
		if (strncmp(r->argv[i], "count=", 6) == 0 &&
		    ursa_spec_u64(r->argv[i] + 6, 1000000, &count) == 0 && count > 0)
			continue;
		if (strncmp(r->argv[i], "seconds=", 8) == 0 &&
		    ursa_spec_u64(r->argv[i] + 8, 3600, &seconds) == 0 && seconds > 0)
			continue;
		return ctl_err(r, "bad '%s' (count=1..1000000, seconds=1..3600)", r->argv[i]);
	}
	if (r->cl->passed_fd < 0)
		return ctl_err(r, "capture needs the output file's fd passed with the request");
	return ctl_capture_start(r, (uint16_t)port, count, seconds);
}

/* ---- destructive --------------------------------------------------------------------- */

/* A socket address as "A:PORT" or "[A6]:PORT". */
static int parse_endpoint(const char *s, struct ursa_ipaddr *a, uint16_t *port)
{
	char buf[80];
	const char *colon = strrchr(s, ':');
	uint64_t p;
	size_t n;

	if (colon == NULL || ursa_spec_u64(colon + 1, UINT16_MAX, &p) != 0)
		return -EINVAL;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*port = (uint16_t)p;
	return ursa_ipaddr_parse(buf, a, NULL);
}

struct abort_cmd {
	struct ursa_ipaddr la, fa;
	uint16_t lp, fp;
	uint32_t *found;
};

struct abort_find {
	const struct abort_cmd *c;
	const struct ursa_tcp_pcb *pcb;
};

static void abort_find_cb(const struct ursa_tcp_pcb *pcb, void *arg)
{
	struct abort_find *af = arg;
	struct ursa_ipaddr la, fa;
	uint16_t lp, fp;

	if (af->pcb || ursa_tcp_local(pcb, &la, &lp) || ursa_tcp_peer(pcb, &fa, &fp))
		return;
	if (lp == af->c->lp && fp == af->c->fp && ursa_ipaddr_eq(&la, &af->c->la) &&
	    ursa_ipaddr_eq(&fa, &af->c->fa))
		af->pcb = pcb;
}

/* On each shard: reset the connection when this shard has it (a RST to the peer; its owner
 * is told and closes its handle, as after a RST from the peer). */
static int apply_abort(struct ursa_lcore *lc, const void *arg)
{
	struct abort_find af = {.c = arg};

	ursa_tcp_walk(lc, abort_find_cb, &af);
	if (af.pcb == NULL)
		return 0;
	__atomic_add_fetch(af.c->found, 1, __ATOMIC_RELAXED);
	ursa_tcp_reset(lc, (struct ursa_tcp_pcb *)(uintptr_t)af.pcb);
	return 0;
}

/* tcp-abort LOCAL:PORT PEER:PORT */
static int cmd_tcp_abort(struct ctl_req *r)
{
	struct abort_cmd c = {.found = &r->cl->found};
	int rc;

	if ((rc = need_args(r, 2, "LOCAL:PORT PEER:PORT")) != 0)
		return rc;
	if (parse_endpoint(r->argv[1], &c.la, &c.lp) || parse_endpoint(r->argv[2], &c.fa, &c.fp))
		return ctl_err(r, "endpoints are ADDR:PORT or [ADDR6]:PORT");
	r->cl->found = 0;
	r->cl->need_found = true;
	rc = ctl_apply(r, apply_abort, &c, sizeof(c));
	if (rc == 0 && r->cl->found == 0)
		rc = -ENOENT;
	return rc;
}

struct qp_reset_cmd {
	uint32_t qpn;
	uint32_t *found;
};

/* On each shard: move the QP to the error state when this shard has it (its work requests
 * complete flushed, as a transport error would). */
static int apply_qp_reset(struct ursa_lcore *lc, const void *arg)
{
	const struct qp_reset_cmd *c = arg;
	struct ursa_roce_qp *qp = ursa_roce_qp_find(lc, c->qpn);
	struct ursa_rdma_qp_attr a = {.qp_state = URSA_RDMA_QPS_ERR};

	if (qp == NULL)
		return 0;
	__atomic_add_fetch(c->found, 1, __ATOMIC_RELAXED);
	return ursa_roce_qp_modify(qp, &a, URSA_RDMA_QP_STATE, NULL);
}

/* qp-reset QPN */
static int cmd_qp_reset(struct ctl_req *r)
{
	struct qp_reset_cmd c = {.found = &r->cl->found};
	uint64_t v;
	int rc;

	if ((rc = need_args(r, 1, "QPN")) != 0)
		return rc;
	if (ursa_spec_u64(r->argv[1], 0xffffff, &v) != 0)
		return ctl_err(r, "bad QP number '%s'", r->argv[1]);
	c.qpn = (uint32_t)v;
	r->cl->found = 0;
	r->cl->need_found = true;
	rc = ctl_apply(r, apply_qp_reset, &c, sizeof(c));
	if (rc == 0 && r->cl->found == 0)
		rc = -ENOENT;
	return rc;
}

const struct ctl_cmd ctl_cmds[] = {
	{"help", CTL_READ, "", "the commands, their classes and arguments", cmd_help},
	{"stats", CTL_READ, "", "every counter, per shard", cmd_stats},
	{"interfaces", CTL_READ, "", "interfaces and their addresses", cmd_interfaces},
	{"neighbours", CTL_READ, "", "the neighbour caches (ARP, ND), per shard", cmd_neighbours},
	{"routes", CTL_READ, "", "connected and static routes", cmd_routes},
	{"connections", CTL_READ, "", "TCP connections and listeners, QPs", cmd_connections},
	{"settings", CTL_READ, "", "shards, lock, log level, wait policy, faults", cmd_settings},
	{"fault", CTL_WRITE, "PORT rx|tx|both off|SPEC", "fault injection on a port", cmd_fault},
	{"log-level", CTL_WRITE, "LEVEL", "EAL's global log level", cmd_log_level},
	{"iface-add", CTL_WRITE, "SPEC", "add an interface (as --iface)", cmd_iface_add},
	{"iface-del", CTL_WRITE, "INDEX", "take an interface out of service", cmd_iface_del},
	{"addr-add", CTL_WRITE, "IFACE ADDR/LEN", "add an address", cmd_addr},
	{"addr-del", CTL_WRITE, "IFACE ADDR", "remove an address", cmd_addr},
	{"route-add", CTL_WRITE, "tenant=T,dst=P/LEN[,via=G],iface=I", "add a route", cmd_route},
	{"route-del", CTL_WRITE, "tenant=T,dst=P/LEN,iface=I", "remove a route", cmd_route},
	{"capture", CTL_WRITE, "PORT [count=N] [seconds=S]", "pcapng of a port (fd passed)",
	 cmd_capture},
	{"tcp-abort", CTL_DESTRUCTIVE, "LOCAL:PORT PEER:PORT", "abort a TCP connection (RST)",
	 cmd_tcp_abort},
	{"qp-reset", CTL_DESTRUCTIVE, "QPN", "move a QP to the error state", cmd_qp_reset},
};
const unsigned ctl_nb_cmds = RTE_DIM(ctl_cmds);
