/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc wire format: LLC messages (Link Layer Control, RFC 7609 §4.7 and SMC v2; Linux
 * smc_llc.c), sent as RC SENDs on a link. Byte 0 is the type, its high nibble the version
 * in v2 (0x21 is CONFIRM_LINK v2). v1 messages are 44 bytes with the length in byte 1; v2
 * messages are 44..8192 bytes with the length in bytes 1-2 in LITTLE-endian order (Linux
 * stores a host-order u16 there; the fixture's v2 CONFIRM_LINK reads 21 2c 00). Every other
 * multi-byte field is big-endian.
 */
#ifndef SMC_LLC_HDR_H
#define SMC_LLC_HDR_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMC_LLC_LEN	  44
#define SMC_LLC_V2_MAX	  8192
#define SMC_LLC_RKEYS_MAX 255

enum smc_llc_type {
	SMC_LLC_CONFIRM_LINK = 0x01,
	SMC_LLC_ADD_LINK = 0x02,
	SMC_LLC_ADD_LINK_CONT = 0x03,
	SMC_LLC_DELETE_LINK = 0x04,
	SMC_LLC_CONFIRM_RKEY = 0x06,
	SMC_LLC_TEST_LINK = 0x07,
	SMC_LLC_DELETE_RKEY = 0x09,
};

/* Flags (byte 3). */
#define SMC_LLC_FLAG_RESP	    0x80
#define SMC_LLC_FLAG_ADD_LNK_REJ    0x40
#define SMC_LLC_FLAG_DEL_LINK_ALL   0x40
#define SMC_LLC_FLAG_DEL_LINK_ORDLY 0x20
#define SMC_LLC_FLAG_RKEY_NEG	    0x20
#define SMC_LLC_FLAG_RKEY_RETRY	    0x10
#define SMC_LLC_FLAG_NO_RMBE_EYEC   0x03 /* CONFIRM_LINK: Linux always sets it */

#define SMC_LLC_REJ_NO_ALT_PATH 1 /* ADD_LINK reject reason */
#define SMC_LLC_DEL_LOST_PATH	0x00010000u
#define SMC_LLC_DEL_OP_INIT	0x00020000u
#define SMC_LLC_DEL_PROG_INIT	0x00030000u
#define SMC_LLC_DEL_PROT_VIOL	0x00040000u
#define SMC_LLC_DEL_NOLNK	0x00100000u

struct smc_llc_hdr_wire {
	uint8_t type;
	uint8_t len[2]; /* v1: len[0] = 44, len[1] = reserved / ADD_LINK reject reason; v2: LE */
	uint8_t flags;
} __rte_packed;

struct smc_llc_confirm_link_wire {
	struct smc_llc_hdr_wire hd;
	uint8_t mac[6];
	uint8_t gid[16];
	uint8_t qpn[3];
	uint8_t link_num;
	rte_be32_t link_uid;
	uint8_t max_links;
	uint8_t max_conns;
	uint8_t reserved[8];
} __rte_packed;

struct smc_llc_add_link_wire {
	struct smc_llc_hdr_wire hd;
	uint8_t mac[6];
	uint8_t reserved[2];
	uint8_t gid[16];
	uint8_t qpn[3];
	uint8_t link_num;
	uint8_t mtu; /* low nibble: IB MTU enum */
	uint8_t psn[3];
	uint8_t reserved2[8];
} __rte_packed;

struct smc_llc_rkey_chg_wire {
	rte_be32_t rkey;
	rte_be32_t rkey_new;
	rte_be64_t vaddr_new;
} __rte_packed;

/* What follows a v2 ADD_LINK's first 44 bytes. */
struct smc_llc_add_link_v2_ext_wire {
	uint8_t v2_direct; /* bit 7 */
	uint8_t reserved;
	uint8_t target_gid[16];
	uint8_t reserved2[8];
	uint8_t num_rkeys[2]; /* little-endian, like the v2 length */
			      /* num_rkeys x struct smc_llc_rkey_chg_wire */
} __rte_packed;

struct smc_llc_add_link_cont_wire {
	struct smc_llc_hdr_wire hd;
	uint8_t link_num;
	uint8_t num_rkeys;
	uint8_t reserved[2];
	struct smc_llc_rkey_chg_wire rt[2];
	uint8_t reserved2[4];
} __rte_packed;

struct smc_llc_delete_link_wire {
	struct smc_llc_hdr_wire hd;
	uint8_t link_num;
	rte_be32_t reason;
	uint8_t reserved[35];
} __rte_packed;

struct smc_llc_rtoken_wire {
	uint8_t num_or_link; /* entry 0: further entries; entries 1, 2: link id */
	rte_be32_t rkey;
	rte_be64_t vaddr;
} __rte_packed;

struct smc_llc_confirm_rkey_wire {
	struct smc_llc_hdr_wire hd;
	struct smc_llc_rtoken_wire rt[3];
	uint8_t reserved;
} __rte_packed;

struct smc_llc_test_link_wire {
	struct smc_llc_hdr_wire hd;
	uint8_t data[16];
	uint8_t reserved[24];
} __rte_packed;

struct smc_llc_delete_rkey_wire {
	struct smc_llc_hdr_wire hd;
	uint8_t num_rkeys;
	uint8_t err_mask;
	uint8_t reserved[2];
	rte_be32_t rkey[8];
	uint8_t reserved2[4];
} __rte_packed;

static_assert(sizeof(struct smc_llc_confirm_link_wire) == SMC_LLC_LEN, "CONFIRM_LINK 44");
static_assert(sizeof(struct smc_llc_add_link_wire) == SMC_LLC_LEN, "ADD_LINK 44");
static_assert(sizeof(struct smc_llc_add_link_v2_ext_wire) == 28, "ADD_LINK v2 ext 28");
static_assert(sizeof(struct smc_llc_add_link_cont_wire) == SMC_LLC_LEN, "ADD_LINK_CONT 44");
static_assert(sizeof(struct smc_llc_delete_link_wire) == SMC_LLC_LEN, "DELETE_LINK 44");
static_assert(sizeof(struct smc_llc_confirm_rkey_wire) == SMC_LLC_LEN, "CONFIRM_RKEY 44");
static_assert(sizeof(struct smc_llc_test_link_wire) == SMC_LLC_LEN, "TEST_LINK 44");
static_assert(sizeof(struct smc_llc_delete_rkey_wire) == SMC_LLC_LEN, "DELETE_RKEY 44");

struct smc_llc_rkey_chg {
	uint32_t rkey, rkey_new;
	uint64_t vaddr_new;
};

/* An LLC message, host order. */
struct smc_llc {
	uint8_t type;	 /* enum smc_llc_type */
	uint8_t version; /* 1 or 2 */
	uint8_t flags;
	uint8_t rej_reason; /* v1 ADD_LINK response */
	uint16_t len;	    /* on the wire */
	union {
		struct {
			uint8_t mac[6];
			uint8_t gid[16];
			uint32_t qpn;
			uint8_t link_num;
			uint32_t link_uid;
			uint8_t max_links, max_conns;
		} confirm_link;
		struct {
			uint8_t mac[6];
			uint8_t gid[16];
			uint32_t qpn;
			uint8_t link_num;
			uint8_t mtu;
			uint32_t psn;
			bool v2_direct;		/* v2 */
			uint8_t target_gid[16]; /* v2 */
			uint16_t num_rkeys;	/* v2 (a 44-byte v2 response has none) */
			struct smc_llc_rkey_chg rk[SMC_LLC_RKEYS_MAX];
		} add_link;
		struct {
			uint8_t link_num, num_rkeys;
			struct smc_llc_rkey_chg rk[2];
		} add_link_cont;
		struct {
			uint8_t link_num;
			uint32_t reason;
		} delete_link;
		struct {
			uint8_t num; /* entries after the first (0..2) */
			struct {
				uint8_t link_id;
				uint32_t rkey;
				uint64_t vaddr;
			} rt[3];
		} confirm_rkey;
		struct {
			uint8_t data[16];
		} test_link;
		struct {
			uint8_t num_rkeys, err_mask;
			uint32_t rkey[8];
		} delete_rkey;
	};
};

/* Strict decode of a received message of len bytes: 0, -EINVAL (malformed), -EPROTONOSUPPORT
 * (a type or version ursa does not speak). */
int smc_llc_decode(const void *buf, size_t len, struct smc_llc *out);
/* Encode into cap bytes: the length written, or -EMSGSIZE. */
int smc_llc_encode(const struct smc_llc *m, void *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* SMC_LLC_HDR_H */
