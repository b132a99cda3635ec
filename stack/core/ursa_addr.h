/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * IP addresses as ursa passes them: one type for IPv4 and IPv6, and its parser and printer.
 *
 * Plain C with no DPDK: an application in another process (the app channel of a later issue)
 * can include it. The headers test (scripts/check-headers) compiles it with no DPDK include
 * path.
 */
#ifndef URSA_ADDR_H
#define URSA_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** An IPv4 or IPv6 address in network byte order. */
struct ursa_ipaddr {
	uint8_t family; /**< AF_INET or AF_INET6 */
	union {
		uint32_t v4; /**< network byte order (DPDK's rte_be32_t) */
		uint8_t v6[16];
	};
};

bool ursa_ipaddr_eq(const struct ursa_ipaddr *a, const struct ursa_ipaddr *b);
/** True when a and b agree on the first plen bits (same family required). */
bool ursa_ipaddr_prefix_match(const struct ursa_ipaddr *a, const struct ursa_ipaddr *b,
			      unsigned plen);
/** Parse "10.0.0.1", "fd00::1", optionally with "/plen" (plen set to 32/128 when absent).
 *  Returns 0 or -EINVAL. plen may be NULL when no prefix is allowed. */
int ursa_ipaddr_parse(const char *s, struct ursa_ipaddr *a, uint8_t *plen);
/** Format into buf (at least 48 bytes); returns buf. */
const char *ursa_ipaddr_fmt(const struct ursa_ipaddr *a, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* URSA_ADDR_H */
