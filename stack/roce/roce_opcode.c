/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RC opcode table (IBTA vol. 1 table 35; header sets as in rocev2.md §1.5-1.6). The
 * offsets and lengths are computed here from the header-presence bits, so the table cannot
 * disagree with itself; the unit tests check it against the wire sizes anyway.
 */
#include "roce_hdr.h"
#include "roce_opcode.h"

#define BTHL	  ((uint8_t)sizeof(struct roce_bth))
#define HAS(m, h) (((m)&ROCE_M_##h) != 0)
/* First-level extension: at most one of RETH, AtomicETH, AETH, right after the BTH. */
#define L1(m)                                                                                      \
	(HAS(m, RETH)	  ? sizeof(struct roce_reth)                                               \
	 : HAS(m, ATMETH) ? sizeof(struct roce_atmeth)                                             \
	 : HAS(m, AETH)	  ? sizeof(struct roce_aeth)                                               \
			  : 0)
#define L2(m)	(HAS(m, ATMACK) ? sizeof(struct roce_atmack) : 0)
#define L3(m)	(HAS(m, IMMDT) || HAS(m, IETH) ? 4 : 0)
#define HLEN(m) ((uint8_t)(BTHL + L1(m) + L2(m) + L3(m)))

#define OP(code, nm, m)                                                                            \
	[code] = {                                                                                 \
		.name = nm,                                                                        \
		.mask = (m),                                                                       \
		.length = HLEN(m),                                                                 \
		.off =                                                                             \
			{                                                                          \
				[ROCE_H_BTH] = 0,                                                  \
				[ROCE_H_RETH] = HAS(m, RETH) ? BTHL : 0,                           \
				[ROCE_H_AETH] = HAS(m, AETH) ? BTHL : 0,                           \
				[ROCE_H_ATMETH] = HAS(m, ATMETH) ? BTHL : 0,                       \
				[ROCE_H_ATMACK] = HAS(m, ATMACK) ? (uint8_t)(BTHL + L1(m)) : 0,    \
				[ROCE_H_IMMDT] = HAS(m, IMMDT) ? (uint8_t)(BTHL + L1(m)) : 0,      \
				[ROCE_H_IETH] = HAS(m, IETH) ? (uint8_t)(BTHL + L1(m)) : 0,        \
				[ROCE_H_PAYLOAD] = HLEN(m),                                        \
			},                                                                         \
	}

#define RQ    (ROCE_M_REQ)
#define SND   (ROCE_M_REQ | ROCE_M_SEND | ROCE_M_PAYLOAD | ROCE_M_RQWQE)
#define WR    (ROCE_M_REQ | ROCE_M_WRITE | ROCE_M_PAYLOAD)
#define RRESP (ROCE_M_RESP | ROCE_M_READ | ROCE_M_PAYLOAD)

const struct roce_opinfo roce_opcodes[256] = {
	OP(ROCE_OP_SEND_FIRST, "SEND_FIRST", SND | ROCE_M_FIRST),
	OP(ROCE_OP_SEND_MIDDLE, "SEND_MIDDLE", SND | ROCE_M_MIDDLE),
	OP(ROCE_OP_SEND_LAST, "SEND_LAST", SND | ROCE_M_LAST),
	OP(ROCE_OP_SEND_LAST_IMM, "SEND_LAST_WITH_IMMEDIATE",
	   SND | ROCE_M_LAST | ROCE_M_IMMDT | ROCE_M_IMM),
	OP(ROCE_OP_SEND_ONLY, "SEND_ONLY", SND | ROCE_M_ONLY),
	OP(ROCE_OP_SEND_ONLY_IMM, "SEND_ONLY_WITH_IMMEDIATE",
	   SND | ROCE_M_ONLY | ROCE_M_IMMDT | ROCE_M_IMM),
	OP(ROCE_OP_WRITE_FIRST, "RDMA_WRITE_FIRST", WR | ROCE_M_FIRST | ROCE_M_RETH),
	OP(ROCE_OP_WRITE_MIDDLE, "RDMA_WRITE_MIDDLE", WR | ROCE_M_MIDDLE),
	OP(ROCE_OP_WRITE_LAST, "RDMA_WRITE_LAST", WR | ROCE_M_LAST),
	OP(ROCE_OP_WRITE_LAST_IMM, "RDMA_WRITE_LAST_WITH_IMMEDIATE",
	   WR | ROCE_M_LAST | ROCE_M_IMMDT | ROCE_M_IMM | ROCE_M_RQWQE),
	OP(ROCE_OP_WRITE_ONLY, "RDMA_WRITE_ONLY", WR | ROCE_M_ONLY | ROCE_M_RETH),
	OP(ROCE_OP_WRITE_ONLY_IMM, "RDMA_WRITE_ONLY_WITH_IMMEDIATE",
	   WR | ROCE_M_ONLY | ROCE_M_RETH | ROCE_M_IMMDT | ROCE_M_IMM | ROCE_M_RQWQE),
	OP(ROCE_OP_READ_REQUEST, "RDMA_READ_REQUEST", RQ | ROCE_M_READ | ROCE_M_ONLY | ROCE_M_RETH),
	OP(ROCE_OP_READ_RESP_FIRST, "RDMA_READ_RESPONSE_FIRST", RRESP | ROCE_M_FIRST | ROCE_M_AETH),
	OP(ROCE_OP_READ_RESP_MIDDLE, "RDMA_READ_RESPONSE_MIDDLE", RRESP | ROCE_M_MIDDLE),
	OP(ROCE_OP_READ_RESP_LAST, "RDMA_READ_RESPONSE_LAST", RRESP | ROCE_M_LAST | ROCE_M_AETH),
	OP(ROCE_OP_READ_RESP_ONLY, "RDMA_READ_RESPONSE_ONLY", RRESP | ROCE_M_ONLY | ROCE_M_AETH),
	OP(ROCE_OP_ACK, "ACKNOWLEDGE", ROCE_M_RESP | ROCE_M_ACK | ROCE_M_ONLY | ROCE_M_AETH),
	OP(ROCE_OP_ATOMIC_ACK, "ATOMIC_ACKNOWLEDGE",
	   ROCE_M_RESP | ROCE_M_ACK | ROCE_M_ATOMIC | ROCE_M_ONLY | ROCE_M_AETH | ROCE_M_ATMACK),
	OP(ROCE_OP_CMP_SWAP, "COMPARE_SWAP", RQ | ROCE_M_ATOMIC | ROCE_M_ONLY | ROCE_M_ATMETH),
	OP(ROCE_OP_FETCH_ADD, "FETCH_ADD", RQ | ROCE_M_ATOMIC | ROCE_M_ONLY | ROCE_M_ATMETH),
	OP(ROCE_OP_SEND_LAST_INV, "SEND_LAST_WITH_INVALIDATE",
	   SND | ROCE_M_LAST | ROCE_M_IETH | ROCE_M_INV),
	OP(ROCE_OP_SEND_ONLY_INV, "SEND_ONLY_WITH_INVALIDATE",
	   SND | ROCE_M_ONLY | ROCE_M_IETH | ROCE_M_INV),
};
