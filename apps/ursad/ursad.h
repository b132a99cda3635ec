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
#include "ursa_spec.h"

#define URSAD_MAX_EAL_ARGS 64
#define URSAD_MAX_ROUTES 64
#define URSAD_MAX_FAULTS (URSA_MAX_PORTS * 2)
#define URSAD_DEVARGS_MAX 256

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
	char eal_log[32];

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
	uint64_t idle_sleep_us;
	uint64_t busy_polls;
	uint64_t stats_interval_s;
	const char *stats_file;
	const char *pid_file;
	bool no_announce;
	int log_level; /* RTE_LOG_*; 0 = leave EAL's default */
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

#endif /* URSAD_H */
