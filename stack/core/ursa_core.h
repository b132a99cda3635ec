/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ursa core: the per-lcore context every layer runs on.
 *
 * One lcore runs one shard of everything (ports' queues, interfaces, connections, timers) to
 * completion; nothing here is locked. All mutable state lives in struct ursa_lcore, passed as
 * the first argument. Time comes from lc->clock and randomness from lc->rng or, for anything
 * a peer must not guess, lc->secret (ursa_rng.h), never from the TSC or rand() directly, so
 * a replay on a virtual clock with a seed is deterministic.
 *
 * Conventions: functions return 0 or a negative errno; bursts return a count; constructors
 * are int ursa_x_create(..., struct ursa_x **out). A function that takes an mbuf takes
 * ownership of it, on success and on failure alike, unless its comment says otherwise.
 */
#ifndef URSA_CORE_H
#define URSA_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "ursa_addr.h"
#include "ursa_clock.h"
#include "ursa_rng.h"
#include "ursa_timer.h"
#include "ursa_stats.h"
#include "ursa_fault.h"
#include "ursa_quota.h"
#include "ursa_wait.h"

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_MAX_PORTS	  8
#define URSA_MAX_IFACES	  64
#define URSA_IFACE_MAX_V4 8
#define URSA_IFACE_MAX_V6 8
#define URSA_BURST	  32
#define URSA_MAX_HOOKS	  16
#define URSA_MAX_SHARDS	  64

struct ursa_lcore;
struct ursa_port;
struct ursa_stack;
struct ursa_wait;
struct ursa_dispatch;

/* Layer state, each owned and defined by its layer; opaque to core. */
struct ursa_eth_ctx;
struct ursa_neigh_ctx;
struct ursa_ip_ctx;
struct ursa_udp_ctx;
struct ursa_tcp_ctx;
struct ursa_roce_ctx;
struct ursa_rdma_ctx;
struct ursa_smc_ctx;
struct ursa_sock_ctx;
struct ursa_ctl_ctx;

/* ---------------------------------------------------------------------------------------- */
/* Per-mbuf metadata (in the mbuf private area, set by the layers on receive)               */

struct ursa_pkt_meta {
	uint16_t iface;	  /**< ingress/egress interface index */
	uint8_t l2_flags; /**< URSA_PKT_* */
	uint8_t rx_flags; /**< URSA_RX_* (set by core) */
	uint16_t rx_off;  /**< data_off of the frame as the port received it (its L2 header) */
	uint16_t reserved;
};
#define URSA_PKT_BCAST	   0x01 /**< L2 broadcast destination */
#define URSA_PKT_MCAST	   0x02 /**< L2 multicast destination */
#define URSA_PKT_VLAN	   0x04 /**< arrived with an 802.1Q tag */
#define URSA_RX_DISPATCHED 0x01 /**< handed over by another shard: never dispatched again */
#define URSA_RX_FROM_PORT  0x02 /**< entered by ursa_lcore_input: rx_off is valid */

static inline struct ursa_pkt_meta *ursa_pkt_meta(struct rte_mbuf *m)
{
	return (struct ursa_pkt_meta *)rte_mbuf_to_priv(m);
}

/* ---------------------------------------------------------------------------------------- */
/* Ports: any DPDK ethdev, or a memory port for tests and replay                             */

struct ursa_port_ops {
	const char *name;
	uint16_t (*rx_burst)(struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n);
	/** Returns the number accepted; the caller frees the rest. */
	uint16_t (*tx_burst)(struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n);
	/** An fd that becomes readable on Rx, or -ENOTSUP (then the daemon sleeps briefly). */
	int (*rx_intr_fd)(struct ursa_port *p);
	void (*rx_intr_enable)(struct ursa_port *p, bool on);
	void (*close)(struct ursa_port *p);
};

/** Transmit offloads a port really has (software does the rest). */
#define URSA_PORT_OFF_IPV4_CKSUM 0x1
#define URSA_PORT_OFF_L4_CKSUM	 0x2

struct ursa_port_counters {
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes, tx_full_drop;
};

struct ursa_port {
	uint16_t index;	   /**< index in lc->ports */
	uint16_t ethdev;   /**< DPDK port id (ethdev ports) */
	uint16_t queue;	   /**< Rx/Tx queue id of this lcore */
	uint16_t mtu;	   /**< L3 MTU */
	uint32_t offloads; /**< URSA_PORT_OFF_* */
	struct rte_ether_addr mac;
	char name[64];
	const struct ursa_port_ops *ops;
	void *priv;				/**< provider data (memory port state) */
	struct ursa_fault *fault[URSA_DIR_MAX]; /**< NULL = no fault injection */
	uint16_t ntx;
	struct rte_mbuf *txbuf[URSA_BURST];
	struct ursa_port_counters c;
};

/** Probe a DPDK device by its devargs (e.g. "net_af_packet0,iface=veth1", "net_memif0,...",
 *  or the name of an already probed port) and start it with one Rx/Tx queue. */
int ursa_port_open_ethdev(struct ursa_lcore *lc, const char *devargs, uint16_t mtu,
			  uint16_t *out_index);
/** A memory port: tx appends to an in-memory capture list, rx pops injected mbufs. */
int ursa_port_open_mem(struct ursa_lcore *lc, const struct rte_ether_addr *mac, uint16_t mtu,
		       uint16_t *out_index);
/** Memory port: queue mbufs to be returned by the next rx polls (takes ownership). A frame
 *  holding external buffers is copied first, as a wire would (it may then be lost). */
int ursa_port_mem_inject(struct ursa_port *p, struct rte_mbuf **pkts, unsigned n);
/** Memory port: take up to n transmitted mbufs, oldest first (caller owns them). */
unsigned ursa_port_mem_take(struct ursa_port *p, struct rte_mbuf **pkts, unsigned n);
/** Memory port: how many transmitted mbufs are waiting to be taken. */
unsigned ursa_port_mem_pending(const struct ursa_port *p);
/** Frames injected into a memory port and not yet received by the stack (0 for others). */
unsigned ursa_port_mem_rx_pending(const struct ursa_port *p);
/** Software RSS for memory ports standing for the queues of one NIC: the queue, of
 *  nb_queues, that a NIC hashing with Toeplitz under the usual default key (and a
 *  round-robin 128-entry indirection table) would receive frame m on. IPv4/IPv6 with TCP or
 *  UDP ports (optionally 802.1Q-tagged); other frames go to queue 0. Tests inject each
 *  frame into the memory port of the shard this names. */
unsigned ursa_port_mem_rss(const struct rte_mbuf *m, unsigned nb_queues);
/** The same for a flow as the receiver sees it (src is the sender; TCP and UDP hash their
 *  ports, other protocols the addresses only): an ursa_rss_queue_t. */
unsigned ursa_port_mem_rss_flow(const struct ursa_ipaddr *src, const struct ursa_ipaddr *dst,
				uint8_t proto, uint16_t sport, uint16_t dport, unsigned nb_queues);

/** Queue one frame for transmission on the port (flushed by ursa_port_flush or when the
 *  burst buffer fills). Passes through the port's Tx fault injection. */
void ursa_port_tx(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf *m);
/** Send everything queued; returns frames handed to the device. */
unsigned ursa_port_flush(struct ursa_lcore *lc, struct ursa_port *p);
/** After the peer of a link that follows its peer has left: wait, without polling the port,
 *  until the PMD has finished taking the link down; -ETIMEDOUT after timeout_ms. Returns 0 at
 *  once for ports whose link does not depend on a peer (af_packet, tap, memory ports...).
 *
 *  Why: DPDK 22.11's memif tears the link down from the EAL interrupt thread when the peer
 *  leaves (memif_disconnect unmaps the shared regions and clears the run configuration),
 *  with nothing that excludes a concurrent rte_eth_rx_burst/tx_burst or rte_eth_dev_stop in
 *  the data-plane thread: a poll or a close that overlaps the peer's departure touches
 *  unmapped memory. Two processes that share such a link stop polling, let one side close,
 *  and have the other wait here before it closes its own end. */
int ursa_port_wait_peer_gone(struct ursa_port *p, unsigned timeout_ms);

/** Attach a fault injector to one direction (replaces and frees any earlier one). */
int ursa_port_set_fault(struct ursa_lcore *lc, struct ursa_port *p, enum ursa_dir dir,
			const struct ursa_fault_conf *conf);

/** Counters of a port's fault injector in one direction, or NULL when it has none. */
const struct ursa_fault_counters *ursa_port_fault_counters(const struct ursa_port *p,
							   enum ursa_dir dir);

/* ---------------------------------------------------------------------------------------- */
/* Interfaces: (port, VLAN) with MAC, addresses, and a tenant                                */

struct ursa_iface_addr {
	struct ursa_ipaddr addr;
	uint8_t plen;
	uint8_t flags; /**< URSA_ADDR_* */
};
#define URSA_ADDR_TENTATIVE 0x1 /**< IPv6 DAD not finished */
#define URSA_ADDR_LINKLOCAL 0x2 /**< derived fe80:: address */

struct ursa_iface_conf {
	uint16_t port;
	uint16_t vlan;			  /**< 0 = untagged, else 1..4094 */
	uint32_t tenant;		  /**< tenants never see each other's traffic */
	const struct rte_ether_addr *mac; /**< NULL = the port's MAC */
	uint16_t mtu;			  /**< 0 = the port's MTU (less 4 when tagged) */
	bool no_linklocal;		  /**< do not derive an fe80:: address */
	struct ursa_quota quota;	  /**< per-interface limits (ursa_quota.h); 0 = default */
};

struct ursa_iface {
	uint16_t index;
	uint16_t port;
	uint16_t vlan;
	uint16_t mtu;
	uint32_t tenant;
	struct rte_ether_addr mac;
	uint8_t n4, n6;
	struct ursa_iface_addr v4[URSA_IFACE_MAX_V4];
	struct ursa_iface_addr v6[URSA_IFACE_MAX_V6];
	struct ursa_quota quota;	/**< limits, defaults filled in */
	uint32_t used[URSA_RES_MAX];	/**< what the interface holds now */
	uint64_t refused[URSA_RES_MAX]; /**< takes refused (its own or its tenant's quota) */
	uint16_t tenant_slot;		/**< index in lc->quota.tenants */
	bool removed; /**< ursa_iface_del: no ingress, no addresses; the index stays taken */
};

int ursa_iface_add(struct ursa_lcore *lc, const struct ursa_iface_conf *conf, uint16_t *out_index);
/** Add an address (with its prefix length) to an interface. */
int ursa_iface_addr_add(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *a,
			uint8_t plen);
/** Remove an address from an interface (-ENOENT when it has no such address). */
int ursa_iface_addr_del(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *a);
/** Take an interface out of service: it receives nothing and loses its addresses, so nothing
 *  routes through it. Its index is never reused (layers keep state by index). */
int ursa_iface_del(struct ursa_lcore *lc, uint16_t iface);
/** Ingress resolution from the unique (port, VLAN) tuple; NULL when no interface. */
struct ursa_iface *ursa_iface_by_port_vlan(struct ursa_lcore *lc, uint16_t port, uint16_t vlan);
static inline struct ursa_iface *ursa_iface_get(struct ursa_lcore *lc, uint16_t index);
/** The interface's address entry equal to a (not tentative), or NULL. */
const struct ursa_iface_addr *ursa_iface_has_addr(const struct ursa_iface *ifc,
						  const struct ursa_ipaddr *a);
/** Pick a source address on ifc for reaching dst (prefix match first, then the first one;
 *  link-local for link-local destinations). Returns -EADDRNOTAVAIL when none. */
int ursa_iface_pick_src(const struct ursa_iface *ifc, const struct ursa_ipaddr *dst,
			struct ursa_ipaddr *src);

/* ---------------------------------------------------------------------------------------- */
/* The lcore context                                                                          */

struct ursa_lcore_conf {
	unsigned lcore_id;
	unsigned nb_mbufs;   /**< mbuf pool size (sized up front: no growth without hugepages) */
	unsigned mbuf_size;  /**< data room per mbuf, 0 = RTE_MBUF_DEFAULT_BUF_SIZE */
	unsigned max_timers; /**< capacity of the timer heap */
	bool seeded;	     /**< true: lc->rng and lc->secret from seed (tests, replay);
				  false: both unpredictable, from the kernel's entropy */
	uint64_t seed;	     /**< the seed, when seeded */
	bool virtual_clock;  /**< true: time moves only by ursa_clock_set/advance */
	uint64_t virtual_start_ns;
	const char *name;   /**< pool name prefix; must be unique per process */
	unsigned hold_pct;  /**< share of the pool holding queues may use, % (0 = 50) */
	uint16_t shard;	    /**< this lcore's shard index, < nb_shards */
	uint16_t nb_shards; /**< shards of the stack it belongs to (0 = 1: a lone lcore) */
};

/** A tenant's totals over its interfaces on this lcore. */
struct ursa_tenant_use {
	uint32_t id;
	struct ursa_quota quota; /**< 0 = no tenant-wide limit */
	uint32_t used[URSA_RES_MAX];
};

/** Quota and pool-share state of an lcore (quota.c; counters in blocks "quota", "hold"). */
struct ursa_quota_state {
	uint16_t nb_tenants;
	struct ursa_tenant_use tenants[URSA_MAX_IFACES];
	uint64_t c[2 * URSA_RES_MAX]; /**< refusals: [2r] interface, [2r + 1] tenant */
	uint32_t hold_cap, hold_total;
	uint64_t hold_c[2 * URSA_HOLD_MAX]; /**< [2h] held now, [2h + 1] refusals */
};

/** The receive queue, of nb_queues, that the NIC puts a frame of this flow on (src is the
 *  sender, dst this host): known where software knows the NIC's hash (key and table). */
typedef unsigned (*ursa_rss_queue_t)(const struct ursa_ipaddr *src, const struct ursa_ipaddr *dst,
				     uint8_t proto, uint16_t sport, uint16_t dport,
				     unsigned nb_queues);
typedef void (*ursa_rx_handler_t)(struct ursa_lcore *lc, struct ursa_port *p,
				  struct rte_mbuf **pkts, uint16_t n);
typedef unsigned (*ursa_poll_hook_t)(struct ursa_lcore *lc, void *arg);
typedef void (*ursa_fini_hook_t)(struct ursa_lcore *lc);

struct ursa_lcore {
	unsigned lcore_id;
	/** Which shard of the stack this lcore runs: every ID space (QPNs, keys, ephemeral ports,
	 *  socket handles) is partitioned by it, and a flow belongs to exactly one shard. */
	uint16_t shard;
	uint16_t nb_shards;	  /**< >= 1 */
	struct ursa_stack *stack; /**< the stack-wide state it shares; NULL for a lone lcore */
	struct ursa_dispatch *dispatch; /**< the shards' inboxes (dispatch.c); NULL unlinked */
	/** How the NIC spreads flows over the shards' queues (queue k is shard k's), when
	 *  known: then transports pick ephemeral ports whose replies land on their own shard.
	 *  NULL: unknown, replies that land elsewhere are handed over (ursa_lcore_dispatch). */
	ursa_rss_queue_t rss_queue;
	int logtype;
	struct ursa_clock clock;
	struct ursa_rng rng;	   /**< choices a peer may predict (jitter, faults) */
	struct ursa_secret secret; /**< what a peer must not guess (keys, IDs, ISNs) */
	struct rte_mempool *pool;
	struct ursa_timer_heap timers;
	struct ursa_stats stats;
	struct ursa_wait *wait; /**< wait sources and policy (ursa_wait.h) */

	uint16_t nb_ports;
	struct ursa_port ports[URSA_MAX_PORTS];
	uint16_t nb_ifaces;
	struct ursa_iface ifaces[URSA_MAX_IFACES];
	struct ursa_quota_state quota;

	/** Where received frames go (set by the eth layer). */
	ursa_rx_handler_t rx_handler;

	unsigned nb_poll_hooks;
	struct {
		ursa_poll_hook_t fn;
		void *arg;
	} poll_hooks[URSA_MAX_HOOKS];
	unsigned nb_fini_hooks;
	ursa_fini_hook_t fini_hooks[URSA_MAX_HOOKS];

	/* Layer state, owned by each layer. */
	struct ursa_eth_ctx *eth;
	struct ursa_neigh_ctx *neigh;
	struct ursa_ip_ctx *ip;
	struct ursa_udp_ctx *udp;
	struct ursa_tcp_ctx *tcp;
	struct ursa_roce_ctx *roce;
	struct ursa_rdma_ctx *rdma;
	struct ursa_smc_ctx *smc;
	struct ursa_sock_ctx *sock;
	struct ursa_ctl_ctx *ctl;
};

/** Create an lcore context: mempool, clock, RNG and secret generator (from conf->seed when
 *  conf->seeded, else from the kernel), timers. EAL must be initialised. */
int ursa_lcore_create(const struct ursa_lcore_conf *conf, struct ursa_lcore **out);
/** Tear down in reverse: fini hooks (last registered first), ports, pool. */
void ursa_lcore_destroy(struct ursa_lcore *lc);
/** One pass: frames other shards handed over (ursa_lcore_dispatch), Rx bursts from every
 *  port (through fault injection) into rx_handler, expired timers, poll hooks, then flush
 *  every port. Returns the amount of work done (0 = idle). */
unsigned ursa_lcore_poll(struct ursa_lcore *lc);
/** Hand received frames to the stack as if they came from port p (replay, tests). */
void ursa_lcore_input(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf **pkts,
		      uint16_t n);
int ursa_lcore_add_poll_hook(struct ursa_lcore *lc, ursa_poll_hook_t fn, void *arg);
int ursa_lcore_add_fini_hook(struct ursa_lcore *lc, ursa_fini_hook_t fn);
/** Nanoseconds until the next timer expires or a frame held by fault injection is due
 *  (UINT64_MAX when none); 0 while frames wait in a memory port's receive queue or in the
 *  shard's dispatch inbox, so a harness that jumps the virtual clock when idle never jumps
 *  past work already queued. */
uint64_t ursa_lcore_idle_budget(struct ursa_lcore *lc);

/** Link the shards of one stack for software dispatch: lcs[i] is shard i of n (n >= 2, each
 *  created with nb_shards n). Gives each shard an inbox ring (any shard enqueues, its own
 *  lcore drains it at the start of every poll) and a counter block "dispatch" (out, in,
 *  drop_ring_full, drop_chain, drop_bad_port). Call before any of them polls; the shards
 *  are destroyed together, none polling while another is destroyed. -EINVAL when the
 *  shards do not match n or are linked already. */
int ursa_lcore_link_shards(struct ursa_lcore **lcs, unsigned n);
/** Hand a received frame to the shard that owns its flow; called by a layer that can tell
 *  the owner, before it touches any state. Returns false when the caller keeps m: owner is
 *  this shard, the shards are not linked, m did not come from a port (it was handed to a
 *  layer directly, as tests and replays do) or was handed over once already (a frame is
 *  never dispatched twice). Returns true when m is gone: queued to the owner, which
 *  receives it again from its Ethernet header on the same port index, or dropped and
 *  counted (the owner's inbox full; a reassembled chain, which cannot be received again). */
bool ursa_lcore_dispatch(struct ursa_lcore *lc, struct rte_mbuf *m, unsigned owner);

static inline uint64_t ursa_now(const struct ursa_lcore *lc)
{
	return ursa_clock_now(&lc->clock);
}

static inline struct ursa_iface *ursa_iface_get(struct ursa_lcore *lc, uint16_t index)
{
	return index < lc->nb_ifaces ? &lc->ifaces[index] : NULL;
}

/** Allocate an mbuf with headroom for every header below L4 (from lc->pool). */
struct rte_mbuf *ursa_pkt_alloc(struct ursa_lcore *lc);

#define URSA_LOG(lc, level, layer, fmt, ...)                                                       \
	rte_log(RTE_LOG_##level, (lc)->logtype, "ursa %s: " fmt "\n", layer, ##__VA_ARGS__)

#ifdef __cplusplus
}
#endif

#endif /* URSA_CORE_H */
