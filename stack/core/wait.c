/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Waiting in core (ursa_wait.h): the lcore's poll loop and its naps.
 *
 *   ursa_lcore_wait: poll -> work? return
 *                    -> busy polls left, or within spin_ns of work? poll again
 *                    -> nap length (Rx interrupts: until the next timer; else timed naps)
 *                    -> arm Rx interrupts, poll once more -> epoll (or, on a virtual clock,
 *                       move the clock) -> disarm -> fd callbacks -> poll again
 *
 * One epoll fd per lcore, made at the first wait or the first fd source. Its events carry
 * a tag in the upper 32 bits (a port or an fd source) and the port index or the fd below.
 * Without max_ns nothing here reads the clock while polls find work; a wake from a nap
 * costs one poll, one clock read, one idle budget and the next epoll_pwait2.
 */
#include <assert.h>
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core_priv.h"
#include "ursa_wait.h"

#define WAIT_TAG_PORT	1ull
#define WAIT_TAG_FD	2ull
#define WAIT_TAG_KICK	3ull
#define WAIT_MAX_EVENTS (URSA_MAX_PORTS + URSA_WAIT_MAX_FDS)

#define WAIT_COUNTERS(X)                                                                           \
	X(wake_work)                                                                               \
	X(wake_fd)                                                                                 \
	X(wake_timeout)                                                                            \
	X(wake_kick)                                                                               \
	X(naps_timed)                                                                              \
	X(naps_intr)                                                                               \
	X(naps_ns)                                                                                 \
	X(rx_intr_wakes)                                                                           \
	X(rearm_work)                                                                              \
	X(fd_events)                                                                               \
	X(err_epoll)

#define WAIT_C_ENUM(n) WAIT_C_##n,
enum wait_counter { WAIT_COUNTERS(WAIT_C_ENUM) WAIT_C_MAX };
static const char *const wait_counter_names[] = {WAIT_COUNTERS(URSA_COUNTER_NAME)};

const char *const ursa_wake_names[URSA_WAKE_MAX] = {"work", "fd", "timeout", "kick"};

struct wait_fd {
	int fd;
	ursa_wait_fd_cb_t cb;
	void *arg;
};

struct ursa_wait {
	struct ursa_wait_policy pol;
	int epfd;	     /* -1 until needed */
	uint16_t ports_seen; /* ports [0, ports_seen) are registered */
	uint16_t ports_intr; /* how many of them have an Rx interrupt fd in epfd */
	unsigned nb_fds;
	struct wait_fd fds[URSA_WAIT_MAX_FDS];
	/* the poll loop's state, kept across calls */
	uint64_t empty;		 /* empty polls since the last work */
	uint64_t since_fd_check; /* polls since the fds were last looked at */
	uint64_t last_work;	 /* clock at the end of the last busy spell with work */
	uint64_t nap_ns;	 /* the next timed nap */
	bool worked;		 /* work since last_work was read */
	uint64_t c[WAIT_C_MAX];
	/*
	 * ursa_lcore_wake from another thread: it sets kicked, then writes kick_fd only if the
	 * lcore naps; the lcore sets napping, then looks at kicked before it blocks. Both
	 * sequentially consistent, so one of the two always sees the other: no lost wake-up,
	 * and no syscall for a kick while the lcore polls. Their own cache line: written by
	 * other threads.
	 */
	alignas(64) atomic_uint kicked;
	atomic_uint napping;
	int kick_fd;
};

static_assert(RTE_DIM(wait_counter_names) == WAIT_C_MAX, "one name per counter");

void ursa_wait_policy_default(struct ursa_wait_policy *pol)
{
	*pol = (struct ursa_wait_policy){
		.busy_polls = 256,
		.spin_ns = 0,
		.nap_min_ns = 50 * URSA_NS_PER_US,
		.nap_max_ns = 2 * URSA_NS_PER_MS,
		.hot_ns = 20 * URSA_NS_PER_MS,
		.intr_max_ns = 100 * URSA_NS_PER_MS,
		.fd_check_polls = 1024,
	};
}

int wait_init(struct ursa_lcore *lc)
{
	struct ursa_wait *w = calloc(1, sizeof(*w));
	int rc;

	if (w == NULL)
		return -ENOMEM;
	w->epfd = -1;
	w->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->kick_fd < 0) {
		rc = -errno;
		free(w);
		return rc;
	}
	ursa_wait_policy_default(&w->pol);
	w->nap_ns = w->pol.nap_min_ns;
	w->worked = true;
	rc = ursa_stats_register(lc, "wait", wait_counter_names, w->c, WAIT_C_MAX);
	if (rc) {
		close(w->kick_fd);
		free(w);
		return rc;
	}
	lc->wait = w;
	return 0;
}

void wait_fini(struct ursa_lcore *lc)
{
	struct ursa_wait *w = lc->wait;

	if (w == NULL)
		return;
	if (w->epfd >= 0)
		close(w->epfd);
	close(w->kick_fd);
	free(w);
	lc->wait = NULL;
}

int ursa_lcore_set_wait_policy(struct ursa_lcore *lc, const struct ursa_wait_policy *pol)
{
	struct ursa_wait *w = lc->wait;

	if (pol->nap_min_ns == 0 || pol->nap_max_ns == 0 || pol->fd_check_polls == 0)
		return -EINVAL;
	w->pol = *pol;
	if (w->pol.nap_min_ns > w->pol.nap_max_ns)
		w->pol.nap_min_ns = w->pol.nap_max_ns;
	w->nap_ns = w->pol.nap_min_ns;
	return 0;
}

void ursa_lcore_get_wait_policy(const struct ursa_lcore *lc, struct ursa_wait_policy *pol)
{
	*pol = lc->wait->pol;
}

/* ---- sources ----------------------------------------------------------------------------- */

static int wait_epoll(struct ursa_wait *w)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WAIT_TAG_KICK << 32};
	int rc;

	if (w->epfd >= 0)
		return 0;
	if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		w->c[WAIT_C_err_epoll]++;
		return -errno;
	}
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->kick_fd, &ev) != 0) {
		rc = -errno;
		w->c[WAIT_C_err_epoll]++;
		close(w->epfd);
		w->epfd = -1;
		return rc;
	}
	return 0;
}

int ursa_lcore_wake(struct ursa_lcore *lc)
{
	struct ursa_wait *w = lc->wait;
	uint64_t one = 1;

	atomic_store(&w->kicked, 1);
	if (atomic_load(&w->napping) &&
	    write(w->kick_fd, &one, sizeof(one)) != (ssize_t)sizeof(one) && errno != EAGAIN)
		return -errno;
	return 0;
}

void wait_notify(struct ursa_lcore *lc)
{
	struct ursa_wait *w = lc->wait;
	uint64_t one = 1;

	/* Pairs with wait_nap: the queued work is visible before napping is read here, and
	 * napping is set before the sleeper looks at its inbox, so one of the two sees the
	 * other. The write fails only when the eventfd is already readable (EAGAIN), which
	 * wakes the sleeper as well; nothing is counted here, the counters are lc's thread's. */
	atomic_thread_fence(memory_order_seq_cst);
	if (atomic_load(&w->napping)) {
		ssize_t r = write(w->kick_fd, &one, sizeof(one));

		(void)r;
	}
}

/* A kick came: take it (true once per kick, however many wakes were asked for). */
static bool wait_take_kick(struct ursa_wait *w)
{
	return atomic_load_explicit(&w->kicked, memory_order_relaxed) != 0 &&
	       atomic_exchange(&w->kicked, 0) != 0;
}

/* Register the Rx interrupt fds of ports opened since the last look. A port without one
 * leaves ports_intr short of nb_ports: naps are timed from then on. */
static int wait_sync_ports(struct ursa_lcore *lc, struct ursa_wait *w)
{
	int rc;

	if (w->epfd >= 0 && w->ports_seen == lc->nb_ports)
		return 0;
	if ((rc = wait_epoll(w)) != 0)
		return rc;
	for (; w->ports_seen < lc->nb_ports; w->ports_seen++) {
		struct ursa_port *p = &lc->ports[w->ports_seen];
		struct epoll_event ev = {
			.events = EPOLLIN,
			.data.u64 = WAIT_TAG_PORT << 32 | w->ports_seen,
		};
		int fd = p->ops->rx_intr_fd(p);

		if (fd < 0)
			continue;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			w->c[WAIT_C_err_epoll]++;
			continue;
		}
		w->ports_intr++;
	}
	return 0;
}

bool ursa_lcore_wait_on_intr(struct ursa_lcore *lc)
{
	struct ursa_wait *w = lc->wait;

	return wait_sync_ports(lc, w) == 0 && w->ports_intr == lc->nb_ports;
}

static struct wait_fd *wait_find_fd(struct ursa_wait *w, int fd)
{
	for (unsigned i = 0; i < w->nb_fds; i++)
		if (w->fds[i].fd == fd)
			return &w->fds[i];
	return NULL;
}

int ursa_lcore_add_wait_fd(struct ursa_lcore *lc, int fd, ursa_wait_fd_cb_t cb, void *arg)
{
	struct ursa_wait *w = lc->wait;
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = WAIT_TAG_FD << 32 | (uint32_t)fd};
	int rc;

	if (fd < 0 || cb == NULL)
		return -EINVAL;
	if (wait_find_fd(w, fd) != NULL)
		return -EEXIST;
	if (w->nb_fds == URSA_WAIT_MAX_FDS)
		return -ENOSPC;
	if ((rc = wait_epoll(w)) != 0)
		return rc;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return -errno;
	w->fds[w->nb_fds++] = (struct wait_fd){.fd = fd, .cb = cb, .arg = arg};
	return 0;
}

int ursa_lcore_del_wait_fd(struct ursa_lcore *lc, int fd)
{
	struct ursa_wait *w = lc->wait;
	struct wait_fd *s = wait_find_fd(w, fd);

	if (s == NULL)
		return -ENOENT;
	/* The fd may already be closed (then the kernel dropped it from the set itself). */
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
	*s = w->fds[--w->nb_fds];
	return 0;
}

/* ---- the nap ------------------------------------------------------------------------------ */

static void wait_arm(struct ursa_lcore *lc, bool on)
{
	for (uint16_t i = 0; i < lc->nb_ports; i++)
		lc->ports[i].ops->rx_intr_enable(&lc->ports[i], on);
}

/* Run the callbacks of the ready fds; returns the first such fd, or -1 (only ports woke). */
static int wait_dispatch(struct ursa_lcore *lc, struct ursa_wait *w, const struct epoll_event *ev,
			 int n)
{
	int first = -1;

	for (int i = 0; i < n; i++) {
		struct wait_fd *s;
		int fd = (int)(uint32_t)ev[i].data.u64;

		if (ev[i].data.u64 >> 32 == WAIT_TAG_PORT) {
			w->c[WAIT_C_rx_intr_wakes]++;
			continue;
		}
		if (ev[i].data.u64 >> 32 == WAIT_TAG_KICK) {
			uint64_t v;

			/* drained here; the kick itself is the kicked flag */
			if (read(w->kick_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				w->c[WAIT_C_err_epoll]++;
			continue;
		}
		/* an earlier callback of this batch may have removed it */
		if ((s = wait_find_fd(w, fd)) == NULL)
			continue;
		w->c[WAIT_C_fd_events]++;
		if (first < 0)
			first = fd;
		s->cb(lc, fd, ev[i].events, s->arg);
	}
	return first;
}

/* Block in epoll for at most t_ns (0: only look) and run the ready fds' callbacks; returns
 * the first ready fd source, or -1 when none (an epoll error is counted and ends the nap). */
static int wait_epoll_once(struct ursa_lcore *lc, struct ursa_wait *w, uint64_t t_ns)
{
	struct epoll_event ev[WAIT_MAX_EVENTS];
	struct timespec ts = {
		.tv_sec = (time_t)(t_ns / URSA_NS_PER_S),
		.tv_nsec = (long)(t_ns % URSA_NS_PER_S),
	};
	int n = epoll_pwait2(w->epfd, ev, WAIT_MAX_EVENTS, &ts, NULL);

	if (n < 0) {
		if (errno != EINTR)
			w->c[WAIT_C_err_epoll]++;
		return -1;
	}
	return wait_dispatch(lc, w, ev, n);
}

/* Nap for at most t_ns on every source; returns the first ready fd source or -1 (the nap
 * ended, or a kick cut it short). On a virtual clock the nap moves the clock instead,
 * unless an fd is ready or a kick came. */
static int wait_nap(struct ursa_lcore *lc, struct ursa_wait *w, uint64_t t_ns)
{
	int fd = -1;

	atomic_store(&w->napping, 1);
	if (atomic_load(&w->kicked) != 0 || dispatch_pending(lc) != 0)
		goto out;
	w->c[WAIT_C_naps_ns] += t_ns;
	if (lc->clock.is_virtual) {
		fd = w->nb_fds ? wait_epoll_once(lc, w, 0) : -1;
		if (fd < 0)
			ursa_clock_advance(&lc->clock, t_ns);
	} else {
		fd = wait_epoll_once(lc, w, t_ns);
	}
out:
	atomic_store(&w->napping, 0);
	return fd;
}

/* How long the next nap may last, now that polls have stayed empty: 0 when it must not nap
 * (a timer is due or frames are queued). Timed naps grow here. */
static uint64_t wait_nap_len(struct ursa_lcore *lc, struct ursa_wait *w, bool intr, uint64_t now,
			     uint64_t deadline)
{
	const struct ursa_wait_policy *pol = &w->pol;
	uint64_t budget = ursa_lcore_idle_budget(lc), t;

	if (intr) {
		t = pol->intr_max_ns;
	} else if (now - w->last_work < pol->hot_ns) {
		t = w->nap_ns = pol->nap_min_ns;
	} else {
		t = w->nap_ns;
		w->nap_ns = w->nap_ns * 2 < pol->nap_max_ns ? w->nap_ns * 2 : pol->nap_max_ns;
	}
	if (budget < t)
		t = budget;
	return deadline - now < t ? deadline - now : t;
}

/* ---- the loop ----------------------------------------------------------------------------- */

static int wait_done(struct ursa_wait *w, struct ursa_wake *wake, enum ursa_wake_reason r, int fd)
{
	w->c[WAIT_C_wake_work + r]++;
	if (wake) {
		wake->reason = r;
		wake->fd = fd;
	}
	return 0;
}

static void wait_saw_work(struct ursa_wait *w)
{
	w->empty = 0;
	w->worked = true;
}

/* Polls found nothing for long enough: nap once, for at most t_ns. Returns WORK when the
 * poll after arming the Rx interrupts found work, FD (with *fd) when an fd source was ready,
 * KICK when ursa_lcore_wake cut it short, TIMEOUT when the nap just ended. With no ports,
 * nothing comes in but through the fds and timers, so the lcore naps as if on interrupts. */
static enum ursa_wake_reason wait_idle(struct ursa_lcore *lc, struct ursa_wait *w, bool intr,
				       uint64_t t_ns, int *fd)
{
	bool arm = intr && lc->nb_ports > 0;

	w->c[intr ? WAIT_C_naps_intr : WAIT_C_naps_timed]++;
	if (arm) {
		wait_arm(lc, true);
		/* A frame that came in before arming raised no interrupt: look once more. */
		if (ursa_lcore_poll(lc) != 0) {
			wait_arm(lc, false);
			w->c[WAIT_C_rearm_work]++;
			return URSA_WAKE_WORK;
		}
	}
	*fd = wait_nap(lc, w, t_ns);
	if (arm)
		wait_arm(lc, false);
	if (*fd >= 0)
		return URSA_WAKE_FD; /* a kick with it stays for the next look */
	return wait_take_kick(w) ? URSA_WAKE_KICK : URSA_WAKE_TIMEOUT;
}

int ursa_lcore_wait(struct ursa_lcore *lc, uint64_t max_ns, struct ursa_wake *wake)
{
	struct ursa_wait *w = lc->wait;
	const uint64_t start = max_ns != UINT64_MAX ? ursa_now(lc) : 0;
	const uint64_t deadline = max_ns > UINT64_MAX - start ? UINT64_MAX : start + max_ns;
	int rc, fd;

	if ((rc = wait_sync_ports(lc, w)) != 0)
		return rc;
	for (;;) {
		bool intr = w->ports_intr == lc->nb_ports;
		unsigned work = ursa_lcore_poll(lc);
		enum ursa_wake_reason r;
		uint64_t now, t;

		if (work != 0)
			wait_saw_work(w);
		else
			w->empty++;
		/* Under load the fds are looked at every fd_check_polls polls (signals). */
		if (w->nb_fds && ++w->since_fd_check >= w->pol.fd_check_polls) {
			w->since_fd_check = 0;
			if ((fd = wait_epoll_once(lc, w, 0)) >= 0)
				return wait_done(w, wake, URSA_WAKE_FD, fd);
		}
		if (wait_take_kick(w))
			return wait_done(w, wake, URSA_WAKE_KICK, -1);
		if (work != 0)
			return wait_done(w, wake, URSA_WAKE_WORK, -1);
		if (w->empty <= w->pol.busy_polls && deadline == UINT64_MAX)
			continue;
		now = ursa_now(lc);
		if (now >= deadline)
			return wait_done(w, wake, URSA_WAKE_TIMEOUT, -1);
		if (w->empty <= w->pol.busy_polls)
			continue;
		if (w->worked) {
			/* The work ended a busy spell ago: close enough, and one clock read per
			 * spell instead of one per poll. */
			w->last_work = now;
			w->worked = false;
		}
		if (now - w->last_work < w->pol.spin_ns)
			continue;
		t = wait_nap_len(lc, w, intr, now, deadline);
		if (t == 0)
			continue; /* a timer is due or frames are queued: poll */
		w->since_fd_check = 0;
		r = wait_idle(lc, w, intr, t, &fd);
		if (r == URSA_WAKE_WORK)
			wait_saw_work(w);
		if (r != URSA_WAKE_TIMEOUT)
			return wait_done(w, wake, r, r == URSA_WAKE_FD ? fd : -1);
	}
}
