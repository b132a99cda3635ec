/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The injected random number generator: xoshiro256** seeded through splitmix64.
 *
 * Seeded explicitly (tests and replays use fixed seeds; the daemon seeds from getrandom()).
 * Not a CSPRNG on its own: secrets (ISN keys, rkeys) are drawn from a generator that the
 * daemon seeds from the kernel's entropy, and the output is never exposed raw.
 */
#ifndef URSA_RNG_H
#define URSA_RNG_H

#include <stddef.h>
#include <stdint.h>

struct ursa_rng {
	uint64_t s[4];
};

void ursa_rng_seed(struct ursa_rng *r, uint64_t seed);
/** Seed from the kernel's entropy (getrandom); returns 0 or -errno. */
int ursa_rng_seed_os(struct ursa_rng *r);

static inline uint64_t ursa_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t ursa_rng_u64(struct ursa_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = ursa_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = ursa_rng_rotl(s[3], 45);
	return result;
}

static inline uint32_t ursa_rng_u32(struct ursa_rng *r)
{
	return (uint32_t)(ursa_rng_u64(r) >> 32);
}

/** Uniform in [0, n) (n > 0), without modulo bias. */
uint64_t ursa_rng_below(struct ursa_rng *r, uint64_t n);
/** Uniform in [0, 1). */
static inline double ursa_rng_unit(struct ursa_rng *r)
{
	return (double)(ursa_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}
void ursa_rng_fill(struct ursa_rng *r, void *buf, size_t len);

#endif /* URSA_RNG_H */
