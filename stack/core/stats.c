/* SPDX-License-Identifier: BSD-3-Clause */
/* The registry of per-layer counter blocks. */
#include <errno.h>
#include <string.h>

#include "ursa_core.h"

int ursa_stats_register(struct ursa_lcore *lc, const char *block, const char *const *names,
			const uint64_t *vals, unsigned n)
{
	struct ursa_stats *s = &lc->stats;

	for (unsigned i = 0; i < s->nb; i++)
		if (strcmp(s->blocks[i].name, block) == 0)
			return -EEXIST;
	if (s->nb == URSA_STATS_MAX_BLOCKS)
		return -ENOSPC;
	s->blocks[s->nb++] =
		(struct ursa_stats_block){.name = block, .names = names, .vals = vals, .n = n};
	return 0;
}

int ursa_stats_get(const struct ursa_lcore *lc, const char *block, const char *name, uint64_t *val)
{
	const struct ursa_stats *s = &lc->stats;

	for (unsigned i = 0; i < s->nb; i++) {
		const struct ursa_stats_block *b = &s->blocks[i];

		if (strcmp(b->name, block) != 0)
			continue;
		for (unsigned j = 0; j < b->n; j++) {
			if (strcmp(b->names[j], name) == 0) {
				*val = b->vals[j];
				return 0;
			}
		}
	}
	return -ENOENT;
}

void ursa_stats_foreach(const struct ursa_lcore *lc, ursa_stats_cb_t cb, void *arg)
{
	const struct ursa_stats *s = &lc->stats;

	for (unsigned i = 0; i < s->nb; i++)
		for (unsigned j = 0; j < s->blocks[i].n; j++)
			cb(s->blocks[i].name, s->blocks[i].names[j], s->blocks[i].vals[j], arg);
}
