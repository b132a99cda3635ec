/* SPDX-License-Identifier: BSD-3-Clause */
/* The injected clock: TSC scaled to ns (real) or a settable counter (virtual). */
#include <time.h>

#include <rte_cycles.h>

#include "ursa_clock.h"

void ursa_clock_init_real(struct ursa_clock *c)
{
	struct timespec ts;
	uint64_t hz = rte_get_tsc_hz();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	c->is_virtual = false;
	c->vnow = 0;
	c->base_ns = (uint64_t)ts.tv_sec * URSA_NS_PER_S + (uint64_t)ts.tv_nsec;
	c->tsc_base = rte_get_tsc_cycles();
	c->mult = hz ? (uint64_t)(((unsigned __int128)URSA_NS_PER_S << 32) / hz) : (1ull << 32);
}

void ursa_clock_init_virtual(struct ursa_clock *c, uint64_t start_ns)
{
	c->is_virtual = true;
	c->vnow = start_ns;
	c->tsc_base = 0;
	c->base_ns = 0;
	c->mult = 0;
}

uint64_t ursa_clock_real_now(const struct ursa_clock *c)
{
	uint64_t d = rte_get_tsc_cycles() - c->tsc_base;

	return c->base_ns + (uint64_t)(((unsigned __int128)d * c->mult) >> 32);
}
