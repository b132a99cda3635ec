/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal to stack/eth: the per-lcore context and its counters. */
#ifndef URSA_ETH_PRIV_H
#define URSA_ETH_PRIV_H

#include "ursa_eth.h"

#define ETH_MAX_HANDLERS 8

/* Every drop by reason; rx/tx count frames accepted and queued. */
#define ETH_COUNTERS(X)                                                                            \
	X(rx)                                                                                      \
	X(rx_bcast)                                                                                \
	X(rx_mcast)                                                                                \
	X(rx_vlan)                                                                                 \
	X(tx)                                                                                      \
	X(drop_runt)                                                                               \
	X(drop_qinq)                                                                               \
	X(drop_no_iface)                                                                           \
	X(drop_not_for_us)                                                                         \
	X(drop_own_src)                                                                            \
	X(drop_mcast_src)                                                                          \
	X(drop_unknown_ethertype)                                                                  \
	X(drop_no_headroom)

#define ETH_C_ENUM(n) ETH_C_##n,
enum eth_counter { ETH_COUNTERS(ETH_C_ENUM) ETH_C_MAX };

struct ursa_eth_ctx {
	uint64_t c[ETH_C_MAX];
	/** Frames accepted per interface (index = iface index). */
	uint64_t rx_iface[URSA_MAX_IFACES];
	unsigned nb_handlers;
	struct {
		uint16_t ethertype; /**< host order */
		ursa_eth_handler_t fn;
	} handlers[ETH_MAX_HANDLERS];
};

#endif /* URSA_ETH_PRIV_H */
