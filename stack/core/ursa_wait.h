/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Waiting in core: how an lcore runs, and naps when it has nothing to do.
 *
 * ursa_lcore_wait() polls the lcore until a poll does work, a registered fd is ready or
 * max_ns has passed. When polls stay empty it naps, following the lcore's wait policy:
 * after busy_polls empty polls (and spin_ns after the last work) it sleeps in epoll on
 * the lcore's wait sources:
 *   - the ports' Rx interrupts: registered by themselves for every port whose ops give an
 *     rx_intr_fd, armed only while napping, and the lcore polls once more after arming them
 *     (a frame that came in before arming raised no interrupt). When every port has them,
 *     a nap lasts until the next timer (at most intr_max_ns); otherwise it is a timed nap of
 *     nap_min_ns while there was work within hot_ns, doubling up to nap_max_ns after that;
 *   - fds the application registers (ursa_lcore_add_wait_fd: a signalfd, a control socket,
 *     eventfds, completion channels): their callback runs inside the wait;
 *   - the timer heap: a nap never outlasts ursa_lcore_idle_budget(), so timers fire on time,
 *     and the lcore never naps while frames are queued on a memory port.
 * On a virtual clock nothing really sleeps: a nap moves the clock by its length instead
 * (fds are still looked at, without blocking), so tests see the policy deterministically.
 *
 * One lcore, one thread: none of these functions may be called from another thread, but
 * ursa_lcore_wake(), which cuts the lcore's wait short (and an fd source another thread
 * writes, an eventfd, wakes it too).
 */
#ifndef URSA_WAIT_H
#define URSA_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ursa_lcore;

/** Wait sources an lcore can hold besides its ports. */
#define URSA_WAIT_MAX_FDS 16

/** When to poll and how long to nap (per lcore; ursa_wait_policy_default() fills it). */
struct ursa_wait_policy {
	uint64_t busy_polls;	 /**< empty polls before a nap is considered (0: at once) */
	uint64_t spin_ns;	 /**< and no nap until this long after the last work */
	uint64_t nap_min_ns;	 /**< timed nap while there was work within hot_ns */
	uint64_t nap_max_ns;	 /**< timed naps double from nap_min_ns up to this */
	uint64_t hot_ns;	 /**< how long after work naps stay at nap_min_ns */
	uint64_t intr_max_ns;	 /**< longest nap with Rx interrupts armed (a lost interrupt) */
	uint64_t fd_check_polls; /**< while polls find work, look at the fds every N polls */
};

/** What ended a wait. */
enum ursa_wake_reason {
	URSA_WAKE_WORK,	   /**< a poll did work */
	URSA_WAKE_FD,	   /**< a registered fd was ready and its callback ran */
	URSA_WAKE_TIMEOUT, /**< max_ns passed with every poll empty */
	URSA_WAKE_KICK,	   /**< another thread called ursa_lcore_wake */
	URSA_WAKE_MAX
};

extern const char *const ursa_wake_names[URSA_WAKE_MAX];

struct ursa_wake {
	enum ursa_wake_reason reason;
	int fd; /**< URSA_WAKE_FD: the first fd whose callback ran; else -1 */
};

/** Called inside ursa_lcore_wait when fd is ready (events: EPOLLIN, EPOLLERR...). It should
 *  consume what made the fd ready (read the eventfd, accept, read the signals), or the next
 *  wait wakes for it again at once. It may remove fds, its own too. */
typedef void (*ursa_wait_fd_cb_t)(struct ursa_lcore *lc, int fd, uint32_t events, void *arg);

/** ursad's defaults: 256 busy polls, no spin, naps of 50 us growing to 2 ms after 20 ms
 *  without work, at most 100 ms on Rx interrupts, fds looked at every 1024 busy polls. */
void ursa_wait_policy_default(struct ursa_wait_policy *pol);
/** Set the lcore's policy (copied). -EINVAL when nap_min_ns or nap_max_ns is 0 (a nap of 0
 *  would poll), or fd_check_polls is 0. nap_min_ns above nap_max_ns is lowered to it. */
int ursa_lcore_set_wait_policy(struct ursa_lcore *lc, const struct ursa_wait_policy *pol);
/** The lcore's policy now. */
void ursa_lcore_get_wait_policy(const struct ursa_lcore *lc, struct ursa_wait_policy *pol);

/** Wait on fd for EPOLLIN: cb(lc, fd, events, arg) runs inside ursa_lcore_wait when it is
 *  ready. -EEXIST when fd is already a source, -ENOSPC beyond URSA_WAIT_MAX_FDS, or the
 *  negative errno of epoll_ctl. */
int ursa_lcore_add_wait_fd(struct ursa_lcore *lc, int fd, ursa_wait_fd_cb_t cb, void *arg);
/** Stop waiting on fd (before closing it). -ENOENT when it is not a source. */
int ursa_lcore_del_wait_fd(struct ursa_lcore *lc, int fd);

/**
 * Poll the lcore until a poll does work, a registered fd is ready, or max_ns has passed
 * (UINT64_MAX: no limit; 0: one poll), napping on the wait sources as the policy says. It
 * never naps while work is pending (a due timer, frames queued on a memory port).
 * @param wake  what ended the wait (may be NULL)
 * @return 0, or a negative errno when the epoll fd cannot be made or waited on.
 */
int ursa_lcore_wait(struct ursa_lcore *lc, uint64_t max_ns, struct ursa_wake *wake);

/** Wake the lcore from another thread (a command on its ring, a stop flag): its current or
 *  next ursa_lcore_wait returns URSA_WAKE_KICK, once however many kicks came before it
 *  looked. The only function here that another thread may call. Costs a syscall only
 *  while the lcore naps. Returns 0, or the negative errno of writing its eventfd. */
int ursa_lcore_wake(struct ursa_lcore *lc);

/** True when every port of the lcore has Rx interrupts, so naps wait on them rather than
 *  on a timer (registers ports opened since the last call). */
bool ursa_lcore_wait_on_intr(struct ursa_lcore *lc);

#ifdef __cplusplus
}
#endif

#endif /* URSA_WAIT_H */
