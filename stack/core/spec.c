/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interface and route specifications ("port=0,vlan=10,ip=10.0.0.2/24", "tenant=1,dst=...")
 * parsed in one place for ursad's command line and the pcap runner's case.conf, with the
 * messages both print, and applied to an lcore (interface plus its addresses).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_spec.h"

#define SPEC_MAX_KV 40

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen, const char *fmt,
						      ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

char *ursa_spec_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int ursa_spec_split(char *buf, struct ursa_spec_kv *items, unsigned max, const char **bad)
{
	unsigned n = 0;
	char *save = NULL;

	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(t, '=');
		char *k;

		if (eq != NULL)
			*eq = '\0';
		k = ursa_spec_trim(t);
		if (eq == NULL || *k == '\0' || n == max) {
			if (eq != NULL)
				*eq = '=';
			*bad = k;
			return -EINVAL;
		}
		items[n].key = k;
		items[n].val = ursa_spec_trim(eq + 1);
		n++;
	}
	return (int)n;
}

int ursa_spec_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Copy spec into buf and split it; on error the message is in err. */
static int split_spec(const char *spec, char *buf, size_t buflen, struct ursa_spec_kv *kv,
		      char *err, size_t errlen)
{
	const char *bad = spec;
	int n;

	if (strlen(spec) >= buflen)
		return fail(err, errlen, "specification too long");
	strcpy(buf, spec);
	n = ursa_spec_split(buf, kv, SPEC_MAX_KV, &bad);
	if (n < 0)
		return fail(err, errlen, "'%s' is not key=value", bad);
	return n;
}

int ursa_spec_bool(const char *s, bool *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		*out = true;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		*out = false;
	else
		return -EINVAL;
	return 0;
}

static int parse_addr(const char *k, const char *v, unsigned flags, struct ursa_iface_spec *s,
		      unsigned nfam[2], char *err, size_t errlen)
{
	bool v6 = strcmp(k, "ip6") == 0;
	struct ursa_ipaddr a;
	uint8_t plen;

	if ((flags & URSA_SPEC_NEED_PLEN) && strchr(v, '/') == NULL)
		return fail(err, errlen, "%s '%s' needs a prefix length (/n)", k, v);
	if (ursa_ipaddr_parse(v, &a, &plen) != 0 || a.family != (v6 ? AF_INET6 : AF_INET))
		return fail(err, errlen, "bad address '%s'", v);
	if (nfam[v6] == (v6 ? URSA_IFACE_MAX_V6 : URSA_IFACE_MAX_V4))
		return fail(err, errlen, "too many %s addresses", k);
	nfam[v6]++;
	s->addr[s->naddr] = a;
	s->plen[s->naddr++] = plen;
	return 0;
}

/* "max_<res>=N": a per-interface quota (ursa_quota.h); 0 keeps the default. */
#define RES_KEY(name, dflt) "max_" #name,
static const char *const quota_keys[URSA_RES_MAX] = {URSA_RES_LIST(RES_KEY)};

static int quota_key(const char *k)
{
	for (unsigned r = 0; r < URSA_RES_MAX; r++)
		if (strcmp(k, quota_keys[r]) == 0)
			return (int)r;
	return -1;
}

int ursa_iface_spec_parse(const char *spec, unsigned flags, struct ursa_iface_spec *s, char *err,
			  size_t errlen)
{
	struct ursa_spec_kv kv[SPEC_MAX_KV];
	char buf[URSA_SPEC_MAX_LEN + 1];
	unsigned nfam[2] = {0, 0}; /* IPv4, IPv6 */
	uint64_t u;
	int n, rc;

	memset(s, 0, sizeof(*s));
	n = split_spec(spec, buf, sizeof(buf), kv, err, errlen);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].val;

		if (strcmp(k, "port") == 0) {
			if (ursa_spec_u64(v, URSA_MAX_PORTS - 1, &u))
				return fail(err, errlen, "bad port '%s' (0..%d)", v,
					    URSA_MAX_PORTS - 1);
			s->port = (uint16_t)u;
			s->has_port = true;
		} else if (strcmp(k, "vlan") == 0) {
			if (ursa_spec_u64(v, 4094, &u))
				return fail(err, errlen, "bad vlan '%s' (0 = untagged, 1..4094)",
					    v);
			s->vlan = (uint16_t)u;
		} else if (strcmp(k, "tenant") == 0) {
			if (ursa_spec_u64(v, UINT32_MAX, &u))
				return fail(err, errlen, "bad tenant '%s'", v);
			s->tenant = (uint32_t)u;
		} else if (strcmp(k, "mtu") == 0) {
			if (ursa_spec_u64(v, 9000, &u) || u < 68)
				return fail(err, errlen, "bad mtu '%s' (68..9000)", v);
			s->mtu = (uint16_t)u;
		} else if (strcmp(k, "mac") == 0) {
			if (rte_ether_unformat_addr(v, &s->mac) != 0)
				return fail(err, errlen, "bad mac '%s'", v);
			if (rte_is_zero_ether_addr(&s->mac) || rte_is_multicast_ether_addr(&s->mac))
				return fail(err, errlen, "mac '%s' is not a unicast address", v);
			s->has_mac = true;
		} else if (strcmp(k, "ll") == 0) {
			bool ll;

			if (ursa_spec_bool(v, &ll) != 0)
				return fail(err, errlen, "ll must be yes or no, not '%s'", v);
			s->no_linklocal = !ll;
		} else if (strcmp(k, "ip") == 0 || strcmp(k, "ip6") == 0) {
			if ((rc = parse_addr(k, v, flags, s, nfam, err, errlen)) != 0)
				return rc;
		} else if ((rc = quota_key(k)) >= 0) {
			if (ursa_spec_u64(v, UINT32_MAX, &u))
				return fail(err, errlen, "bad %s '%s'", k, v);
			s->quota.max[rc] = (uint32_t)u;
		} else {
			return fail(err, errlen,
				    "unknown key '%s' (port, vlan, tenant, mac, mtu, ip, ip6, ll, "
				    "max_neigh, max_neigh_bytes, max_reasm, max_tcp_conn)",
				    k);
		}
	}
	/* The derived fe80:: address takes one of the interface's IPv6 places. */
	if (!s->no_linklocal && nfam[1] == URSA_IFACE_MAX_V6)
		return fail(err, errlen, "too many ip6 addresses");
	return 0;
}

void ursa_iface_spec_conf(const struct ursa_iface_spec *s, struct ursa_iface_conf *conf)
{
	*conf = (struct ursa_iface_conf){
		.port = s->port,
		.vlan = s->vlan,
		.tenant = s->tenant,
		.mac = s->has_mac ? &s->mac : NULL,
		.mtu = s->mtu,
		.no_linklocal = s->no_linklocal,
		.quota = s->quota,
	};
}

int ursa_iface_spec_apply(struct ursa_lcore *lc, const struct ursa_iface_spec *s,
			  uint16_t *out_index, unsigned *bad_addr)
{
	struct ursa_iface_conf conf;
	uint16_t idx;
	int rc;

	ursa_iface_spec_conf(s, &conf);
	if ((rc = ursa_iface_add(lc, &conf, &idx)) != 0) {
		if (bad_addr != NULL)
			*bad_addr = s->naddr;
		return rc;
	}
	*out_index = idx;
	for (unsigned k = 0; k < s->naddr; k++) {
		if ((rc = ursa_iface_addr_add(lc, idx, &s->addr[k], s->plen[k])) != 0) {
			if (bad_addr != NULL)
				*bad_addr = k;
			return rc;
		}
	}
	return 0;
}

int ursa_route_spec_parse(const char *spec, struct ursa_route_spec *r, char *err, size_t errlen)
{
	struct ursa_spec_kv kv[SPEC_MAX_KV];
	char buf[URSA_SPEC_MAX_LEN + 1];
	bool has_dst = false;
	uint64_t u;
	int n;

	memset(r, 0, sizeof(*r));
	n = split_spec(spec, buf, sizeof(buf), kv, err, errlen);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].val;

		if (strcmp(k, "tenant") == 0) {
			if (ursa_spec_u64(v, UINT32_MAX, &u))
				return fail(err, errlen, "bad tenant '%s'", v);
			r->tenant = (uint32_t)u;
		} else if (strcmp(k, "dst") == 0 || strcmp(k, "prefix") == 0) {
			if (ursa_ipaddr_parse(v, &r->dst, &r->plen) != 0)
				return fail(err, errlen, "bad destination '%s'", v);
			has_dst = true;
		} else if (strcmp(k, "via") == 0) {
			if (ursa_ipaddr_parse(v, &r->via, NULL) != 0)
				return fail(err, errlen, "bad gateway '%s'", v);
		} else if (strcmp(k, "iface") == 0) {
			if (ursa_spec_u64(v, URSA_MAX_IFACES - 1, &u))
				return fail(err, errlen, "bad iface '%s'", v);
			r->iface = (uint16_t)u;
			r->has_iface = true;
		} else {
			return fail(err, errlen, "unknown key '%s' (tenant, dst, via, iface)", k);
		}
	}
	if (!has_dst)
		return fail(err, errlen, "'%s' has no dst=", spec);
	if (r->via.family && r->via.family != r->dst.family)
		return fail(err, errlen,
			    "gateway and destination of '%s' are of different families", spec);
	if (!r->via.family && !r->has_iface)
		return fail(err, errlen, "on-link route '%s' needs iface=", spec);
	return 0;
}
