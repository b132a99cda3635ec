/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The case.conf parser: "key = value" lines describing the one ursa instance a case replays
 * into (port MAC, interfaces with VLAN, tenant, MAC and addresses, routes, seed, whether to
 * announce), static neighbours, RDMA objects for RoCE cases (rdma.c parses those lines), how
 * long to run on after the input, which fields are not compared and why, and which counters
 * must end with which values.
 * The format is documented in pcap-tests/README.md.
 */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

struct parse {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
};

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, p->line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int case_parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"", 1e9}};
	char *end;
	double v;

	if (*s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			double r = v * units[i].mult;

			if (r < 0 || r > 3600e9)
				return -EINVAL;
			*ns = (uint64_t)(r + 0.5);
			return 0;
		}
	}
	return -EINVAL;
}

/* "vlan=10,tenant=1,mac=02:..,ip=10.0.0.2/24,ip6=fd00::2/64,ll=no,mtu=1500" */
static int parse_iface(struct parse *p, const char *val, struct ursa_iface_spec *ifc)
{
	char err[256];

	if (ursa_iface_spec_parse(val, URSA_SPEC_NEED_PLEN, ifc, err, sizeof(err)) != 0)
		return fail(p, "iface: %s", err);
	if (ifc->has_port)
		return fail(p, "iface: no port= here: the case has one port");
	return 0;
}

/* "tenant=1,prefix=10.9.0.0/16,via=10.251.0.1,iface=0" */
static int parse_route(struct parse *p, const char *val, struct ursa_route_spec *r, unsigned niface)
{
	char err[256];

	if (ursa_route_spec_parse(val, r, err, sizeof(err)) != 0)
		return fail(p, "route: %s", err);
	if (!r->has_iface)
		return fail(p, "route: needs prefix= and iface=");
	if (r->iface >= niface)
		return fail(p, "route: iface '%u' is not the index of an iface line above",
			    r->iface);
	return 0;
}

/* "iface=0,ip=10.77.0.3,mac=52:54:00:77:00:03" */
static int parse_neigh(struct parse *p, const char *val, struct case_neigh *nb, unsigned niface)
{
	struct ursa_spec_kv kv[8];
	char buf[URSA_SPEC_MAX_LEN + 1];
	const char *bad = val;
	bool has_ip = false, has_mac = false;
	uint64_t u;
	int n;

	if (strlen(val) >= sizeof(buf))
		return fail(p, "neigh: too long");
	strcpy(buf, val);
	n = ursa_spec_split(buf, kv, 8, &bad);
	if (n < 0)
		return fail(p, "neigh: bad item '%s'", bad);
	memset(nb, 0, sizeof(*nb));
	for (int i = 0; i < n; i++) {
		if (!strcmp(kv[i].key, "iface")) {
			if (ursa_spec_u64(kv[i].val, CASE_MAX_IFACES, &u) != 0 || u >= niface)
				return fail(p,
					    "neigh: iface '%s' is not the index of an iface "
					    "line above",
					    kv[i].val);
			nb->iface = (unsigned)u;
		} else if (!strcmp(kv[i].key, "ip")) {
			if (ursa_ipaddr_parse(kv[i].val, &nb->ip, NULL) != 0)
				return fail(p, "neigh: bad ip '%s'", kv[i].val);
			has_ip = true;
		} else if (!strcmp(kv[i].key, "mac")) {
			if (rte_ether_unformat_addr(kv[i].val, &nb->mac) != 0)
				return fail(p, "neigh: bad mac '%s'", kv[i].val);
			has_mac = true;
		} else {
			return fail(p, "neigh: unknown key '%s'", kv[i].key);
		}
	}
	if (!has_ip || !has_mac)
		return fail(p, "neigh: needs ip= and mac=");
	return 0;
}

/* "roce.drop_bad_icrc=1" */
static int parse_counter(struct parse *p, const char *val, struct case_counter *ct)
{
	const char *dot = strchr(val, '.'), *eq = strchr(val, '=');
	char num[32];

	if (dot == NULL || eq == NULL || eq < dot || dot == val || eq == dot + 1)
		return fail(p, "counter: want block.name=value, not '%s'", val);
	if ((size_t)(dot - val) >= sizeof(ct->block) ||
	    (size_t)(eq - dot - 1) >= sizeof(ct->name) || strlen(eq + 1) >= sizeof(num))
		return fail(p, "counter: '%s' too long", val);
	memcpy(ct->block, val, (size_t)(dot - val));
	ct->block[dot - val] = '\0';
	memcpy(ct->name, dot + 1, (size_t)(eq - dot - 1));
	ct->name[eq - dot - 1] = '\0';
	strcpy(num, eq + 1);
	if (ursa_spec_u64(ursa_spec_trim(num), UINT64_MAX, &ct->val) != 0)
		return fail(p, "counter: bad value in '%s'", val);
	ursa_spec_trim(ct->block);
	ursa_spec_trim(ct->name);
	return 0;
}

static int parse_line(struct parse *p, char *key, char *val, struct case_conf *c)
{
	char err[256];

	uint64_t n;

	if (!strcmp(key, "port_mac")) {
		if (rte_ether_unformat_addr(val, &c->port_mac) != 0)
			return fail(p, "bad port_mac '%s'", val);
		c->has_port_mac = true;
	} else if (!strcmp(key, "port_mtu")) {
		if (ursa_spec_u64(val, 9000, &n) != 0 || n < 68)
			return fail(p, "port_mtu '%s' is not 68..9000", val);
		c->port_mtu = (uint16_t)n;
	} else if (!strcmp(key, "iface")) {
		if (c->niface == CASE_MAX_IFACES)
			return fail(p, "too many iface lines (max %d)", CASE_MAX_IFACES);
		return parse_iface(p, val, &c->iface[c->niface++]);
	} else if (!strcmp(key, "route")) {
		if (c->nroute == CASE_MAX_ROUTES)
			return fail(p, "too many route lines (max %d)", CASE_MAX_ROUTES);
		return parse_route(p, val, &c->route[c->nroute++], c->niface);
	} else if (!strcmp(key, "seed")) {
		if (ursa_spec_u64(val, UINT64_MAX, &c->seed) != 0)
			return fail(p, "bad seed '%s'", val);
	} else if (!strcmp(key, "announce")) {
		if (ursa_spec_bool(val, &c->announce) != 0)
			return fail(p, "announce must be yes or no, not '%s'", val);
	} else if (!strcmp(key, "settle")) {
		if (case_parse_duration(val, &c->settle_ns) != 0)
			return fail(p, "bad settle '%s' (e.g. 3s, 500ms)", val);
	} else if (!strcmp(key, "ignore")) {
		char *save = NULL;

		for (char *f = strtok_r(val, " \t,", &save); f; f = strtok_r(NULL, " \t,", &save)) {
			if (c->nignore == CASE_MAX_IGNORE)
				return fail(p, "too many ignored fields (max %d)", CASE_MAX_IGNORE);
			if (strlen(f) >= CASE_NAME_LEN)
				return fail(p, "ignored field name too long: '%s'", f);
			snprintf(c->ignore[c->nignore++], CASE_NAME_LEN, "%s", f);
		}
	} else if (!strcmp(key, "ignore_reason")) {
		size_t used = strlen(c->ignore_reason);

		if (*val == '\0')
			return fail(p, "empty ignore_reason");
		snprintf(c->ignore_reason + used, sizeof(c->ignore_reason) - used, "%s%s",
			 used ? "; " : "", val);
	} else if (!strcmp(key, "time_check")) {
		if (!strcmp(val, "order"))
			c->time_check = TIME_CHECK_ORDER;
		else if (!strcmp(val, "none"))
			c->time_check = TIME_CHECK_NONE;
		else
			return fail(p, "time_check must be order or none, not '%s'", val);
	} else if (!strcmp(key, "neigh")) {
		if (c->nneigh == CASE_MAX_NEIGH)
			return fail(p, "too many neigh lines (max %d)", CASE_MAX_NEIGH);
		return parse_neigh(p, val, &c->neigh[c->nneigh++], c->niface);
	} else if (!strcmp(key, "counter")) {
		if (c->ncounter == CASE_MAX_COUNTERS)
			return fail(p, "too many counter lines (max %d)", CASE_MAX_COUNTERS);
		return parse_counter(p, val, &c->counter[c->ncounter++]);
	} else if (!strcmp(key, "rdma_qp")) {
		if (c->nqp == CASE_MAX_QPS)
			return fail(p, "too many rdma_qp lines (max %d)", CASE_MAX_QPS);
		if (case_rdma_parse_qp(val, &c->qp[c->nqp++], err, sizeof(err)) != 0)
			return fail(p, "rdma_qp: %s", err);
	} else if (!strcmp(key, "rdma_mr")) {
		if (c->nmr == CASE_MAX_MRS)
			return fail(p, "too many rdma_mr lines (max %d)", CASE_MAX_MRS);
		if (case_rdma_parse_mr(val, &c->mr[c->nmr++], err, sizeof(err)) != 0)
			return fail(p, "rdma_mr: %s", err);
	} else if (!strcmp(key, "rdma_recv")) {
		if (case_rdma_parse_recv(val, c, err, sizeof(err)) != 0)
			return fail(p, "rdma_recv: %s", err);
	} else {
		return fail(p, "unknown key '%s'", key);
	}
	return 0;
}

int case_conf_load(const char *path, struct case_conf *c, char *err, size_t errlen)
{
	struct parse p = {.path = path, .err = err, .errlen = errlen};
	char buf[1024];
	FILE *f;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->seed = 1;
	c->settle_ns = 3 * URSA_NS_PER_S;
	c->port_mtu = 1500;
	c->time_check = TIME_CHECK_ORDER;
	{
		const char *slash = strrchr(path, '/');

		if (slash != NULL && (size_t)(slash - path) < sizeof(c->dir))
			memcpy(c->dir, path, (size_t)(slash - path));
		else if (slash == NULL)
			strcpy(c->dir, ".");
	}
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *line, *eq;

		p.line++;
		if (strchr(buf, '\n') == NULL && !feof(f)) {
			rc = fail(&p, "line too long");
			goto out_close;
		}
		line = ursa_spec_trim(buf);
		if (*line == '\0' || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL) {
			rc = fail(&p, "expected 'key = value', got '%s'", line);
			goto out_close;
		}
		*eq = '\0';
		rc = parse_line(&p, ursa_spec_trim(line), ursa_spec_trim(eq + 1), c);
		if (rc != 0)
			goto out_close;
	}
	p.line = 0;
	if (c->niface == 0) {
		rc = fail(&p, "no iface line: the case needs at least one interface");
		goto out_close;
	}
	if (!c->has_port_mac) {
		rc = fail(&p, "no port_mac line");
		goto out_close;
	}
	if (c->nignore && c->ignore_reason[0] == '\0') {
		rc = fail(&p, "ignore without ignore_reason: say why each ignored field differs");
		goto out_close;
	}
	if (!c->nignore && c->ignore_reason[0] != '\0') {
		rc = fail(&p, "ignore_reason without ignore");
		goto out_close;
	}
out_close:
	fclose(f);
	return rc;
}

bool case_ignores(const struct case_conf *c, const char *field)
{
	for (unsigned i = 0; i < c->nignore; i++)
		if (fnmatch(c->ignore[i], field, 0) == 0)
			return true;
	return false;
}
