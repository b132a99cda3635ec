/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4/IPv6 address helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_core.h"

bool ursa_ipaddr_eq(const struct ursa_ipaddr *a, const struct ursa_ipaddr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	return memcmp(a->v6, b->v6, 16) == 0;
}

bool ursa_ipaddr_prefix_match(const struct ursa_ipaddr *a, const struct ursa_ipaddr *b,
			      unsigned plen)
{
	const uint8_t *pa, *pb;
	unsigned max;

	if (a->family != b->family)
		return false;
	if (a->family == AF_INET) {
		pa = (const uint8_t *)&a->v4;
		pb = (const uint8_t *)&b->v4;
		max = 32;
	} else {
		pa = a->v6;
		pb = b->v6;
		max = 128;
	}
	if (plen > max)
		plen = max;
	if (memcmp(pa, pb, plen / 8) != 0)
		return false;
	if (plen % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - plen % 8));

		return ((pa[plen / 8] ^ pb[plen / 8]) & mask) == 0;
	}
	return true;
}

int ursa_ipaddr_parse(const char *s, struct ursa_ipaddr *a, uint8_t *plen)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, &a->v4) == 1) {
		a->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, a->v6) == 1) {
		a->family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (slash) {
		char *end;
		unsigned long v;

		if (plen == NULL || slash[1] == '\0')
			return -EINVAL;
		v = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || v > max)
			return -EINVAL;
		*plen = (uint8_t)v;
	} else if (plen) {
		*plen = (uint8_t)max;
	}
	return 0;
}

const char *ursa_ipaddr_fmt(const struct ursa_ipaddr *a, char *buf, size_t len)
{
	if (inet_ntop(a->family == AF_INET ? AF_INET : AF_INET6,
		      a->family == AF_INET ? (const void *)&a->v4 : (const void *)a->v6, buf,
		      (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
	return buf;
}
