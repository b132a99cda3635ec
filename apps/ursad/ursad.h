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

#define URSAD_MAX_EAL_ARGS 64
#define URSAD_MAX_ROUTES 64
#define URSAD_MAX_FAULTS (URSA_MAX_PORTS * 2)
#define URSAD_DEVARGS_MAX 256

/* Exit status for a bad command line (any nonzero would do; 2 is the usual usage error). */
#define URSAD_EXIT_USAGE 2

struct ursad_iface_conf {
	uint16_t port;
	uint16_t vlan;
	uint32_t tenant;
	uint16_t mtu;
	bool has_mac;
	struct rte_ether_addr mac;
	unsigned naddr;
	struct ursa_ipaddr addr[URSA_IFACE_MAX_V4 + URSA_IFACE_MAX_V6];
	uint8_t plen[URSA_IFACE_MAX_V4 + URSA_IFACE_MAX_V6];
};

struct ursad_route_conf {
	uint32_t tenant;
	struct ursa_ipaddr dst;
	uint8_t plen;
	struct ursa_ipaddr via; /* family 0: on-link */
	int iface;		/* -1: the tenant's interface whose subnet holds via */
};

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
	struct ursad_iface_conf ifaces[URSA_MAX_IFACES];
	unsigned nb_routes;
	struct ursad_route_conf routes[URSAD_MAX_ROUTES];
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
