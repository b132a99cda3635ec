/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Seeded fault injection (see ursa_fault.h).
 *
 * Per frame, in order: drop; corrupt one byte; duplicate; then each copy is either passed
 * on, delayed (delay + jitter), or held back for reorder until `window` later frames have
 * overtaken it (or, if traffic stops, until a hold limit passes). Held frames leave in the
 * order they were held, so a given seed and input always give the same output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_mbuf.h>

#include "core_priv.h"

#define FAULT_HOLD_MAX	       512
#define FAULT_REORDER_LIMIT_NS (2 * URSA_NS_PER_MS)

struct fault_held {
	struct rte_mbuf *m;
	uint64_t at;	/**< not before this time */
	uint64_t limit; /**< at the latest at this time */
	uint32_t after; /**< wait for this many more frames */
};

struct ursa_fault {
	struct ursa_fault_conf conf;
	struct ursa_rng rng;
	struct ursa_fault_counters c;
	unsigned head, n;
	struct fault_held held[FAULT_HOLD_MAX];
};

int fault_create(const struct ursa_fault_conf *conf, struct ursa_fault **out)
{
	struct ursa_fault *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -ENOMEM;
	f->conf = *conf;
	if (f->conf.reorder_window == 0)
		f->conf.reorder_window = 1;
	ursa_rng_seed(&f->rng, conf->seed);
	*out = f;
	return 0;
}

void fault_destroy(struct ursa_fault *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; i < f->n; i++)
		rte_pktmbuf_free(f->held[(f->head + i) % FAULT_HOLD_MAX].m);
	free(f);
}

const struct ursa_fault_counters *fault_counters(const struct ursa_fault *f)
{
	return &f->c;
}

static bool chance(struct ursa_fault *f, double p)
{
	return p > 0 && ursa_rng_unit(&f->rng) < p;
}

static void corrupt(struct ursa_fault *f, struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);
	uint8_t *p;

	if (len <= f->conf.corrupt_skip)
		return;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	p[f->conf.corrupt_skip + ursa_rng_below(&f->rng, len - f->conf.corrupt_skip)] ^=
		(uint8_t)(1 + ursa_rng_below(&f->rng, 255));
	f->c.corrupted++;
}

static bool releasable(const struct fault_held *h, uint64_t now)
{
	return now >= h->at && (h->after == 0 || now >= h->limit);
}

unsigned fault_drain(struct ursa_fault *f, uint64_t now, fault_emit_t emit, void *ctx)
{
	unsigned released = 0;

	/* Leave in hold order: stop at the first frame not yet due. */
	while (f->n > 0 && releasable(&f->held[f->head], now)) {
		struct rte_mbuf *m = f->held[f->head].m;

		f->head = (f->head + 1) % FAULT_HOLD_MAX;
		f->n--;
		f->c.out++;
		released++;
		emit(ctx, m);
	}
	return released;
}

static void pass_one(struct ursa_fault *f, uint64_t now, struct rte_mbuf *m, fault_emit_t emit,
		     void *ctx)
{
	uint64_t delay = f->conf.delay_ns;
	bool hold_back = chance(f, f->conf.reorder);

	/* This frame overtakes everything held for reorder. */
	for (unsigned i = 0; i < f->n; i++) {
		struct fault_held *h = &f->held[(f->head + i) % FAULT_HOLD_MAX];

		if (h->after)
			h->after--;
	}
	if (f->conf.jitter_ns)
		delay += ursa_rng_below(&f->rng, f->conf.jitter_ns + 1);
	if ((hold_back || delay) && f->n < FAULT_HOLD_MAX) {
		struct fault_held *h = &f->held[(f->head + f->n) % FAULT_HOLD_MAX];

		h->m = m;
		h->at = now + delay;
		h->after = hold_back ? f->conf.reorder_window : 0;
		h->limit = now + delay + FAULT_REORDER_LIMIT_NS;
		f->n++;
		if (hold_back)
			f->c.reordered++;
		if (delay)
			f->c.delayed++;
		return;
	}
	if (hold_back || delay)
		f->c.overflow++; /* hold queue full: pass it on undisturbed */
	f->c.out++;
	emit(ctx, m);
}

void fault_apply(struct ursa_fault *f, uint64_t now, struct rte_mbuf *m, fault_emit_t emit,
		 void *ctx)
{
	struct rte_mbuf *dup = NULL;

	f->c.in++;
	if (chance(f, f->conf.drop)) {
		f->c.dropped++;
		rte_pktmbuf_free(m);
		fault_drain(f, now, emit, ctx);
		return;
	}
	if (chance(f, f->conf.corrupt))
		corrupt(f, m);
	if (chance(f, f->conf.dup)) {
		dup = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
		if (dup != NULL)
			f->c.duplicated++;
	}
	pass_one(f, now, m, emit, ctx);
	if (dup != NULL)
		pass_one(f, now, dup, emit, ctx);
	fault_drain(f, now, emit, ctx);
}

uint64_t fault_next(const struct ursa_fault *f)
{
	uint64_t next = UINT64_MAX;

	for (unsigned i = 0; i < f->n; i++) {
		const struct fault_held *h = &f->held[(f->head + i) % FAULT_HOLD_MAX];
		uint64_t t = h->after ? h->limit : h->at;

		if (t < next)
			next = t;
	}
	return next;
}

static int parse_double(const char *v, double *out)
{
	char *end;
	double d = strtod(v, &end);

	if (end == v || *end != '\0' || !(d >= 0.0 && d <= 1.0))
		return -EINVAL;
	*out = d;
	return 0;
}

static int parse_u64(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (*v == '-' || *v == '\0')
		return -EINVAL;
	x = strtoull(v, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	*out = x;
	return 0;
}

/* "250us", "2ms", "1s", "100ns", "500" (ns) */
static int parse_time(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long x;
	uint64_t mult = 1;

	if (*v == '-' || *v == '\0')
		return -EINVAL;
	x = strtoull(v, &end, 10);
	if (end == v)
		return -EINVAL;
	if (strcmp(end, "ns") == 0 || *end == '\0')
		mult = 1;
	else if (strcmp(end, "us") == 0)
		mult = URSA_NS_PER_US;
	else if (strcmp(end, "ms") == 0)
		mult = URSA_NS_PER_MS;
	else if (strcmp(end, "s") == 0)
		mult = URSA_NS_PER_S;
	else
		return -EINVAL;
	*out = x * mult;
	return 0;
}

int ursa_fault_parse(const char *s, struct ursa_fault_conf *conf, char *err, unsigned errlen)
{
	char buf[512];
	char *save = NULL;

	memset(conf, 0, sizeof(*conf));
	conf->reorder_window = 4;
	conf->seed = 1;
	if (strlen(s) >= sizeof(buf)) {
		if (err)
			snprintf(err, errlen, "fault spec too long");
		return -EINVAL;
	}
	strcpy(buf, s);
	for (char *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		const char *k, *v;
		uint64_t u = 0;
		int rc;

		if (eq == NULL) {
			if (err)
				snprintf(err, errlen, "fault option '%s' is not key=value", kv);
			return -EINVAL;
		}
		*eq = '\0';
		k = kv;
		v = eq + 1;
		if (strcmp(k, "drop") == 0)
			rc = parse_double(v, &conf->drop);
		else if (strcmp(k, "dup") == 0)
			rc = parse_double(v, &conf->dup);
		else if (strcmp(k, "reorder") == 0)
			rc = parse_double(v, &conf->reorder);
		else if (strcmp(k, "corrupt") == 0)
			rc = parse_double(v, &conf->corrupt);
		else if (strcmp(k, "delay") == 0)
			rc = parse_time(v, &conf->delay_ns);
		else if (strcmp(k, "jitter") == 0)
			rc = parse_time(v, &conf->jitter_ns);
		else if (strcmp(k, "seed") == 0)
			rc = parse_u64(v, &conf->seed);
		else if (strcmp(k, "window") == 0) {
			rc = parse_u64(v, &u);
			if (rc == 0 && (u == 0 || u > 64))
				rc = -EINVAL;
			conf->reorder_window = (unsigned)u;
		} else if (strcmp(k, "skip") == 0) {
			rc = parse_u64(v, &u);
			if (rc == 0 && u > 1500)
				rc = -EINVAL;
			conf->corrupt_skip = (uint16_t)u;
		} else {
			if (err)
				snprintf(err, errlen,
					 "unknown fault option '%s' (drop, dup, reorder, window, "
					 "corrupt, skip, delay, jitter, seed)",
					 k);
			return -EINVAL;
		}
		if (rc) {
			if (err)
				snprintf(err, errlen, "bad value '%s' for fault option '%s'", v, k);
			return -EINVAL;
		}
	}
	return 0;
}
