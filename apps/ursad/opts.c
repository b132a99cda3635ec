/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad's command line: "ursad [EAL options] -- [ursa options]". Everything after "--" (or
 * the whole line when there is no "--") is an ursa option, parsed and checked here before
 * EAL starts, so a typo fails in milliseconds with a message naming the option and value.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <rte_log.h>

#include "ctl.h"
#include "ursad.h"

#define URSAD_CTL_SOCKET URSAD_CTL_DEFAULT_SOCKET

#define URSAD_DEFAULT_IDLE_SLEEP_US 2000
#define URSAD_DEFAULT_BUSY_POLLS    256

void ursad_usage(FILE *f)
{
	fprintf(f,
		"usage: ursad [EAL options] -- [ursa options]\n"
		"\n"
		"The ursa data-plane daemon: runs the user-space stack (Ethernet/VLAN, ARP, IPv4, "
		"IPv6 +\n"
		"ND, ICMP, UDP) on DPDK ports on one lcore, polling under load and napping when "
		"idle.\n"
		"\n"
		"EAL options: any DPDK EAL options, used as given. Without them ursad uses\n"
		"  --in-memory -m 256 --no-shconf --no-pci --no-telemetry -l <lcore> when 2 MiB\n"
		"  hugepages are free (scripts/hugepages), --no-huge instead of --in-memory when "
		"not\n"
		"  (said on stderr) or when URSA_HUGE=0\n"
		"\n"
		"ursa options (without a \"--\" the whole command line is ursa options):\n"
		"  --port DEVARGS       open a DPDK port (repeatable; port N is the Nth --port), "
		"e.g.\n"
		"                         net_af_packet0,iface=veth1\n"
		"                         net_tap0,iface=t0\n"
		"                         "
		"net_memif0,role=server,socket=/tmp/x.sock,socket-abstract=no\n"
		"  --iface SPEC         add an interface (repeatable):\n"
		"                         "
		"port=N[,vlan=V][,tenant=T][,mac=02:00:00:00:00:01][,mtu=M]\n"
		"                         [,ip=10.0.0.2/24]...[,ip6=fd00::2/64]...[,ll=yes|no]\n"
		"                         "
		"[,max_neigh=N][,max_neigh_bytes=N][,max_reasm=N][,max_tcp_conn=N]\n"
		"                       quotas of the interface (0: the defaults, 512, 1 MiB, 256, "
		"4096)\n"
		"                       at least one ip= or ip6=; ip/ip6 repeatable (no /LEN: /32, "
		"/128);\n"
		"                       (port, vlan) unique;\n"
		"                       a link-local fe80:: address is derived from the MAC "
		"(ll=no: none)\n"
		"  --route SPEC         add a route (repeatable):\n"
		"                         tenant=T,dst=PREFIX/LEN[,via=GATEWAY][,iface=I]\n"
		"                       without via the route is on-link and iface= is required; "
		"without\n"
		"                       iface= the tenant's interface whose subnet holds via is "
		"used\n"
		"  --fault SPEC         seeded fault injection on a port (repeatable):\n"
		"                         "
		"port=N[,dir=rx|tx|both][,drop=P][,dup=P][,reorder=P][,window=N]\n"
		"                         [,corrupt=P][,skip=BYTES][,delay=T][,jitter=T][,seed=N]\n"
		"                       P is a probability in [0,1]; T like 100us, 2ms; dir "
		"defaults to both\n"
		"  --seed N             the stack's RNG and secrets (keys, ISNs, QPNs) as a "
		"replayable\n"
		"                       stream of seed N, for tests only (default: unpredictable)\n"
		"  --lcore N            EAL lcore to run on (default 0; only used without EAL "
		"options)\n"
		"  --lcores N           run the stack as N shards, one per EAL lcore (default 1): "
		"each\n"
		"                       port gets N queue pairs (af_packet: qpairs=N with a "
		"fanout\n"
		"                       group), shard i polls queue i; without EAL options ursad "
		"uses\n"
		"                       lcores N..N+count-1 from --lcore; with them, the first N "
		"lcores\n"
		"  --idle-sleep-us N    longest timed nap when idle, microseconds (default %d); on "
		"Rx\n"
		"                       interrupts ursad naps until the next timer (at most 100 "
		"ms)\n"
		"  --busy-polls N       empty polls before napping (default %d; 0 = nap at once)\n"
		"  --stats-interval S   print a counter summary every S seconds (default 0 = off)\n"
		"  --stats-file PATH    write all counters as JSON at exit and on SIGUSR1\n"
		"  --pid-file PATH      write the process id once the ports are up\n"
		"  --app-socket PATH    serve applications (libursa-app, libursa-preload) on this\n"
		"                       Unix socket (lone lcore only)\n"
		"  --no-announce        skip the start-up announcements (gratuitous ARP, IPv6 DAD, "
		"NA)\n"
		"  --log-level L        emerg|alert|crit|err|warning|notice|info|debug or 1..8\n"
		"  --ctl-socket PATH    the control socket for ursactl (default " URSAD_CTL_SOCKET
		";\n"
		"                       'none': no control socket)\n"
		"  --ctl-unlock-destructive\n"
		"                       allow destructive control commands (abort a connection, "
		"reset a QP)\n"
		"  --telemetry          keep EAL's telemetry socket with the /ursa/ commands "
		"(default EAL\n"
		"                       options say --no-telemetry without it)\n"
		"  --help               this text\n"
		"\n"
		"Signals: SIGINT/SIGTERM stop cleanly; SIGUSR1 writes the stats file (or prints "
		"the JSON\n"
		"to stdout when there is none). A bad option exits with status 2 and names the "
		"problem.\n",
		URSAD_DEFAULT_IDLE_SLEEP_US, URSAD_DEFAULT_BUSY_POLLS);
}

__attribute__((format(printf, 2, 3))) static int bad(const char *opt, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ursad: %s: ", opt);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see ursad --help)\n", stderr);
	return URSAD_EXIT_USAGE;
}

#define MAX_KV 40

static int parse_iface(const char *spec, struct ursad_conf *c)
{
	const char *o = "--iface";
	struct ursa_iface_spec *ic;
	char err[256];

	if (c->nb_ifaces == URSA_MAX_IFACES)
		return bad(o, "too many interfaces (at most %d)", URSA_MAX_IFACES);
	ic = &c->ifaces[c->nb_ifaces];
	if (ursa_iface_spec_parse(spec, 0, ic, err, sizeof(err)) != 0)
		return bad(o, "%s", err);
	if (!ic->has_port)
		return bad(o, "'%s' has no port=", spec);
	if (ic->naddr == 0)
		return bad(o, "'%s' has no address (ip= or ip6=)", spec);
	for (unsigned i = 0; i < c->nb_ifaces; i++)
		if (c->ifaces[i].port == ic->port && c->ifaces[i].vlan == ic->vlan)
			return bad(o, "port %u vlan %u is already interface %u", ic->port, ic->vlan,
				   i);
	c->nb_ifaces++;
	return 0;
}

static int parse_route(const char *spec, struct ursad_conf *c)
{
	const char *o = "--route";
	char err[256];

	if (c->nb_routes == URSAD_MAX_ROUTES)
		return bad(o, "too many routes (at most %d)", URSAD_MAX_ROUTES);
	if (ursa_route_spec_parse(spec, &c->routes[c->nb_routes], err, sizeof(err)) != 0)
		return bad(o, "%s", err);
	c->nb_routes++;
	return 0;
}

static int parse_fault(const char *spec, struct ursad_conf *c)
{
	const char *o = "--fault";
	struct ursad_fault_conf *f;
	char rest[512] = "";
	char buf[512];
	char err[160];
	struct ursa_spec_kv kv[MAX_KV];
	const char *badkv = spec;
	bool has_port = false;
	size_t len = 0;
	uint64_t u;
	int n;

	if (c->nb_faults == URSAD_MAX_FAULTS)
		return bad(o, "too many fault specifications");
	if (strlen(spec) >= sizeof(buf))
		return bad(o, "specification too long");
	strcpy(buf, spec);
	n = ursa_spec_split(buf, kv, MAX_KV, &badkv);
	if (n < 0)
		return bad(o, "'%s' is not key=value", badkv);
	f = &c->faults[c->nb_faults];
	memset(f, 0, sizeof(*f));
	f->rx = f->tx = true;
	for (int i = 0; i < n; i++) {
		const char *k = kv[i].key, *v = kv[i].val;

		if (strcmp(k, "port") == 0) {
			if (ursa_spec_u64(v, URSA_MAX_PORTS - 1, &u))
				return bad(o, "bad port '%s'", v);
			f->port = (uint16_t)u;
			has_port = true;
		} else if (strcmp(k, "dir") == 0) {
			f->rx = strcmp(v, "rx") == 0 || strcmp(v, "both") == 0;
			f->tx = strcmp(v, "tx") == 0 || strcmp(v, "both") == 0;
			if (!f->rx && !f->tx)
				return bad(o, "bad dir '%s' (rx, tx or both)", v);
		} else {
			/* Everything else is the fault injector's own syntax. */
			len += (size_t)snprintf(rest + len, sizeof(rest) - len, "%s%s=%s",
						len ? "," : "", k, v);
			if (len >= sizeof(rest))
				return bad(o, "specification too long");
		}
	}
	if (!has_port)
		return bad(o, "'%s' has no port=", spec);
	if (ursa_fault_parse(rest, &f->conf, err, sizeof(err)) != 0)
		return bad(o, "%s", err);
	c->nb_faults++;
	return 0;
}

static int parse_log_level(const char *v, int *out)
{
	static const char *const names[] = {"emerg",   "alert",	 "crit", "err",
					    "warning", "notice", "info", "debug"};
	uint64_t u;

	for (unsigned i = 0; i < RTE_DIM(names); i++)
		if (strcmp(v, names[i]) == 0) {
			*out = (int)i + 1; /* RTE_LOG_EMERG is 1 */
			return 0;
		}
	if (ursa_spec_u64(v, RTE_LOG_DEBUG, &u) || u < RTE_LOG_EMERG)
		return -EINVAL;
	*out = (int)u;
	return 0;
}

enum {
	OPT_PORT = 256,
	OPT_IFACE,
	OPT_ROUTE,
	OPT_FAULT,
	OPT_SEED,
	OPT_LCORE,
	OPT_LCORES,
	OPT_IDLE_SLEEP,
	OPT_BUSY_POLLS,
	OPT_STATS_INTERVAL,
	OPT_STATS_FILE,
	OPT_PID_FILE,
	OPT_APP_SOCKET,
	OPT_NO_ANNOUNCE,
	OPT_LOG_LEVEL,
	OPT_CTL_SOCKET,
	OPT_CTL_UNLOCK,
	OPT_TELEMETRY,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{"port", required_argument, NULL, OPT_PORT},
	{"iface", required_argument, NULL, OPT_IFACE},
	{"route", required_argument, NULL, OPT_ROUTE},
	{"fault", required_argument, NULL, OPT_FAULT},
	{"seed", required_argument, NULL, OPT_SEED},
	{"lcore", required_argument, NULL, OPT_LCORE},
	{"lcores", required_argument, NULL, OPT_LCORES},
	{"idle-sleep-us", required_argument, NULL, OPT_IDLE_SLEEP},
	{"busy-polls", required_argument, NULL, OPT_BUSY_POLLS},
	{"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
	{"stats-file", required_argument, NULL, OPT_STATS_FILE},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"app-socket", required_argument, NULL, OPT_APP_SOCKET},
	{"no-announce", no_argument, NULL, OPT_NO_ANNOUNCE},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"ctl-socket", required_argument, NULL, OPT_CTL_SOCKET},
	{"ctl-unlock-destructive", no_argument, NULL, OPT_CTL_UNLOCK},
	{"telemetry", no_argument, NULL, OPT_TELEMETRY},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* Semantic checks that need the whole command line. */
static int check_conf(struct ursad_conf *c)
{
	if (c->nb_ports == 0)
		return bad("--port", "at least one port is needed");
	if (c->nb_ifaces == 0)
		return bad("--iface", "at least one interface is needed");
	for (unsigned i = 0; i < c->nb_ifaces; i++)
		if (c->ifaces[i].port >= c->nb_ports)
			return bad("--iface", "interface %u uses port %u, but only %u --port given",
				   i, c->ifaces[i].port, c->nb_ports);
	for (unsigned i = 0; i < c->nb_faults; i++)
		if (c->faults[i].port >= c->nb_ports)
			return bad("--fault", "port %u does not exist (%u --port given)",
				   c->faults[i].port, c->nb_ports);
	for (unsigned i = 0; i < c->nb_routes; i++) {
		struct ursa_route_spec *r = &c->routes[i];
		char ip[64];
		bool found = false;

		if (r->has_iface && r->iface >= c->nb_ifaces)
			return bad("--route", "iface %u does not exist (%u --iface given)",
				   r->iface, c->nb_ifaces);
		if (r->has_iface && c->ifaces[r->iface].tenant != r->tenant)
			return bad("--route", "iface %u belongs to tenant %u, not %u", r->iface,
				   c->ifaces[r->iface].tenant, r->tenant);
		for (unsigned j = 0; j < c->nb_ifaces; j++)
			found |= c->ifaces[j].tenant == r->tenant;
		if (!found)
			return bad("--route", "no interface in tenant %u", r->tenant);
		/* Without iface=, the gateway must be on the subnet of one of the tenant's
		 * interfaces: that interface carries the route. */
		for (unsigned j = 0; j < c->nb_ifaces && !r->has_iface; j++) {
			const struct ursa_iface_spec *ic = &c->ifaces[j];

			if (ic->tenant != r->tenant)
				continue;
			for (unsigned k = 0; k < ic->naddr; k++)
				if (ic->addr[k].family == r->via.family &&
				    ursa_ipaddr_prefix_match(&ic->addr[k], &r->via, ic->plen[k])) {
					r->iface = (uint16_t)j;
					r->has_iface = true;
				}
		}
		if (!r->has_iface)
			return bad("--route",
				   "gateway %s is on no subnet of tenant %u (give iface=)",
				   ursa_ipaddr_fmt(&r->via, ip, sizeof(ip)), r->tenant);
	}
	return 0;
}

int ursad_parse(int argc, char **argv, struct ursad_conf *c)
{
	int sep = -1, rc, opt;
	uint64_t u;

	memset(c, 0, sizeof(*c));
	c->idle_sleep_us = URSAD_DEFAULT_IDLE_SLEEP_US;
	c->busy_polls = URSAD_DEFAULT_BUSY_POLLS;
	c->nb_lcores = 1;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
	c->eal_argv[c->eal_argc++] = argv[0];
	if (sep > 1) {
		if (sep >= URSAD_MAX_EAL_ARGS - 1)
			return bad("EAL", "too many EAL options");
		for (int i = 1; i < sep; i++)
			c->eal_argv[c->eal_argc++] = argv[i];
		c->eal_given = true;
	}

	/* getopt on the ursa part only: argv[sep] plays argv[0]. */
	{
		int uargc = sep >= 0 ? argc - sep : argc;
		char **uargv = sep >= 0 ? argv + sep : argv;

		opterr = 0;
		optind = 1;
		while ((opt = getopt_long(uargc, uargv, ":h", long_opts, NULL)) != -1) {
			const char *v = optarg;

			switch (opt) {
			case OPT_PORT:
				if (c->nb_ports == URSA_MAX_PORTS)
					return bad("--port", "too many ports (at most %d)",
						   URSA_MAX_PORTS);
				if (*v == '\0' || *v == ',' || strlen(v) >= URSAD_DEVARGS_MAX)
					return bad("--port", "bad devargs '%s'", v);
				strcpy(c->ports[c->nb_ports++], v);
				break;
			case OPT_IFACE:
				if ((rc = parse_iface(v, c)) != 0)
					return rc;
				break;
			case OPT_ROUTE:
				if ((rc = parse_route(v, c)) != 0)
					return rc;
				break;
			case OPT_FAULT:
				if ((rc = parse_fault(v, c)) != 0)
					return rc;
				break;
			case OPT_SEED:
				if (ursa_spec_u64(v, UINT64_MAX, &c->seed))
					return bad("--seed", "bad number '%s'", v);
				c->has_seed = true;
				break;
			case OPT_LCORE:
				if (ursa_spec_u64(v, RTE_MAX_LCORE - 1, &u))
					return bad("--lcore", "bad lcore '%s'", v);
				c->lcore = (unsigned)u;
				break;
			case OPT_LCORES:
				if (ursa_spec_u64(v, URSA_MAX_SHARDS, &u) || u == 0)
					return bad("--lcores", "bad count '%s' (1..%d)", v,
						   URSA_MAX_SHARDS);
				c->nb_lcores = (unsigned)u;
				break;
			case OPT_IDLE_SLEEP:
				if (ursa_spec_u64(v, 1000000, &c->idle_sleep_us) ||
				    c->idle_sleep_us == 0)
					return bad("--idle-sleep-us", "bad value '%s' (1..1000000)",
						   v);
				break;
			case OPT_BUSY_POLLS:
				if (ursa_spec_u64(v, UINT32_MAX, &c->busy_polls))
					return bad("--busy-polls", "bad number '%s'", v);
				break;
			case OPT_STATS_INTERVAL:
				if (ursa_spec_u64(v, 86400, &c->stats_interval_s))
					return bad("--stats-interval", "bad seconds '%s'", v);
				break;
			case OPT_STATS_FILE:
				if (*v == '\0')
					return bad("--stats-file", "empty path");
				c->stats_file = v;
				break;
			case OPT_PID_FILE:
				if (*v == '\0')
					return bad("--pid-file", "empty path");
				c->pid_file = v;
				break;
			case OPT_APP_SOCKET:
				if (*v == '\0' || strlen(v) >= 108)
					return bad("--app-socket", "path empty or too long");
				c->app_socket = v;
				break;
			case OPT_NO_ANNOUNCE:
				c->no_announce = true;
				break;
			case OPT_LOG_LEVEL:
				if (parse_log_level(v, &c->log_level))
					return bad("--log-level", "bad level '%s'", v);
				break;
			case OPT_CTL_SOCKET:
				if (*v == '\0' || strlen(v) >= 108)
					return bad("--ctl-socket", "bad path '%s'", v);
				c->ctl_socket = v;
				c->ctl_given = true;
				break;
			case OPT_CTL_UNLOCK:
				c->ctl_unlock_destructive = true;
				break;
			case OPT_TELEMETRY:
				c->telemetry = true;
				break;
			case 'h':
			case OPT_HELP:
				ursad_usage(stdout);
				return 1;
			case ':':
				return bad(uargv[optind - 1], "missing value");
			default:
				return bad(uargv[optind - 1], "unknown option");
			}
		}
		if (optind < uargc)
			return bad(uargv[optind], "unexpected argument");
	}
	if ((rc = check_conf(c)) != 0)
		return rc;
	if (c->app_socket && c->nb_lcores > 1)
		return bad("--app-socket", "serves a lone lcore only (not with --lcores %u)",
			   c->nb_lcores);

	if (!c->eal_given) {
		if (c->nb_lcores > 1)
			snprintf(c->eal_lcore, sizeof(c->eal_lcore), "%u-%u", c->lcore,
				 c->lcore + c->nb_lcores - 1);
		else
			snprintf(c->eal_lcore, sizeof(c->eal_lcore), "%u", c->lcore);
		if (c->log_level)
			snprintf(c->eal_log, sizeof(c->eal_log), "%d", c->log_level);
		rc = ursa_eal_args_init(&c->eal_def, "ursad", 256, c->eal_lcore,
					c->log_level ? c->eal_log : NULL);
		if (rc != 0)
			return bad("EAL", "%s", rc == -ENOMEM ? c->eal_def.why : "bad EAL options");
		ursa_eal_args_report(&c->eal_def);
		for (int i = 1; i < c->eal_def.argc; i++)
			if (!c->telemetry || strcmp(c->eal_def.argv[i], "--no-telemetry") != 0)
				c->eal_argv[c->eal_argc++] = c->eal_def.argv[i];
	}
	c->eal_argv[c->eal_argc] = NULL;
	return 0;
}
