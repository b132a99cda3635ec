/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The injected clock. Protocol code reads time only through ursa_now(lc).
 *
 * A real clock reads the TSC and scales it to nanoseconds; a virtual clock moves only when
 * the test or the replay runner sets it (ursa_clock_set / ursa_clock_advance), so the same
 * input gives the same output on every run.
 */
#ifndef URSA_CLOCK_H
#define URSA_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_NS_PER_US 1000ull
#define URSA_NS_PER_MS 1000000ull
#define URSA_NS_PER_S  1000000000ull

struct ursa_clock {
	bool is_virtual;
	uint64_t vnow;	   /**< virtual time, ns */
	uint64_t tsc_base; /**< real: TSC at creation */
	uint64_t base_ns;  /**< real: ns at creation */
	uint64_t mult;	   /**< real: ns = (tsc * mult) >> 32 */
};

void ursa_clock_init_real(struct ursa_clock *c);
void ursa_clock_init_virtual(struct ursa_clock *c, uint64_t start_ns);
uint64_t ursa_clock_real_now(const struct ursa_clock *c);

static inline uint64_t ursa_clock_now(const struct ursa_clock *c)
{
	return c->is_virtual ? c->vnow : ursa_clock_real_now(c);
}

/** Virtual clocks only: time never moves backwards (an earlier t is ignored). */
static inline void ursa_clock_set(struct ursa_clock *c, uint64_t t_ns)
{
	if (c->is_virtual && t_ns > c->vnow)
		c->vnow = t_ns;
}

static inline void ursa_clock_advance(struct ursa_clock *c, uint64_t d_ns)
{
	if (c->is_virtual)
		c->vnow += d_ns;
}

#ifdef __cplusplus
}
#endif

#endif /* URSA_CLOCK_H */
