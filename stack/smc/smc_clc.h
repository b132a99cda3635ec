/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals: CLC messages decoded (smc_clc.c). The decoder is strict: eyecatchers at
 * both ends, version 1 or 2, a type it knows, and a total length that must equal what the
 * message's own counts and flags imply, every offset pointing where the layout puts it.
 * Encoding a decoded message gives back the same bytes (reserved bytes are written as zero
 * and ignored when read, as Linux does). Never included from another folder.
 */
#ifndef URSA_SMC_CLC_H
#define URSA_SMC_CLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smc_clc_hdr.h"

#define SMC_CLC_MAX_V6_PREFIX 8	   /* Linux sends at most 8 */
#define SMC_CLC_MAX_UEID      8	   /* SMC_CLC_MAX_UEID */
#define SMC_CLC_MAX_ISM	      8	   /* SMCD_CLC_MAX_V2_GID_ENTRIES */
#define SMC_CLC_MAX_GIDS      8	   /* alternate GIDs in a Confirm's GID list */
#define SMC_CLC_MAX_LEN	      1024 /* larger than any message the limits above allow */

struct smc_clc_proposal {
	uint8_t peer_id[8];
	uint8_t gid[16];
	uint8_t mac[6];
	uint16_t iparea_offset; /* 0 or 40 (the SMC-D/v2 area) */
	/* SMC-D / v2 area (present when iparea_offset is 40) */
	uint64_t ism_gid;
	uint16_t ism_chid;
	uint8_t vendor_oui[3];
	uint8_t vendor_opts[5];
	/* IP prefix area (typev1 != N) */
	uint32_t subnet; /* host order */
	uint8_t prefix_len;
	uint8_t v6_count;
	struct smc_clc_v6_prefix v6[SMC_CLC_MAX_V6_PREFIX];
	/* v2 extension (version 2, typev2 != N) */
	uint8_t release; /* 0: v2.0, 1: v2.1 */
	bool seid;
	uint8_t v2_gid[16];
	uint8_t max_conns, max_links;
	uint16_t feature_mask;
	uint8_t eid_cnt;
	uint8_t eid[SMC_CLC_MAX_UEID][SMC_CLC_EID_LEN];
	/* SMC-Dv2 extension (typev2 D or B) */
	uint8_t system_eid[SMC_CLC_EID_LEN];
	uint8_t ism_cnt;
	struct {
		uint64_t gid;
		uint16_t chid;
	} ism[SMC_CLC_MAX_ISM];
};

/* Accept or Confirm, SMC-R. */
struct smc_clc_accept {
	uint8_t peer_id[8];
	uint8_t gid[16];
	uint8_t mac[6];
	uint32_t qpn; /* 24 bits, >= 2 */
	uint32_t rkey;
	uint8_t rmbe_idx; /* >= 1 */
	uint32_t token;
	uint8_t rmbe_size; /* the nibble: 2^(14+n) bytes */
	uint8_t mtu;	   /* IB MTU enum 1..5 */
	uint64_t vaddr;
	uint32_t psn; /* 24 bits */
	/* v2 */
	uint8_t eid[SMC_CLC_EID_LEN];
	/* First Contact Extension (v2 with the first-contact bit) */
	bool direct;
	uint8_t os_type, fce_release;
	uint8_t hostname[32];
	uint8_t max_conns, max_links; /* fce_release >= 1 */
	uint16_t feature_mask;
	uint8_t vendor_opts[4];
	/* GID list (v2 Confirm with the first-contact bit) */
	uint8_t gid_cnt;
	uint8_t gids[SMC_CLC_MAX_GIDS][16];
};

struct smc_clc_decl {
	uint8_t peer_id[8];
	uint32_t diag;
	uint8_t os_type;     /* v2 */
	uint32_t diag_v2[4]; /* v2 */
};

struct smc_clc_msg {
	uint8_t type;	 /* enum smc_clc_type */
	uint8_t version; /* 1 or 2 */
	uint8_t typev1, typev2;
	bool first_contact; /* Accept/Confirm; "out of sync" in a Decline */
	bool eye_d, trl_d;  /* the header, the trailer said "SMCD" */
	union {
		struct smc_clc_proposal prop;
		struct smc_clc_accept acc; /* Accept and Confirm */
		struct smc_clc_decl decl;
	};
};

/* Why a message was refused; counted by the caller. */
#define SMC_CLC_ERRORS(X)                                                                          \
	X(ok)                                                                                      \
	X(short)                                                                                   \
	X(eyecatcher)                                                                              \
	X(version)                                                                                 \
	X(type)                                                                                    \
	X(length)                                                                                  \
	X(offset)                                                                                  \
	X(count)                                                                                   \
	X(value)

#define SMC_CLC_ERR_ENUM(n) SMC_CLC_E_##n,
enum smc_clc_error { SMC_CLC_ERRORS(SMC_CLC_ERR_ENUM) SMC_CLC_E_MAX };
extern const char *const smc_clc_error_names[SMC_CLC_E_MAX];

/* The length the header at p announces (p has at least 8 bytes), 0 when the first 8 bytes
 * cannot start a CLC message (eyecatcher, version, type, length out of range). */
uint16_t smc_clc_peek_len(const uint8_t *p);
/* Decode exactly len bytes (one whole message). */
enum smc_clc_error smc_clc_decode(const uint8_t *p, size_t len, struct smc_clc_msg *m);
/* Encode m into buf; returns the length, or -ENOSPC / -EINVAL (counts over the limits). */
int smc_clc_encode(const struct smc_clc_msg *m, uint8_t *buf, size_t room);

#endif /* URSA_SMC_CLC_H */
