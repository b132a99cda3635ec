/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The test kit of the CUnit suites (the static library ursa_test): EAL started once without
 * hugepages, a fake lcore on a virtual clock with a memory port, counters (ursa_test.c); two
 * lcores driven back to back (ursa_test_pair.c); address and hex parsers and frame builders
 * for Ethernet, 802.1Q, IPv4, IPv6, UDP and ICMP as bytes (ursa_test_frames.c); frames
 * received from hex and transmitted frames checked byte for byte (ursa_test_expect.c).
 * It calls core only: helpers that need an upper layer live in that layer's tests.
 */
#ifndef URSA_TEST_H
#define URSA_TEST_H

#include <CUnit/Basic.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ursa_core.h"

#define URSA_TEST_MAC                                                                              \
	{                                                                                          \
		{                                                                                  \
			0x02, 0x00, 0x00, 0x00, 0x00, 0x01                                         \
		}                                                                                  \
	}
#define URSA_TEST_PEER_MAC                                                                         \
	{                                                                                          \
		{                                                                                  \
			0x02, 0x00, 0x00, 0x00, 0x00, 0x02                                         \
		}                                                                                  \
	}
#define URSA_TEST_T0 1000000000ull /* the virtual clock starts at 1 s */

/** Start EAL once per process (ursa_eal_args_init: hugepages when free, else --no-huge; no
 *  PCI, no shared config). Exits 77 (skip) with a
 *  message when EAL cannot start here. */
void ursa_test_eal(void);
/** A fresh lcore on a virtual clock with one memory port (index 0, URSA_TEST_MAC, MTU 1500),
 *  its generators seeded with seed (deterministic). Layers are not initialised: tests bring
 *  up what they exercise. */
struct ursa_lcore *ursa_test_lcore(uint64_t seed);
/** The same without a seed: lc->rng and lc->secret from the kernel, as in ursad. */
struct ursa_lcore *ursa_test_lcore_unseeded(void);
/** An mbuf holding a copy of len bytes. */
struct rte_mbuf *ursa_test_mbuf(struct ursa_lcore *lc, const void *data, size_t len);
/** An mbuf from a hex string (spaces and newlines ignored). NULL on bad hex. */
struct rte_mbuf *ursa_test_mbuf_hex(struct ursa_lcore *lc, const char *hex);
/** Deliver a frame on port 0 as if received, then poll once. */
void ursa_test_rx(struct ursa_lcore *lc, struct rte_mbuf *m);
/** Take the next transmitted frame from port 0 (NULL when none); caller frees. */
struct rte_mbuf *ursa_test_tx(struct ursa_lcore *lc);
/** Deliver a copy of len bytes as a received frame on port 0, then poll once. */
void ursa_test_rx_bytes(struct ursa_lcore *lc, const void *b, size_t len);
/** Copy the next transmitted frame on port 0 into buf (flattening chains) and free it;
 *  returns its length, 0 when nothing was sent. Fails the test if it exceeds cap. */
size_t ursa_test_tx_copy(struct ursa_lcore *lc, void *buf, size_t cap);
/** Free every transmitted frame waiting on port 0; returns how many there were. */
unsigned ursa_test_tx_drain(struct ursa_lcore *lc);
/** Advance the virtual clock by ns, polling as time passes (timers fire in order). */
void ursa_test_advance(struct ursa_lcore *lc, uint64_t ns);
/** Counter value (0 when it does not exist, so assert on exact values). */
uint64_t ursa_test_counter(struct ursa_lcore *lc, const char *block, const char *name);
/** What every test's main does first: start EAL (ursa_test_eal) and the CUnit registry, and
 *  add one suite with its init and cleanup functions (NULL for none). Exits 1 when CUnit
 *  cannot start. */
CU_pSuite ursa_test_suite(const char *name, CU_InitializeFunc init, CU_CleanupFunc fini);
/** Run registered CUnit suites; returns the process exit code (0 all passed, 1 failures). */
int ursa_test_main(void);

/* ---- two lcores back to back (ursa_test_pair.c) ---- */

/** Two lcores wired back to back through their memory port 0: poll both once and carry
 *  every transmitted frame to the other; returns how many frames moved. */
unsigned ursa_test_pair_carry(struct ursa_lcore *a, struct ursa_lcore *b);
/** Both quiet: advance both virtual clocks to the earlier idle budget (at least 1 ns).
 *  Returns false when neither has a timer or queued frame left, i.e. nothing can happen. */
bool ursa_test_pair_idle(struct ursa_lcore *a, struct ursa_lcore *b);
/** What the wire between two test lcores does with a frame that side from (0: a, 1: b) sent:
 *  true delivers it to the other side, false drops it (the kit frees it). */
typedef bool (*ursa_test_link_fn_t)(int from, struct rte_mbuf *m, void *arg);
/** Poll both and carry every transmitted frame to the other through link (NULL: deliver
 *  all), round after round until a round moves nothing and a further poll of each does no
 *  work, at most max_rounds rounds. The clocks stand still. Returns the frames moved. */
unsigned ursa_test_pair_pump(struct ursa_lcore *a, struct ursa_lcore *b, ursa_test_link_fn_t link,
			     void *arg, unsigned max_rounds);
/** One step of a pair: carry frames; when none moved, let time pass (ursa_test_pair_idle).
 *  Returns false when nothing can happen any more. */
bool ursa_test_pair_step(struct ursa_lcore *a, struct ursa_lcore *b);

/* ---- addresses, hex and frame builders (ursa_test_frames.c) ---- */

/** An IPv4 or IPv6 address ("10.0.0.1", "fd00::1"); fails the test (fatal) when it is not.
 *  Only inside a test: CUnit aborts on an assertion in a suite's init function. */
struct ursa_ipaddr ursa_test_ip(const char *s);
/** Parse hex (white space ignored) into out; returns the byte count, or -1 on a bad digit, an
 *  odd count or more than cap bytes. */
long ursa_test_hex(const char *hex, uint8_t *out, size_t cap);
/** ursa_test_hex that fails the test (fatal) on bad hex. */
size_t ursa_test_unhex(const char *hex, uint8_t *out, size_t cap);

/** What the IPv4 and IPv6 frame builders put in front of the L4 bytes. */
struct ursa_test_l3 {
	const void *dmac, *smac; /**< 6 bytes each */
	uint16_t vlan;		 /**< 802.1Q VID (PCP 0); 0: untagged */
	const char *src, *dst;	 /**< addresses, parsed with ursa_test_ip */
	uint8_t proto;		 /**< IPv4 protocol / IPv6 next header */
	uint8_t ttl;		 /**< TTL / hop limit */
	uint8_t tos;		 /**< IPv4 TOS (IPv6: traffic class 0, flow label 0) */
	uint16_t id;		 /**< IPv4 ID (host order) */
	uint16_t frag;		 /**< IPv4 flags and fragment offset (host order) */
};

/** Ethernet header (with an 802.1Q tag when vlan != 0); returns its length (14 or 18). */
size_t ursa_test_eth_hdr(uint8_t *f, const void *dmac, const void *smac, uint16_t vlan,
			 uint16_t type);
/** Insert an 802.1Q tag with vid after the MAC addresses of a len-byte frame; returns the new
 *  length. */
size_t ursa_test_vlan_insert(uint8_t *f, size_t len, uint16_t vid);
/** Ethernet + IPv4 (20-byte header, correct checksum) + l4len bytes of l4; returns the frame
 *  length. */
size_t ursa_test_ipv4_frame(uint8_t *f, const struct ursa_test_l3 *h, const void *l4, size_t l4len);
/** Recompute the header checksum of the IPv4 header at ip. */
void ursa_test_ipv4_fix_cksum(uint8_t *ip);
/** Ethernet + IPv6 (no extension header) + l4len bytes of l4; returns the frame length. */
size_t ursa_test_ipv6_frame(uint8_t *f, const struct ursa_test_l3 *h, const void *l4, size_t l4len);
/** The Internet checksum of n bytes at p under the IPv6 pseudo-header (src, dst, nh), written
 *  here independently of the stack's and of DPDK's. */
uint16_t ursa_test_cksum6(const uint8_t *src, const uint8_t *dst, uint8_t nh, const void *p,
			  size_t n);
/** Fill in the checksum of the upper-layer message that starts off bytes after the IPv6
 *  header at ip and runs to the end of its payload; the checksum field is at cksum_at in it
 *  (ICMPv6 2, UDP 6). UDP's computed 0 is sent as 0xffff (RFC 8200 8.1). */
void ursa_test_ipv6_fill_cksum(uint8_t *ip, uint8_t nh, size_t off, size_t cksum_at);
/** A UDP header (checksum 0) and plen bytes of pl at l4; returns 8 + plen. */
size_t ursa_test_udp(uint8_t *l4, uint16_t sport, uint16_t dport, const void *pl, size_t plen);
/** Fill in the UDP or TCP checksum of the IPv4 packet at ip (DPDK's pseudo-header sum). */
void ursa_test_ipv4_fill_l4_cksum(uint8_t *ip);
/** An ICMP echo message (type 8 or 0) with datalen bytes of pattern (byte i = i * 7 + 3)
 *  and a correct checksum; returns 8 + datalen. */
size_t ursa_test_icmp_echo(uint8_t *l4, uint8_t type, uint16_t id, uint16_t seq, size_t datalen);

/* ---- receive and expect (ursa_test_expect.c) ---- */

/** Deliver the frame given as hex (white space ignored) on port 0, then poll once. */
void ursa_test_rx_hex(struct ursa_lcore *lc, const char *hex);
/** The next frame transmitted on port 0 must be exactly the n bytes of want (read across
 *  segments); each differing byte is printed. Fails the test (fatal) when none was sent. */
void ursa_test_expect_tx(struct ursa_lcore *lc, const void *want, size_t n);
/** ursa_test_expect_tx with the frame given as hex. */
void ursa_test_expect_tx_hex(struct ursa_lcore *lc, const char *hex);

#endif /* URSA_TEST_H */
