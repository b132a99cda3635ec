/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * roce: ursa's RoCEv2 reliable-connection engine (requester, responder, completer; QP, CQ,
 * MR and PD objects). It uses the value types of stack/rdma (work requests, completions, QP
 * attributes); providers/softroce puts it behind the rdma ops tables.
 *
 * Packets leave through a transmit function that receives a whole IPv4/IPv6 packet (IP, UDP,
 * BTH .. ICRC): the ICRC covers the IP total length and IPv4 ID, so the IP header is built
 * here, as rxe does, and routed with ursa_ip_route() + ursa_neigh_output() by the default
 * transmit (ursa_roce_init); tests and replays install their own.
 *
 * Security (DESIGN.md §2.1): keys carry 32 random bits, there is no "all memory" key, and a
 * key dies with deregistration or re-registration. A QP is bound to the interface (VLAN,
 * tenant) of its source GID entry and takes packets from it only (§2.4). The responder
 * checks addresses, P_Key, ICRC, PSN, opcode sequence, QP access, rkey, PD, MR access,
 * bounds and atomic alignment before touching memory. The hooks that fix keys and QPNs
 * for replay and fuzzing are not here: ursa_roce_testing.h, in a static library that is
 * never installed.
 */
#ifndef URSA_ROCE_H
#define URSA_ROCE_H

#include "ursa_core.h"
#include "ursa_rdma.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ursa_roce_pd;
struct ursa_roce_mr;
struct ursa_roce_cq;
struct ursa_roce_qp;

/** Where a QP's packets go: addresses from its GIDs, the interface and tenant of its source
 *  GID entry (-1 while the QP is unbound, which it is only before RTR). */
struct ursa_roce_path {
	struct ursa_ipaddr local;
	struct ursa_ipaddr remote;
	int32_t iface;
	uint32_t tenant;
};

/** Transmit one packet (data at the IP header, ICRC in place). Takes ownership. */
typedef int (*ursa_roce_xmit_t)(struct ursa_lcore *lc, void *arg, const struct ursa_roce_path *path,
				struct rte_mbuf *m);

struct ursa_roce_conf {
	uint8_t ttl;	 /**< default IP TTL / hop limit (0 = 64) when the QP's AV has none */
	uint8_t tos;	 /**< default DSCP << 2 | ECN when the QP's AV has none */
	uint32_t max_qp; /**< 0 = 256, at most 65536 */
	uint32_t max_mr; /**< 0 = 4096 */
	/** Copy every SEND/WRITE payload into the frames. By default a packet carrying at least
	 *  URSA_ROCE_ZC_MIN bytes has them attached as external buffers pointing into the
	 *  registered memory (no copy; the ICRC pass is the one read). RC allows it: a work
	 *  request completes only after its ACK, so no retransmission of it is due any more;
	 *  a stale copy still queued after that fails its ICRC if the memory changed, and
	 *  ursa_roce_mr_dereg() answers -EBUSY while any frame holds the MR's memory. */
	bool tx_copy;
};

/** The smallest payload per packet sent without copying (smaller ones are copied: an extra
 *  mbuf costs more than the copy). */
#define URSA_ROCE_ZC_MIN 512

/** The engine alone (no UDP binding): for tests and replay. */
int ursa_roce_ctx_create(struct ursa_lcore *lc, const struct ursa_roce_conf *conf);
/** The engine bound to UDP 4791 with the default (IP route + neighbour) transmit. */
int ursa_roce_init(struct ursa_lcore *lc);
void ursa_roce_set_xmit(struct ursa_lcore *lc, ursa_roce_xmit_t fn, void *arg);

/** Receive one RoCEv2 packet that arrived on interface iface (a QP takes packets from the
 *  interface it is bound to only): m's data starts at the BTH and the IP and UDP headers
 *  (l3_len + 8 bytes) are right before it in the first segment. Takes ownership. The ACK it
 *  calls for leaves before this returns (from UDP, ACKs wait for the end of the burst). */
void ursa_roce_input(struct ursa_lcore *lc, struct rte_mbuf *m, uint16_t l3_len, int32_t iface);
/** Receive a whole IP packet (data at the IP header): checks IP/UDP framing, then as above. */
void ursa_roce_input_l3(struct ursa_lcore *lc, struct rte_mbuf *m, int32_t iface);

int ursa_roce_pd_alloc(struct ursa_lcore *lc, struct ursa_roce_pd **out);
/** -EBUSY while MRs or QPs use it. */
int ursa_roce_pd_free(struct ursa_roce_pd *pd);

int ursa_roce_mr_reg(struct ursa_roce_pd *pd, void *addr, uint64_t length, unsigned access,
		     struct ursa_roce_mr **out);
/** Register addr..addr+length so that the peer and SGEs address it as iova..iova+length. */
int ursa_roce_mr_reg_iova(struct ursa_roce_pd *pd, void *addr, uint64_t length, uint64_t iova,
			  unsigned access, struct ursa_roce_mr **out);
/** Give the MR new keys (the old ones answer remote access error from now on) and access. */
int ursa_roce_mr_rereg(struct ursa_roce_mr *mr, unsigned access);
/** -EBUSY while a frame sent without copying still points into its memory (poll, retry). */
int ursa_roce_mr_dereg(struct ursa_roce_mr *mr);
uint32_t ursa_roce_mr_lkey(const struct ursa_roce_mr *mr);
uint32_t ursa_roce_mr_rkey(const struct ursa_roce_mr *mr);

typedef void (*ursa_roce_cq_event_t)(struct ursa_roce_cq *cq, void *arg);
int ursa_roce_cq_create(struct ursa_lcore *lc, uint32_t cqe, struct ursa_roce_cq **out);
int ursa_roce_cq_destroy(struct ursa_roce_cq *cq);
int ursa_roce_cq_poll(struct ursa_roce_cq *cq, struct ursa_rdma_wc *wc, unsigned n);
/** The callback runs once for the first completion after each arming (solicited_only: the
 *  first solicited receive or error), from the lcore's poll loop (ursa_lcore_poll), never
 *  inside packet processing: it may destroy QPs and CQs (this one too) and deregister MRs. */
void ursa_roce_cq_set_event(struct ursa_roce_cq *cq, ursa_roce_cq_event_t fn, void *arg);
int ursa_roce_cq_arm(struct ursa_roce_cq *cq, bool solicited_only);

int ursa_roce_qp_create(struct ursa_roce_pd *pd, struct ursa_roce_cq *send_cq,
			struct ursa_roce_cq *recv_cq, const struct ursa_rdma_qp_cap *cap,
			bool sq_sig_all, struct ursa_roce_qp **out);
/** Change a QP's state and attributes, all or nothing (a failed modify changes nothing).
 *  With URSA_RDMA_QP_AV, sgid is the GID table entry that attr->ah.sgid_index names (the
 *  provider resolves it, as the kernel's core does for its drivers): the QP takes its source
 *  address from it and is bound to its interface and tenant; it then sends on that interface
 *  only and accepts packets from that interface only. A QP goes to RTR only once bound.
 *  sgid is ignored without URSA_RDMA_QP_AV. */
int ursa_roce_qp_modify(struct ursa_roce_qp *qp, const struct ursa_rdma_qp_attr *attr,
			unsigned mask, const struct ursa_rdma_gid_attr *sgid);
int ursa_roce_qp_query(const struct ursa_roce_qp *qp, struct ursa_rdma_qp_attr *attr);
int ursa_roce_qp_destroy(struct ursa_roce_qp *qp);
uint32_t ursa_roce_qp_num(const struct ursa_roce_qp *qp);
/** Called for each QP of an lcore (ursa_roce_qp_walk); it must not create or destroy QPs. */
typedef void (*ursa_roce_qp_walk_t)(struct ursa_roce_qp *qp, void *arg);
/** Visit the lcore's QPs (for listings and ursactl). */
void ursa_roce_qp_walk(struct ursa_lcore *lc, ursa_roce_qp_walk_t fn, void *arg);
/** The lcore's QP numbered qpn, or NULL. */
struct ursa_roce_qp *ursa_roce_qp_find(struct ursa_lcore *lc, uint32_t qpn);
/** The UDP source port of the QP's packets (0xC000-0xFFFF, fixed per QP). */
uint16_t ursa_roce_qp_sport(const struct ursa_roce_qp *qp);
/** What ICMP said about the QP's path (validated: the quoted BTH names this QP's peer QP and
 *  a PSN it has in flight). pmtu_hint: the largest IB MTU (256..4096) that fits the MTU a
 *  hop reported, 0 when none was; err: the last error (negative errno), 0 when none. The QP
 *  keeps its path MTU: both ends must use one (first and middle packets carry exactly
 *  PMTU bytes, IBA 9.7.5.1), so lowering it is the connection manager's move, on both. */
void ursa_roce_qp_path_status(const struct ursa_roce_qp *qp, uint16_t *pmtu_hint, int *err);

/** Returns how many were posted, or a negative errno when the first one was refused. */
int ursa_roce_post_send(struct ursa_roce_qp *qp, const struct ursa_rdma_send_wr *wr, unsigned n);
int ursa_roce_post_recv(struct ursa_roce_qp *qp, const struct ursa_rdma_recv_wr *wr, unsigned n);

#ifdef __cplusplus
}
#endif

#endif /* URSA_ROCE_H */
