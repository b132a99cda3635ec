/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Interface and route specifications: the "key=value,..." strings with which the daemon's
 * command line (--iface, --route) and the pcap runner's case.conf (iface =, route =) describe
 * interfaces and routes. One parser, one set of error messages.
 */
#ifndef URSA_SPEC_H
#define URSA_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "ursa_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Addresses one interface specification holds (every family's limit). */
#define URSA_SPEC_MAX_ADDRS (URSA_IFACE_MAX_V4 + URSA_IFACE_MAX_V6)
/** Longest specification accepted, bytes. */
#define URSA_SPEC_MAX_LEN 1023

/** One key=value item of a comma list, both trimmed of surrounding white space. */
struct ursa_spec_kv {
	char *key, *val;
};

/** Split buf in place at commas into key=value items (empty items are skipped, white space
 *  around keys and values is removed). Returns the number of items, or -EINVAL with *bad
 *  pointing at the first item that has no '=' or no key, or that is one item too many. */
int ursa_spec_split(char *buf, struct ursa_spec_kv *items, unsigned max, const char **bad);
/** Remove white space at both ends of s in place; returns the first non-space character. */
char *ursa_spec_trim(char *s);
/** "yes", "true", "1" or "no", "false", "0". Returns 0 or -EINVAL. */
int ursa_spec_bool(const char *s, bool *out);
/** Parse an unsigned number (decimal, 0x hex or 0 octal) no larger than max; no sign, no
 *  trailing characters. Returns 0 or -EINVAL. */
int ursa_spec_u64(const char *s, uint64_t max, uint64_t *out);

/** "port=N,vlan=V,tenant=T,mac=M,mtu=U,ip=A[/L],ip6=A[/L],ll=yes|no,max_neigh=N,
 *   max_neigh_bytes=N,max_reasm=N,max_tcp_conn=N" */
struct ursa_iface_spec {
	bool has_port;
	uint16_t port;
	uint16_t vlan; /**< 0 = untagged */
	uint32_t tenant;
	uint16_t mtu; /**< 0 = the port's */
	bool has_mac;
	struct rte_ether_addr mac;
	bool no_linklocal; /**< ll=no */
	unsigned naddr;
	struct ursa_ipaddr addr[URSA_SPEC_MAX_ADDRS];
	uint8_t plen[URSA_SPEC_MAX_ADDRS];
	struct ursa_quota quota; /**< max_<res>= keys; 0 = the default (ursa_quota.h) */
};

/** Flags of ursa_iface_spec_parse(). */
enum ursa_spec_flags {
	URSA_SPEC_NEED_PLEN = 1u << 0, /**< ip=/ip6= must say /LEN (else /32 and /128) */
};

/**
 * Parse an interface specification. Keys: port (0..URSA_MAX_PORTS-1), vlan (0..4094),
 * tenant, mac (unicast), mtu (68..9000), ip and ip6 (repeatable, of that family; at most
 * URSA_IFACE_MAX_V4 IPv4 and URSA_IFACE_MAX_V6 IPv6 addresses, one fewer IPv6 unless ll=no:
 * the link-local address takes a place), ll (yes|no), and the interface's quotas
 * max_neigh, max_neigh_bytes, max_reasm, max_tcp_conn (URSA_RES_LIST in ursa_quota.h;
 * 0 or absent = the default). Whether port= must or must not be given
 * and whether an address is required is the caller's business.
 *
 * @return 0, or -EINVAL with a message (without a trailing newline) in err.
 */
int ursa_iface_spec_parse(const char *spec, unsigned flags, struct ursa_iface_spec *out, char *err,
			  size_t errlen);

/** The interface part of a spec as an ursa_iface_conf (conf->mac points into s). */
void ursa_iface_spec_conf(const struct ursa_iface_spec *s, struct ursa_iface_conf *conf);

/**
 * Add the interface (ursa_iface_add) and its addresses in order (ursa_iface_addr_add).
 * port must be set by the caller when the spec has none.
 *
 * @param out_index  the new interface's index (set once the interface exists)
 * @param bad_addr   when not NULL: on failure, the index of the address that was refused, or
 *                   s->naddr when the interface itself was
 * @return 0 or the negative errno of the call that failed.
 */
int ursa_iface_spec_apply(struct ursa_lcore *lc, const struct ursa_iface_spec *s,
			  uint16_t *out_index, unsigned *bad_addr);

/** "tenant=T,dst=PREFIX/LEN,via=GATEWAY,iface=I" (prefix= is a synonym of dst=) */
struct ursa_route_spec {
	uint32_t tenant;
	struct ursa_ipaddr dst;
	uint8_t plen;
	struct ursa_ipaddr via; /**< family 0: on-link */
	bool has_iface;
	uint16_t iface; /**< index of the interface (0..URSA_MAX_IFACES-1) when has_iface */
};

/**
 * Parse a route specification. dst= is required; via= has no prefix length and is of dst's
 * family; an on-link route (no via=) needs iface=. That iface= names an existing interface of
 * the tenant is the caller's check; adding the route is ursa_ip_route_add() in the ip layer.
 *
 * @return 0, or -EINVAL with a message in err.
 */
int ursa_route_spec_parse(const char *spec, struct ursa_route_spec *out, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* URSA_SPEC_H */
