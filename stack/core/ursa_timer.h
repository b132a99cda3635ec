/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore timers on the injected clock.
 *
 * A binary min-heap of armed timers ordered by (expiry, arm sequence), so timers due at the
 * same instant fire in the order they were armed and replays are deterministic. Arm, re-arm
 * and cancel are O(log n); the heap's capacity is fixed at lcore creation (no allocation on
 * the data path). rte_timer is not used because it reads the TSC itself.
 */
#ifndef URSA_TIMER_H
#define URSA_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ursa_lcore;
struct ursa_timer;

typedef void (*ursa_timer_cb_t)(struct ursa_lcore *lc, struct ursa_timer *t, void *arg);

struct ursa_timer {
	uint64_t expire; /**< ns on lc->clock */
	uint64_t seq;
	uint32_t heap_idx; /**< UINT32_MAX when not armed */
	ursa_timer_cb_t cb;
	void *arg;
};

struct ursa_timer_heap {
	struct ursa_timer **h;
	uint32_t n, cap;
	uint64_t seq;
};

int ursa_timer_heap_init(struct ursa_timer_heap *th, uint32_t cap);
void ursa_timer_heap_fini(struct ursa_timer_heap *th);

void ursa_timer_init(struct ursa_timer *t, ursa_timer_cb_t cb, void *arg);
/** Arm (or re-arm) to fire at absolute time expire_ns. -ENOSPC when the heap is full. */
int ursa_timer_arm(struct ursa_lcore *lc, struct ursa_timer *t, uint64_t expire_ns);
/** Arm to fire delay_ns from now. */
int ursa_timer_arm_in(struct ursa_lcore *lc, struct ursa_timer *t, uint64_t delay_ns);
void ursa_timer_cancel(struct ursa_lcore *lc, struct ursa_timer *t);
static inline bool ursa_timer_pending(const struct ursa_timer *t)
{
	return t->heap_idx != UINT32_MAX;
}
/** Fire every timer whose expiry is <= now; returns how many fired. A callback may re-arm
 *  its own timer or others; a timer re-armed for "now" waits for the next call. */
unsigned ursa_timer_run(struct ursa_lcore *lc);
/** Earliest expiry, or UINT64_MAX when nothing is armed. */
uint64_t ursa_timer_next(const struct ursa_lcore *lc);

#ifdef __cplusplus
}
#endif

#endif /* URSA_TIMER_H */
