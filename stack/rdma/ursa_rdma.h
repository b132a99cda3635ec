/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * rdma: the provider-neutral RDMA interface (the provider ABI), in the shape of verbs.
 *
 * A provider (providers/softroce: ursa's own RoCEv2 engine; providers/verbs: libibverbs)
 * registers a device with two ops tables: struct ursa_rdma_ops (slow path: devices, PDs,
 * MRs, CQs, QP create/modify/destroy) and struct ursa_rdma_fp_ops (fast path: post_send,
 * post_recv, poll_cq). Registration is explicit (no constructors) and fills every missing op
 * with a stub returning -EOPNOTSUPP, so call sites never test for NULL. Handles embed a base
 * struct defined here; providers reach their own object with container_of.
 *
 * Conventions: 0 or a negative errno; post and poll calls take arrays and return how many
 * were handled (or a negative errno when none was).
 */
#ifndef URSA_RDMA_H
#define URSA_RDMA_H

#include <stdbool.h>
#include <stdint.h>

#include "ursa_core.h"
#include "ursa_stack.h"

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_RDMA_MAX_DEVICES 4
#define URSA_RDMA_MAX_GIDS    16

/** Memory access rights of an MR and of a QP (remote operations it accepts). */
enum ursa_rdma_access {
	URSA_RDMA_ACCESS_LOCAL_WRITE = 1 << 0,
	URSA_RDMA_ACCESS_REMOTE_WRITE = 1 << 1,
	URSA_RDMA_ACCESS_REMOTE_READ = 1 << 2,
	URSA_RDMA_ACCESS_REMOTE_ATOMIC = 1 << 3,
	/** MR only: the peer may invalidate its rkey with a SEND with Invalidate (in verbs,
	 *  memory bound by fast registration). Without it such a SEND naming the MR is an
	 *  invalid request and the MR lives on. */
	URSA_RDMA_ACCESS_REMOTE_INVALIDATE = 1 << 4,
};

enum ursa_rdma_qp_state {
	URSA_RDMA_QPS_RESET,
	URSA_RDMA_QPS_INIT,
	URSA_RDMA_QPS_RTR,
	URSA_RDMA_QPS_RTS,
	URSA_RDMA_QPS_SQD,
	URSA_RDMA_QPS_ERR,
};

enum ursa_rdma_wr_opcode {
	URSA_RDMA_WR_SEND,
	URSA_RDMA_WR_SEND_WITH_IMM,
	URSA_RDMA_WR_SEND_WITH_INV,
	URSA_RDMA_WR_RDMA_WRITE,
	URSA_RDMA_WR_RDMA_WRITE_WITH_IMM,
	URSA_RDMA_WR_RDMA_READ,
	URSA_RDMA_WR_ATOMIC_CMP_AND_SWP,
	URSA_RDMA_WR_ATOMIC_FETCH_AND_ADD,
};

/** Work completion statuses (the verbs set ursa can produce). */
enum ursa_rdma_wc_status {
	URSA_RDMA_WC_SUCCESS,
	URSA_RDMA_WC_LOC_LEN_ERR,
	URSA_RDMA_WC_LOC_QP_OP_ERR,
	URSA_RDMA_WC_LOC_PROT_ERR,
	URSA_RDMA_WC_WR_FLUSH_ERR,
	URSA_RDMA_WC_BAD_RESP_ERR,
	URSA_RDMA_WC_LOC_ACCESS_ERR,
	URSA_RDMA_WC_REM_INV_REQ_ERR,
	URSA_RDMA_WC_REM_ACCESS_ERR,
	URSA_RDMA_WC_REM_OP_ERR,
	URSA_RDMA_WC_RETRY_EXC_ERR,
	URSA_RDMA_WC_RNR_RETRY_EXC_ERR,
	URSA_RDMA_WC_GENERAL_ERR,
	URSA_RDMA_WC_STATUS_MAX,
};

enum ursa_rdma_wc_opcode {
	URSA_RDMA_WC_SEND,
	URSA_RDMA_WC_RDMA_WRITE,
	URSA_RDMA_WC_RDMA_READ,
	URSA_RDMA_WC_COMP_SWAP,
	URSA_RDMA_WC_FETCH_ADD,
	URSA_RDMA_WC_RECV,
	URSA_RDMA_WC_RECV_RDMA_WITH_IMM,
};

#define URSA_RDMA_SEND_SIGNALED	 (1u << 0)
#define URSA_RDMA_SEND_SOLICITED (1u << 1)
#define URSA_RDMA_SEND_FENCE	 (1u << 2)

#define URSA_RDMA_WC_WITH_IMM (1u << 0)
#define URSA_RDMA_WC_WITH_INV (1u << 1)

/** A scatter/gather element: addr is a process virtual address inside the MR named by lkey. */
struct ursa_rdma_sge {
	uint64_t addr;
	uint32_t length;
	uint32_t lkey;
};

struct ursa_rdma_send_wr {
	uint64_t wr_id;
	enum ursa_rdma_wr_opcode opcode;
	unsigned send_flags; /**< URSA_RDMA_SEND_* */
	const struct ursa_rdma_sge *sg_list;
	unsigned num_sge;
	rte_be32_t imm_data; /**< network order, passed through */
	uint32_t invalidate_rkey;
	struct {
		uint64_t remote_addr;
		uint32_t rkey;
	} rdma;
	struct {
		uint64_t remote_addr;
		uint64_t compare_add; /**< compare (CMP_SWAP) or add (FETCH_ADD) */
		uint64_t swap;
		uint32_t rkey;
	} atomic;
};

struct ursa_rdma_recv_wr {
	uint64_t wr_id;
	const struct ursa_rdma_sge *sg_list;
	unsigned num_sge;
};

struct ursa_rdma_wc {
	uint64_t wr_id;
	enum ursa_rdma_wc_status status;
	enum ursa_rdma_wc_opcode opcode;
	uint32_t byte_len;
	uint32_t qp_num;
	unsigned wc_flags; /**< URSA_RDMA_WC_WITH_* */
	rte_be32_t imm_data;
	uint32_t invalidated_rkey;
	uint32_t vendor_err; /**< provider detail (softroce: the AETH syndrome when a NAK) */
};

/** A GID is an IPv6 address; IPv4 appears IPv4-mapped (::ffff:a.b.c.d). */
union ursa_rdma_gid {
	uint8_t raw[16];
};

/** GID types ursa knows: RoCEv2 (UDP/IP) only. */
enum ursa_rdma_gid_type {
	URSA_RDMA_GID_TYPE_ROCE_V2,
};

/**
 * One GID table entry and what it belongs to, as the kernel's ib_gid_attr (and
 * ibv_query_gid_ex's ibv_gid_entry): the GID is an address of one interface, and that
 * interface is one (port, VLAN) of one tenant. Two entries may carry the same GID (two
 * tenants with the same address on two VLANs); they differ in interface. A QP whose address
 * handle names an entry (ah.sgid_index) sends and receives on that entry's interface only.
 */
struct ursa_rdma_gid_attr {
	union ursa_rdma_gid gid;
	enum ursa_rdma_gid_type type;
	uint8_t port;	 /**< the RDMA port (1) */
	uint8_t index;	 /**< this entry's index in the port's GID table */
	uint16_t iface;	 /**< the interface (lc->ifaces index) that owns the address */
	uint16_t vlan;	 /**< that interface's VLAN (0 = untagged) */
	uint32_t tenant; /**< that interface's tenant */
};

/** The IPv4-mapped or IPv6 GID of an address. */
void ursa_rdma_gid_from_addr(union ursa_rdma_gid *gid, const struct ursa_ipaddr *a);
/** Back to an address: IPv4-mapped GIDs give AF_INET. */
void ursa_rdma_gid_to_addr(const union ursa_rdma_gid *gid, struct ursa_ipaddr *a);

enum ursa_rdma_qp_attr_mask {
	URSA_RDMA_QP_STATE = 1 << 0,
	URSA_RDMA_QP_ACCESS_FLAGS = 1 << 1,
	URSA_RDMA_QP_PATH_MTU = 1 << 2,
	URSA_RDMA_QP_DEST_QPN = 1 << 3,
	URSA_RDMA_QP_RQ_PSN = 1 << 4,
	URSA_RDMA_QP_SQ_PSN = 1 << 5,
	URSA_RDMA_QP_TIMEOUT = 1 << 6,
	URSA_RDMA_QP_RETRY_CNT = 1 << 7,
	URSA_RDMA_QP_RNR_RETRY = 1 << 8,
	URSA_RDMA_QP_MAX_QP_RD_ATOMIC = 1 << 9,
	URSA_RDMA_QP_MAX_DEST_RD_ATOMIC = 1 << 10,
	URSA_RDMA_QP_MIN_RNR_TIMER = 1 << 11,
	URSA_RDMA_QP_AV = 1 << 12, /**< struct ursa_rdma_ah_attr */
	URSA_RDMA_QP_PKEY = 1 << 13,
};

/**
 * The address vector of a connected QP (ibv_ah_attr with its GRH, which RoCEv2 always has):
 * the remote GID, and the local GID by its index in the GID table, never by value, since a
 * value may belong to several interfaces. The entry binds the QP to its interface, VLAN and
 * tenant (struct ursa_rdma_gid_attr).
 */
struct ursa_rdma_ah_attr {
	union ursa_rdma_gid dgid;
	uint8_t sgid_index;    /**< local GID table entry (ursa_rdma_query_gid_ex) */
	uint8_t hop_limit;     /**< 0 = the device default */
	uint8_t traffic_class; /**< DSCP << 2 | ECN */
	uint32_t flow_label;
};

struct ursa_rdma_qp_attr {
	enum ursa_rdma_qp_state qp_state;
	unsigned qp_access_flags; /**< URSA_RDMA_ACCESS_REMOTE_* the responder allows */
	uint16_t path_mtu;	  /**< bytes: 256, 512, 1024, 2048 or 4096 */
	uint16_t pkey;		  /**< default 0xFFFF */
	uint32_t dest_qp_num;
	uint32_t rq_psn; /**< first PSN expected from the peer */
	uint32_t sq_psn; /**< first PSN sent */
	uint8_t timeout; /**< local ACK timeout 4.096 us * 2^timeout; 0 = infinite */
	uint8_t retry_cnt;
	uint8_t rnr_retry; /**< 7 = infinite */
	uint8_t max_rd_atomic;
	uint8_t max_dest_rd_atomic;
	uint8_t min_rnr_timer;
	struct ursa_rdma_ah_attr ah;
};

struct ursa_rdma_qp_cap {
	uint32_t max_send_wr;
	uint32_t max_recv_wr;
	uint32_t max_send_sge;
	uint32_t max_recv_sge;
};

struct ursa_rdma_cq;
struct ursa_rdma_qp_init_attr {
	struct ursa_rdma_cq *send_cq;
	struct ursa_rdma_cq *recv_cq;
	struct ursa_rdma_qp_cap cap;
	bool sq_sig_all;
};

struct ursa_rdma_device_attr {
	uint32_t max_qp, max_qp_wr, max_sge, max_cq, max_cqe, max_mr;
	uint64_t max_mr_size;
	uint8_t max_qp_rd_atom, max_qp_init_rd_atom;
};

struct ursa_rdma_port_attr {
	uint16_t max_mtu;    /**< bytes */
	uint16_t active_mtu; /**< bytes */
	uint8_t gid_tbl_len;
	bool active;
};

/* ---------------------------------------------------------------------------------------- */
/* Handles: providers embed these as the first member of their own objects.                  */

struct ursa_rdma_ops;
struct ursa_rdma_fp_ops;

struct ursa_rdma_device {
	char name[32];
	struct ursa_lcore *lc;
	const struct ursa_rdma_ops *ops;
	const struct ursa_rdma_fp_ops *fp;
	void *priv; /**< provider data */
};

struct ursa_rdma_pd {
	struct ursa_rdma_device *dev;
};

struct ursa_rdma_mr {
	struct ursa_rdma_device *dev;
	struct ursa_rdma_pd *pd;
	void *addr;
	uint64_t length;
	unsigned access;
	uint32_t lkey;
	uint32_t rkey;
};

/** Called (once per arming) after a completion arrived on an armed CQ, from the lcore's poll
 *  loop and never from inside the provider's packet processing: the callback may destroy
 *  QPs and CQs (this one too) and deregister MRs. */
typedef void (*ursa_rdma_cq_event_t)(struct ursa_rdma_cq *cq, void *arg);

struct ursa_rdma_cq {
	struct ursa_rdma_device *dev;
	const struct ursa_rdma_fp_ops *fp;
	uint32_t cqe;
	ursa_rdma_cq_event_t event;
	void *event_arg;
};

struct ursa_rdma_qp {
	struct ursa_rdma_device *dev;
	const struct ursa_rdma_fp_ops *fp;
	struct ursa_rdma_pd *pd;
	struct ursa_rdma_cq *send_cq;
	struct ursa_rdma_cq *recv_cq;
	uint32_t qp_num;
};

/** Slow path. Every op may be left NULL by a provider; the registry fills in stubs. */
struct ursa_rdma_ops {
	int (*query_device)(struct ursa_rdma_device *dev, struct ursa_rdma_device_attr *attr);
	int (*query_port)(struct ursa_rdma_device *dev, uint8_t port,
			  struct ursa_rdma_port_attr *attr);
	/** The GID table entry at index with its interface, VLAN and tenant; -ENOENT past
	 *  the end. */
	int (*query_gid)(struct ursa_rdma_device *dev, uint8_t port, unsigned index,
			 struct ursa_rdma_gid_attr *attr);
	int (*alloc_pd)(struct ursa_rdma_device *dev, struct ursa_rdma_pd **out);
	int (*dealloc_pd)(struct ursa_rdma_pd *pd);
	int (*reg_mr)(struct ursa_rdma_pd *pd, void *addr, uint64_t length, unsigned access,
		      struct ursa_rdma_mr **out);
	/** New keys (the old ones stop working at once); optionally new access flags. */
	int (*rereg_mr)(struct ursa_rdma_mr *mr, unsigned access);
	int (*dereg_mr)(struct ursa_rdma_mr *mr);
	int (*create_cq)(struct ursa_rdma_device *dev, uint32_t cqe, struct ursa_rdma_cq **out);
	int (*destroy_cq)(struct ursa_rdma_cq *cq);
	/** Arm: the CQ's event callback runs at the next completion. */
	int (*req_notify_cq)(struct ursa_rdma_cq *cq, bool solicited_only);
	int (*create_qp)(struct ursa_rdma_pd *pd, const struct ursa_rdma_qp_init_attr *init,
			 struct ursa_rdma_qp **out);
	/** All or nothing: a modify that fails leaves the QP exactly as it was. With
	 *  URSA_RDMA_QP_AV the QP is bound to the interface of GID entry ah.sgid_index; a QP
	 *  reaches RTR only so bound. */
	int (*modify_qp)(struct ursa_rdma_qp *qp, const struct ursa_rdma_qp_attr *attr,
			 unsigned mask);
	int (*query_qp)(struct ursa_rdma_qp *qp, struct ursa_rdma_qp_attr *attr);
	int (*destroy_qp)(struct ursa_rdma_qp *qp);
	void (*close)(struct ursa_rdma_device *dev);
};

/** Fast path, cached in every QP and CQ handle. */
struct ursa_rdma_fp_ops {
	int (*post_send)(struct ursa_rdma_qp *qp, const struct ursa_rdma_send_wr *wr, unsigned n);
	int (*post_recv)(struct ursa_rdma_qp *qp, const struct ursa_rdma_recv_wr *wr, unsigned n);
	int (*poll_cq)(struct ursa_rdma_cq *cq, struct ursa_rdma_wc *wc, unsigned n);
};

/** What a provider hands to the registry. */
struct ursa_rdma_provider {
	const char *name;
	const struct ursa_rdma_ops *ops;
	const struct ursa_rdma_fp_ops *fp;
	/** Create the provider's device state on lc (fills dev->priv). */
	int (*open)(struct ursa_lcore *lc, struct ursa_rdma_device *dev, const void *conf);
};

/* ---------------------------------------------------------------------------------------- */
/* Registry                                                                                   */

int ursa_rdma_init(struct ursa_lcore *lc);
/** Open a device of provider prov on lc, named name. The registry copies the ops tables,
 *  filling missing ops with -EOPNOTSUPP stubs. */
int ursa_rdma_device_open(struct ursa_lcore *lc, const struct ursa_rdma_provider *prov,
			  const char *name, const void *conf, struct ursa_rdma_device **out);
struct ursa_rdma_device *ursa_rdma_device_get(struct ursa_lcore *lc, const char *name);
/** Register prov in the stack's provider registry under "rdma:" and prov->name, where every
 *  shard finds it by name (rdma-core and DPDK find their drivers the same way). */
int ursa_rdma_provider_register(struct ursa_stack *st, const struct ursa_rdma_provider *prov);
/** The RDMA provider registered under name in lc's stack; NULL when there is none, or when lc
 *  is a lone lcore (no stack, no registry: pass the provider to ursa_rdma_device_open). */
const struct ursa_rdma_provider *ursa_rdma_provider_find(const struct ursa_lcore *lc,
							 const char *name);
/** Open a device of the provider registered under provider (-ENOENT when none). */
int ursa_rdma_device_open_by_name(struct ursa_lcore *lc, const char *provider, const char *name,
				  const void *conf, struct ursa_rdma_device **out);
void ursa_rdma_device_close(struct ursa_rdma_device *dev);

const char *ursa_rdma_wc_status_str(enum ursa_rdma_wc_status s);
const char *ursa_rdma_qp_state_str(enum ursa_rdma_qp_state s);

/* ---------------------------------------------------------------------------------------- */
/* Calls: thin inline dispatch, no NULL checks.                                               */

static inline int ursa_rdma_query_device(struct ursa_rdma_device *d,
					 struct ursa_rdma_device_attr *a)
{
	return d->ops->query_device(d, a);
}
static inline int ursa_rdma_query_port(struct ursa_rdma_device *d, uint8_t port,
				       struct ursa_rdma_port_attr *a)
{
	return d->ops->query_port(d, port, a);
}
/** The GID table entry at index i of port (ibv_query_gid_ex). */
static inline int ursa_rdma_query_gid_ex(struct ursa_rdma_device *d, uint8_t port, unsigned i,
					 struct ursa_rdma_gid_attr *a)
{
	return d->ops->query_gid(d, port, i, a);
}
/** The GID alone (ibv_query_gid). */
static inline int ursa_rdma_query_gid(struct ursa_rdma_device *d, uint8_t port, unsigned i,
				      union ursa_rdma_gid *g)
{
	struct ursa_rdma_gid_attr a;
	int rc = d->ops->query_gid(d, port, i, &a);

	if (rc == 0)
		*g = a.gid;
	return rc;
}
static inline int ursa_rdma_alloc_pd(struct ursa_rdma_device *d, struct ursa_rdma_pd **out)
{
	return d->ops->alloc_pd(d, out);
}
static inline int ursa_rdma_dealloc_pd(struct ursa_rdma_pd *pd)
{
	return pd->dev->ops->dealloc_pd(pd);
}
static inline int ursa_rdma_reg_mr(struct ursa_rdma_pd *pd, void *addr, uint64_t len,
				   unsigned access, struct ursa_rdma_mr **out)
{
	return pd->dev->ops->reg_mr(pd, addr, len, access, out);
}
static inline int ursa_rdma_rereg_mr(struct ursa_rdma_mr *mr, unsigned access)
{
	return mr->dev->ops->rereg_mr(mr, access);
}
static inline int ursa_rdma_dereg_mr(struct ursa_rdma_mr *mr)
{
	return mr->dev->ops->dereg_mr(mr);
}
static inline int ursa_rdma_create_cq(struct ursa_rdma_device *d, uint32_t cqe,
				      struct ursa_rdma_cq **out)
{
	return d->ops->create_cq(d, cqe, out);
}
static inline int ursa_rdma_destroy_cq(struct ursa_rdma_cq *cq)
{
	return cq->dev->ops->destroy_cq(cq);
}
static inline int ursa_rdma_req_notify_cq(struct ursa_rdma_cq *cq, bool solicited_only)
{
	return cq->dev->ops->req_notify_cq(cq, solicited_only);
}
static inline int ursa_rdma_create_qp(struct ursa_rdma_pd *pd,
				      const struct ursa_rdma_qp_init_attr *init,
				      struct ursa_rdma_qp **out)
{
	return pd->dev->ops->create_qp(pd, init, out);
}
static inline int ursa_rdma_modify_qp(struct ursa_rdma_qp *qp, const struct ursa_rdma_qp_attr *a,
				      unsigned mask)
{
	return qp->dev->ops->modify_qp(qp, a, mask);
}
static inline int ursa_rdma_query_qp(struct ursa_rdma_qp *qp, struct ursa_rdma_qp_attr *a)
{
	return qp->dev->ops->query_qp(qp, a);
}
static inline int ursa_rdma_destroy_qp(struct ursa_rdma_qp *qp)
{
	return qp->dev->ops->destroy_qp(qp);
}
static inline int ursa_rdma_post_send(struct ursa_rdma_qp *qp, const struct ursa_rdma_send_wr *wr,
				      unsigned n)
{
	return qp->fp->post_send(qp, wr, n);
}
static inline int ursa_rdma_post_recv(struct ursa_rdma_qp *qp, const struct ursa_rdma_recv_wr *wr,
				      unsigned n)
{
	return qp->fp->post_recv(qp, wr, n);
}
static inline int ursa_rdma_poll_cq(struct ursa_rdma_cq *cq, struct ursa_rdma_wc *wc, unsigned n)
{
	return cq->fp->poll_cq(cq, wc, n);
}

#ifdef __cplusplus
}
#endif

#endif /* URSA_RDMA_H */
