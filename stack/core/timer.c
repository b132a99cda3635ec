/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-lcore timers: a binary min-heap ordered by (expire, seq). See ursa_timer.h. */
#include <errno.h>
#include <stdlib.h>

#include "ursa_core.h"

int ursa_timer_heap_init(struct ursa_timer_heap *th, uint32_t cap)
{
	th->h = calloc(cap ? cap : 1, sizeof(*th->h));
	if (th->h == NULL)
		return -ENOMEM;
	th->n = 0;
	th->cap = cap ? cap : 1;
	th->seq = 0;
	return 0;
}

void ursa_timer_heap_fini(struct ursa_timer_heap *th)
{
	for (uint32_t i = 0; i < th->n; i++)
		th->h[i]->heap_idx = UINT32_MAX;
	free(th->h);
	th->h = NULL;
	th->n = th->cap = 0;
}

void ursa_timer_init(struct ursa_timer *t, ursa_timer_cb_t cb, void *arg)
{
	t->expire = 0;
	t->seq = 0;
	t->heap_idx = UINT32_MAX;
	t->cb = cb;
	t->arg = arg;
}

static bool before(const struct ursa_timer *a, const struct ursa_timer *b)
{
	return a->expire < b->expire || (a->expire == b->expire && a->seq < b->seq);
}

static void place(struct ursa_timer_heap *th, uint32_t i, struct ursa_timer *t)
{
	th->h[i] = t;
	t->heap_idx = i;
}

static void sift_up(struct ursa_timer_heap *th, uint32_t i)
{
	struct ursa_timer *t = th->h[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!before(t, th->h[p]))
			break;
		place(th, i, th->h[p]);
		i = p;
	}
	place(th, i, t);
}

static void sift_down(struct ursa_timer_heap *th, uint32_t i)
{
	struct ursa_timer *t = th->h[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= th->n)
			break;
		if (c + 1 < th->n && before(th->h[c + 1], th->h[c]))
			c++;
		if (!before(th->h[c], t))
			break;
		place(th, i, th->h[c]);
		i = c;
	}
	place(th, i, t);
}

static void heap_remove(struct ursa_timer_heap *th, struct ursa_timer *t)
{
	uint32_t i = t->heap_idx;
	struct ursa_timer *last = th->h[--th->n];

	t->heap_idx = UINT32_MAX;
	if (last == t)
		return;
	place(th, i, last);
	if (i > 0 && before(last, th->h[(i - 1) / 2]))
		sift_up(th, i);
	else
		sift_down(th, i);
}

int ursa_timer_arm(struct ursa_lcore *lc, struct ursa_timer *t, uint64_t expire_ns)
{
	struct ursa_timer_heap *th = &lc->timers;

	if (ursa_timer_pending(t))
		heap_remove(th, t);
	if (th->n == th->cap)
		return -ENOSPC;
	t->expire = expire_ns;
	t->seq = th->seq++;
	place(th, th->n++, t);
	sift_up(th, t->heap_idx);
	return 0;
}

int ursa_timer_arm_in(struct ursa_lcore *lc, struct ursa_timer *t, uint64_t delay_ns)
{
	return ursa_timer_arm(lc, t, ursa_now(lc) + delay_ns);
}

void ursa_timer_cancel(struct ursa_lcore *lc, struct ursa_timer *t)
{
	if (ursa_timer_pending(t))
		heap_remove(&lc->timers, t);
}

unsigned ursa_timer_run(struct ursa_lcore *lc)
{
	struct ursa_timer_heap *th = &lc->timers;
	uint64_t now = ursa_now(lc);
	uint64_t last_seq = th->seq; /* timers armed by callbacks wait for the next call */
	unsigned fired = 0;

	while (th->n > 0) {
		struct ursa_timer *t = th->h[0];

		if (t->expire > now || t->seq >= last_seq)
			break;
		heap_remove(th, t);
		fired++;
		t->cb(lc, t, t->arg);
	}
	return fired;
}

uint64_t ursa_timer_next(const struct ursa_lcore *lc)
{
	return lc->timers.n ? lc->timers.h[0]->expire : UINT64_MAX;
}
