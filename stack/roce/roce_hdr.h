/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RoCEv2 / InfiniBand transport headers as they are on the wire (IBTA vol. 1 ch. 9.2-9.5,
 * Annex A17). Every multi-byte field is big-endian; 24-bit fields (QPN, PSN, MSN) are three
 * bytes. Raw fields are touched only through the accessors below. The ICRC that ends every
 * packet is little-endian (rocev2.md §2.4) and is handled in roce_icrc.c.
 */
#ifndef URSA_ROCE_HDR_H
#define URSA_ROCE_HDR_H

#include <assert.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ROCE_UDP_PORT	  4791
#define ROCE_ICRC_LEN	  4
#define ROCE_PSN_MASK	  0xffffffu
#define ROCE_QPN_MASK	  0xffffffu
#define ROCE_DEFAULT_PKEY 0xffff

/* BTH: Base Transport Header (IBTA 9.2). */
struct roce_bth {
	uint8_t opcode;
	uint8_t flags; /* SE(7) M(6) PadCnt(5..4) TVer(3..0) */
	rte_be16_t pkey;
	uint8_t resv8a; /* FECN(7) BECN(6) resv6a; masked in the ICRC */
	uint8_t qpn[3];
	uint8_t ackreq; /* AckReq(7) resv7 */
	uint8_t psn[3];
} __rte_packed;
static_assert(sizeof(struct roce_bth) == 12, "BTH is 12 bytes");

#define ROCE_BTH_SE	   0x80
#define ROCE_BTH_MIG	   0x40
#define ROCE_BTH_PAD_SHIFT 4
#define ROCE_BTH_PAD_MASK  0x30
#define ROCE_BTH_TVER_MASK 0x0f
#define ROCE_BTH_ACKREQ	   0x80
#define ROCE_BTH_BECN	   0x40

/* RETH: RDMA Extended Transport Header (IBTA 9.3.3). */
struct roce_reth {
	rte_be64_t va;
	rte_be32_t rkey;
	rte_be32_t len;
} __rte_packed;
static_assert(sizeof(struct roce_reth) == 16, "RETH is 16 bytes");

/* AETH: ACK Extended Transport Header (IBTA 9.3.5). */
struct roce_aeth {
	uint8_t syndrome;
	uint8_t msn[3];
} __rte_packed;
static_assert(sizeof(struct roce_aeth) == 4, "AETH is 4 bytes");

/* AtomicETH (IBTA 9.3.4). */
struct roce_atmeth {
	rte_be64_t va;
	rte_be32_t rkey;
	rte_be64_t swap_add;
	rte_be64_t cmp;
} __rte_packed;
static_assert(sizeof(struct roce_atmeth) == 28, "AtomicETH is 28 bytes");

/* AtomicAckETH (IBTA 9.5.3). */
struct roce_atmack {
	rte_be64_t orig;
} __rte_packed;
static_assert(sizeof(struct roce_atmack) == 8, "AtomicAckETH is 8 bytes");

/* ImmDt (IBTA 9.3.6): opaque, passed to the completion as is (network order). */
struct roce_immdt {
	rte_be32_t imm;
} __rte_packed;
static_assert(sizeof(struct roce_immdt) == 4, "ImmDt is 4 bytes");

/* IETH (IBTA 9.3.7): the R_Key to invalidate. */
struct roce_ieth {
	rte_be32_t rkey;
} __rte_packed;
static_assert(sizeof(struct roce_ieth) == 4, "IETH is 4 bytes");

/* AETH syndrome (IBTA 9.7.5.1, rocev2.md §3.4). */
#define ROCE_AETH_TYPE_MASK	0xe0
#define ROCE_AETH_ACK		0x00
#define ROCE_AETH_RNR_NAK	0x20
#define ROCE_AETH_NAK		0x60
#define ROCE_AETH_CODE_MASK	0x1f
#define ROCE_AETH_ACK_NO_CREDIT 0x1f
#define ROCE_NAK_PSN_SEQ	0x00
#define ROCE_NAK_INV_REQ	0x01
#define ROCE_NAK_REM_ACCESS	0x02
#define ROCE_NAK_REM_OP		0x03

static inline uint32_t roce_get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline void roce_put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static inline uint32_t roce_bth_psn(const struct roce_bth *b)
{
	return roce_get24(b->psn);
}
static inline uint32_t roce_bth_qpn(const struct roce_bth *b)
{
	return roce_get24(b->qpn);
}
static inline unsigned roce_bth_pad(const struct roce_bth *b)
{
	return (b->flags & ROCE_BTH_PAD_MASK) >> ROCE_BTH_PAD_SHIFT;
}
static inline unsigned roce_bth_tver(const struct roce_bth *b)
{
	return b->flags & ROCE_BTH_TVER_MASK;
}
static inline int roce_bth_ackreq(const struct roce_bth *b)
{
	return (b->ackreq & ROCE_BTH_ACKREQ) != 0;
}
static inline uint16_t roce_bth_pkey(const struct roce_bth *b)
{
	return rte_be_to_cpu_16(b->pkey);
}

static inline void roce_bth_set(struct roce_bth *b, uint8_t opcode, int se, unsigned pad,
				uint16_t pkey, uint32_t qpn, int ackreq, uint32_t psn)
{
	b->opcode = opcode;
	b->flags = (uint8_t)((se ? ROCE_BTH_SE : 0) | (pad << ROCE_BTH_PAD_SHIFT));
	b->pkey = rte_cpu_to_be_16(pkey);
	b->resv8a = 0;
	roce_put24(b->qpn, qpn);
	b->ackreq = ackreq ? ROCE_BTH_ACKREQ : 0;
	roce_put24(b->psn, psn);
}

static inline uint32_t roce_aeth_msn(const struct roce_aeth *a)
{
	return roce_get24(a->msn);
}
static inline void roce_aeth_set(struct roce_aeth *a, uint8_t syndrome, uint32_t msn)
{
	a->syndrome = syndrome;
	roce_put24(a->msn, msn);
}

#ifdef __cplusplus
}
#endif

#endif /* URSA_ROCE_HDR_H */
