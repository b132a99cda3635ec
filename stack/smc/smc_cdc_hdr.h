/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc wire format: the CDC message (Connection Data Control, RFC 7609 §4.3; Linux smc_cdc.h),
 * sent as an RC SEND of 44 bytes after the RDMA WRITEs it announces. All multi-byte fields
 * are big-endian.
 */
#ifndef SMC_CDC_HDR_H
#define SMC_CDC_HDR_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMC_CDC_TYPE 0xFE
#define SMC_WR_SIZE  44 /* every CDC and v1 LLC message */

/* Producer flags (byte 24). */
#define SMC_CDC_WRITE_BLOCKED 0x80 /* the sender has data but no room in our RMB */
#define SMC_CDC_URG_PENDING   0x40
#define SMC_CDC_URG_PRESENT   0x20
#define SMC_CDC_CONS_UPD_REQ  0x10 /* the sender asks for a consumer-cursor update */
#define SMC_CDC_FAILOVER      0x08
/* Connection-state flags (byte 25). */
#define SMC_CDC_DONE_WRITING 0x80 /* peer done writing: shutdown(SHUT_WR) */
#define SMC_CDC_CONN_CLOSED  0x40 /* peer connection closed */
#define SMC_CDC_CONN_ABORT   0x20 /* peer connection abort (a RST) */

struct smc_cdc_curs_wire {
	rte_be16_t reserved;
	rte_be16_t wrap;
	rte_be32_t count;
} __rte_packed;

struct smc_cdc_wire {
	uint8_t type; /* SMC_CDC_TYPE */
	uint8_t len;  /* 44 */
	rte_be16_t seq;
	rte_be32_t token; /* the receiver's RMBE alert token */
	struct smc_cdc_curs_wire prod;
	struct smc_cdc_curs_wire cons;
	uint8_t prod_flags;
	uint8_t conn_flags;
	uint8_t reserved[18];
} __rte_packed;

static_assert(sizeof(struct smc_cdc_curs_wire) == 8, "CDC cursor is 8 bytes");
static_assert(sizeof(struct smc_cdc_wire) == SMC_WR_SIZE, "CDC message is 44 bytes");
static_assert(offsetof(struct smc_cdc_wire, prod_flags) == 24, "CDC flags at 24");

/* A cursor as the wire has it: the ring offset and how often it wrapped. */
struct smc_curs {
	uint16_t wrap;
	uint32_t count;
};

/* A CDC message, host order. */
struct smc_cdc {
	uint16_t seq;
	uint32_t token;
	struct smc_curs prod, cons;
	uint8_t prod_flags;
	uint8_t conn_flags;
};

/* Strict decode of len bytes: 0, or -EINVAL (not a CDC, bad length or cursor past 2^31). */
int smc_cdc_decode(const void *buf, size_t len, struct smc_cdc *out);
/* Encode into SMC_WR_SIZE bytes. */
void smc_cdc_encode(const struct smc_cdc *c, void *buf);
/* A stream position (bytes since the start) as a cursor of a ring of size bytes, and back:
 * the position nearest to and not before base that the cursor names, or -ERANGE when the
 * cursor moved backwards or is not a cursor of such a ring. */
struct smc_curs smc_curs_from_pos(uint64_t pos, uint32_t size);
int smc_curs_to_pos(const struct smc_curs *c, uint32_t size, uint64_t base, uint64_t *pos);

#ifdef __cplusplus
}
#endif

#endif /* SMC_CDC_HDR_H */
