/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RoCEv2 invariant CRC (rocev2.md §2): CRC-32 (Ethernet polynomial, reflected) over
 * 8 bytes of 0xFF, a copy of IP + UDP + BTH with the variant fields forced to 0xFF, then the
 * rest of the transport headers, the payload and the pad, as they are in the mbuf. The
 * result goes on the wire least-significant byte first.
 *
 * ISA-L's crc32_gzip_refl continues zlib-style (the argument is the previous final value),
 * so the 8-byte 0xFF prefix is folded into a constant: the final value after it is
 * ~0xDEBB20E3, the seed rxe uses for its raw register.
 */
#include <string.h>

#include <isa-l/crc.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "roce_priv.h"

#define ICRC_PREFIX_FINAL (~0xDEBB20E3u)

/* ISA-L's fastest variant (crc32_gzip_refl_by16_10, AVX-512 + VPCLMULQDQ) returns with the
 * upper halves of the vector registers dirty; the SSE code of the rest of the stack then
 * pays for every legacy-SSE instruction (a profile showed it on the first one after each
 * CRC: a fifth of the time of a loopback write_bw). Clean them once per packet. */
static inline void icrc_vzeroupper(void)
{
#if defined(__x86_64__) && !defined(__AVX__)
	if (__builtin_cpu_supports("avx"))
		__asm__ volatile("vzeroupper");
#endif
}

uint32_t roce_icrc_calc(const uint8_t *l3, const struct rte_mbuf *m, uint32_t bth_off, uint32_t len)
{
	uint8_t hdr[sizeof(struct rte_ipv6_hdr) + sizeof(struct rte_udp_hdr) +
		    sizeof(struct roce_bth)];
	const struct roce_bth *bth;
	unsigned iplen =
		(l3[0] >> 4) == 6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	uint8_t *udp = hdr + iplen;
	uint32_t crc, off, end, base;

	/* constant sizes: a variable one became "rep movsq", a fifth of this function's time */
	if (iplen == sizeof(struct rte_ipv4_hdr))
		memcpy(hdr, l3, sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr));
	else
		memcpy(hdr, l3, sizeof(struct rte_ipv6_hdr) + sizeof(struct rte_udp_hdr));
	bth = rte_pktmbuf_read(m, bth_off, sizeof(*bth), udp + sizeof(struct rte_udp_hdr));
	if (bth == NULL)
		return 0;
	if (bth != (const void *)(udp + sizeof(struct rte_udp_hdr)))
		memcpy(udp + sizeof(struct rte_udp_hdr), bth, sizeof(*bth));
	if (iplen == sizeof(struct rte_ipv4_hdr)) {
		hdr[1] = 0xff;		  /* TOS */
		hdr[8] = 0xff;		  /* TTL */
		hdr[10] = hdr[11] = 0xff; /* header checksum */
	} else {
		hdr[0] |= 0x0f;			 /* traffic class, high nibble */
		hdr[1] = hdr[2] = hdr[3] = 0xff; /* traffic class low nibble + flow label */
		hdr[7] = 0xff;			 /* hop limit */
	}
	udp[6] = udp[7] = 0xff;			    /* UDP checksum */
	udp[sizeof(struct rte_udp_hdr) + 4] = 0xff; /* BTH resv8a: FECN, BECN, resv6a */
	crc = crc32_gzip_refl(ICRC_PREFIX_FINAL, hdr,
			      (uint64_t)(iplen + sizeof(struct rte_udp_hdr) + sizeof(*bth)));

	/* The rest, in place, across segments. */
	off = bth_off + sizeof(*bth);
	end = bth_off + len;
	base = 0;
	for (const struct rte_mbuf *s = m; s != NULL && base < end; s = s->next) {
		uint32_t sl = rte_pktmbuf_data_len(s);

		if (off < base + sl) {
			uint32_t a = RTE_MAX(off, base) - base;
			uint32_t b = RTE_MIN(end, base + sl) - base;

			crc = crc32_gzip_refl(crc, rte_pktmbuf_mtod_offset(s, const uint8_t *, a),
					      b - a);
		}
		base += sl;
	}
	icrc_vzeroupper();
	return crc;
}

bool roce_icrc_check(const uint8_t *l3, const struct rte_mbuf *m, uint32_t bth_off, uint32_t len)
{
	uint8_t buf[ROCE_ICRC_LEN];
	const uint8_t *p;
	uint32_t wire;

	if (len < sizeof(struct roce_bth) + ROCE_ICRC_LEN)
		return false;
	p = rte_pktmbuf_read(m, bth_off + len - ROCE_ICRC_LEN, ROCE_ICRC_LEN, buf);
	if (p == NULL)
		return false;
	wire = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return roce_icrc_calc(l3, m, bth_off, len - ROCE_ICRC_LEN) == wire;
}

void roce_icrc_put(uint8_t *p, uint32_t icrc)
{
	p[0] = (uint8_t)icrc;
	p[1] = (uint8_t)(icrc >> 8);
	p[2] = (uint8_t)(icrc >> 16);
	p[3] = (uint8_t)(icrc >> 24);
}
