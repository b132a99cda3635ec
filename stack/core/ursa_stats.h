/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-lcore counters, registered by each layer as a named block.
 *
 * A layer keeps its counters in its own context (plain uint64_t, no atomics: one lcore
 * writes them) and registers the array with its names once. Telemetry, ursactl and tests
 * read them through the registry. Every drop is a counter named "drop_<reason>".
 */
#ifndef URSA_STATS_H
#define URSA_STATS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_STATS_MAX_BLOCKS 32

struct ursa_stats_block {
	const char *name;
	const char *const *names;
	const uint64_t *vals;
	unsigned n;
};

struct ursa_stats {
	unsigned nb;
	struct ursa_stats_block blocks[URSA_STATS_MAX_BLOCKS];
};

struct ursa_lcore;

int ursa_stats_register(struct ursa_lcore *lc, const char *block, const char *const *names,
			const uint64_t *vals, unsigned n);
/** Value of block.name, or -ENOENT. */
int ursa_stats_get(const struct ursa_lcore *lc, const char *block, const char *name, uint64_t *val);
typedef void (*ursa_stats_cb_t)(const char *block, const char *name, uint64_t val, void *arg);
void ursa_stats_foreach(const struct ursa_lcore *lc, ursa_stats_cb_t cb, void *arg);

/*
 * Declaring a counter set once, as an X-macro list:
 *   #define IP_COUNTERS(X) X(rx) X(drop_bad_cksum) ...
 *   URSA_COUNTERS_DECLARE(ip, IP_COUNTERS)
 * gives enum ip_counter { IP_C_rx, ..., IP_C_MAX } and ip_counter_names[].
 */
#define URSA_COUNTER_ENUM(name) name,
#define URSA_COUNTER_NAME(name) #name,

#ifdef __cplusplus
}
#endif

#endif /* URSA_STATS_H */
