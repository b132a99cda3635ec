/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad, the data-plane daemon: parses and checks its options, starts EAL, opens the ports,
 * brings the stack up on the main lcore and runs it to completion there with
 * ursa_lcore_wait (ursa_wait.h): under load it polls without sleeping; after --busy-polls
 * empty polls it naps, on the ports' Rx interrupts when every port has them (until the next
 * stack timer, at most 100 ms), otherwise on a short timer: 50 us while there was work in
 * the last 20 ms, then growing to --idle-sleep-us; never past the next stack timer. Signals
 * arrive on a signalfd, one of the lcore's wait sources. With --lcores N the stack runs as N
 * shards (shards.c): this loop runs shard 0 and the worker lcores the others.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "chan.h"
#include "ctl.h"
#include "ursad.h"

/*
 * Frames up to a 9000-byte MTU (and the datagrams the kernel reassembles for af_packet, whose
 * PMD joins its fanout group with PACKET_FANOUT_FLAG_DEFRAG) must fit one mbuf: af_packet
 * copies a ring frame into a single mbuf and refuses frames larger than the data room.
 */
#define URSAD_FRAME_SIZE 10240u
#define URSAD_MBUF_SIZE	 (URSAD_FRAME_SIZE + RTE_PKTMBUF_HEADROOM)
#define URSAD_AFP_BLOCK	 (2 * URSAD_FRAME_SIZE) /* a multiple of the page size */
#define URSAD_AFP_FRAMES 512u

struct ursad {
	struct ursad_conf conf;
	struct ursa_lcore *lc;	     /* with --lcores: shard 0 */
	struct ursad_shards *shards; /* with --lcores N > 1 */
	struct ursad_chan *chan;     /* with --app-socket */
	struct ursad_ctl *ctl;	     /* the control socket (ctl.c), NULL without */
	int sfd;		     /* signalfd: SIGINT, SIGTERM, SIGUSR1, SIGHUP */
	bool stop;		     /* SIGINT or SIGTERM came */
	uint64_t t0;		     /* start, lc clock */
	uint64_t next_stats;
};

static void dump_stats(struct ursad *d)
{
	uint64_t up = ursa_now(d->lc) - d->t0;
	int rc;

	if (d->conf.stats_file == NULL) {
		ursad_stats_json(d->lc, stdout, up);
		fflush(stdout);
		return;
	}
	rc = ursad_stats_write(d->lc, d->conf.stats_file, up);
	if (rc)
		fprintf(stderr, "ursad: cannot write %s: %s\n", d->conf.stats_file, strerror(-rc));
}

static void print_summary(struct ursad *d)
{
	printf("ursad: t=%.0fs", (double)(ursa_now(d->lc) - d->t0) / 1e9);
	for (uint16_t i = 0; i < d->lc->nb_ports; i++) {
		const struct ursa_port *p = &d->lc->ports[i];

		printf(" | %s rx %" PRIu64 " tx %" PRIu64 " txdrop %" PRIu64, p->name, p->c.rx_pkts,
		       p->c.tx_pkts, p->c.tx_full_drop);
	}
	putchar('\n');
	fflush(stdout);
}

/* The signalfd is ready (a wait source of the lcore): read what is pending. */
static void on_signals(struct ursa_lcore *lc, int fd, uint32_t events, void *arg)
{
	struct ursad *d = arg;
	struct signalfd_siginfo si;

	(void)lc;
	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGUSR1:
			dump_stats(d);
			break;
		case SIGINT:
		case SIGTERM:
			d->stop = true;
			break;
		default: /* SIGHUP: nothing to reload */
			break;
		}
	}
}

/* The options' wait policy: --busy-polls, and timed naps growing to --idle-sleep-us. */
int ursad_set_policy(const struct ursad_conf *c, struct ursa_lcore *lc)
{
	struct ursa_wait_policy pol;

	ursa_wait_policy_default(&pol);
	pol.busy_polls = c->busy_polls;
	pol.nap_max_ns = c->idle_sleep_us * URSA_NS_PER_US;
	return ursa_lcore_set_wait_policy(lc, &pol);
}

/* Run the stack on lc until SIGINT or SIGTERM; the summary every --stats-interval. Every
 * wait, poll and nap is ursa_lcore_wait's; the clock is read here only with a summary due. */
static int run(struct ursad *d, struct ursa_lcore *lc)
{
	bool busy = false;
	int rc;

	while (!d->stop) {
		uint64_t max_ns = UINT64_MAX;

		if (d->conf.stats_interval_s) {
			uint64_t now = ursa_now(lc);

			if (now >= d->next_stats) {
				print_summary(d);
				d->next_stats = now + d->conf.stats_interval_s * URSA_NS_PER_S;
			}
			max_ns = d->next_stats - now;
		}
		if (busy) /* the app channel has more to do: one poll, no nap */
			max_ns = 0;
		if ((rc = ursa_lcore_wait(lc, max_ns, NULL)) != 0)
			return rc;
		busy = d->chan && ursad_chan_poll(d->chan);
	}
	return 0;
}

/* Fault injection on a port: on every shard's queue of it. */
static int set_fault(struct ursad *d, const struct ursad_fault_conf *f)
{
	uint16_t n = d->shards ? ursa_stack_nb_shards(ursad_shards_stack(d->shards)) : 1;
	int rc = 0;

	for (uint16_t s = 0; s < n && rc == 0; s++) {
		struct ursa_lcore *lc =
			d->shards ? ursa_stack_shard(ursad_shards_stack(d->shards), s) : d->lc;
		struct ursa_port *p = &lc->ports[f->port];

		if (f->rx)
			rc = ursa_port_set_fault(lc, p, URSA_DIR_RX, &f->conf);
		if (rc == 0 && f->tx)
			rc = ursa_port_set_fault(lc, p, URSA_DIR_TX, &f->conf);
	}
	if (rc)
		fprintf(stderr, "ursad: --fault on port %u: %s\n", f->port, strerror(-rc));
	return rc;
}

static int open_ports(struct ursad *d)
{
	struct ursad_conf *c = &d->conf;
	struct ursa_lcore *lc = d->lc;
	int rc;

	for (unsigned i = 0; i < c->nb_ports; i++) {
		uint16_t idx;
		char dev[URSAD_DEVARGS_MAX + 64];

		/* af_packet's default 2 KiB ring frames would cut jumbo and reassembled frames. */
		if (strncmp(c->ports[i], "net_af_packet", 13) == 0 &&
		    strstr(c->ports[i], "framesz=") == NULL)
			snprintf(dev, sizeof(dev), "%s,blocksz=%u,framesz=%u,framecnt=%u",
				 c->ports[i], URSAD_AFP_BLOCK, URSAD_FRAME_SIZE, URSAD_AFP_FRAMES);
		else
			snprintf(dev, sizeof(dev), "%s", c->ports[i]);
		rc = d->shards ? ursa_stack_port_open_ethdev(ursad_shards_stack(d->shards), dev, 0,
							     &idx)
			       : ursa_port_open_ethdev(lc, dev, 0, &idx);
		if (rc) {
			fprintf(stderr, "ursad: --port '%s': cannot open: %s\n", c->ports[i],
				strerror(-rc));
			return rc;
		}
	}
	for (unsigned i = 0; i < c->nb_faults; i++)
		if ((rc = set_fault(d, &c->faults[i])) != 0)
			return rc;
	return 0;
}

static int add_ifaces(struct ursad *d)
{
	struct ursad_conf *c = &d->conf;
	char ip[64];
	int rc;

	if (d->shards)
		return ursad_shards_configure(d->shards, c);
	for (unsigned i = 0; i < c->nb_ifaces; i++) {
		const struct ursa_iface_spec *ic = &c->ifaces[i];
		unsigned bad;
		uint16_t idx;

		rc = ursa_iface_spec_apply(d->lc, ic, &idx, &bad);
		if (rc && bad == ic->naddr) {
			fprintf(stderr, "ursad: --iface %u: %s\n", i, strerror(-rc));
			return rc;
		}
		if (rc) {
			fprintf(stderr, "ursad: --iface %u: address %s: %s\n", i,
				ursa_ipaddr_fmt(&ic->addr[bad], ip, sizeof(ip)), strerror(-rc));
			return rc;
		}
	}
	for (unsigned i = 0; i < c->nb_routes; i++) {
		const struct ursa_route_spec *r = &c->routes[i];

		rc = ursa_ip_route_add(d->lc, r->tenant, &r->dst, r->plen, &r->via, r->iface);
		if (rc) {
			fprintf(stderr, "ursad: --route %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Bring the layers up on the lcore, or on every shard. */
static int init_layers(struct ursad *d)
{
	struct ursa_stack *st = d->shards ? ursad_shards_stack(d->shards) : NULL;
	int rc = 0;

	if (st == NULL)
		return ursa_stack_init(d->lc);
	for (uint16_t s = 0; s < ursa_stack_nb_shards(st) && rc == 0; s++)
		rc = ursa_stack_init(ursa_stack_shard(st, s));
	return rc;
}

/* The control socket and the telemetry commands. Only a --ctl-socket given on the command
 * line must work: the default one may be taken by another ursad (a warning then). */
static int start_ctl(struct ursad *d)
{
	struct ursa_stack *st = d->shards ? ursad_shards_stack(d->shards) : NULL;
	struct ursad_ctl_env env = {.lc = d->lc, .st = st, .conf = &d->conf};
	const char *path = d->conf.ctl_socket ? d->conf.ctl_socket : URSAD_CTL_DEFAULT_SOCKET;
	int rc = 0;

	if (strcmp(path, "none") != 0 && (rc = ursad_ctl_create(&env, path, &d->ctl)) != 0) {
		fprintf(stderr, "ursad: %s control socket %s: %s\n",
			d->conf.ctl_given ? "cannot listen on" : "warning: no", path,
			strerror(-rc));
		if (d->conf.ctl_given)
			return rc;
	}
	/* After the last counter block is registered ("ctl"): telemetry reads them from its
	 * own thread from then on. */
	if ((rc = ursad_telemetry_register(d->lc, st)) != 0)
		fprintf(stderr, "ursad: telemetry commands: %s\n", strerror(-rc));
	return 0;
}

static int write_pid_file(const char *path)
{
	char tmp[4096];
	FILE *f;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ursad *d;
	struct ursa_lcore_conf lconf = {.name = "ursad", .mbuf_size = URSAD_MBUF_SIZE};
	sigset_t sigs;
	int status = EXIT_FAILURE, rc;

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return EXIT_FAILURE;
	rc = ursad_parse(argc, argv, &d->conf);
	if (rc) {
		free(d);
		return rc == 1 ? EXIT_SUCCESS : rc;
	}

	/* Block the signals before EAL starts its threads, so they inherit the mask and every
	 * signal reaches the signalfd. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &sigs, NULL) != 0 ||
	    (d->sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		perror("ursad: signalfd");
		free(d);
		return EXIT_FAILURE;
	}

	if (rte_eal_init(d->conf.eal_argc, d->conf.eal_argv) < 0) {
		fprintf(stderr, "ursad: EAL init failed: %s\n", rte_strerror(rte_errno));
		goto out_fds;
	}
	if (d->conf.eal_given && d->conf.log_level)
		rte_log_set_global_level((uint32_t)d->conf.log_level);

	lconf.lcore_id = rte_lcore_id();
	lconf.seeded = d->conf.has_seed; /* without --seed: unpredictable */
	lconf.seed = d->conf.seed;
	if (d->conf.nb_lcores > 1) {
		rc = ursad_shards_create(&d->conf, &lconf, &d->shards);
		if (rc == 0)
			d->lc = ursa_stack_shard(ursad_shards_stack(d->shards), 0);
	} else {
		rc = ursa_lcore_create(&lconf, &d->lc);
	}
	if (rc) {
		fprintf(stderr, "ursad: cannot create the lcore context: %s\n", strerror(-rc));
		goto out_eal;
	}
	if ((rc = ursad_set_policy(&d->conf, d->lc)) != 0 ||
	    (rc = ursa_lcore_add_wait_fd(d->lc, d->sfd, on_signals, d)) != 0) {
		fprintf(stderr, "ursad: cannot wait on the lcore: %s\n", strerror(-rc));
		goto out_lcore;
	}
	if ((rc = open_ports(d)) != 0)
		goto out_lcore;
	if ((rc = init_layers(d)) != 0) {
		fprintf(stderr, "ursad: stack init failed: %s\n", strerror(-rc));
		goto out_lcore;
	}
	if ((rc = add_ifaces(d)) != 0)
		goto out_lcore;
	if (!d->conf.no_announce)
		ursa_stack_start(d->lc);
	d->t0 = ursa_now(d->lc);
	d->next_stats = d->t0 + d->conf.stats_interval_s * 1000000000ull;
	if ((rc = start_ctl(d)) != 0)
		goto out_lcore;
	if (d->conf.pid_file && (rc = write_pid_file(d->conf.pid_file)) != 0) {
		fprintf(stderr, "ursad: --pid-file %s: %s\n", d->conf.pid_file, strerror(-rc));
		goto out_lcore;
	}
	if (d->shards && (rc = ursad_shards_launch(d->shards)) != 0)
		goto out_lcore;
	if (d->conf.app_socket && (rc = ursad_chan_open(d->lc, d->conf.app_socket, &d->chan))) {
		fprintf(stderr, "ursad: --app-socket %s: %s\n", d->conf.app_socket, strerror(-rc));
		goto out_lcore;
	}
	printf("ursad: running on lcore %u: %u port(s), %u interface(s), Rx %s, %u shard(s)\n",
	       d->lc->lcore_id, d->lc->nb_ports, d->lc->nb_ifaces,
	       ursa_lcore_wait_on_intr(d->lc) ? "interrupts" : "timed naps", d->conf.nb_lcores);
	fflush(stdout);

	rc = run(d, d->lc);
	if (d->shards)
		ursad_shards_stop(d->shards);
	if (rc != 0) {
		fprintf(stderr, "ursad: wait failed: %s\n", strerror(-rc));
		goto out_lcore;
	}

	/* Send what is queued, record the counters, then tear down. */
	for (uint16_t i = 0; i < d->lc->nb_ports; i++)
		ursa_port_flush(d->lc, &d->lc->ports[i]);
	if (d->conf.stats_file)
		dump_stats(d);
	printf("ursad: stopped\n");
	status = EXIT_SUCCESS;
	if (d->conf.pid_file)
		unlink(d->conf.pid_file);
out_lcore:
	ursad_chan_close(d->chan);
	ursad_ctl_destroy(d->ctl);
	if (d->shards) {
		ursad_shards_stop(
			d->shards); /* nothing to do when they never ran or have stopped */
		ursad_shards_destroy(d->shards);
	} else {
		ursa_lcore_destroy(d->lc);
	}
out_eal:
	rte_eal_cleanup();
out_fds:
	close(d->sfd);
	free(d);
	return status;
}
