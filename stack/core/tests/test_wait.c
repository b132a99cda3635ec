/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of ursa_lcore_wait (stack/core/wait.c): the policy on a virtual clock (timed
 * naps, their growth, timers, queued frames, the poll after arming Rx interrupts), and on a
 * real clock an eventfd written by another thread, a timer, and fd removal.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ursa_test.h"

/* Busy polls 0, no spin, naps of 50 us doubling to 400 us, no hot period. */
static void policy_small(struct ursa_lcore *lc, uint64_t hot_ns)
{
	struct ursa_wait_policy pol;

	ursa_wait_policy_default(&pol);
	pol.busy_polls = 0;
	pol.nap_min_ns = 50 * URSA_NS_PER_US;
	pol.nap_max_ns = 400 * URSA_NS_PER_US;
	pol.hot_ns = hot_ns;
	CU_ASSERT_FATAL(ursa_lcore_set_wait_policy(lc, &pol) == 0);
}

static uint64_t wait_counter(struct ursa_lcore *lc, const char *name)
{
	return ursa_test_counter(lc, "wait", name);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * URSA_NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* An lcore on the real clock with no ports: it naps until a timer or an fd. */
static struct ursa_lcore *real_lcore(const char *name)
{
	struct ursa_lcore_conf conf = {
		.name = name, .nb_mbufs = 255, .max_timers = 64, .seeded = true, .seed = 1};
	struct ursa_lcore *lc = NULL;

	CU_ASSERT_FATAL(ursa_lcore_create(&conf, &lc) == 0);
	return lc;
}

static void test_policy_checks(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct ursa_wait_policy pol, got;

	ursa_wait_policy_default(&pol);
	pol.nap_min_ns = 0;
	CU_ASSERT_EQUAL(ursa_lcore_set_wait_policy(lc, &pol), -EINVAL);
	ursa_wait_policy_default(&pol);
	pol.fd_check_polls = 0;
	CU_ASSERT_EQUAL(ursa_lcore_set_wait_policy(lc, &pol), -EINVAL);
	ursa_wait_policy_default(&pol);
	pol.nap_min_ns = 3 * URSA_NS_PER_MS; /* above the 2 ms maximum: lowered to it */
	CU_ASSERT_EQUAL(ursa_lcore_set_wait_policy(lc, &pol), 0);
	ursa_lcore_get_wait_policy(lc, &got);
	CU_ASSERT_EQUAL(got.nap_min_ns, 2 * URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(got.busy_polls, 256);
	ursa_lcore_destroy(lc);
}

/* Timed naps double from the minimum to the maximum, the last one cut to what max_ns
 * leaves; the virtual clock moves by exactly the naps and nothing really sleeps. */
static void test_timed_nap_growth(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct ursa_wake wake;
	uint64_t t0 = ursa_now(lc), real0 = mono_ns();

	policy_small(lc, 0);
	CU_ASSERT_FALSE(ursa_lcore_wait_on_intr(lc)); /* a memory port has no Rx interrupt */
	/* 50 + 100 + 200 + 400, then 250 of the 400 left to max_ns */
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 1000 * URSA_NS_PER_US, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_TIMEOUT);
	CU_ASSERT_EQUAL(wake.fd, -1);
	CU_ASSERT_EQUAL(ursa_now(lc) - t0, 1000 * URSA_NS_PER_US);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 5);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_ns"), 1000 * URSA_NS_PER_US);
	/* grown to the maximum: the next wait of 400 us is one nap */
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 400 * URSA_NS_PER_US, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_TIMEOUT);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 6);
	CU_ASSERT_EQUAL(wait_counter(lc, "wake_timeout"), 2);
	CU_ASSERT(mono_ns() - real0 < 500 * URSA_NS_PER_MS); /* virtual: no real sleep */
	ursa_lcore_destroy(lc);
}

/* Within hot_ns of work the naps stay at the minimum; after it they grow again. */
static void test_hot_naps_stay_short(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct rte_mbuf *m = ursa_test_mbuf(lc, "\x01\x02", 2);
	struct ursa_wake wake;
	uint64_t t0 = ursa_now(lc);

	policy_small(lc, 10 * URSA_NS_PER_MS);
	CU_ASSERT_FATAL(ursa_port_mem_inject(&lc->ports[0], &m, 1) == 0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, URSA_NS_PER_S, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_WORK);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 200 * URSA_NS_PER_US, &wake), 0);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 4); /* 4 x 50 us, no growth */
	CU_ASSERT_EQUAL(ursa_now(lc) - t0, 200 * URSA_NS_PER_US);
	/* the rest of the 10 ms hot period: 196 more naps of 50 us */
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 9800 * URSA_NS_PER_US, &wake), 0);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 200);
	/* then they grow: 50 + 100 */
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 150 * URSA_NS_PER_US, &wake), 0);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 202);
	CU_ASSERT_EQUAL(ursa_now(lc) - t0, 10150 * URSA_NS_PER_US);
	ursa_lcore_destroy(lc);
}

/* Frames queued on a memory port: the wait returns work at once, without a nap. */
static void test_queued_frames_return_at_once(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct rte_mbuf *m = ursa_test_mbuf(lc, "\x01\x02\x03", 3);
	struct ursa_wake wake;
	uint64_t t0 = ursa_now(lc);

	policy_small(lc, 0);
	CU_ASSERT_FATAL(ursa_port_mem_inject(&lc->ports[0], &m, 1) == 0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, URSA_NS_PER_S, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_WORK);
	CU_ASSERT_EQUAL(ursa_now(lc), t0);
	CU_ASSERT_EQUAL(lc->ports[0].c.rx_pkts, 1);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 0);
	CU_ASSERT_EQUAL(wait_counter(lc, "wake_work"), 1);
	ursa_lcore_destroy(lc);
}

static unsigned timer_fired;
static uint64_t timer_fired_at;

static void timer_cb(struct ursa_lcore *lc, struct ursa_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	timer_fired++;
	timer_fired_at = ursa_now(lc);
}

/* Naps of 2 ms never run past a timer due in 3 ms: the second nap is cut to 1 ms, and the
 * poll after it fires the timer on time. */
static void test_nap_stops_at_timer_virtual(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct ursa_wait_policy pol;
	struct ursa_timer t;
	struct ursa_wake wake;
	uint64_t t0 = ursa_now(lc);

	ursa_wait_policy_default(&pol);
	pol.busy_polls = 0;
	pol.nap_min_ns = pol.nap_max_ns = 2 * URSA_NS_PER_MS;
	CU_ASSERT_FATAL(ursa_lcore_set_wait_policy(lc, &pol) == 0);
	timer_fired = 0;
	ursa_timer_init(&t, timer_cb, NULL);
	CU_ASSERT_FATAL(ursa_timer_arm(lc, &t, t0 + 3 * URSA_NS_PER_MS) == 0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, URSA_NS_PER_S, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_WORK);
	CU_ASSERT_EQUAL(timer_fired, 1);
	CU_ASSERT_EQUAL(timer_fired_at, t0 + 3 * URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_now(lc), t0 + 3 * URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_timed"), 2);
	ursa_lcore_destroy(lc);
}

/* On the real clock, with no ports, the nap lasts until the timer (20 ms), not until
 * max_ns (5 s) nor intr_max_ns (100 ms), and the timer fires then. */
static void test_nap_stops_at_timer_real(void)
{
	struct ursa_lcore *lc = real_lcore("wtimer");
	struct ursa_timer t;
	struct ursa_wake wake;
	uint64_t real0 = mono_ns(), el;

	CU_ASSERT(ursa_lcore_wait_on_intr(lc)); /* no ports: nothing to time naps for */
	timer_fired = 0;
	ursa_timer_init(&t, timer_cb, NULL);
	CU_ASSERT_FATAL(ursa_timer_arm_in(lc, &t, 20 * URSA_NS_PER_MS) == 0);
	do {
		CU_ASSERT_FATAL(ursa_lcore_wait(lc, 5 * URSA_NS_PER_S, &wake) == 0);
	} while (wake.reason == URSA_WAKE_WORK && timer_fired == 0);
	el = mono_ns() - real0;
	CU_ASSERT_EQUAL(timer_fired, 1);
	CU_ASSERT(el >= 20 * URSA_NS_PER_MS);
	CU_ASSERT(el < 90 * URSA_NS_PER_MS); /* before a 100 ms nap would have ended */
	CU_ASSERT(wait_counter(lc, "naps_intr") >= 1);
	ursa_lcore_destroy(lc);
}

/* Rx interrupts are armed only while napping, and a frame that came in before arming (here:
 * while arming) is found by the poll after it, not left to an interrupt that never comes. */
static struct ursa_port_ops intr_ops;
static const struct ursa_port_ops *intr_mem_ops; /* the memory port's own, for inject */
static int intr_efd = -1;
static int intr_armed, intr_arms;
static struct rte_mbuf *intr_late_frame;

static int intr_fd(struct ursa_port *p)
{
	(void)p;
	return intr_efd;
}

static void intr_enable(struct ursa_port *p, bool on)
{
	intr_armed = on;
	if (on && intr_arms++ == 0 && intr_late_frame != NULL) {
		p->ops = intr_mem_ops;
		CU_ASSERT(ursa_port_mem_inject(p, &intr_late_frame, 1) == 0);
		p->ops = &intr_ops;
		intr_late_frame = NULL;
	}
}

static void test_intr_poll_after_arming(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct ursa_wake wake;
	uint64_t t0 = ursa_now(lc);

	intr_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(intr_efd >= 0);
	intr_mem_ops = lc->ports[0].ops;
	intr_ops = *intr_mem_ops;
	intr_ops.rx_intr_fd = intr_fd;
	intr_ops.rx_intr_enable = intr_enable;
	lc->ports[0].ops = &intr_ops;
	intr_arms = intr_armed = 0;
	intr_late_frame = ursa_test_mbuf(lc, "\x05\x06", 2);
	policy_small(lc, 0);
	CU_ASSERT(ursa_lcore_wait_on_intr(lc));
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, URSA_NS_PER_S, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_WORK);
	CU_ASSERT_EQUAL(lc->ports[0].c.rx_pkts, 1);
	CU_ASSERT_EQUAL(ursa_now(lc), t0); /* it did not nap */
	CU_ASSERT_EQUAL(intr_armed, 0);	   /* and disarmed again */
	CU_ASSERT_EQUAL(wait_counter(lc, "rearm_work"), 1);
	/* nothing more comes: one nap on interrupts, until max_ns (no timer) */
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 30 * URSA_NS_PER_MS, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_TIMEOUT);
	CU_ASSERT_EQUAL(ursa_now(lc), t0 + 30 * URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(wait_counter(lc, "naps_intr"), 2);
	CU_ASSERT_EQUAL(intr_armed, 0);
	lc->ports[0].ops = intr_mem_ops; /* the memory port closes itself */
	ursa_lcore_destroy(lc);
	close(intr_efd);
}

/* ---- fds, on the real clock ---- */

struct efd_hit {
	unsigned calls;
	uint64_t value;
};

static void efd_cb(struct ursa_lcore *lc, int fd, uint32_t events, void *arg)
{
	struct efd_hit *h = arg;
	uint64_t v;

	(void)lc;
	(void)events;
	h->calls++;
	if (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		h->value += v;
}

struct writer {
	int fd;
	unsigned delay_ms;
};

static void *writer_main(void *arg)
{
	struct writer *wr = arg;
	struct timespec ts = {.tv_nsec = (long)wr->delay_ms * 1000000L};
	uint64_t one = 1;

	nanosleep(&ts, NULL);
	if (write(wr->fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		abort();
	return NULL;
}

/* Another thread writes an eventfd 20 ms into a 5 s wait: the wait ends then, with the fd
 * and its callback run once; after removal, a write no longer ends a wait. */
static void test_eventfd_wakes_and_removal(void)
{
	struct ursa_lcore *lc = real_lcore("wefd");
	struct efd_hit hit = {0};
	struct writer wr = {.delay_ms = 20};
	struct ursa_wake wake;
	pthread_t th;
	uint64_t real0, el;

	wr.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	CU_ASSERT_FATAL(wr.fd >= 0);
	CU_ASSERT_EQUAL(ursa_lcore_add_wait_fd(lc, wr.fd, efd_cb, &hit), 0);
	CU_ASSERT_EQUAL(ursa_lcore_add_wait_fd(lc, wr.fd, efd_cb, &hit), -EEXIST);
	real0 = mono_ns();
	CU_ASSERT_FATAL(pthread_create(&th, NULL, writer_main, &wr) == 0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 5 * URSA_NS_PER_S, &wake), 0);
	el = mono_ns() - real0;
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_FD);
	CU_ASSERT_EQUAL(wake.fd, wr.fd);
	CU_ASSERT_EQUAL(hit.calls, 1);
	CU_ASSERT_EQUAL(hit.value, 1);
	CU_ASSERT(el >= 20 * URSA_NS_PER_MS);
	CU_ASSERT(el < URSA_NS_PER_S);
	CU_ASSERT_EQUAL(wait_counter(lc, "wake_fd"), 1);

	CU_ASSERT_EQUAL(ursa_lcore_del_wait_fd(lc, wr.fd), 0);
	CU_ASSERT_EQUAL(ursa_lcore_del_wait_fd(lc, wr.fd), -ENOENT);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, writer_main, &wr) == 0);
	real0 = mono_ns();
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 100 * URSA_NS_PER_MS, &wake), 0);
	el = mono_ns() - real0;
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_TIMEOUT);
	CU_ASSERT_EQUAL(hit.calls, 1);
	CU_ASSERT(el >= 100 * URSA_NS_PER_MS);
	close(wr.fd);
	ursa_lcore_destroy(lc);
}

/* Kicks: taken once however many came, and before a nap (the clock does not move). */
static void test_kick_before_wait(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct ursa_wake wake;
	uint64_t t0 = ursa_now(lc);

	policy_small(lc, 0);
	CU_ASSERT_EQUAL(ursa_lcore_wake(lc), 0);
	CU_ASSERT_EQUAL(ursa_lcore_wake(lc), 0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, URSA_NS_PER_S, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_KICK);
	CU_ASSERT_EQUAL(ursa_now(lc), t0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 100 * URSA_NS_PER_US, &wake), 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_TIMEOUT);
	CU_ASSERT_EQUAL(wait_counter(lc, "wake_kick"), 1);
	ursa_lcore_destroy(lc);
}

struct kicker {
	struct ursa_lcore *lc;
	unsigned delay_ms;
	int rc;
};

static void *kicker_main(void *arg)
{
	struct kicker *k = arg;
	struct timespec ts = {.tv_nsec = (long)k->delay_ms * 1000000L};

	nanosleep(&ts, NULL);
	k->rc = ursa_lcore_wake(k->lc);
	return NULL;
}

/* Another thread kicks a lcore napping (no ports, no timer: up to 100 ms a nap) in a 5 s
 * wait: the wait ends at the kick. */
static void test_kick_from_thread(void)
{
	struct ursa_lcore *lc = real_lcore("wkick");
	struct kicker k = {.lc = lc, .delay_ms = 20, .rc = -1};
	struct ursa_wake wake;
	pthread_t th;
	uint64_t real0 = mono_ns(), el;

	CU_ASSERT_FATAL(pthread_create(&th, NULL, kicker_main, &k) == 0);
	CU_ASSERT_EQUAL(ursa_lcore_wait(lc, 5 * URSA_NS_PER_S, &wake), 0);
	el = mono_ns() - real0;
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(k.rc, 0);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_KICK);
	CU_ASSERT(el >= 20 * URSA_NS_PER_MS);
	CU_ASSERT(el < URSA_NS_PER_S);
	CU_ASSERT(wait_counter(lc, "naps_intr") >= 1);
	ursa_lcore_destroy(lc);
}

/* While polls find work, the fds are still looked at every fd_check_polls polls (ursad's
 * signals under load). */
static unsigned busy_left;

static unsigned busy_hook(struct ursa_lcore *lc, void *arg)
{
	(void)lc;
	(void)arg;
	return busy_left > 0 ? busy_left-- : 0;
}

static void test_fd_checked_while_busy(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	struct efd_hit hit = {0};
	struct ursa_wait_policy pol;
	struct ursa_wake wake;
	uint64_t one = 1;
	int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	unsigned calls = 0;

	CU_ASSERT_FATAL(efd >= 0);
	ursa_wait_policy_default(&pol);
	pol.fd_check_polls = 8;
	CU_ASSERT_FATAL(ursa_lcore_set_wait_policy(lc, &pol) == 0);
	CU_ASSERT_FATAL(ursa_lcore_add_poll_hook(lc, busy_hook, NULL) == 0);
	CU_ASSERT_FATAL(ursa_lcore_add_wait_fd(lc, efd, efd_cb, &hit) == 0);
	CU_ASSERT_FATAL(write(efd, &one, sizeof(one)) == (ssize_t)sizeof(one));
	busy_left = 1000000; /* every poll works */
	do {
		CU_ASSERT_FATAL(ursa_lcore_wait(lc, UINT64_MAX, &wake) == 0);
		calls++;
	} while (wake.reason == URSA_WAKE_WORK && calls < 100);
	CU_ASSERT_EQUAL(wake.reason, URSA_WAKE_FD);
	CU_ASSERT_EQUAL(calls, 8); /* 7 working polls, then the check after the 8th */
	CU_ASSERT_EQUAL(hit.calls, 1);
	busy_left = 0;
	CU_ASSERT_EQUAL(ursa_lcore_del_wait_fd(lc, efd), 0);
	close(efd);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s;

	s = ursa_test_suite("wait", NULL, NULL);
	CU_add_test(s, "policy checks", test_policy_checks);
	CU_add_test(s, "timed naps grow to the maximum", test_timed_nap_growth);
	CU_add_test(s, "naps stay short after work", test_hot_naps_stay_short);
	CU_add_test(s, "queued frames: work at once", test_queued_frames_return_at_once);
	CU_add_test(s, "a nap stops at the next timer (virtual)", test_nap_stops_at_timer_virtual);
	CU_add_test(s, "a nap stops at the next timer (real)", test_nap_stops_at_timer_real);
	CU_add_test(s, "poll once more after arming Rx interrupts", test_intr_poll_after_arming);
	CU_add_test(s, "eventfd from another thread; removal", test_eventfd_wakes_and_removal);
	CU_add_test(s, "fds looked at while busy", test_fd_checked_while_busy);
	CU_add_test(s, "a kick before the wait: taken once", test_kick_before_wait);
	CU_add_test(s, "a kick from another thread ends a nap", test_kick_from_thread);
	return ursa_test_main();
}
