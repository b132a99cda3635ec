/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 24-bit packet sequence number arithmetic: the only place PSN math lives. Comparisons are
 * modular within a +-2^23 window (IBTA 9.7.1; rocev2.md §3.1).
 */
#ifndef URSA_ROCE_PSN_H
#define URSA_ROCE_PSN_H

#include <stdint.h>

#include "roce_hdr.h"

#ifdef __cplusplus
extern "C" {
#endif

/** <0 when a is before b, 0 when equal, >0 when a is after b. */
static inline int32_t roce_psn_cmp(uint32_t a, uint32_t b)
{
	return (int32_t)((a - b) << 8) >> 8;
}

static inline uint32_t roce_psn_add(uint32_t a, uint32_t n)
{
	return (a + n) & ROCE_PSN_MASK;
}

static inline uint32_t roce_psn_sub(uint32_t a, uint32_t n)
{
	return (a - n) & ROCE_PSN_MASK;
}

/** Distance b - a, taken modulo 2^24 (a and b in a window, a not after b). */
static inline uint32_t roce_psn_dist(uint32_t a, uint32_t b)
{
	return (b - a) & ROCE_PSN_MASK;
}

static inline int roce_psn_before(uint32_t a, uint32_t b)
{
	return roce_psn_cmp(a, b) < 0;
}
static inline int roce_psn_after(uint32_t a, uint32_t b)
{
	return roce_psn_cmp(a, b) > 0;
}

#ifdef __cplusplus
}
#endif

#endif /* URSA_ROCE_PSN_H */
