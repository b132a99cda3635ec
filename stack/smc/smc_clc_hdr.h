/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLC (Connection Layer Control) messages as they are on the wire: RFC 7609 appendix A and
 * IBM's "SMC Version 2" (3rd edition, v2.1). They travel in the TCP byte stream before any
 * application data. Every multi-byte field is big-endian (rte_be*_t); 24-bit fields (QPN,
 * PSN) are three bytes. Layouts agree with Linux net/smc (smc_clc.h) and Wireshark's
 * packet-smc.c; sizes are pinned by static_assert.
 */
#ifndef URSA_SMC_CLC_HDR_H
#define URSA_SMC_CLC_HDR_H

#include <assert.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SMC_CLC_EYE_R 0xE2D4C3D9u /* "SMCR" in EBCDIC */
#define SMC_CLC_EYE_D 0xE2D4C3C4u /* "SMCD": Linux's SMC-D Accept/Confirm; accepted anywhere */

enum smc_clc_type {
	SMC_CLC_PROPOSAL = 1,
	SMC_CLC_ACCEPT = 2,
	SMC_CLC_CONFIRM = 3,
	SMC_CLC_DECLINE = 4,
};

/* The path types of the header's typev1/typev2 bits. */
enum smc_clc_path {
	SMC_CLC_PATH_R = 0,
	SMC_CLC_PATH_D = 1,
	SMC_CLC_PATH_N = 2, /* none */
	SMC_CLC_PATH_B = 3, /* both */
};

/* Common header (8 bytes). vbits: version (7-4), typev2 (3-2) whose bit 3 is "first
 * contact" (Accept/Confirm) or "out of sync" (Decline), typev1 (1-0). */
struct smc_clc_hdr {
	rte_be32_t eyecatcher;
	uint8_t type;
	rte_be16_t length; /* the whole message, header and trailer included */
	uint8_t vbits;
} __rte_packed;
static_assert(sizeof(struct smc_clc_hdr) == 8, "CLC header is 8 bytes");

#define SMC_CLC_VERSION_SHIFT 4
#define SMC_CLC_TYPEV2_SHIFT  2
#define SMC_CLC_TYPE_MASK     0x3
#define SMC_CLC_FIRST_CONTACT 0x08 /* also "out of sync" in a Decline */

struct smc_clc_trailer {
	rte_be32_t eyecatcher;
} __rte_packed;
static_assert(sizeof(struct smc_clc_trailer) == 4, "CLC trailer is 4 bytes");

/* Proposal: the fixed part after the header (SMC-R v1 fields, filled only when typev1 is R
 * or B). iparea_offset counts from the end of this part to the IP prefix area. */
struct smc_clc_prop_base {
	uint8_t peer_id[8]; /* 2 random bytes + the MAC of a RoCE port */
	uint8_t gid[16];
	uint8_t mac[6];
	rte_be16_t iparea_offset;
} __rte_packed;
static_assert(sizeof(struct smc_clc_prop_base) == 32, "Proposal base is 32 bytes");

/* The SMC-D / v2 area Linux always sends in v2 (40 bytes at offset 40). v2_ext_offset
 * counts from the end of its own field (offset 52) to the v2 extension. */
struct smc_clc_prop_smcd {
	rte_be64_t ism_gid;
	rte_be16_t ism_chid;
	rte_be16_t v2_ext_offset;
	uint8_t vendor_oui[3];
	uint8_t vendor_opts[5];
	uint8_t reserved[20];
} __rte_packed;
static_assert(sizeof(struct smc_clc_prop_smcd) == 40, "Proposal SMC-D area is 40 bytes");

/* IP prefix area (v1 paths): the outgoing IPv4 subnet and up to 8 IPv6 prefixes. */
struct smc_clc_prop_prefix {
	rte_be32_t subnet;
	uint8_t prefix_len;
	uint8_t reserved[2];
	uint8_t v6_count;
} __rte_packed;
static_assert(sizeof(struct smc_clc_prop_prefix) == 8, "IP prefix area is 8 bytes");

struct smc_clc_v6_prefix {
	uint8_t prefix[16];
	uint8_t len;
} __rte_packed;
static_assert(sizeof(struct smc_clc_v6_prefix) == 17, "IPv6 prefix entry is 17 bytes");

/* v2 extension of a Proposal (typev2 != N), then eid_cnt UEIDs of 32 bytes. */
struct smc_clc_v2_ext {
	uint8_t eid_cnt;
	uint8_t ism_gid_cnt;
	uint8_t reserved1;
	uint8_t release_seid; /* release (7-4): 0 v2.0, 1 v2.1; bit 0: SEID indicator */
	uint8_t reserved2[2];
	rte_be16_t smcd_v2_ext_offset; /* from the end of this field to the SMC-Dv2 extension */
	uint8_t v2_gid[16];	       /* the client's RoCEv2 GID (IPv4-mapped for IPv4) */
	uint8_t max_conns;
	uint8_t max_links;
	rte_be16_t feature_mask;
	uint8_t reserved3[12];
} __rte_packed;
static_assert(sizeof(struct smc_clc_v2_ext) == 40, "v2 extension is 40 bytes");

#define SMC_CLC_EID_LEN 32

/* SMC-Dv2 extension (typev2 D or B), then ism_gid_cnt {GID (8), CHID (2)}. */
struct smc_clc_smcd_v2_ext {
	uint8_t system_eid[SMC_CLC_EID_LEN];
	uint8_t reserved[16];
} __rte_packed;
static_assert(sizeof(struct smc_clc_smcd_v2_ext) == 48, "SMC-Dv2 extension is 48 bytes");

struct smc_clc_gid_chid {
	rte_be64_t gid;
	rte_be16_t chid;
} __rte_packed;
static_assert(sizeof(struct smc_clc_gid_chid) == 10, "ISM GID/CHID entry is 10 bytes");

/* Accept / Confirm, SMC-R: the v1 part (68 bytes with header and trailer). */
struct smc_clc_acc_r {
	uint8_t peer_id[8];
	uint8_t gid[16];
	uint8_t mac[6];
	uint8_t qpn[3];
	rte_be32_t rkey;
	uint8_t rmbe_idx;
	rte_be32_t token;
	uint8_t size_mtu; /* RMBE size nibble (7-4), IB MTU enum (3-0) */
	uint8_t reserved1;
	rte_be64_t vaddr;
	uint8_t reserved2;
	uint8_t psn[3];
} __rte_packed;
static_assert(sizeof(struct smc_clc_acc_r) == 56, "Accept/Confirm SMC-R part is 56 bytes");

/* What v2 adds after the v1 part: the negotiated EID. */
struct smc_clc_acc_v2 {
	uint8_t eid[SMC_CLC_EID_LEN];
	uint8_t reserved[8];
} __rte_packed;
static_assert(sizeof(struct smc_clc_acc_v2) == 40, "Accept/Confirm v2 part is 40 bytes");

/* First Contact Extension (v2, first-contact bit set): 36 bytes in v2.0, 52 in v2.1. */
struct smc_clc_fce {
	uint8_t direct;	    /* bit 7: v2_direct (the peer is on the same subnet) */
	uint8_t os_release; /* OS type (7-4): 1 z/OS, 2 Linux, 3 AIX; release (3-0) */
	uint8_t reserved[2];
	uint8_t hostname[32];
} __rte_packed;
static_assert(sizeof(struct smc_clc_fce) == 36, "FCE v2.0 is 36 bytes");

struct smc_clc_fce_v21 {
	uint8_t max_conns;
	uint8_t max_links;
	rte_be16_t feature_mask;
	uint8_t vendor_opts[4];
	uint8_t reserved[8];
} __rte_packed;
static_assert(sizeof(struct smc_clc_fce_v21) == 16, "FCE v2.1 addition is 16 bytes");

#define SMC_CLC_FCE_DIRECT 0x80

/* GID list of a first-contact v2 Confirm: alternate RoCEv2 GIDs for a second link. */
struct smc_clc_gid_list {
	uint8_t count;
	uint8_t reserved[3];
} __rte_packed;
static_assert(sizeof(struct smc_clc_gid_list) == 4, "GID list head is 4 bytes");

/* Decline: 28 bytes in v1; v2 adds 4 more diagnosis codes (44 bytes). */
struct smc_clc_decline {
	uint8_t peer_id[8];
	rte_be32_t diag;
	uint8_t os_type; /* (7-4), v2 only */
	uint8_t reserved[3];
} __rte_packed;
static_assert(sizeof(struct smc_clc_decline) == 16, "Decline body is 16 bytes");

#define SMC_CLC_LEN_DECLINE_V1 28
#define SMC_CLC_LEN_DECLINE_V2 44
#define SMC_CLC_LEN_ACC_R_V1   68
#define SMC_CLC_LEN_ACC_R_V2   108 /* without FCE and GID list */

/* Decline reason codes (peer diagnosis) as Linux sends them (smc_clc.h). */
#define SMC_CLC_DECL_MEM	0x01010000u
#define SMC_CLC_DECL_TIMEOUT_CL 0x02010000u
#define SMC_CLC_DECL_TIMEOUT_AL 0x02020000u
#define SMC_CLC_DECL_CNFERR	0x03000000u
#define SMC_CLC_DECL_PEERNOSMC	0x03010000u
#define SMC_CLC_DECL_IPSEC	0x03020000u
#define SMC_CLC_DECL_NOSMCDEV	0x03030000u
#define SMC_CLC_DECL_NOSMCDDEV	0x03030001u
#define SMC_CLC_DECL_NOSMCRDEV	0x03030002u
#define SMC_CLC_DECL_NOISM2SUPP 0x03030003u
#define SMC_CLC_DECL_NOV2EXT	0x03030004u
#define SMC_CLC_DECL_NOV2DEXT	0x03030005u
#define SMC_CLC_DECL_NOSEID	0x03030006u
#define SMC_CLC_DECL_NOSMCD2DEV 0x03030007u
#define SMC_CLC_DECL_NOUEID	0x03030008u
#define SMC_CLC_DECL_RELEASEERR 0x03030009u
#define SMC_CLC_DECL_MAXCONNERR 0x0303000au
#define SMC_CLC_DECL_MAXLINKERR 0x0303000bu
#define SMC_CLC_DECL_MODEUNSUPP 0x03040000u
#define SMC_CLC_DECL_RMBE_EC	0x03050000u
#define SMC_CLC_DECL_OPTUNSUPP	0x03060000u
#define SMC_CLC_DECL_DIFFPREFIX 0x03070000u
#define SMC_CLC_DECL_GETVLANERR 0x03080000u
#define SMC_CLC_DECL_ISMVLANERR 0x03090000u
#define SMC_CLC_DECL_NOACTLINK	0x030a0000u
#define SMC_CLC_DECL_NOSRVLINK	0x030b0000u
#define SMC_CLC_DECL_VERSMISMAT 0x030c0000u
#define SMC_CLC_DECL_MAX_DMB	0x030d0000u
#define SMC_CLC_DECL_NOROUTE	0x030e0000u
#define SMC_CLC_DECL_NOINDIRECT 0x030f0000u
#define SMC_CLC_DECL_SYNCERR	0x04000000u
#define SMC_CLC_DECL_PEERDECL	0x05000000u
#define SMC_CLC_DECL_INTERR	0x09990000u
#define SMC_CLC_DECL_ERR_RTOK	0x09990001u
#define SMC_CLC_DECL_ERR_RDYLNK 0x09990002u
#define SMC_CLC_DECL_ERR_REGBUF 0x09990003u

#ifdef __cplusplus
}
#endif

#endif /* URSA_SMC_CLC_HDR_H */
