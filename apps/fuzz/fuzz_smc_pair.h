/* SPDX-License-Identifier: BSD-3-Clause */
/* The live SMC link the fuzz_llc and fuzz_cdc targets feed: two stacks, one connection. */
#ifndef FUZZ_SMC_PAIR_H
#define FUZZ_SMC_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct smc_link;
struct smc_link_conn;

struct fuzz_smc_side {
	struct ursa_lcore *lc;
	struct smc_link_conn *c;
};

/* EAL, the two stacks (10.7.0.1 client, 10.7.0.2 server) with softroce devices. */
void fuzz_smc_init(const char *name);
/* Side i (0 client, 1 server), with a connection brought up when it has none. */
struct fuzz_smc_side *fuzz_smc_side(int i);
struct smc_link *fuzz_smc_link(int i);
/* Carry frames both ways until nothing moves (at most rounds), then ms of virtual time. */
void fuzz_smc_run(unsigned rounds, unsigned ms);
/* Some data both ways and read what arrived: the data path after what the input did. */
void fuzz_smc_traffic(unsigned len);
/* Close (abort when asked) both connections and let the link settle. */
void fuzz_smc_end(bool abort);

#endif
