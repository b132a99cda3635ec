/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Seeded fault injection at a port, per direction: drop, duplicate, reorder within a
 * window, corrupt bytes, delay. For tests and demos; the kernel here has no netem.
 *
 * Faults draw from their own RNG (seeded from the configuration) so that turning them on
 * does not change any other random choice of the stack.
 */
#ifndef URSA_FAULT_H
#define URSA_FAULT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct rte_mbuf;

enum ursa_dir {
	URSA_DIR_RX,
	URSA_DIR_TX,
	URSA_DIR_MAX,
};

struct ursa_fault_conf {
	uint64_t seed;
	double drop;		 /**< probability a frame is dropped */
	double dup;		 /**< probability a frame is sent twice */
	double reorder;		 /**< probability a frame is held back behind later ones */
	unsigned reorder_window; /**< how many later frames may overtake a held one (>= 1) */
	double corrupt;		 /**< probability one random byte of a frame is flipped */
	uint64_t delay_ns;	 /**< fixed extra delay for every frame */
	uint64_t jitter_ns;	 /**< uniform extra delay in [0, jitter_ns] */
	uint16_t corrupt_skip;	 /**< leave the first N bytes alone (e.g. 14: keep L2 intact) */
};

/** Parse "drop=0.05,dup=0.01,reorder=0.05,window=8,corrupt=0.001,delay=100us,jitter=50us,
 *  seed=7,skip=14". Unknown keys and bad numbers give -EINVAL and, when err is non-NULL, a
 *  message naming the problem. */
int ursa_fault_parse(const char *s, struct ursa_fault_conf *conf, char *err, unsigned errlen);

struct ursa_fault_counters {
	uint64_t in, out, dropped, duplicated, reordered, corrupted, delayed, overflow;
};

struct ursa_fault; /* opaque */

#ifdef __cplusplus
}
#endif

#endif /* URSA_FAULT_H */
