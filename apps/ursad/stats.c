/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad's statistics as JSON: every counter block registered with ursa_stats_register (ports
 * register theirs too), each port with its MAC and fault-injection counters, the interfaces
 * and the neighbour cache. Written to --stats-file at exit and on SIGUSR1.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ursad.h"

struct json_blocks {
	FILE *f;
	const char *cur; /* block being written, NULL before the first */
};

static void block_cb(const char *block, const char *name, uint64_t val, void *arg)
{
	struct json_blocks *j = arg;

	if (j->cur == NULL || strcmp(j->cur, block) != 0) {
		fprintf(j->f, "%s\n    \"%s\": {", j->cur ? "\n    }," : "", block);
		j->cur = block;
	} else {
		fputc(',', j->f);
	}
	fprintf(j->f, "\n      \"%s\": %" PRIu64, name, val);
}

static void fault_json(FILE *f, const char *dir, const struct ursa_fault_counters *c)
{
	if (c == NULL) {
		fprintf(f, "\"%s\": null", dir);
		return;
	}
	fprintf(f,
		"\"%s\": {\"in\": %" PRIu64 ", \"out\": %" PRIu64 ", \"dropped\": %" PRIu64
		", \"duplicated\": %" PRIu64 ", \"reordered\": %" PRIu64 ", \"corrupted\": %" PRIu64
		", \"delayed\": %" PRIu64 ", \"overflow\": %" PRIu64 "}",
		dir, c->in, c->out, c->dropped, c->duplicated, c->reordered, c->corrupted,
		c->delayed, c->overflow);
}

struct json_neigh {
	FILE *f;
	unsigned n;
};

static void neigh_cb(const struct ursa_iface *ifc, const struct ursa_ipaddr *a,
		     const struct rte_ether_addr *mac, enum ursa_neigh_state st, void *arg)
{
	struct json_neigh *j = arg;
	char ip[64], m[RTE_ETHER_ADDR_FMT_SIZE];

	rte_ether_format_addr(m, sizeof(m), mac);
	fprintf(j->f,
		"%s\n    {\"iface\": %u, \"addr\": \"%s\", \"mac\": \"%s\", \"state\": \"%s\"}",
		j->n++ ? "," : "", ifc->index, ursa_ipaddr_fmt(a, ip, sizeof(ip)), m,
		ursa_neigh_state_name(st));
}

/* With --lcores: every shard's port counters and counter blocks (the top level describes
 * shard 0, whose thread writes this). Counters of other shards are read while they run:
 * each value is a whole aligned word, fresh to within a poll. */
static void shards_json(struct ursa_stack *st, FILE *f)
{
	fputs(",\n  \"shards\": [", f);
	for (uint16_t s = 0; s < ursa_stack_nb_shards(st); s++) {
		struct ursa_lcore *lc = ursa_stack_shard(st, s);
		struct json_blocks jb = {f, NULL};

		fprintf(f, "%s\n   {\"shard\": %u, \"lcore\": %u, \"ports\": [", s ? "," : "", s,
			lc->lcore_id);
		for (uint16_t i = 0; i < lc->nb_ports; i++)
			fprintf(f,
				"%s{\"index\": %u, \"queue\": %u, \"rx_pkts\": %" PRIu64
				", \"tx_pkts\": %" PRIu64 "}",
				i ? ", " : "", i, lc->ports[i].queue,
				__atomic_load_n(&lc->ports[i].c.rx_pkts, __ATOMIC_RELAXED),
				__atomic_load_n(&lc->ports[i].c.tx_pkts, __ATOMIC_RELAXED));
		fputs("],\n    \"counters\": {", f);
		ursa_stats_foreach(lc, block_cb, &jb);
		fprintf(f, "%s}}", jb.cur ? "\n    }" : "");
	}
	fputs("\n  ]", f);
}

void ursad_stats_json(struct ursa_lcore *lc, FILE *f, uint64_t uptime_ns)
{
	struct json_blocks jb = {f, NULL};
	struct json_neigh jn = {f, 0};
	char m[RTE_ETHER_ADDR_FMT_SIZE], ip[64];

	fprintf(f, "{\n  \"pid\": %ld,\n  \"uptime_s\": %.3f,\n  \"ports\": [", (long)getpid(),
		(double)uptime_ns / 1e9);
	for (uint16_t i = 0; i < lc->nb_ports; i++) {
		const struct ursa_port *p = &lc->ports[i];

		rte_ether_format_addr(m, sizeof(m), &p->mac);
		fprintf(f,
			"%s\n    {\"index\": %u, \"name\": \"%s\", \"mac\": \"%s\", \"mtu\": %u, "
			"\"rx_pkts\": %" PRIu64 ", \"rx_bytes\": %" PRIu64 ", \"tx_pkts\": %" PRIu64
			", \"tx_bytes\": %" PRIu64 ", \"tx_full_drop\": %" PRIu64
			",\n     \"fault\": {",
			i ? "," : "", i, p->name, m, p->mtu, p->c.rx_pkts, p->c.rx_bytes,
			p->c.tx_pkts, p->c.tx_bytes, p->c.tx_full_drop);
		fault_json(f, "rx", ursa_port_fault_counters(p, URSA_DIR_RX));
		fputs(", ", f);
		fault_json(f, "tx", ursa_port_fault_counters(p, URSA_DIR_TX));
		fputs("}}", f);
	}
	fputs("\n  ],\n  \"ifaces\": [", f);
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		const struct ursa_iface *ifc = &lc->ifaces[i];

		rte_ether_format_addr(m, sizeof(m), &ifc->mac);
		fprintf(f,
			"%s\n    {\"index\": %u, \"port\": %u, \"vlan\": %u, \"tenant\": %u, "
			"\"mac\": \"%s\", \"mtu\": %u, \"rx\": %" PRIu64 ", \"addrs\": [",
			i ? "," : "", i, ifc->port, ifc->vlan, ifc->tenant, m, ifc->mtu,
			ursa_eth_iface_rx(lc, i));
		for (unsigned k = 0; k < (unsigned)ifc->n4 + ifc->n6; k++) {
			const struct ursa_iface_addr *a =
				k < ifc->n4 ? &ifc->v4[k] : &ifc->v6[k - ifc->n4];

			fprintf(f, "%s\"%s/%u%s\"", k ? ", " : "",
				ursa_ipaddr_fmt(&a->addr, ip, sizeof(ip)), a->plen,
				a->flags & URSA_ADDR_TENTATIVE ? " tentative" : "");
		}
		fputs("]}", f);
	}
	fputs("\n  ],\n  \"neighbours\": [", f);
	ursa_neigh_walk(lc, neigh_cb, &jn);
	fputs("\n  ],\n  \"counters\": {", f);
	ursa_stats_foreach(lc, block_cb, &jb);
	fprintf(f, "%s\n  }", jb.cur ? "\n    }" : "");
	if (lc->stack != NULL)
		shards_json(lc->stack, f);
	fputs("\n}\n", f);
}

int ursad_stats_write(struct ursa_lcore *lc, const char *path, uint64_t uptime_ns)
{
	char tmp[4096];
	FILE *f;
	int rc = 0;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	ursad_stats_json(lc, f, uptime_ns);
	if (fflush(f) != 0 || ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}
