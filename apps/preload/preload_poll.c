/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libursa-preload.so, waiting: poll, ppoll, select, pselect and epoll over a mix of ursa
 * sockets and kernel fds. The readiness of an ursa socket is read from the shared memory
 * (no system call); when nothing is ready the caller sleeps in the kernel on its kernel fds
 * plus the channel's notifier eventfd, armed first (ursad writes it on the next change),
 * at most APP_NAP_MS at a time, then looks again. epoll: ursa sockets added to an epoll
 * instance are kept here (level-triggered; EPOLLET is served as level-triggered, which a
 * program written for edge triggering tolerates; EPOLLONESHOT disables the entry after one
 * report), and the notifier joins the kernel set while the instance holds any.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "preload_priv.h"

#define PL_NAP_NS     50000000ll	    /* 50 ms */
#define PL_NOTIFY_KEY 0x75727361a5a5a5a5ull /* the notifier's entry in a kernel epoll set */
#define PL_STACK_FDS  64

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Fill revents of the ursa entries; count those ready. */
static int scan_ursa(struct pollfd *fds, nfds_t n, const int *slot)
{
	int ready = 0;

	for (nfds_t i = 0; i < n; i++) {
		if (slot[i] == -1)
			continue;
		fds[i].revents = slot[i] < 0
					 ? POLLNVAL
					 : ursa_app_revents(pl.app, slot[i]) &
						   (fds[i].events | POLLERR | POLLHUP | POLLNVAL);
		ready += fds[i].revents != 0;
	}
	return ready;
}

/* Poll the kernel entries (ursa ones hidden as fd -1), plus the notifier when asked. */
static int poll_kernel(struct pollfd *fds, nfds_t n, const int *slot, bool notify, int64_t ns,
		       const sigset_t *mask)
{
	struct pollfd stack[PL_STACK_FDS + 1], *k = n + 1 <= PL_STACK_FDS ? stack : NULL;
	struct timespec ts = {.tv_sec = ns / 1000000000ll, .tv_nsec = ns % 1000000000ll};
	int rc, ready = 0;

	if (k == NULL && (k = malloc((n + 1) * sizeof(*k))) == NULL)
		return pl_err(-ENOMEM);
	for (nfds_t i = 0; i < n; i++) {
		k[i] = fds[i];
		if (slot[i] != -1)
			k[i].fd = -1;
	}
	k[n] = (struct pollfd){.fd = notify ? ursa_app_fd(pl.app) : -1, .events = POLLIN};
	rc = pl.real.ppoll(k, n + 1, ns < 0 ? NULL : &ts, mask);
	for (nfds_t i = 0; rc >= 0 && i < n; i++)
		if (slot[i] == -1) {
			fds[i].revents = k[i].revents;
			ready += k[i].revents != 0;
		}
	if (k != stack)
		free(k);
	return rc < 0 ? -1 : ready;
}

int pl_poll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask)
{
	int stack[PL_STACK_FDS], *slot = n <= PL_STACK_FDS ? stack : malloc(n * sizeof(int));
	int64_t end = tmo ? mono_ns() + tmo->tv_sec * 1000000000ll + tmo->tv_nsec : INT64_MAX;
	bool ours = false;
	int rc;

	if (slot == NULL)
		return pl_err(-ENOMEM);
	for (nfds_t i = 0; i < n; i++) {
		slot[i] = pl_slot(fds[i].fd);
		ours |= slot[i] != -1;
	}
	if (!ours || pl.app == NULL) {
		rc = pl.real.ppoll(fds, n, tmo, mask);
		goto out;
	}
	for (;;) {
		int64_t left = end - mono_ns();
		int u = scan_ursa(fds, n, slot), k;

		if (u || left <= 0) {
			k = poll_kernel(fds, n, slot, false, 0, mask);
			rc = k < 0 ? -1 : u + k;
			break;
		}
		ursa_app_arm(pl.app);
		if (scan_ursa(fds, n, slot)) {
			ursa_app_disarm(pl.app);
			continue;
		}
		k = poll_kernel(fds, n, slot, true, left < PL_NAP_NS ? left : PL_NAP_NS, mask);
		ursa_app_disarm(pl.app);
		if (k != 0) {
			rc = k < 0 ? -1 : k + scan_ursa(fds, n, slot);
			break;
		}
	}
out:
	if (slot != stack)
		free(slot);
	return rc;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	struct timespec ts = {.tv_sec = timeout / 1000, .tv_nsec = (timeout % 1000) * 1000000l};

	return pl_poll(fds, n, timeout < 0 ? NULL : &ts, NULL);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	(void)fdslen;
	return poll(fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask)
{
	return pl_poll(fds, n, tmo, mask);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask,
		size_t fdslen)
{
	(void)fdslen;
	return pl_poll(fds, n, tmo, mask);
}

/* select and pselect through pl_poll when an ursa socket is in a set. */
static int sel(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *tmo,
	       const sigset_t *mask)
{
	struct pollfd *p;
	int n = 0, rc, cnt = 0;
	bool ours = false;

	for (int fd = 0; fd < nfds && !ours; fd++)
		ours = pl_slot(fd) != -1 && ((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)));
	if (!ours)
		return pl.real.pselect(nfds, r, w, e, tmo, mask);
	if ((p = calloc((size_t)nfds, sizeof(*p))) == NULL)
		return pl_err(-ENOMEM);
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (r && FD_ISSET(fd, r) ? POLLIN : 0) |
			   (w && FD_ISSET(fd, w) ? POLLOUT : 0) |
			   (e && FD_ISSET(fd, e) ? POLLPRI : 0);

		if (ev)
			p[n++] = (struct pollfd){.fd = fd, .events = ev};
	}
	rc = pl_poll(p, (nfds_t)n, tmo, mask);
	if (rc >= 0) {
		if (r)
			FD_ZERO(r);
		if (w)
			FD_ZERO(w);
		if (e)
			FD_ZERO(e);
		for (int i = 0; i < n; i++) {
			short re = p[i].revents;

			if (re & POLLNVAL) {
				free(p);
				return pl_err(-EBADF);
			}
			if (r && (re & (POLLIN | POLLHUP | POLLERR)) && (p[i].events & POLLIN))
				FD_SET(p[i].fd, r), cnt++;
			if (w && (re & (POLLOUT | POLLERR)) && (p[i].events & POLLOUT))
				FD_SET(p[i].fd, w), cnt++;
			if (e && (re & POLLPRI))
				FD_SET(p[i].fd, e), cnt++;
		}
		rc = cnt;
	}
	free(p);
	return rc;
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	struct timespec ts;

	if (tv) {
		ts.tv_sec = tv->tv_sec;
		ts.tv_nsec = tv->tv_usec * 1000;
	}
	return sel(nfds, r, w, e, tv ? &ts : NULL, NULL);
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *tmo,
	    const sigset_t *mask)
{
	return sel(nfds, r, w, e, tmo, mask);
}

/* epoll */

static struct pl_epoll_ent *ep_find(struct pl_epoll *ep, int fd)
{
	for (unsigned i = 0; ep && i < ep->n; i++)
		if (ep->ent[i].fd == fd)
			return &ep->ent[i];
	return NULL;
}

static int ep_ctl_ursa(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct pl_epoll *ep = pl.ep[epfd];
	struct pl_epoll_ent *x = ep_find(ep, fd);

	switch (op) {
	case EPOLL_CTL_ADD:
		if (x)
			return -EEXIST;
		if (ep == NULL && (ep = pl.ep[epfd] = calloc(1, sizeof(*ep))) == NULL)
			return -ENOMEM;
		if (ep->n == ep->cap) {
			unsigned cap = ep->cap ? ep->cap * 2 : 8;
			struct pl_epoll_ent *e = realloc(ep->ent, cap * sizeof(*e));

			if (e == NULL)
				return -ENOMEM;
			ep->ent = e, ep->cap = cap;
		}
		ep->ent[ep->n++] = (struct pl_epoll_ent){.fd = fd, .ev = *ev};
		return 0;
	case EPOLL_CTL_MOD:
		if (x == NULL)
			return -ENOENT;
		x->ev = *ev;
		return 0;
	case EPOLL_CTL_DEL:
		if (x == NULL)
			return -ENOENT;
		*x = ep->ent[--ep->n];
		return 0;
	default:
		return -EINVAL;
	}
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	int rc;

	if (pl_slot(fd) == -1 || epfd < 0 || (unsigned)epfd >= pl.nfd)
		return pl.real.epoll_ctl(epfd, op, fd, ev);
	pthread_mutex_lock(&pl.lock);
	rc = ep_ctl_ursa(epfd, op, fd, ev);
	pthread_mutex_unlock(&pl.lock);
	return rc < 0 ? pl_err(rc) : 0;
}

void pl_epoll_forget(int epfd)
{
	pthread_mutex_lock(&pl.lock);
	if (pl.ep[epfd]) {
		free(pl.ep[epfd]->ent);
		free(pl.ep[epfd]);
		pl.ep[epfd] = NULL;
	}
	pthread_mutex_unlock(&pl.lock);
}

/* Ready ursa entries of ep into evs (at most max). */
static int ep_scan(struct pl_epoll *ep, struct epoll_event *evs, int max)
{
	int k = 0;

	pthread_mutex_lock(&pl.lock);
	for (unsigned i = 0; i < ep->n && k < max; i++) {
		struct pl_epoll_ent *x = &ep->ent[i];
		int s = pl_slot(x->fd);
		uint32_t want = x->ev.events | EPOLLERR | EPOLLHUP, r;

		r = s < 0 ? EPOLLERR | EPOLLHUP : (uint32_t)ursa_app_revents(pl.app, s);
		r &= want;
		if (r == 0 || (x->ev.events & ~(EPOLLET | EPOLLONESHOT)) == 0)
			continue;
		evs[k].events = r;
		evs[k++].data = x->ev.data;
		if (x->ev.events & EPOLLONESHOT)
			x->ev.events = 0;
	}
	pthread_mutex_unlock(&pl.lock);
	return k;
}

/* The kernel part: drop the notifier's entries. */
static int ep_kernel(int epfd, struct epoll_event *evs, int max, int ms, const sigset_t *mask)
{
	int n = max > 0 ? pl.real.epoll_pwait(epfd, evs, max, ms, mask) : 0, k = 0;

	for (int i = 0; i < n; i++)
		if (evs[i].data.u64 != PL_NOTIFY_KEY)
			evs[k++] = evs[i];
	return n < 0 ? -1 : k;
}

int epoll_pwait(int epfd, struct epoll_event *evs, int max, int timeout, const sigset_t *mask)
{
	struct pl_epoll *ep = epfd >= 0 && (unsigned)epfd < pl.nfd && pl.ep ? pl.ep[epfd] : NULL;
	int64_t end = timeout < 0 ? INT64_MAX : mono_ns() + timeout * 1000000ll;

	if (ep == NULL || ep->n == 0 || pl.app == NULL)
		return pl.real.epoll_pwait(epfd, evs, max, timeout, mask);
	if (!ep->notify_added) {
		struct epoll_event nev = {.events = EPOLLIN, .data.u64 = PL_NOTIFY_KEY};

		pl.real.epoll_ctl(epfd, EPOLL_CTL_ADD, ursa_app_fd(pl.app), &nev);
		ep->notify_added = true;
	}
	for (;;) {
		int64_t left = end - mono_ns();
		int u = ep_scan(ep, evs, max), k;

		if (u || left <= 0) {
			k = ep_kernel(epfd, evs + u, max - u, 0, mask);
			return k < 0 ? (u ? u : -1) : u + k;
		}
		ursa_app_arm(pl.app);
		if ((u = ep_scan(ep, evs, max)) != 0) {
			ursa_app_disarm(pl.app);
			k = ep_kernel(epfd, evs + u, max - u, 0, mask);
			return k < 0 ? u : u + k;
		}
		k = ep_kernel(epfd, evs, max,
			      (int)((left < PL_NAP_NS ? left : PL_NAP_NS) / 1000000) + 1, mask);
		ursa_app_disarm(pl.app);
		if (k != 0)
			return k < 0 ? -1 : k + ep_scan(ep, evs + k, max - k);
	}
}

int epoll_wait(int epfd, struct epoll_event *evs, int max, int timeout)
{
	return epoll_pwait(epfd, evs, max, timeout, NULL);
}
