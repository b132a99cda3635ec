/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal to stack/roce: the context, objects, parsed-packet record, counters, and the
 * index of cross-file functions (by file, as a table of contents).
 */
#ifndef URSA_ROCE_PRIV_H
#define URSA_ROCE_PRIV_H

#include <stdbool.h>
#include <sys/queue.h>

#include <rte_hash.h>

#include "roce_hdr.h"
#include "roce_opcode.h"
#include "roce_psn.h"
#include "ursa_roce.h"

#define ROCE_MAX_SGE	      8
#define ROCE_MAX_WR	      4096
#define ROCE_MAX_CQE	      65536
#define ROCE_QPN_MIN	      2		 /* QPNs are random in [2, 2^24); 0 and 1 are special */
#define ROCE_MAX_UNACKED_PSNS 128	 /* requester window (rocev2.md §3.2) */
#define ROCE_MAX_PKT_PER_ACK  64	 /* AckReq at least this often */
#define ROCE_MAX_MSG_SIZE     (1u << 31) /* RETH length limit */
#define ROCE_MAX_RD_ATOMIC    16
#define ROCE_TX_BUDGET	      32 /* packets per QP per poll, requester and read responder */
#define ROCE_MR_CACHE	      16 /* key -> MR cache entries (power of two) */
#define ROCE_QP_CACHE	      64 /* QPN -> QP cache entries (power of two) */
#define ROCE_QPN_RECENT	      64 /* destroyed QPNs not handed out again (ring size) */

/* QPNs and memory keys are partitioned by shard: each is drawn at random among the IDs with
 * id % nb_shards == shard, so the shard that owns a packet's DestQP (or an rkey) follows from
 * the number alone and the shards of one stack never hand out the same one. With one shard
 * the draw is the random number itself. Returns false when the draw falls past max. */
static inline bool roce_id_for_shard(const struct ursa_lcore *lc, uint32_t r, uint32_t max,
				     uint32_t *id)
{
	uint64_t v = (uint64_t)r - r % lc->nb_shards + lc->shard;

	if (v > max)
		return false;
	*id = (uint32_t)v;
	return true;
}

static inline unsigned roce_id_owner(const struct ursa_lcore *lc, uint32_t id)
{
	return id % lc->nb_shards;
}

/* Counters: every drop by reason ("drop_*"), NAKs sent by reason. */
#define ROCE_COUNTERS(X)                                                                           \
	X(rx)                                                                                      \
	X(rx_req)                                                                                  \
	X(rx_resp)                                                                                 \
	X(tx)                                                                                      \
	X(tx_ack)                                                                                  \
	X(tx_ack_coalesced)                                                                        \
	X(tx_zc_pkts)                                                                              \
	X(tx_read_resp)                                                                            \
	X(tx_atomic_ack)                                                                           \
	X(tx_nak_psn)                                                                              \
	X(tx_nak_inv_req)                                                                          \
	X(tx_nak_access)                                                                           \
	X(tx_nak_op)                                                                               \
	X(tx_rnr_nak)                                                                              \
	X(rx_dup_req)                                                                              \
	X(rx_nak_psn)                                                                              \
	X(rx_implied_nak)                                                                          \
	X(rx_nak_err)                                                                              \
	X(rx_rnr_nak)                                                                              \
	X(retransmit)                                                                              \
	X(timeout)                                                                                 \
	X(rnr_retry)                                                                               \
	X(qp_error)                                                                                \
	X(drop_short)                                                                              \
	X(drop_ip_framing)                                                                         \
	X(drop_bad_opcode)                                                                         \
	X(drop_bad_tver)                                                                           \
	X(drop_bad_len)                                                                            \
	X(drop_bad_pad)                                                                            \
	X(drop_no_qp)                                                                              \
	X(drop_qp_state)                                                                           \
	X(drop_bad_addr)                                                                           \
	X(drop_bad_iface)                                                                          \
	X(drop_bad_pkey)                                                                           \
	X(drop_bad_icrc)                                                                           \
	X(drop_psn_oos)                                                                            \
	X(drop_dup_unknown)                                                                        \
	X(drop_dup_read_range)                                                                     \
	X(drop_resp_stale)                                                                         \
	X(drop_resp_unexpected)                                                                    \
	X(drop_resp_bad_len)                                                                       \
	X(drop_no_mbuf)                                                                            \
	X(drop_xmit)                                                                               \
	X(drop_cq_overflow)                                                                        \
	X(icmp_rx)                                                                                 \
	X(icmp_no_bth)                                                                             \
	X(icmp_no_qp)                                                                              \
	X(icmp_bad_psn)                                                                            \
	X(icmp_pmtu_recorded)                                                                      \
	X(icmp_err_recorded)

#define ROCE_C_ENUM(n) ROCE_C_##n,
enum roce_counter { ROCE_COUNTERS(ROCE_C_ENUM) ROCE_C_MAX };

struct roce_fuzz;

/* One remembered key -> MR answer of the hash, good while gen equals the context's mr_gen. */
struct roce_mr_cache_ent {
	uint64_t gen;
	uint32_t key;
	struct ursa_roce_mr *mr;
};

struct ursa_roce_ctx {
	struct ursa_lcore *lc;
	uint64_t c[ROCE_C_MAX];
	struct ursa_roce_conf conf;
	ursa_roce_xmit_t xmit;
	void *xmit_arg;
	uint16_t ip_id;
	uint32_t nb_qp_slots;
	struct ursa_roce_qp **qps; /* the live QPs, each in its own slot */
	/* QPNs are 24 random bits from lc->secret, so a peer cannot guess another one: an
	 * rte_hash maps them to QPs, behind a direct-mapped cache that holds live QPs only
	 * (a QP leaving the table clears its entry). The last ROCE_QPN_RECENT QPNs given up
	 * are not drawn again, so a late packet for a destroyed QP never reaches a new one. */
	struct rte_hash *qp_hash;
	struct ursa_roce_qp *qp_cache[ROCE_QP_CACHE];
	uint32_t qpn_recent[ROCE_QPN_RECENT];
	uint32_t qpn_recent_next;
	struct rte_hash *mr_hash; /* key -> MR */
	/* Every data packet looks its keys up (lkey per SGE, rkey per request): a small
	 * direct-mapped cache in front of mr_hash. Removing any key from the hash bumps
	 * mr_gen, which forgets every entry, so a hit is always what the hash would say. */
	uint64_t mr_gen;
	struct roce_mr_cache_ent mr_cache[ROCE_MR_CACHE];
	TAILQ_HEAD(, ursa_roce_qp) busy; /* QPs with packets to send */
	/* CQs whose event is due: completions are pushed inside packet processing, where a
	 * callback that destroys the QP or deregisters an MR would pull memory from under its
	 * caller, so events wait here for the poll hook (roce_cq_run_events). */
	TAILQ_HEAD(, ursa_roce_cq) cq_events;
	uint32_t pd_serial;
	struct roce_fuzz *fuzz; /* ursa_roce_fuzz_setup's objects (roce_testing.c) */
};

struct ursa_roce_pd {
	struct ursa_roce_ctx *ctx;
	uint32_t id;
	uint32_t users;
};

struct ursa_roce_mr {
	struct ursa_roce_ctx *ctx;
	struct ursa_roce_pd *pd;
	uint64_t iova; /* the address the peer and the SGEs use */
	uint8_t *host; /* where iova points in this process */
	uint64_t length;
	unsigned access;
	uint32_t key; /* lkey == rkey */
	bool valid;   /* false once invalidated (SEND with invalidate) */
	/* Zero-copy transmit: frames whose payload points into this MR's memory share this
	 * (heap) object; refcnt is 1 for the MR plus one per such frame segment. Deregistration
	 * waits (-EBUSY) while a frame holds the memory; the last holder frees it. */
	struct rte_mbuf_ext_shared_info *zc;
};

struct ursa_roce_cq {
	struct ursa_roce_ctx *ctx;
	struct ursa_rdma_wc *ring;
	uint32_t size, head, tail; /* free-running */
	bool overflow;
	ursa_roce_cq_event_t event;
	void *event_arg;
	uint8_t armed;	   /* 0, 1 = any, 2 = solicited only */
	bool event_queued; /* on ctx->cq_events */
	TAILQ_ENTRY(ursa_roce_cq) event_link;
	uint32_t users;
};

struct roce_swqe {
	struct ursa_rdma_send_wr wr; /* wr.sg_list points at sge */
	struct ursa_rdma_sge sge[ROCE_MAX_SGE];
	uint32_t len;
	uint32_t first_psn, last_psn, npkts;
	uint32_t read_done; /* READ: response packets received */
	bool started;
	bool done;
};

struct roce_rwqe {
	uint64_t wr_id;
	unsigned num_sge;
	uint32_t len;
	struct ursa_rdma_sge sge[ROCE_MAX_SGE];
};

enum roce_res_type { ROCE_RES_NONE, ROCE_RES_READ, ROCE_RES_ATOMIC };

/* A responder resource: a READ or ATOMIC, kept for replaying duplicates (rocev2.md §3.6). */
struct roce_res {
	enum roce_res_type type;
	uint32_t first_psn, last_psn;
	uint64_t va;
	uint32_t rkey;
	uint32_t len;
	uint64_t orig; /* ATOMIC: the original value, replayed, never re-executed */
	/* READ streaming progress (responses are paced by the poll hook) */
	bool pending;
	uint32_t next_psn;
	uint64_t next_va;
	uint32_t left;
	bool first_sent;
};

enum roce_resp_in { ROCE_IN_NONE, ROCE_IN_SEND, ROCE_IN_WRITE };

struct ursa_roce_qp {
	struct ursa_roce_ctx *ctx;
	uint32_t qpn;
	uint32_t slot; /* in ctx->qps */
	enum ursa_rdma_qp_state state;
	struct ursa_roce_pd *pd;
	struct ursa_roce_cq *scq, *rcq;
	struct ursa_rdma_qp_attr attr;
	struct ursa_rdma_qp_cap cap;
	bool sig_all;
	struct ursa_roce_path path;
	uint16_t sport;
	/* ICMP about the path (roce_net.c): the largest IB MTU the path carries (0 = no
	 * report), and the last error reported (negative errno, 0 = none). */
	uint16_t pmtu_hint;
	int path_err;
	bool busy; /* on ctx->busy */
	TAILQ_ENTRY(ursa_roce_qp) busy_link;

	/* Send queue: ring of power-of-two size, free-running indices. */
	struct roce_swqe *sq;
	uint32_t sq_size;
	uint32_t sq_head; /* next free slot (post) */
	uint32_t sq_comp; /* oldest not completed */
	uint32_t sq_cur;  /* being transmitted */

	/* Requester. */
	uint32_t cur_off; /* bytes of sq_cur already sent */
	uint32_t req_psn; /* next PSN to send */
	uint32_t una;	  /* oldest unacknowledged PSN */
	uint32_t psn_max; /* one past the highest PSN ever sent */
	uint32_t pkts_since_ackreq;
	uint32_t rd_atomic_inflight;
	uint8_t retry_left, rnr_left;
	bool rnr_wait;
	/* A gap in READ responses re-requested the READ from this PSN (implied NAK); not again
	 * until una moves, so the responses still on their way do not each start a retry. */
	bool implied_nak;
	uint32_t implied_nak_psn;
	/* After an ACK timeout only the oldest unacknowledged packet goes again (with AckReq)
	 * until the responder answers: its ACK says how far it really got, so a stall (a
	 * descheduled peer, a full ring) does not cost a whole window of duplicates per try. */
	bool probe;
	struct ursa_timer rexmit_timer;
	struct ursa_timer rnr_timer;

	/* Receive queue. */
	struct roce_rwqe *rq;
	uint32_t rq_size, rq_head, rq_tail;

	/* Responder. */
	struct {
		uint32_t psn; /* expected */
		uint32_t msn;
		bool nak_sent;
		enum roce_resp_in in;
		uint32_t offset; /* bytes of the current message placed */
		uint64_t va;	 /* WRITE: start of the current message */
		uint32_t len;	 /* WRITE: RETH length */
		uint32_t rkey;
		/* A ring of exactly max_dest_rd_atomic resources: what the peer was granted,
		 * never more. Slot of resource number n: n % nres (res_at). */
		struct roce_res res[ROCE_MAX_RD_ATOMIC];
		uint32_t nres;
		uint64_t res_head; /* resources ever allocated: the next one's number */
		/* An ACK held back until the READ/ATOMIC responses before it are out, so that
		 * answers leave in PSN order (an ACK acknowledges every earlier PSN). */
		bool ack_deferred;
		uint32_t ack_psn;
		uint64_t ack_before; /* number of the resource the ACK must precede */
		/* Coalescing: a SEND/WRITE asking for an ACK during a received burst is
		 * acknowledged once, for the last such PSN of the burst, when the poll hook runs
		 * (or before any other response of this QP leaves, keeping PSN order). */
		bool ack_coalesce;
		uint32_t ack_co_psn, ack_co_msn;
	} resp;
};

/* A received packet, parsed once (headers copied out so they may span segments). */
struct roce_pkt {
	struct rte_mbuf *m;
	const uint8_t *l3;
	struct ursa_ipaddr src, dst;
	const struct roce_opinfo *op;
	uint8_t opcode;
	uint32_t mask;
	uint32_t psn, qpn;
	bool ackreq, se;
	uint8_t pad;
	uint32_t paylen;  /* payload bytes, pad excluded */
	uint32_t pay_off; /* payload offset in m */
	struct ursa_roce_qp *qp;
	uint8_t hdr[64]; /* BTH + extension headers */
};

static inline const struct roce_bth *pkt_bth(const struct roce_pkt *p)
{
	return (const struct roce_bth *)p->hdr;
}
static inline const struct roce_reth *pkt_reth(const struct roce_pkt *p)
{
	return (const struct roce_reth *)(p->hdr + p->op->off[ROCE_H_RETH]);
}
static inline const struct roce_aeth *pkt_aeth(const struct roce_pkt *p)
{
	return (const struct roce_aeth *)(p->hdr + p->op->off[ROCE_H_AETH]);
}
static inline const struct roce_atmeth *pkt_atmeth(const struct roce_pkt *p)
{
	return (const struct roce_atmeth *)(p->hdr + p->op->off[ROCE_H_ATMETH]);
}
static inline const struct roce_atmack *pkt_atmack(const struct roce_pkt *p)
{
	return (const struct roce_atmack *)(p->hdr + p->op->off[ROCE_H_ATMACK]);
}
static inline rte_be32_t pkt_imm(const struct roce_pkt *p)
{
	return ((const struct roce_immdt *)(p->hdr + p->op->off[ROCE_H_IMMDT]))->imm;
}
static inline uint32_t pkt_ieth_rkey(const struct roce_pkt *p)
{
	return rte_be_to_cpu_32(
		((const struct roce_ieth *)(p->hdr + p->op->off[ROCE_H_IETH]))->rkey);
}

static inline uint32_t qp_pmtu(const struct ursa_roce_qp *qp)
{
	return qp->attr.path_mtu;
}

/* roce_icrc.c */
uint32_t roce_icrc_calc(const uint8_t *l3, const struct rte_mbuf *m, uint32_t bth_off,
			uint32_t len);
bool roce_icrc_check(const uint8_t *l3, const struct rte_mbuf *m, uint32_t bth_off, uint32_t len);
void roce_icrc_put(uint8_t *p, uint32_t icrc);

/* roce_ctx.c */
struct ursa_roce_qp *roce_qp_lookup(struct ursa_roce_ctx *ctx, uint32_t qpn);
/* Enter qp in the table under a fresh random QPN (qp->qpn, qp->slot). 0 or -ENOSPC. */
int roce_qpn_alloc(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp);
/* Take qp out of the table; its QPN joins the recently used ones. */
void roce_qpn_free(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp);
/* Give qp a chosen QPN (replay, tests): -EINVAL when 0, 1, too large or in use. */
int roce_qpn_set(struct ursa_roce_ctx *ctx, struct ursa_roce_qp *qp, uint32_t qpn);
void roce_mark_busy(struct ursa_roce_qp *qp);

/* roce_tx.c: building and sending packets */
struct rte_mbuf *roce_tx_alloc(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn, bool ackreq,
			       bool se, uint32_t paylen, uint8_t **ext);
int roce_mbuf_write(struct rte_mbuf *m, uint32_t off, const void *src, uint32_t len);
int roce_mbuf_read(const struct rte_mbuf *m, uint32_t off, void *dst, uint32_t len);
void roce_tx_finish(struct ursa_roce_qp *qp, struct rte_mbuf *m);
struct rte_mbuf *roce_tx_alloc_zc(struct ursa_roce_qp *qp, uint8_t opcode, uint32_t psn,
				  bool ackreq, bool se, uint32_t paylen, uint8_t **ext);
int roce_tx_attach(struct ursa_roce_qp *qp, struct rte_mbuf *m, void *addr, uint32_t len,
		   struct rte_mbuf_ext_shared_info *sh);
int roce_tx_tail(struct ursa_roce_qp *qp, struct rte_mbuf *m, uint32_t paylen);
int roce_mr_zc_init(struct ursa_roce_mr *mr);
bool roce_mr_zc_busy(const struct ursa_roce_mr *mr);
void roce_mr_zc_put(struct ursa_roce_mr *mr);
uint32_t roce_tx_payload_off(const struct ursa_roce_qp *qp, uint8_t opcode);

/* roce_mr.c */
struct ursa_roce_mr *roce_mr_lookup(struct ursa_roce_ctx *ctx, uint32_t key);
/* Take the MR's key out of use at once (dereg, rereg, remote invalidation). */
void roce_mr_invalidate(struct ursa_roce_mr *mr);
bool roce_mr_range_ok(const struct ursa_roce_mr *mr, uint64_t va, uint64_t len);
static inline void *roce_mr_ptr(const struct ursa_roce_mr *mr, uint64_t va)
{
	return mr->host + (va - mr->iova);
}
/* Give an MR a chosen key (as captured from a peer): only for ursa_roce_mr_set_key, a test
 * and replay hook that lives in roce_testing.c, outside libursa. */
int roce_mr_set_key(struct ursa_roce_mr *mr, uint32_t key);
/* Copy between a gather/scatter list and an mbuf; checks each SGE's lkey, PD, access and
 * bounds first. to_sge: mbuf -> memory. Returns 0 or -EACCES. */
int roce_sge_attach(struct ursa_roce_qp *qp, const struct ursa_rdma_sge *sge, unsigned nsge,
		    uint32_t msg_off, struct rte_mbuf *m, uint32_t len);
int roce_sge_copy(struct ursa_roce_qp *qp, const struct ursa_rdma_sge *sge, unsigned nsge,
		  uint32_t msg_off, struct rte_mbuf *m, uint32_t m_off, uint32_t len, bool to_sge,
		  unsigned need_access);

/* roce_cq.c */
/* Queue a completion; an armed CQ's event is queued for the poll hook, never run here. */
int roce_cq_push(struct ursa_roce_cq *cq, const struct ursa_rdma_wc *wc, bool solicited);
/* Run the CQ events due (those queued before the call); returns how many ran. */
unsigned roce_cq_run_events(struct ursa_roce_ctx *ctx);
/* Forget every queued event (the context goes away; the CQs belong to the application). */
void roce_cq_drop_events(struct ursa_roce_ctx *ctx);

/* roce_qp.c */
void roce_qp_error(struct ursa_roce_qp *qp);
enum ursa_rdma_wc_opcode roce_wc_opcode(enum ursa_rdma_wr_opcode op);
void roce_comp_flush(struct ursa_roce_qp *qp);
/* Renumber a QP (the QPN a captured peer addressed): only for ursa_roce_qp_set_qpn, a test
 * and replay hook that lives in roce_testing.c, outside libursa. */
int roce_qp_set_qpn(struct ursa_roce_qp *qp, uint32_t qpn);

/* roce_req.c */
void roce_req_run(struct ursa_roce_qp *qp);
void roce_req_rewind(struct ursa_roce_qp *qp, uint32_t psn);
void roce_req_arm_timer(struct ursa_roce_qp *qp);
void roce_req_timer_cb(struct ursa_lcore *lc, struct ursa_timer *t, void *arg);
void roce_req_rnr_cb(struct ursa_lcore *lc, struct ursa_timer *t, void *arg);

/* roce_resp.c */
void roce_resp_ack_flush(struct ursa_roce_qp *qp);
void roce_resp_ack_flush_all(struct ursa_roce_ctx *ctx);
enum roce_resp_state {
	ROCE_RS_CHK_PSN,
	ROCE_RS_CHK_OP_SEQ,
	ROCE_RS_CHK_OP_VALID,
	ROCE_RS_CHK_RESOURCE,
	ROCE_RS_CHK_LENGTH,
	ROCE_RS_CHK_RKEY,
	ROCE_RS_EXECUTE,
	ROCE_RS_ACKNOWLEDGE,
	ROCE_RS_DONE,
	ROCE_RS_DUPLICATE,
	ROCE_RS_OUT_OF_SEQ,
	ROCE_RS_RNR,
	ROCE_RS_ERR_OP_SEQ,
	ROCE_RS_ERR_OP_NOT_ALLOWED,
	ROCE_RS_ERR_NO_RD_ATOMIC,
	ROCE_RS_ERR_LENGTH,
	ROCE_RS_ERR_RKEY,
	ROCE_RS_ERR_PD,
	ROCE_RS_ERR_MR_ACCESS,
	ROCE_RS_ERR_RANGE,
	ROCE_RS_ERR_ALIGN,
	ROCE_RS_ERR_INVALIDATE,
	ROCE_RS_ERR_RECV_WQE,
	ROCE_RS_MAX,
};
extern const char *const roce_resp_state_names[ROCE_RS_MAX];
/* The responder; returns the final state (for tests and counters). */
enum roce_resp_state roce_resp_input(struct ursa_roce_qp *qp, struct roce_pkt *pkt);
/* Stream pending READ responses (at most budget packets); returns packets sent. */
unsigned roce_resp_read_run(struct ursa_roce_qp *qp, unsigned budget);
bool roce_resp_has_work(const struct ursa_roce_qp *qp);

/* roce_comp.c */
void roce_comp_input(struct ursa_roce_qp *qp, struct roce_pkt *pkt);
void roce_comp_wqe(struct ursa_roce_qp *qp, struct roce_swqe *w, enum ursa_rdma_wc_status st,
		   uint32_t vendor_err);

/* roce_recv.c */
/* iface: the ingress interface (-1 when unknown: then no QP accepts the packet). */
void roce_input(struct ursa_roce_ctx *ctx, struct rte_mbuf *m, const uint8_t *l3, int32_t iface);
void roce_input_l4(struct ursa_lcore *lc, struct rte_mbuf *m, uint16_t l3_len, int32_t iface);

#endif /* URSA_ROCE_PRIV_H */
