/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad, the data-plane daemon: parses and checks its options, starts EAL, opens the ports,
 * brings the stack up on the main lcore and runs it to completion there. Under load it polls
 * without sleeping; after --busy-polls empty polls it naps, on the ports' Rx interrupts when
 * every port has them (until the next stack timer, at most 100 ms), otherwise on a short
 * timer: 50 us while there was work in the last 20 ms, then growing to --idle-sleep-us;
 * never past the next stack timer. Signals arrive on a signalfd in the same wait.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "ursad.h"

#define NAP_MIN_NS 50000ull
/* Naps stay at NAP_MIN_NS for this long after the last work: traffic with short gaps (a peer
 * that was descheduled for a moment) must not meet a fully grown nap. */
#define NAP_HOT_NS 20000000ull
#define SIGNAL_CHECK_POLLS 1024 /* busy polls between signal checks */
/* With Rx interrupts armed a frame wakes the nap, so it lasts until the next timer; this
 * bound only limits what a lost interrupt could cost. */
#define NAP_INTR_MAX_NS 100000000ull
/*
 * Frames up to a 9000-byte MTU (and the datagrams the kernel reassembles for af_packet, whose
 * PMD joins its fanout group with PACKET_FANOUT_FLAG_DEFRAG) must fit one mbuf: af_packet
 * copies a ring frame into a single mbuf and refuses frames larger than the data room.
 */
#define URSAD_FRAME_SIZE 10240u
#define URSAD_MBUF_SIZE (URSAD_FRAME_SIZE + RTE_PKTMBUF_HEADROOM)
#define URSAD_AFP_BLOCK (2 * URSAD_FRAME_SIZE) /* a multiple of the page size */
#define URSAD_AFP_FRAMES 512u
#define MAX_EVENTS (URSA_MAX_PORTS + 1)

struct ursad {
	struct ursad_conf conf;
	struct ursa_lcore *lc;
	int sfd;	 /* signalfd: SIGINT, SIGTERM, SIGUSR1, SIGHUP */
	int epfd;	 /* signalfd + the ports' Rx interrupt fds */
	bool rx_intr;	 /* every port has an Rx interrupt fd */
	uint64_t t0;	 /* start, lc clock */
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

		printf(" | %s rx %" PRIu64 " tx %" PRIu64 " txdrop %" PRIu64, p->name,
		       p->c.rx_pkts, p->c.tx_pkts, p->c.tx_full_drop);
	}
	putchar('\n');
	fflush(stdout);
}

/* Read pending signals; returns true when the daemon should stop. */
static bool handle_signals(struct ursad *d)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGUSR1:
			dump_stats(d);
			break;
		case SIGINT:
		case SIGTERM:
			stop = true;
			break;
		default: /* SIGHUP: nothing to reload */
			break;
		}
	}
	return stop;
}

static void periodic(struct ursad *d)
{
	if (d->conf.stats_interval_s && ursa_now(d->lc) >= d->next_stats) {
		print_summary(d);
		d->next_stats = ursa_now(d->lc) + d->conf.stats_interval_s * 1000000000ull;
	}
}

static void set_rx_intr(struct ursad *d, bool on)
{
	for (uint16_t i = 0; i < d->lc->nb_ports; i++)
		d->lc->ports[i].ops->rx_intr_enable(&d->lc->ports[i], on);
}

/* Wait until a signal, an Rx interrupt (when armed) or timeout_ns; true when a signal is
 * pending on the signalfd. */
static bool nap(struct ursad *d, uint64_t timeout_ns)
{
	struct epoll_event ev[MAX_EVENTS];
	struct timespec ts = {
		.tv_sec = (time_t)(timeout_ns / 1000000000ull),
		.tv_nsec = (long)(timeout_ns % 1000000000ull),
	};
	int n = epoll_pwait2(d->epfd, ev, MAX_EVENTS, &ts, NULL);

	for (int i = 0; i < n; i++)
		if (ev[i].data.u32 == 0)
			return true;
	return false;
}

static void run(struct ursad *d)
{
	const uint64_t max_nap = d->conf.idle_sleep_us * 1000ull;
	const uint64_t min_nap = NAP_MIN_NS < max_nap ? NAP_MIN_NS : max_nap;
	uint64_t empty = 0, nap_ns = min_nap, last_work = 0;
	unsigned since_check = 0;
	bool worked = true;

	for (;;) {
		uint64_t budget, t;
		bool signalled;

		if (ursa_lcore_poll(d->lc) != 0) {
			empty = 0;
			worked = true;
		} else {
			empty++;
		}
		if (empty <= d->conf.busy_polls) {
			if (++since_check < SIGNAL_CHECK_POLLS)
				continue;
			since_check = 0;
			if (handle_signals(d))
				return;
			periodic(d);
			continue;
		}
		/* Idle: nap until the next timer, an interrupt, a signal or the nap ends. */
		periodic(d);
		if (worked) {
			/* The work ended a busy-poll spell ago: close enough, and one clock read
			 * per spell instead of one per poll. */
			last_work = ursa_now(d->lc);
			worked = false;
		}
		budget = ursa_lcore_idle_budget(d->lc);
		if (budget == 0)
			continue;
		if (d->rx_intr) {
			set_rx_intr(d, true);
			/* A frame that came in before arming raised no interrupt: look once more. */
			if (ursa_lcore_poll(d->lc) != 0) {
				set_rx_intr(d, false);
				empty = 0;
				worked = true;
				continue;
			}
			t = NAP_INTR_MAX_NS;
			if (d->conf.stats_interval_s) {
				uint64_t now = ursa_now(d->lc);

				t = d->next_stats > now && d->next_stats - now < t ? d->next_stats - now
										: t;
			}
		} else if (ursa_now(d->lc) - last_work < NAP_HOT_NS) {
			t = nap_ns = min_nap;
		} else {
			t = nap_ns;
			nap_ns = nap_ns * 2 < max_nap ? nap_ns * 2 : max_nap;
		}
		signalled = nap(d, budget < t ? budget : t);
		if (d->rx_intr)
			set_rx_intr(d, false);
		if (signalled && handle_signals(d))
			return;
	}
}

static int open_ports(struct ursad *d)
{
	struct ursad_conf *c = &d->conf;
	struct ursa_lcore *lc = d->lc;
	struct epoll_event ev = {.events = EPOLLIN};
	int rc;

	d->rx_intr = true;
	for (unsigned i = 0; i < c->nb_ports; i++) {
		uint16_t idx;
		int fd;

		char dev[URSAD_DEVARGS_MAX + 64];

		/* af_packet's default 2 KiB ring frames would cut jumbo and reassembled frames. */
		if (strncmp(c->ports[i], "net_af_packet", 13) == 0 &&
		    strstr(c->ports[i], "framesz=") == NULL)
			snprintf(dev, sizeof(dev), "%s,blocksz=%u,framesz=%u,framecnt=%u",
				 c->ports[i], URSAD_AFP_BLOCK, URSAD_FRAME_SIZE, URSAD_AFP_FRAMES);
		else
			snprintf(dev, sizeof(dev), "%s", c->ports[i]);
		rc = ursa_port_open_ethdev(lc, dev, 0, &idx);
		if (rc) {
			fprintf(stderr, "ursad: --port '%s': cannot open: %s\n", c->ports[i],
				strerror(-rc));
			return rc;
		}
		fd = lc->ports[idx].ops->rx_intr_fd(&lc->ports[idx]);
		if (fd < 0) {
			d->rx_intr = false;
			continue;
		}
		ev.data.u32 = idx + 1;
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
			d->rx_intr = false;
	}
	for (unsigned i = 0; i < c->nb_faults; i++) {
		const struct ursad_fault_conf *f = &c->faults[i];
		struct ursa_port *p = &lc->ports[f->port];

		if ((f->rx && (rc = ursa_port_set_fault(lc, p, URSA_DIR_RX, &f->conf)) != 0) ||
		    (f->tx && (rc = ursa_port_set_fault(lc, p, URSA_DIR_TX, &f->conf)) != 0)) {
			fprintf(stderr, "ursad: --fault on port %u: %s\n", f->port, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int add_ifaces(struct ursad *d)
{
	struct ursad_conf *c = &d->conf;
	char ip[64];
	int rc;

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

		rc = ursa_ip_route_add(d->lc, r->tenant, &r->dst, r->plen, &r->via,
				       r->iface);
		if (rc) {
			fprintf(stderr, "ursad: --route %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
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
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 0};
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
	    (d->sfd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (d->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->sfd, &ev) != 0) {
		perror("ursad: signalfd/epoll");
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
	rc = ursa_lcore_create(&lconf, &d->lc);
	if (rc) {
		fprintf(stderr, "ursad: cannot create the lcore context: %s\n", strerror(-rc));
		goto out_eal;
	}
	if ((rc = open_ports(d)) != 0)
		goto out_lcore;
	if ((rc = ursa_stack_init(d->lc)) != 0) {
		fprintf(stderr, "ursad: stack init failed: %s\n", strerror(-rc));
		goto out_lcore;
	}
	if ((rc = add_ifaces(d)) != 0)
		goto out_lcore;
	if (!d->conf.no_announce)
		ursa_stack_start(d->lc);
	d->t0 = ursa_now(d->lc);
	d->next_stats = d->t0 + d->conf.stats_interval_s * 1000000000ull;
	if (d->conf.pid_file && (rc = write_pid_file(d->conf.pid_file)) != 0) {
		fprintf(stderr, "ursad: --pid-file %s: %s\n", d->conf.pid_file, strerror(-rc));
		goto out_lcore;
	}
	printf("ursad: running on lcore %u: %u port(s), %u interface(s), Rx %s\n",
	       d->lc->lcore_id, d->lc->nb_ports, d->lc->nb_ifaces,
	       d->rx_intr ? "interrupts" : "timed naps");
	fflush(stdout);

	run(d);

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
	ursa_lcore_destroy(d->lc);
out_eal:
	rte_eal_cleanup();
out_fds:
	close(d->epfd);
	close(d->sfd);
	free(d);
	return status;
}
