/* SPDX-License-Identifier: BSD-3-Clause */
/* The smc layer's context on an lcore: created by ursa_smc_init, freed by the fini hook. */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "smc_conn.h"
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
	ursa_smc_conf_default(&s->conf);
	s->link_ops = &smc_link_real_ops;
	ursa_secret_bytes(&lc->secret, s->sysid, sizeof(s->sysid));
	if ((rc = ursa_stats_register(lc, "smc", smc_counter_names, s->c, SMC_C_MAX)) != 0 ||
	    (rc = ursa_lcore_add_fini_hook(lc, smc_fini)) != 0 || (rc = smc_rdv_init(lc)) != 0) {
		smc_fini(lc);
		return rc;
	}
	return 0;
}

void ursa_smc_conf_default(struct ursa_smc_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->rmb_size = 64 * 1024;
	conf->rmb_max = 1024 * 1024;
	conf->clc_timeout_ns = 6ull * 1000 * 1000 * 1000; /* CLC_WAIT_TIME */
	strcpy(conf->hostname, "ursa");
}

/* A UEID: 1..32 of A-Z 0-9 . - (Linux: smc_clc_ueid_add; it upper-cases, we refuse). */
static bool ueid_ok(const char *u)
{
	size_t n = strnlen(u, URSA_SMC_EID_LEN + 1);

	if (n == 0 || n > URSA_SMC_EID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((u[i] >= 'A' && u[i] <= 'Z') || (u[i] >= '0' && u[i] <= '9') || u[i] == '.' ||
		      u[i] == '-'))
			return false;
	return true;
}

int ursa_smc_set_conf(struct ursa_lcore *lc, const struct ursa_smc_conf *conf)
{
	if (lc->smc == NULL)
		return -ENOPROTOOPT;
	if (conf->nb_ueid > URSA_SMC_MAX_UEID || conf->rmb_size < 16 * 1024 ||
	    conf->rmb_size > 1024 * 1024 || conf->rmb_max < 16 * 1024 ||
	    conf->clc_timeout_ns == 0 || strnlen(conf->hostname, sizeof(conf->hostname)) == 33)
		return -EINVAL;
	for (unsigned i = 0; i < conf->nb_ueid; i++)
		if (!ueid_ok(conf->ueid[i]))
			return -EINVAL;
	lc->smc->conf = *conf;
	return 0;
}

const struct ursa_smc_conf *ursa_smc_get_conf(const struct ursa_lcore *lc)
{
	return lc->smc != NULL ? &lc->smc->conf : NULL;
}
