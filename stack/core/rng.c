/* SPDX-License-Identifier: BSD-3-Clause */
/* xoshiro256** (Blackman & Vigna) seeded by splitmix64. */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "ursa_rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void ursa_rng_seed(struct ursa_rng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

int ursa_rng_seed_os(struct ursa_rng *r)
{
	uint64_t s[4];
	ssize_t n = getrandom(s, sizeof(s), 0);

	if (n != (ssize_t)sizeof(s))
		return n < 0 ? -errno : -EIO;
	memcpy(r->s, s, sizeof(s));
	if (!(s[0] | s[1] | s[2] | s[3])) /* the all-zero state is a fixed point */
		ursa_rng_seed(r, 1);
	return 0;
}

uint64_t ursa_rng_below(struct ursa_rng *r, uint64_t n)
{
	/* Lemire's multiply-shift with rejection of the biased low region. */
	uint64_t x = ursa_rng_u64(r);
	unsigned __int128 m = (unsigned __int128)x * n;
	uint64_t l = (uint64_t)m;

	if (l < n) {
		uint64_t t = -n % n;

		while (l < t) {
			x = ursa_rng_u64(r);
			m = (unsigned __int128)x * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

void ursa_rng_fill(struct ursa_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len >= 8) {
		uint64_t v = ursa_rng_u64(r);

		memcpy(p, &v, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = ursa_rng_u64(r);

		memcpy(p, &v, len);
	}
}
