/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xoshiro256** (Blackman & Vigna) seeded by splitmix64, and the secret generator: libsodium's
 * randombytes_buf, or for a seeded lcore a ChaCha20 stream with a key replaced at each refill.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <sodium.h>

#include "ursa_rng.h"

static_assert(URSA_SECRET_KEY_BYTES == randombytes_SEEDBYTES, "the stream key is a seed");

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

/* Uniform in [0, n) from 64-bit draws: Lemire's multiply-shift, rejecting the biased low
 * region. */
static uint64_t below(uint64_t (*draw)(void *), void *g, uint64_t n)
{
	uint64_t x = draw(g);
	unsigned __int128 m = (unsigned __int128)x * n;
	uint64_t l = (uint64_t)m;

	if (l < n) {
		uint64_t t = -n % n;

		while (l < t) {
			x = draw(g);
			m = (unsigned __int128)x * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

static uint64_t rng_draw(void *g)
{
	return ursa_rng_u64(g);
}

uint64_t ursa_rng_below(struct ursa_rng *r, uint64_t n)
{
	return below(rng_draw, r, n);
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

/* ---- the secret generator ---- */

static int secret_start(struct ursa_secret *s, bool seeded)
{
	memset(s, 0, sizeof(*s));
	if (sodium_init() < 0)
		return -EIO;
	s->seeded = seeded;
	s->pos = URSA_SECRET_BUF_BYTES; /* empty: the first draw refills */
	return 0;
}

int ursa_secret_init_os(struct ursa_secret *s)
{
	return secret_start(s, false);
}

int ursa_secret_init_seed(struct ursa_secret *s, uint64_t seed)
{
	static const char domain[] = "ursa secret stream v1";
	uint8_t msg[sizeof(domain) + sizeof(seed)];
	int rc = secret_start(s, true);

	if (rc != 0)
		return rc;
	/* The key is a hash of the seed, so the stream shares nothing with xoshiro's. */
	memcpy(msg, domain, sizeof(domain));
	for (size_t i = 0; i < sizeof(seed); i++)
		msg[sizeof(domain) + i] = (uint8_t)(seed >> (8 * i));
	crypto_generichash(s->key, sizeof(s->key), msg, sizeof(msg), NULL, 0);
	return 0;
}

void ursa_secret_wipe(struct ursa_secret *s)
{
	sodium_memzero(s, sizeof(*s));
}

static void secret_refill(struct ursa_secret *s)
{
	if (s->seeded) {
		/* Fast key erasure: the first 32 bytes of each block become the next key. */
		uint8_t out[URSA_SECRET_KEY_BYTES + URSA_SECRET_BUF_BYTES];

		randombytes_buf_deterministic(out, sizeof(out), s->key);
		memcpy(s->key, out, sizeof(s->key));
		memcpy(s->buf, out + sizeof(s->key), sizeof(s->buf));
		sodium_memzero(out, sizeof(out));
	} else {
		randombytes_buf(s->buf, sizeof(s->buf));
	}
	s->pos = 0;
}

void ursa_secret_bytes(struct ursa_secret *s, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		size_t n;

		if (s->pos == URSA_SECRET_BUF_BYTES)
			secret_refill(s);
		n = URSA_SECRET_BUF_BYTES - s->pos;
		if (n > len)
			n = len;
		memcpy(p, s->buf + s->pos, n);
		sodium_memzero(s->buf + s->pos, n); /* handed out: not kept */
		s->pos = (uint16_t)(s->pos + n);
		p += n;
		len -= n;
	}
}

uint32_t ursa_secret_u32(struct ursa_secret *s)
{
	uint32_t v;

	ursa_secret_bytes(s, &v, sizeof(v));
	return v;
}

uint64_t ursa_secret_u64(struct ursa_secret *s)
{
	uint64_t v;

	ursa_secret_bytes(s, &v, sizeof(v));
	return v;
}

static uint64_t secret_draw(void *g)
{
	return ursa_secret_u64(g);
}

uint64_t ursa_secret_below(struct ursa_secret *s, uint64_t n)
{
	return below(secret_draw, s, n);
}
