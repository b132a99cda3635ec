/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * roce test, replay and fuzzing hooks: fixed keys, fixed QPNs and a fixed fuzz target, the
 * opposite of what DESIGN.md §2.1 asks of a running stack (keys with 32 random bits, QPNs
 * nobody chooses). They live in the static library ursa_roce_testing (roce_testing.c),
 * which is never part of libursa and never installed; the tests, pcap-tests and apps/fuzz
 * link it.
 */
#ifndef URSA_ROCE_TESTING_H
#define URSA_ROCE_TESTING_H

#include "ursa_roce.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Give an MR a chosen key (the rkey a captured peer used), so that a recorded exchange can
 *  be replayed. -EEXIST when the key is 0 or in use. */
int ursa_roce_mr_set_key(struct ursa_roce_mr *mr, uint32_t key);
/** Renumber a QP to the QPN a captured peer addressed. -EINVAL when that QPN is out of
 *  range or taken. */
int ursa_roce_qp_set_qpn(struct ursa_roce_qp *qp, uint32_t qpn);
/** Fuzzing entry: len bytes starting at an IP header, through the whole receive path, as
 *  arriving on interface 0 (where ursa_roce_fuzz_setup binds its QP). Creates the engine on
 *  first use. Returns 0, or -ENOMEM when no mbuf. */
int ursa_roce_fuzz_input(struct ursa_lcore *lc, const uint8_t *data, size_t len);
/** A target for fuzzing deep into the responder and completer: creates the engine (if
 *  needed) with a transmit that discards, and one RC QP in RTS with fixed, documented
 *  parameters: QPN 0x11, local 10.0.0.1, remote 10.0.0.2, peer QPN 0x12, PMTU 256,
 *  expected PSN 0, send PSN 0, bound to interface 0 (tenant 0), all remote access,
 *  max_dest_rd_atomic 4, and a 64 KiB MR at iova 0x10000 with rkey 0x00c0ffee; 4 receive
 *  and 4 send WQEs posted. Freed with the lcore. Returns 0 or a negative errno. */
int ursa_roce_fuzz_setup(struct ursa_lcore *lc);

#ifdef __cplusplus
}
#endif

#endif /* URSA_ROCE_TESTING_H */
