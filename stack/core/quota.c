/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Quotas per interface and tenant, and the share of the mbuf pool that holding queues may
 * use (see ursa_quota.h). Plain counters on the lcore: a take checks the interface's limit,
 * then its tenant's, and refuses (counted) without taking anything when either would be
 * exceeded. quota_init (from ursa_lcore_create) sets the pool share and registers the
 * counter blocks; iface.c calls quota_iface_init for each new interface.
 */
#include <errno.h>
#include <string.h>

#include <rte_common.h>

#include "core_priv.h"

#define RES_DEFAULT(name, dflt) dflt,
static const uint32_t res_default[URSA_RES_MAX] = {URSA_RES_LIST(RES_DEFAULT)};

#define RES_NAMES(name, dflt) "drop_" #name "_iface", "drop_" #name "_tenant",
static const char *const quota_counter_names[] = {URSA_RES_LIST(RES_NAMES)};
static_assert(RTE_DIM(quota_counter_names) == 2 * URSA_RES_MAX, "two refusals per resource");

#define HOLD_NAMES(name) "held_" #name, "drop_" #name "_pool_share",
static const char *const hold_counter_names[] = {URSA_HOLD_LIST(HOLD_NAMES)};
static_assert(RTE_DIM(hold_counter_names) == 2 * URSA_HOLD_MAX, "gauge and refusals");

void ursa_quota_default(struct ursa_quota *q)
{
	memcpy(q->max, res_default, sizeof(q->max));
}

/* The tenant's slot, made on first sight; -ENOSPC when the table is full. */
static int tenant_slot(struct ursa_quota_state *qs, uint32_t tenant)
{
	for (uint16_t i = 0; i < qs->nb_tenants; i++)
		if (qs->tenants[i].id == tenant)
			return i;
	if (qs->nb_tenants == RTE_DIM(qs->tenants))
		return -ENOSPC;
	memset(&qs->tenants[qs->nb_tenants], 0, sizeof(qs->tenants[0]));
	qs->tenants[qs->nb_tenants].id = tenant;
	return qs->nb_tenants++;
}

int ursa_tenant_set_quota(struct ursa_lcore *lc, uint32_t tenant, const struct ursa_quota *q)
{
	int slot = tenant_slot(&lc->quota, tenant);

	if (slot < 0)
		return slot;
	lc->quota.tenants[slot].quota = *q;
	return 0;
}

int quota_iface_init(struct ursa_lcore *lc, struct ursa_iface *ifc, const struct ursa_quota *conf)
{
	int slot = tenant_slot(&lc->quota, ifc->tenant);

	if (slot < 0)
		return slot;
	ifc->tenant_slot = (uint16_t)slot;
	for (unsigned r = 0; r < URSA_RES_MAX; r++)
		ifc->quota.max[r] = conf->max[r] ? conf->max[r] : res_default[r];
	memset(ifc->used, 0, sizeof(ifc->used));
	memset(ifc->refused, 0, sizeof(ifc->refused));
	return 0;
}

static bool over(uint32_t used, uint32_t n, uint32_t max)
{
	return max != 0 && (uint64_t)used + n > max;
}

bool ursa_quota_full(const struct ursa_lcore *lc, uint16_t iface, enum ursa_res r, uint32_t n)
{
	const struct ursa_iface *ifc;
	const struct ursa_tenant_use *t;

	if (iface >= lc->nb_ifaces || (unsigned)r >= URSA_RES_MAX)
		return true;
	ifc = &lc->ifaces[iface];
	t = &lc->quota.tenants[ifc->tenant_slot];
	return over(ifc->used[r], n, ifc->quota.max[r]) || over(t->used[r], n, t->quota.max[r]);
}

int ursa_quota_take(struct ursa_lcore *lc, uint16_t iface, enum ursa_res r, uint32_t n)
{
	struct ursa_quota_state *qs = &lc->quota;
	struct ursa_tenant_use *t;
	struct ursa_iface *ifc;

	if (iface >= lc->nb_ifaces || (unsigned)r >= URSA_RES_MAX)
		return -EINVAL;
	ifc = &lc->ifaces[iface];
	t = &qs->tenants[ifc->tenant_slot];
	if (over(ifc->used[r], n, ifc->quota.max[r])) {
		qs->c[2 * r]++;
		ifc->refused[r]++;
		return -EDQUOT;
	}
	if (over(t->used[r], n, t->quota.max[r])) {
		qs->c[2 * r + 1]++;
		ifc->refused[r]++;
		return -EDQUOT;
	}
	ifc->used[r] += n;
	t->used[r] += n;
	return 0;
}

void ursa_quota_give(struct ursa_lcore *lc, uint16_t iface, enum ursa_res r, uint32_t n)
{
	struct ursa_tenant_use *t;
	struct ursa_iface *ifc;

	if (iface >= lc->nb_ifaces || (unsigned)r >= URSA_RES_MAX)
		return;
	ifc = &lc->ifaces[iface];
	t = &lc->quota.tenants[ifc->tenant_slot];
	RTE_ASSERT(ifc->used[r] >= n && t->used[r] >= n);
	ifc->used[r] -= RTE_MIN(n, ifc->used[r]);
	t->used[r] -= RTE_MIN(n, t->used[r]);
}

uint32_t ursa_quota_used(const struct ursa_lcore *lc, uint16_t iface, enum ursa_res r)
{
	if (iface >= lc->nb_ifaces || (unsigned)r >= URSA_RES_MAX)
		return 0;
	return lc->ifaces[iface].used[r];
}

bool ursa_hold_take(struct ursa_lcore *lc, enum ursa_hold h, uint32_t n)
{
	struct ursa_quota_state *qs = &lc->quota;

	if ((uint64_t)qs->hold_total + n > qs->hold_cap) {
		qs->hold_c[2 * h + 1]++;
		return false;
	}
	qs->hold_total += n;
	qs->hold_c[2 * h] += n;
	return true;
}

void ursa_hold_give(struct ursa_lcore *lc, enum ursa_hold h, uint32_t n)
{
	struct ursa_quota_state *qs = &lc->quota;

	RTE_ASSERT(qs->hold_c[2 * h] >= n && qs->hold_total >= n);
	n = (uint32_t)RTE_MIN((uint64_t)n, qs->hold_c[2 * h]);
	qs->hold_c[2 * h] -= n;
	qs->hold_total -= n;
}

uint32_t ursa_hold_total(const struct ursa_lcore *lc)
{
	return lc->quota.hold_total;
}

uint32_t ursa_hold_cap(const struct ursa_lcore *lc)
{
	return lc->quota.hold_cap;
}

int quota_init(struct ursa_lcore *lc, unsigned nb_mbufs, unsigned pct)
{
	int rc;

	if (pct == 0)
		pct = URSA_HOLD_DEFAULT_PCT;
	if (pct > 100)
		return -EINVAL;
	lc->quota.hold_cap = (uint32_t)((uint64_t)nb_mbufs * pct / 100);
	rc = ursa_stats_register(lc, "quota", quota_counter_names, lc->quota.c,
				 RTE_DIM(quota_counter_names));
	if (rc == 0)
		rc = ursa_stats_register(lc, "hold", hold_counter_names, lc->quota.hold_c,
					 RTE_DIM(hold_counter_names));
	return rc;
}
