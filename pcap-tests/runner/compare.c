/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The comparison: pairs what ursa sent with what Linux sent, then compares each pair field
 * by field. Pairing follows the packets' coarse kind (VLAN, protocol, message type): in
 * order (a longest common subsequence, so one missing or extra packet does not shift every
 * later pair) or, with time_check = none, as a set. Unpaired expected packets are reported
 * missing, unpaired sent ones extra. Fields the case ignores are skipped; byte fields report
 * the first differing offset.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

static const char *trimmed(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

static void fmt_time(char *buf, size_t len, uint64_t t, uint64_t base)
{
	uint64_t d = t >= base ? t - base : base - t;

	snprintf(buf, len, "%c%" PRIu64 ".%06" PRIu64 "s", t >= base ? '+' : '-',
		 (uint64_t)(d / URSA_NS_PER_S), (uint64_t)(d % URSA_NS_PER_S / 1000));
}

/* A field's value; byte fields also show their first bytes. */
static const char *preview(const struct field *f, char *buf, size_t len)
{
	size_t n;

	if (f->bytes == NULL)
		return f->val;
	n = (size_t)snprintf(buf, len, "%s [", f->val);
	for (uint32_t i = 0; i < f->nbytes && i < 16 && n + 4 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, i ? " %02x" : "%02x", f->bytes[i]);
	if (n + 5 < len)
		snprintf(buf + n, len - n, "%s]", f->nbytes > 16 ? " ..." : "");
	return buf;
}

/* Print one field difference (or, with print = false, just say whether there is one). */
static bool field_differs(const struct field *e, const struct field *a, bool print)
{
	if (e && a && e->bytes == NULL && a->bytes == NULL) {
		if (strcmp(e->val, a->val) == 0)
			return false;
		if (print)
			printf("      %-18s expected %s, got %s\n", e->name, e->val, a->val);
		return true;
	}
	if (e && a) {
		uint32_t n = e->nbytes < a->nbytes ? e->nbytes : a->nbytes;
		uint32_t i = 0;

		if (e->bytes && a->bytes && e->nbytes == a->nbytes &&
		    memcmp(e->bytes, a->bytes, n) == 0)
			return false;
		if (!print)
			return true;
		if (e->bytes == NULL || a->bytes == NULL) {
			printf("      %-18s expected %s, got %s\n", e->name, e->val, a->val);
			return true;
		}
		while (i < n && e->bytes[i] == a->bytes[i])
			i++;
		if (i < n)
			printf("      %-18s expected %u bytes, got %u bytes; first difference at "
			       "offset %u: expected 0x%02x, got 0x%02x\n",
			       e->name, e->nbytes, a->nbytes, i, e->bytes[i], a->bytes[i]);
		else
			printf("      %-18s expected %u bytes, got %u bytes; equal up to offset "
			       "%u\n",
			       e->name, e->nbytes, a->nbytes, i);
		return true;
	}
	if (print) {
		char pe[DISSECT_VAL_LEN + 64], pa[DISSECT_VAL_LEN + 64];

		printf("      %-18s expected %s, got %s\n", e ? e->name : a->name,
		       e ? preview(e, pe, sizeof(pe)) : "(absent)",
		       a ? preview(a, pa, sizeof(pa)) : "(absent)");
	}
	return true;
}

/* Number of differing fields that are not ignored; prints them when print is set. */
static unsigned diff_pair(const struct dissection *e, const struct dissection *a,
			  const struct case_conf *conf, bool print)
{
	unsigned n = 0;

	for (unsigned i = 0; i < e->n; i++) {
		const struct field *ef = &e->f[i];

		if (case_ignores(conf, ef->name))
			continue;
		if (field_differs(ef, dissect_find(a, ef->name), print))
			n++;
	}
	for (unsigned i = 0; i < a->n; i++) {
		const struct field *af = &a->f[i];

		if (dissect_find(e, af->name) != NULL || case_ignores(conf, af->name))
			continue;
		field_differs(NULL, af, print);
		n++;
	}
	return n;
}

static void print_fields(const struct dissection *d, const char *who)
{
	printf("      %s:", who);
	for (unsigned i = 0; i < d->n; i++)
		printf("%s %s=%s", i % 6 == 0 ? "\n       " : "", d->f[i].name, d->f[i].val);
	printf("\n");
}

/* pair[i] for expected i: the index of the sent packet it is compared with, or -1. */
static void pair_in_order(const struct dissection *e, unsigned ne, const struct dissection *a,
			  unsigned na, int *pair)
{
	unsigned *t = calloc((size_t)(ne + 1) * (na + 1), sizeof(*t));
	unsigned i = 0, j = 0;

	for (unsigned k = 0; k < ne; k++)
		pair[k] = -1;
	if (t == NULL)
		return;
#define T(x, y) t[(size_t)(x) * (na + 1) + (y)]
	/* T(i, j): longest common kind sequence of e[i..] and a[j..]. */
	for (unsigned x = ne; x-- > 0;)
		for (unsigned y = na; y-- > 0;)
			T(x, y) = strcmp(e[x].kind, a[y].kind) == 0
					  ? T(x + 1, y + 1) + 1
					  : (T(x + 1, y) > T(x, y + 1) ? T(x + 1, y) : T(x, y + 1));
	while (i < ne && j < na) {
		if (strcmp(e[i].kind, a[j].kind) == 0) {
			pair[i++] = (int)j++;
		} else if (T(i + 1, j) >= T(i, j + 1)) {
			i++;
		} else {
			j++;
		}
	}
#undef T
	free(t);
}

/* As a set: each expected packet takes the first unpaired sent packet of the same kind
 * that matches it exactly, else the first of the same kind. */
static void pair_as_set(const struct dissection *e, unsigned ne, const struct dissection *a,
			unsigned na, const struct case_conf *conf, int *pair)
{
	bool *used = calloc(na + 1, sizeof(*used));

	for (unsigned i = 0; i < ne; i++)
		pair[i] = -1;
	if (used == NULL)
		return;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < ne; i++) {
			if (pair[i] >= 0)
				continue;
			for (unsigned j = 0; j < na; j++) {
				if (used[j] || strcmp(e[i].kind, a[j].kind) != 0)
					continue;
				if (pass == 0 && diff_pair(&e[i], &a[j], conf, false) != 0)
					continue;
				pair[i] = (int)j;
				used[j] = true;
				break;
			}
		}
	free(used);
}

static void print_extra(const struct frame_list *actual, const struct dissection *a, unsigned j,
			const struct compare_opts *o, struct compare_result *r)
{
	char ta[32];

	fmt_time(ta, sizeof(ta), actual->v[j].t_ns, o->actual_base);
	printf("  EXTRA     sent #%u at %s: %s\n", j + 1, ta, trimmed(a[j].summary));
	if (o->verbose)
		print_fields(&a[j], "sent");
	r->extra++;
}

bool compare_frames(const struct frame_list *expected, const struct frame_list *actual,
		    const struct compare_opts *o, struct compare_result *r)
{
	unsigned ne = expected->n, na = actual->n;
	struct dissection *e = calloc(ne + 1, sizeof(*e));
	struct dissection *a = calloc(na + 1, sizeof(*a));
	int *pair = calloc(ne + 1, sizeof(*pair));
	bool *taken = calloc(na + 1, sizeof(*taken));
	unsigned j = 0;
	char te[32], ta[32];

	memset(r, 0, sizeof(*r));
	if (e == NULL || a == NULL || pair == NULL || taken == NULL) {
		printf("out of memory comparing %u and %u packets\n", ne, na);
		r->missing = ne;
		r->extra = na;
		goto out_free;
	}
	for (unsigned i = 0; i < ne; i++)
		dissect(expected->v[i].data, expected->v[i].len, &e[i]);
	for (unsigned i = 0; i < na; i++)
		dissect(actual->v[i].data, actual->v[i].len, &a[i]);
	if (o->conf->time_check == TIME_CHECK_NONE)
		pair_as_set(e, ne, a, na, o->conf, pair);
	else
		pair_in_order(e, ne, a, na, pair);
	for (unsigned i = 0; i < ne; i++)
		if (pair[i] >= 0)
			taken[pair[i]] = true;

	printf("expected %u packet%s, ursa sent %u\n", ne, ne == 1 ? "" : "s", na);
	if (o->conf->nignore) {
		printf("not compared:");
		for (unsigned i = 0; i < o->conf->nignore; i++)
			printf(" %s", o->conf->ignore[i]);
		printf(" (%s)\n", o->conf->ignore_reason);
	}
	/* Walk the expected packets in order; in order mode, sent packets that were not
	 * expected are reported where they appeared. */
	for (unsigned i = 0; i < ne; i++) {
		if (o->conf->time_check == TIME_CHECK_ORDER && pair[i] >= 0) {
			for (; j < (unsigned)pair[i]; j++)
				if (!taken[j])
					print_extra(actual, a, j, o, r);
			j = (unsigned)pair[i] + 1;
		}
		fmt_time(te, sizeof(te), expected->v[i].t_ns, o->expected_base);
		if (pair[i] < 0) {
			printf("  MISSING   expected #%u at %s: %s\n", i + 1, te,
			       trimmed(e[i].summary));
			if (o->verbose)
				print_fields(&e[i], "expected");
			r->missing++;
			continue;
		}
		fmt_time(ta, sizeof(ta), actual->v[pair[i]].t_ns, o->actual_base);
		if (diff_pair(&e[i], &a[pair[i]], o->conf, false) == 0) {
			r->matched++;
			if (o->verbose) {
				printf("  ok        expected #%u at %s, sent #%d at %s: %s\n",
				       i + 1, te, pair[i] + 1, ta, trimmed(e[i].summary));
				print_fields(&a[pair[i]], "fields");
			}
		} else {
			r->differ++;
			printf("  DIFFERS   expected #%u at %s, sent #%d at %s: %s\n", i + 1, te,
			       pair[i] + 1, ta, trimmed(e[i].summary));
			diff_pair(&e[i], &a[pair[i]], o->conf, true);
			if (o->verbose) {
				print_fields(&e[i], "expected");
				print_fields(&a[pair[i]], "sent");
			}
		}
	}
	for (unsigned k = o->conf->time_check == TIME_CHECK_ORDER ? j : 0; k < na; k++)
		if (!taken[k])
			print_extra(actual, a, k, o, r);
out_free:
	free(taken);
	free(pair);
	free(a);
	free(e);
	return r->differ == 0 && r->missing == 0 && r->extra == 0;
}
