/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The injected random number generators of an lcore.
 *
 * struct ursa_rng is xoshiro256** seeded through splitmix64: fast, for choices a peer gains
 * nothing by predicting (timer jitter, fault injection, neighbour reachable times). It is
 * linear: a few of its outputs give away its state, so none of them may go on the wire.
 *
 * struct ursa_secret is for everything a peer must not guess: rkeys, QPNs, initial PSNs,
 * the ISN / port / SYN-cookie keys, timestamp offsets, IPv4 and IPv6 identifications and ND
 * nonces. By default it hands out bytes of libsodium's randombytes_buf (the kernel's
 * getrandom()). Only when an lcore is created with an explicit seed (tests, pcap replay,
 * --seed) is it a ChaCha20 stream keyed from the seed (randombytes_buf_deterministic),
 * so a replay is byte-exact; its key is replaced at every refill, so state read from memory
 * does not give earlier outputs away.
 */
#ifndef URSA_RNG_H
#define URSA_RNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#define URSA_SECRET_KEY_BYTES 32 /* randombytes_SEEDBYTES */
#define URSA_SECRET_BUF_BYTES 256

struct ursa_secret {
	bool seeded;			    /* true: ChaCha20 stream from key; false: the OS */
	uint16_t pos;			    /* next unused byte of buf */
	uint8_t key[URSA_SECRET_KEY_BYTES]; /* seeded: the key of the next refill */
	uint8_t buf[URSA_SECRET_BUF_BYTES]; /* bytes not handed out yet (used ones are zeroed) */
};

/** An unpredictable generator (libsodium, from getrandom). Returns 0 or -errno. */
int ursa_secret_init_os(struct ursa_secret *s);
/** A deterministic generator for tests and replay: ChaCha20 keyed with a hash of seed.
 *  Returns 0 or -errno (libsodium cannot start). */
int ursa_secret_init_seed(struct ursa_secret *s, uint64_t seed);
/** Wipe the generator's state. */
void ursa_secret_wipe(struct ursa_secret *s);
void ursa_secret_bytes(struct ursa_secret *s, void *buf, size_t len);
uint32_t ursa_secret_u32(struct ursa_secret *s);
uint64_t ursa_secret_u64(struct ursa_secret *s);
/** Uniform in [0, n) (n > 0), without modulo bias. */
uint64_t ursa_secret_below(struct ursa_secret *s, uint64_t n);

#ifdef __cplusplus
}
#endif

#endif /* URSA_RNG_H */
