/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4, RFC 1982 style): the only place
 * where sequence numbers are compared. Valid when the two values are less than 2^31 apart.
 */
#ifndef TCP_SEQ_H
#define TCP_SEQ_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

static inline bool SEQ_LT(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool SEQ_LEQ(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}
static inline bool SEQ_GT(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}
static inline bool SEQ_GEQ(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}
static inline uint32_t SEQ_MAX(uint32_t a, uint32_t b)
{
	return SEQ_GT(a, b) ? a : b;
}
static inline uint32_t SEQ_MIN(uint32_t a, uint32_t b)
{
	return SEQ_LT(a, b) ? a : b;
}
/** lo <= s < hi */
static inline bool SEQ_IN(uint32_t s, uint32_t lo, uint32_t hi)
{
	return SEQ_GEQ(s, lo) && SEQ_LT(s, hi);
}
/** Timestamp comparison (RFC 7323 §5.2 uses the same modular rule). */
static inline bool TSTMP_LT(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}
static inline bool TSTMP_GEQ(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

#ifdef __cplusplus
}
#endif

#endif /* TCP_SEQ_H */
