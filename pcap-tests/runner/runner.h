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

#define CASE_MAX_IFACES 16
#define CASE_MAX_ROUTES 16
#define CASE_MAX_IGNORE 32
#define CASE_NAME_LEN	48

/* ---------------------------------------------------------------------------------------- */
/* case.conf                                                                                 */

enum time_check {
	TIME_CHECK_ORDER, /**< packets must come in the expected order; times not compared */
	TIME_CHECK_NONE,  /**< neither order nor times: packets are matched as a set */
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
};

/** Parse a case.conf. On error returns -EINVAL (or -errno) with a message "file:line: what"
 *  in err. */
int case_conf_load(const char *path, struct case_conf *c, char *err, size_t errlen);
/** Parse "3s", "500ms", "250us", "10ns" or a plain number of seconds. */
int case_parse_duration(const char *s, uint64_t *ns);
/** True when the field name is listed (exactly or by pattern) in ignore. */
bool case_ignores(const struct case_conf *c, const char *field);

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
