/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only counters through DPDK's telemetry socket (dpdk-telemetry.py, or any client of
 * /var/run/dpdk/<prefix>/dpdk_telemetry.v2):
 *   /ursa/stats           every counter block, summed over the shards: {block: {name: n}}
 *   /ursa/shards          the number of shards
 *   /ursa/shard_stats,N   the counter blocks of shard N
 *   /ursa/ports           per port (shard 0's view of the names): packets and bytes, summed
 * The callbacks run on EAL's telemetry thread and only read: a counter is one 64-bit word
 * written by its shard, read whole.
 *
 * DPDK 22.11's telemetry callbacks take no argument, so the stack they read is kept in the
 * one file-scope variable of ursad, set once before the commands are registered and never
 * changed after.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "ctl.h"

static struct {
	struct ursa_lcore *lc;
	struct ursa_stack *st;
} tel;

static uint16_t tel_nb_shards(void)
{
	return tel.st ? ursa_stack_nb_shards(tel.st) : 1;
}

static const struct ursa_lcore *tel_shard(uint16_t i)
{
	return tel.st ? ursa_stack_shard(tel.st, i) : tel.lc;
}

static const struct ursa_stats_block *find_block(const struct ursa_lcore *lc, const char *name)
{
	for (unsigned b = 0; b < lc->stats.nb; b++)
		if (strcmp(lc->stats.blocks[b].name, name) == 0)
			return &lc->stats.blocks[b];
	return NULL;
}

/* Blocks of shard `only`, or (only < 0) every block summed over the shards. */
static int blocks_dict(struct rte_tel_data *d, int only)
{
	const struct ursa_lcore *lc0 = tel_shard(only < 0 ? 0 : (uint16_t)only);

	rte_tel_data_start_dict(d);
	for (unsigned b = 0; b < lc0->stats.nb; b++) {
		const struct ursa_stats_block *blk = &lc0->stats.blocks[b];
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(c);
		for (unsigned i = 0; i < blk->n && i < RTE_TEL_MAX_DICT_ENTRIES; i++) {
			uint64_t v = blk->vals[i];

			for (uint16_t s = 1; only < 0 && s < tel_nb_shards(); s++) {
				const struct ursa_stats_block *o =
					find_block(tel_shard(s), blk->name);

				v += o && i < o->n ? o->vals[i] : 0;
			}
			rte_tel_data_add_dict_u64(c, blk->names[i], v);
		}
		if (rte_tel_data_add_dict_container(d, blk->name, c, 0) != 0) {
			rte_tel_data_free(c);
			return -ENOSPC;
		}
	}
	return 0;
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return blocks_dict(d, -1);
}

static int tel_shard_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char *end;
	unsigned long s;

	(void)cmd;
	if (params == NULL || *params == '\0')
		return -EINVAL;
	s = strtoul(params, &end, 10);
	if (*end != '\0' || s >= tel_nb_shards())
		return -EINVAL;
	return blocks_dict(d, (int)s);
}

static int tel_shards(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "shards", tel_nb_shards());
	return 0;
}

static int tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct ursa_lcore *lc0 = tel_shard(0);

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	for (uint16_t i = 0; i < lc0->nb_ports; i++) {
		struct ursa_port_counters sum = {0};
		struct rte_tel_data *c = rte_tel_data_alloc();

		if (c == NULL)
			return -ENOMEM;
		for (uint16_t s = 0; s < tel_nb_shards(); s++) {
			const struct ursa_port_counters *pc = &tel_shard(s)->ports[i].c;

			sum.rx_pkts += pc->rx_pkts;
			sum.rx_bytes += pc->rx_bytes;
			sum.tx_pkts += pc->tx_pkts;
			sum.tx_bytes += pc->tx_bytes;
			sum.tx_full_drop += pc->tx_full_drop;
		}
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "rx_pkts", sum.rx_pkts);
		rte_tel_data_add_dict_u64(c, "rx_bytes", sum.rx_bytes);
		rte_tel_data_add_dict_u64(c, "tx_pkts", sum.tx_pkts);
		rte_tel_data_add_dict_u64(c, "tx_bytes", sum.tx_bytes);
		rte_tel_data_add_dict_u64(c, "tx_full_drop", sum.tx_full_drop);
		if (rte_tel_data_add_dict_container(d, lc0->ports[i].name, c, 0) != 0) {
			rte_tel_data_free(c);
			return -ENOSPC;
		}
	}
	return 0;
}

/* Register once, after every layer has registered its counters (blocks are read as they
 * are then). */
int ursad_telemetry_register(struct ursa_lcore *lc, struct ursa_stack *st)
{
	int rc;

	if (tel.lc != NULL)
		return -EALREADY;
	tel.lc = lc;
	tel.st = st;
	if ((rc = rte_telemetry_register_cmd("/ursa/stats", tel_stats,
					     "ursa counters summed over the shards")) != 0 ||
	    (rc = rte_telemetry_register_cmd("/ursa/shards", tel_shards,
					     "number of ursa shards")) != 0 ||
	    (rc = rte_telemetry_register_cmd(
		     "/ursa/shard_stats", tel_shard_stats,
		     "ursa counters of one shard. Parameters: int shard")) != 0 ||
	    (rc = rte_telemetry_register_cmd("/ursa/ports", tel_ports,
					     "ursa port counters summed over the shards")) != 0)
		return rc;
	return 0;
}
