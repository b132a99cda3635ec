/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test support for the CUnit suites: EAL started once without hugepages, a fake lcore on a
 * virtual clock with a memory port, and frame builders.
 */
#ifndef URSA_TEST_H
#define URSA_TEST_H

#include <CUnit/Basic.h>

#include <stdbool.h>

#include "ursa_core.h"

#define URSA_TEST_MAC {{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}}
#define URSA_TEST_PEER_MAC {{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}}
#define URSA_TEST_T0 1000000000ull /* the virtual clock starts at 1 s */

/** Start EAL once per process (--no-huge, no PCI, no shared config). Exits 77 (skip) with a
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
/** Two lcores wired back to back through their memory port 0: poll both once and carry
 *  every transmitted frame to the other; returns how many frames moved. */
unsigned ursa_test_pair_carry(struct ursa_lcore *a, struct ursa_lcore *b);
/** Both quiet: advance both virtual clocks to the earlier idle budget (at least 1 ns).
 *  Returns false when neither has a timer or queued frame left, i.e. nothing can happen. */
bool ursa_test_pair_idle(struct ursa_lcore *a, struct ursa_lcore *b);
/** Advance the virtual clock by ns, polling as time passes (timers fire in order). */
void ursa_test_advance(struct ursa_lcore *lc, uint64_t ns);
/** Counter value (0 when it does not exist, so assert on exact values). */
uint64_t ursa_test_counter(struct ursa_lcore *lc, const char *block, const char *name);
/** Run registered CUnit suites; returns the process exit code (0 all passed, 1 failures). */
int ursa_test_main(void);

#endif /* URSA_TEST_H */
