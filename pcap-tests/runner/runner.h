/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-pcap-replay internals: the case configuration, frame lists read from and written to
 * pcap files, the field decoder and the comparison of what ursa sent with what was expected.
 */
#ifndef URSA_PCAP_RUNNER_H
#define URSA_PCAP_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "ursa_core.h"
#include "ursa_spec.h"

#define CASE_MAX_IFACES	  16
#define CASE_MAX_ROUTES	  16
#define CASE_MAX_IGNORE	  32
#define CASE_NAME_LEN	  48
#define CASE_MAX_QPS	  4
#define CASE_MAX_MRS	  8
#define CASE_MAX_NEIGH	  8
#define CASE_MAX_COUNTERS 16

/* ---------------------------------------------------------------------------------------- */
/* case.conf                                                                                 */

enum time_check {
	TIME_CHECK_ORDER, /**< packets must come in the expected order; times not compared */
	TIME_CHECK_NONE,  /**< neither order nor times: packets are matched as a set */
};

/** Access rights in rdma_qp and rdma_mr lines (mapped to URSA_RDMA_ACCESS_* at set-up). */
#define CASE_ACCESS_LOCAL_WRITE	  (1u << 0)
#define CASE_ACCESS_REMOTE_WRITE  (1u << 1)
#define CASE_ACCESS_REMOTE_READ	  (1u << 2)
#define CASE_ACCESS_REMOTE_ATOMIC (1u << 3)

/** rdma_qp: one RC QP of ursa's RoCE engine, set up as the captured peer addressed it. */
struct case_rdma_qp {
	uint32_t qpn;	   /**< our QPN (the requests' BTH.DestQP) */
	uint32_t dest_qpn; /**< the peer's QPN */
	uint32_t rq_psn;   /**< first PSN expected from the peer */
	uint32_t sq_psn;
	uint16_t pmtu;
	uint16_t pkey;
	struct ursa_ipaddr local, peer;
	int iface; /**< the interface whose GID entry binds the QP; -1: the one with local */
	uint8_t hop_limit; /**< 0: the engine's default */
	uint8_t tclass;
	unsigned access; /**< CASE_ACCESS_REMOTE_* the QP allows */
	uint8_t max_dest_rd_atomic;
	uint8_t min_rnr_timer;
	unsigned recv_count; /**< rdma_recv: receive WQEs posted before the replay */
	uint32_t recv_len;   /**< bytes each */
};

/** rdma_mr: a memory region with the captured rkey and VA, optionally filled from a file. */
struct case_rdma_mr {
	uint32_t rkey;
	uint64_t va;
	uint64_t len;
	unsigned access; /**< CASE_ACCESS_* */
	char data[256];	 /**< memory image (path relative to case.conf), or "" for zeros */
};

/** neigh: a permanent neighbour entry (the peer the captured host had already resolved). */
struct case_neigh {
	unsigned iface;
	struct ursa_ipaddr ip;
	struct rte_ether_addr mac;
};

/** counter: a stack counter that must have exactly this value after the replay. */
struct case_counter {
	char block[16];
	char name[CASE_NAME_LEN];
	uint64_t val;
};

struct case_conf {
	struct rte_ether_addr port_mac;
	bool has_port_mac;
	uint16_t port_mtu;
	unsigned niface;
	struct ursa_iface_spec iface[CASE_MAX_IFACES]; /**< no port=: the case has one */
	unsigned nroute;
	struct ursa_route_spec route[CASE_MAX_ROUTES]; /**< iface= always given */
	uint64_t seed;
	bool announce;
	uint64_t settle_ns;
	unsigned nignore;
	char ignore[CASE_MAX_IGNORE][CASE_NAME_LEN]; /**< field names or fnmatch patterns */
	char ignore_reason[512];
	enum time_check time_check;
	unsigned nqp;
	struct case_rdma_qp qp[CASE_MAX_QPS];
	unsigned nmr;
	struct case_rdma_mr mr[CASE_MAX_MRS];
	unsigned nneigh;
	struct case_neigh neigh[CASE_MAX_NEIGH];
	unsigned ncounter;
	struct case_counter counter[CASE_MAX_COUNTERS];
	char dir[256]; /**< the folder case.conf is in: data= paths are relative to it */
};

/** Parse a case.conf. On error returns -EINVAL (or -errno) with a message "file:line: what"
 *  in err. */
int case_conf_load(const char *path, struct case_conf *c, char *err, size_t errlen);
/** Parse "3s", "500ms", "250us", "10ns" or a plain number of seconds. */
int case_parse_duration(const char *s, uint64_t *ns);
/** True when the field name is listed (exactly or by pattern) in ignore. */
bool case_ignores(const struct case_conf *c, const char *field);

/* rdma_qp, rdma_mr, rdma_recv lines (rdma.c). Return 0 or -EINVAL with a message in err. */
int case_rdma_parse_qp(const char *val, struct case_rdma_qp *qp, char *err, size_t errlen);
int case_rdma_parse_mr(const char *val, struct case_rdma_mr *mr, char *err, size_t errlen);
int case_rdma_parse_recv(const char *val, struct case_conf *c, char *err, size_t errlen);

struct rdma_state;
/** Create the case's PD, CQ, MRs and QPs on lc (the stack is up, the interfaces exist) and
 *  post the receives. On failure prints why and returns a negative errno. */
int rdma_setup(struct ursa_lcore *lc, const struct case_conf *c, struct rdma_state **out);
/** Print the completions the replay produced (verbose) and free everything. */
void rdma_teardown(struct rdma_state *st, bool verbose);

/* ---------------------------------------------------------------------------------------- */
/* Frames                                                                                    */

struct frame {
	uint64_t t_ns; /**< capture time, ns (absolute in the file's clock) */
	uint32_t len;  /**< bytes captured (snapped frames are refused on load) */
	uint8_t *data;
};

struct frame_list {
	struct frame *v;
	unsigned n, cap;
};

int frames_add(struct frame_list *fl, uint64_t t_ns, const void *data, uint32_t len);
void frames_free(struct frame_list *fl);
/** Read an Ethernet pcap (any timestamp precision). -errno with a message on failure. */
int frames_load(const char *path, struct frame_list *fl, char *err, size_t errlen);
/** Write frames as an Ethernet pcap with nanosecond timestamps. */
int frames_save(const char *path, const struct frame_list *fl, char *err, size_t errlen);

/* ---------------------------------------------------------------------------------------- */
/* Field decoder                                                                             */

#define DISSECT_MAX_FIELDS 128
#define DISSECT_VAL_LEN	   64

struct field {
	char name[CASE_NAME_LEN];
	char val[DISSECT_VAL_LEN]; /**< printable value; for byte fields a summary */
	const uint8_t *bytes;	   /**< byte fields (payload, options): compared bytewise */
	uint32_t nbytes;
};

struct dissection {
	unsigned n;
	struct field f[DISSECT_MAX_FIELDS];
	char summary[128]; /**< one line: "vlan 11 ARP reply 10.0.0.2 is-at ..." */
	char kind[64];	   /**< coarse signature used to pair packets: "v11 ARP reply" */
};

/** Decode an Ethernet frame into named fields (eth.*, vlan.*, arp.*, ip.*, ip6.*, icmp.*,
 *  icmp6.*, nd.*, udp.*, tcp.*, payload, frame.len). Never reads past len. The dissection
 *  points into data for byte fields: keep data alive while using it. */
void dissect(const uint8_t *data, uint32_t len, struct dissection *d);
const struct field *dissect_find(const struct dissection *d, const char *name);

/* ---------------------------------------------------------------------------------------- */
/* Comparison                                                                                */

struct compare_opts {
	const struct case_conf *conf;
	uint64_t expected_base; /**< capture time that maps to t = 0 for expected frames */
	uint64_t actual_base;	/**< virtual time that maps to t = 0 for sent frames */
	bool verbose;
};

struct compare_result {
	unsigned matched; /**< pairs with no difference */
	unsigned differ;  /**< pairs with at least one differing field */
	unsigned missing; /**< expected, not sent */
	unsigned extra;	  /**< sent, not expected */
};

/** Compare and print the report to stdout. Returns true when everything matched. */
bool compare_frames(const struct frame_list *expected, const struct frame_list *actual,
		    const struct compare_opts *o, struct compare_result *r);

#endif /* URSA_PCAP_RUNNER_H */
