/* SPDX-License-Identifier: BSD-3-Clause */
/* The smc layer's context on an lcore: created by ursa_smc_init, freed by the fini hook. */
#include <errno.h>

#include <rte_malloc.h>

#include "smc_priv.h"
#include "ursa_stats.h"

static const char *const smc_counter_names[] = {SMC_COUNTERS(URSA_COUNTER_NAME)};

static void smc_fini(struct ursa_lcore *lc)
{
	rte_free(lc->smc);
	lc->smc = NULL;
}

int ursa_smc_init(struct ursa_lcore *lc)
{
	struct ursa_smc_ctx *s;
	int rc;

	if (lc->smc != NULL)
		return -EEXIST;
	if (lc->tcp == NULL)
		return -EINVAL;
	s = rte_zmalloc("ursa_smc", sizeof(*s), RTE_CACHE_LINE_SIZE);
	if (s == NULL)
		return -ENOMEM;
	lc->smc = s;
	if ((rc = ursa_stats_register(lc, "smc", smc_counter_names, s->c, SMC_C_MAX)) != 0 ||
	    (rc = ursa_lcore_add_fini_hook(lc, smc_fini)) != 0 || (rc = smc_rdv_init(lc)) != 0) {
		smc_fini(lc);
		return rc;
	}
	return 0;
}
