/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * smc internals of the link side: link groups, their link (one RC QP), the connections on
 * them with their RMBs, cursors and close state. Used by smc_lgr*.c, smc_llc.c, smc_tx.c and
 * smc_rx.c; the handshake sees only smc_link.h.
 *
 * A link group belongs to one (peer system id, peer address, interface, tenant, VLAN, role):
 * its PD is its own, its QP is bound to the interface's GID entry, so a link never carries
 * another tenant's or VLAN's traffic. Every RMB is its own MR on that PD, remote-write only;
 * released RMBs are zeroed, re-keyed (the old rkey dies at once) and kept for reuse.
 */
#ifndef SMC_LGR_H
#define SMC_LGR_H

#include <stdbool.h>
#include <stdint.h>

#include "smc_cdc_hdr.h"
#include "smc_link.h"
#include "smc_llc_hdr.h"
#include "smc_priv.h"
#include "ursa_rdma.h"
#include "ursa_timer.h"

#define SMC_RX_WQES	  64		 /* receive WQEs per link: one per LLC/CDC SEND */
#define SMC_RX_BUF	  SMC_LLC_V2_MAX /* a whole v2 LLC fits one */
#define SMC_TX_SLOTS	  64		 /* send buffers per link (a bit each in tx_free) */
#define SMC_TX_BUF	  128		 /* one CDC or LLC (a v2 ADD_LINK with up to 6 rkeys) */
#define SMC_RMB_MIN	  16384
#define SMC_PEER_RMB_MAX  (8u << 20) /* a peer's RMB we mirror for sending */
#define SMC_RMB_MAX	  (1u << 20)
#define SMC_CONNS_MAX	  255
#define SMC_LLC_WAIT_NS	  (2ull * 1000000000)  /* CONFIRM_LINK and TEST_LINK answers */
#define SMC_TESTLINK_NS	  (30ull * 1000000000) /* idle time before a TEST_LINK */
#define SMC_CLOSE_WAIT_NS (30ull * 1000000000) /* a closed connection waits for its peer */
#define SMC_WR_ID_TX	  (1ull << 63)
#define SMC_DEFAULT_PROV  "softroce"
#define SMC_DEFAULT_DEV	  "softroce0"

enum smc_link_state {
	SMC_LNK_ACTIVATING, /* QP up to RTR/RTS, CONFIRM_LINK not done */
	SMC_LNK_ACTIVE,
	SMC_LNK_FAILED, /* QP in error; its connections were aborted */
};

struct smc_link {
	struct smc_lgr *lgr;
	struct ursa_rdma_cq *cq;
	struct ursa_rdma_qp *qp;
	struct ursa_rdma_mr *wr_mr; /* tx slots, then rx buffers */
	uint8_t *wr_buf;
	uint64_t tx_free; /* bit i: slot i free */
	enum smc_link_state state;
	bool started;	       /* the peer's QP is known, QP at RTS */
	bool testlink_pending; /* a TEST_LINK waits for its answer */
	uint8_t link_id;
	uint8_t sgid_index;
	uint32_t link_uid, peer_link_uid;
	struct smc_qp_info local, peer;
	struct ursa_timer timer; /* CONFIRM_LINK wait, then TEST_LINK */
	uint64_t last_rx_ns;
};

struct smc_rmb {
	struct smc_rmb *next;
	uint8_t *buf;
	uint32_t size;
	struct ursa_rdma_mr *mr;
};

struct smc_lgr {
	struct smc_lgr *next;
	struct ursa_lcore *lc;
	struct smc_link_req key; /* rmb_size unused */
	struct ursa_rdma_device *dev;
	struct ursa_rdma_pd *pd;
	struct smc_link lnk;
	struct smc_link_conn *conns;
	unsigned nconns;
	uint32_t id; /* 24 bits: link uids are id << 8 | link id */
	struct smc_rmb *free_rmbs;
};

struct smc_link_conn {
	struct smc_link_conn *next;
	struct smc_lgr *lgr;
	uint32_t token;	     /* ours: the peer echoes it in every CDC it sends us */
	struct smc_rmb *rmb; /* ours: the peer writes into it */
	struct smc_rmb *snd; /* a mirror of the peer's RMB the WRITEs read from */
	struct smc_rmb_info peer;
	void (*ready)(void *arg, int status);
	void *ready_arg;
	int ready_status;
	bool started, ready_due, is_ready;
	/* send side: stream positions, bytes since the start */
	uint64_t tx_prod;      /* written into the peer's RMB */
	uint64_t tx_peer_cons; /* consumed there, as the peer last said */
	uint16_t tx_seq;
	bool tx_blocked_sent; /* a CDC said write-blocked since the last window update */
	bool cdc_due;	      /* a CDC must go out when a send slot frees */
	/* receive side */
	uint64_t rx_prod;      /* what the peer has written into our RMB */
	uint64_t rx_cons;      /* what we consumed */
	uint64_t rx_cons_sent; /* the consumer cursor the peer knows */
	uint16_t rx_seq;
	bool rx_seq_valid;
	bool peer_wants_upd; /* write-blocked or update requested */
	/* close state */
	bool local_done, local_closed, local_abort, rd_shut;
	bool peer_done, peer_closed, peer_abort, failed;
	bool user_gone;		       /* closed by its user: freed once the peer writes no more */
	struct ursa_timer close_timer; /* ... or after SMC_CLOSE_WAIT_NS */
};

/* smc_lgr.c */
struct smc_lgr *smc_lgr_first(struct ursa_lcore *lc);
void smc_link_fail(struct smc_link *l, int reason_errno);
void smc_link_activated(struct smc_link *l);
int smc_link_tx_slot(struct smc_link *l, uint8_t **buf);
int smc_link_post_slot(struct smc_link *l, int slot, uint32_t len);
void smc_conn_release(struct smc_link_conn *c);
static inline uint64_t *smc_ctr(struct smc_lgr *g)
{
	return g->lc->smc->c;
}

/* smc_llc_proc.c */
void smc_llc_rx(struct smc_link *l, const uint8_t *buf, uint32_t len);
int smc_llc_send(struct smc_link *l, const struct smc_llc *m);
int smc_llc_confirm_link_send(struct smc_link *l);
void smc_llc_testlink_tick(struct smc_link *l);

/* smc_rx.c / smc_tx.c */
void smc_cdc_rx(struct smc_link *l, const uint8_t *buf, uint32_t len);
int smc_cdc_send(struct smc_link_conn *c, uint8_t prod_flags);
bool smc_conn_peer_quiet(const struct smc_link_conn *c);

#endif /* SMC_LGR_H */
