/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad internals: the parsed command line (validated before EAL starts), the JSON stats
 * writer, and the daemon's run state. Nothing here is global: main() owns one struct ursad.
 */
#ifndef URSAD_H
#define URSAD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ursa.h"
#include "ursa_eal.h"
#include "ursa_spec.h"

#define URSAD_MAX_EAL_ARGS 64
#define URSAD_MAX_ROUTES   64
#define URSAD_MAX_FAULTS   (URSA_MAX_PORTS * 2)
#define URSAD_DEVARGS_MAX  256

/* Exit status for a bad command line (any nonzero would do; 2 is the usual usage error). */
#define URSAD_EXIT_USAGE 2

struct ursad_fault_conf {
	uint16_t port;
	bool rx, tx;
	struct ursa_fault_conf conf;
};

struct ursad_conf {
	/* EAL */
	int eal_argc;
	char *eal_argv[URSAD_MAX_EAL_ARGS];
	bool eal_given; /* the user gave EAL options: use them as they are */
	char eal_lcore[16];
	char eal_log[16];
	struct ursa_eal_args eal_def; /* the default options, hugepages or not */

	/* ursa */
	unsigned nb_ports;
	char ports[URSA_MAX_PORTS][URSAD_DEVARGS_MAX];
	unsigned nb_ifaces;
	struct ursa_iface_spec ifaces[URSA_MAX_IFACES];
	unsigned nb_routes;
	struct ursa_route_spec routes[URSAD_MAX_ROUTES]; /* iface resolved by ursad_parse */
	unsigned nb_faults;
	struct ursad_fault_conf faults[URSAD_MAX_FAULTS];
	bool has_seed;
	uint64_t seed;
	unsigned lcore;
	unsigned nb_lcores; /* shards, one per EAL lcore (--lcores; 1 = a lone lcore) */
	uint64_t idle_sleep_us;
	uint64_t busy_polls;
	uint64_t stats_interval_s;
	const char *stats_file;
	const char *pid_file;
	const char *app_socket; /* --app-socket: the app channel (chan.c) */
	bool no_announce;
	int log_level;		     /* RTE_LOG_*; 0 = leave EAL's default */
	const char *ctl_socket;	     /* the control socket (ctl.h); NULL: the default */
	bool ctl_given;		     /* --ctl-socket given: failing to listen is fatal */
	bool ctl_unlock_destructive; /* destructive control commands allowed */
	bool telemetry;		     /* keep EAL's telemetry socket (default EAL options) */
};

/* Parse argv into conf (argv is kept: EAL arguments point into it). Returns 0 to run,
 * 1 when --help was printed, or URSAD_EXIT_USAGE after printing what is wrong. */
int ursad_parse(int argc, char **argv, struct ursad_conf *conf);
void ursad_usage(FILE *f);

/* Statistics as one JSON object: every registered counter block, ports with their fault
 * injectors, and the neighbour cache. */
void ursad_stats_json(struct ursa_lcore *lc, FILE *f, uint64_t uptime_ns);
/* Write the JSON to path atomically (path.tmp, then rename). Returns 0 or -errno. */
int ursad_stats_write(struct ursa_lcore *lc, const char *path, uint64_t uptime_ns);

/* ursad.c: the wait policy of --busy-polls and --idle-sleep-us on lc. */
int ursad_set_policy(const struct ursad_conf *c, struct ursa_lcore *lc);

/* shards.c: --lcores N > 1. */
struct ursad_shards;
/* Create the stack of conf->nb_lcores shards on the first EAL lcores, shard 0 on the main
 * lcore; base is the shards' common lcore conf. */
int ursad_shards_create(const struct ursad_conf *c, const struct ursa_lcore_conf *base,
			struct ursad_shards **out);
struct ursa_stack *ursad_shards_stack(struct ursad_shards *sh);
/* Interfaces and routes through the stack, applied on every shard before they are launched. */
int ursad_shards_configure(struct ursad_shards *sh, const struct ursad_conf *c);
/* Run shards 1.. on their worker lcores (shard 0 stays with the caller). */
int ursad_shards_launch(struct ursad_shards *sh);
/* Stop the workers and wait for them; then destroy (ports, shards). */
void ursad_shards_stop(struct ursad_shards *sh);
void ursad_shards_destroy(struct ursad_shards *sh);

#endif /* URSAD_H */
