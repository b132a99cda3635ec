/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The RC opcode table: for every opcode, its name, which extended headers it carries (in the
 * fixed IBTA order BTH, RETH|AtomicETH|AETH, AtomicAckETH, ImmDt|IETH, payload), what it
 * means (request or response, SEND/WRITE/READ/ATOMIC, first/middle/last), the offset of each
 * header from the start of the BTH, and the total header length. Opcode values are IBTA
 * vol. 1 table 35 (rocev2.md §1.6). Parsing and building are driven from this table.
 */
#ifndef URSA_ROCE_OPCODE_H
#define URSA_ROCE_OPCODE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum roce_opcode {
	ROCE_OP_SEND_FIRST = 0x00,
	ROCE_OP_SEND_MIDDLE = 0x01,
	ROCE_OP_SEND_LAST = 0x02,
	ROCE_OP_SEND_LAST_IMM = 0x03,
	ROCE_OP_SEND_ONLY = 0x04,
	ROCE_OP_SEND_ONLY_IMM = 0x05,
	ROCE_OP_WRITE_FIRST = 0x06,
	ROCE_OP_WRITE_MIDDLE = 0x07,
	ROCE_OP_WRITE_LAST = 0x08,
	ROCE_OP_WRITE_LAST_IMM = 0x09,
	ROCE_OP_WRITE_ONLY = 0x0a,
	ROCE_OP_WRITE_ONLY_IMM = 0x0b,
	ROCE_OP_READ_REQUEST = 0x0c,
	ROCE_OP_READ_RESP_FIRST = 0x0d,
	ROCE_OP_READ_RESP_MIDDLE = 0x0e,
	ROCE_OP_READ_RESP_LAST = 0x0f,
	ROCE_OP_READ_RESP_ONLY = 0x10,
	ROCE_OP_ACK = 0x11,
	ROCE_OP_ATOMIC_ACK = 0x12,
	ROCE_OP_CMP_SWAP = 0x13,
	ROCE_OP_FETCH_ADD = 0x14,
	ROCE_OP_SEND_LAST_INV = 0x16,
	ROCE_OP_SEND_ONLY_INV = 0x17,
};

/* Header presence. */
#define ROCE_M_RETH    (1u << 0)
#define ROCE_M_AETH    (1u << 1)
#define ROCE_M_ATMETH  (1u << 2)
#define ROCE_M_ATMACK  (1u << 3)
#define ROCE_M_IMMDT   (1u << 4)
#define ROCE_M_IETH    (1u << 5)
#define ROCE_M_PAYLOAD (1u << 6)
/* Semantics. */
#define ROCE_M_REQ    (1u << 8) /* requester -> responder */
#define ROCE_M_RESP   (1u << 9) /* responder -> requester (ACKs, read responses) */
#define ROCE_M_SEND   (1u << 10)
#define ROCE_M_WRITE  (1u << 11)
#define ROCE_M_READ   (1u << 12) /* READ request, or READ response */
#define ROCE_M_ATOMIC (1u << 13)
#define ROCE_M_ACK    (1u << 14) /* ACKNOWLEDGE or ATOMIC ACKNOWLEDGE */
#define ROCE_M_FIRST  (1u << 15)
#define ROCE_M_MIDDLE (1u << 16)
#define ROCE_M_LAST   (1u << 17)
#define ROCE_M_ONLY   (ROCE_M_FIRST | ROCE_M_LAST)
#define ROCE_M_IMM    (1u << 18) /* carries immediate data */
#define ROCE_M_INV    (1u << 19) /* SEND with invalidate */
#define ROCE_M_RQWQE  (1u << 20) /* consumes a receive WQE (SEND, WRITE with immediate) */

enum roce_hdr_idx {
	ROCE_H_BTH,
	ROCE_H_RETH,
	ROCE_H_AETH,
	ROCE_H_ATMETH,
	ROCE_H_ATMACK,
	ROCE_H_IMMDT,
	ROCE_H_IETH,
	ROCE_H_PAYLOAD,
	ROCE_H_MAX,
};

struct roce_opinfo {
	const char *name; /* NULL: not an RC opcode ursa knows */
	uint32_t mask;
	uint8_t length;		 /* BTH + extended headers */
	uint8_t off[ROCE_H_MAX]; /* from the start of the BTH; 0 when absent (except BTH) */
};

extern const struct roce_opinfo roce_opcodes[256];

static inline const struct roce_opinfo *roce_opinfo(uint8_t opcode)
{
	return roce_opcodes[opcode].name != NULL ? &roce_opcodes[opcode] : NULL;
}

#ifdef __cplusplus
}
#endif

#endif /* URSA_ROCE_OPCODE_H */
