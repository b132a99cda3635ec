/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad's app channel, attaching and detaching: the listening Unix socket (SOCK_SEQPACKET,
 * mode 0660), the hello (ABI version checked), the shared memory (a memfd ursad makes and
 * seals with F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL, or one the application hands in,
 * refused unless it carries F_SEAL_SHRINK and F_SEAL_GROW and is large enough), the bell and
 * notifier eventfds, and the detach that follows a hang-up (the application exited or was
 * killed: its socket closes), a broken cursor or a message out of turn. Detaching aborts the
 * application's connections and unmaps its memory, so the gauges apps, socks and mem_bytes
 * return to where they were before it came.
 *
 * All of it runs inside the lcore's wait: the channel's epoll fd is one wait source.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "chan_priv.h"
#include "ursa.h"

#define EV_LISTEN 0xffffffffu
#define EV_BELL	  0x10000u /* + application index; the application's socket: the index */

static const char *const chan_counter_names[] = {CHAN_COUNTERS(URSA_COUNTER_NAME)};

static int ep_add(struct ursad_chan *ch, int fd, uint32_t key)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = key};

	return epoll_ctl(ch->ep, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

void chan_detach(struct ursad_chan *ch, unsigned idx, enum chan_counter why)
{
	struct chan_app *a = ch->apps[idx];

	if (a == NULL)
		return;
	if (a->attached) {
		chan_abort_socks(ch, a);
		ch->c[CHAN_C_apps]--;
		ch->c[CHAN_C_detach]++;
		ch->c[why]++;
		fprintf(stderr, "ursad: app %u (pid %d) detached (%s)\n", idx, (int)a->pid,
			chan_counter_names[why]);
	}
	if (a->mem) {
		munmap(a->mem, a->size);
		ch->c[CHAN_C_mem_bytes] -= a->size;
	}
	epoll_ctl(ch->ep, EPOLL_CTL_DEL, a->fd, NULL);
	close(a->fd);
	if (a->bell >= 0) {
		epoll_ctl(ch->ep, EPOLL_CTL_DEL, a->bell, NULL);
		close(a->bell);
	}
	if (a->notify >= 0)
		close(a->notify);
	free(a);
	ch->apps[idx] = NULL;
}

/* Send the welcome (with fds when accepted). */
static int send_welcome(struct chan_app *a, const struct ursa_app_welcome *w, const int *fds,
			unsigned nfds)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = (void *)w, .iov_len = sizeof(*w)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	if (nfds) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	return sendmsg(a->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof(*w) ? 0 : -errno;
}

static int refuse(struct ursad_chan *ch, struct chan_app *a, enum chan_counter why, int err,
		  const char *reason)
{
	struct ursa_app_welcome w = {
		.magic = URSA_APP_ABI_MAGIC, .version = URSA_APP_ABI_VERSION, .status = err};

	snprintf(w.reason, sizeof(w.reason), "%s", reason);
	ch->c[why]++;
	fprintf(stderr, "ursad: app (pid %d) refused: %s\n", (int)a->pid, reason);
	send_welcome(a, &w, NULL, 0);
	return err;
}

/* The application's own memfd: it must be a memfd with both seals, writable, large enough. */
static int check_own_mem(struct ursad_chan *ch, struct chan_app *a, int fd, uint64_t need)
{
	char why[URSA_APP_ERR_MAX];
	struct stat st;
	int seals;

	if (fd < 0)
		return refuse(ch, a, CHAN_C_refuse_bad_mem, -EINVAL,
			      "no memfd came with the hello");
	seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & (F_SEAL_SHRINK | F_SEAL_GROW)) != (F_SEAL_SHRINK | F_SEAL_GROW))
		return refuse(
			ch, a, CHAN_C_refuse_unsealed, -EPERM,
			"shared memory must be a memfd sealed with F_SEAL_SHRINK|F_SEAL_GROW");
	if (seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE))
		return refuse(ch, a, CHAN_C_refuse_bad_mem, -EPERM, "the memfd is write-sealed");
	if (fstat(fd, &st) != 0 || (uint64_t)st.st_size != need) {
		snprintf(why, sizeof(why), "the memfd must be %llu bytes",
			 (unsigned long long)need);
		return refuse(ch, a, CHAN_C_refuse_bad_mem, -EINVAL, why);
	}
	return 0;
}

/* ursad's own memfd, sealed before anyone else sees it. */
static int make_mem(uint64_t size)
{
	int fd = memfd_create("ursa-app", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

static void init_shm(struct chan_app *a, uint64_t size)
{
	a->shm = (struct ursa_app_shm *)a->mem;
	a->cmd = (struct ursa_app_cmd *)(a->mem + URSA_APP_OFF_CMD);
	a->evt = (struct ursa_app_evt *)(a->mem + URSA_APP_OFF_EVT);
	a->slot = (struct ursa_app_slot *)(a->mem + URSA_APP_OFF_SLOTS);
	memset(a->mem, 0, ursa_app_off_rings(CHAN_SLOTS));
	a->shm->magic = URSA_APP_ABI_MAGIC;
	a->shm->version = URSA_APP_ABI_VERSION;
	a->shm->nb_slots = CHAN_SLOTS;
	a->shm->ring_size = CHAN_RING;
	a->shm->size = size;
	for (unsigned i = 0; i < CHAN_SLOTS; i++)
		a->s[i].h = -1;
}

/* Map the memory, make the eventfds, answer. The memfd is closed here either way. */
static int accept_app(struct ursad_chan *ch, unsigned idx, int memfd, bool own)
{
	struct chan_app *a = ch->apps[idx];
	uint64_t size = ursa_app_mem_size(CHAN_SLOTS, CHAN_RING);
	struct ursa_app_welcome w = {.magic = URSA_APP_ABI_MAGIC,
				     .version = URSA_APP_ABI_VERSION,
				     .nb_slots = CHAN_SLOTS,
				     .ring_size = CHAN_RING,
				     .mem_size = size};
	int fds[3], rc;

	a->mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (a->mem == MAP_FAILED) {
		a->mem = NULL;
		close(memfd);
		return refuse(ch, a, CHAN_C_refuse_nomem, -ENOMEM, "cannot map the shared memory");
	}
	a->size = size;
	ch->c[CHAN_C_mem_bytes] += size;
	init_shm(a, size);
	a->bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	a->notify = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (a->bell < 0 || a->notify < 0) {
		close(memfd);
		return refuse(ch, a, CHAN_C_refuse_nomem, -EMFILE, "out of eventfds");
	}
	fds[0] = memfd, fds[1] = a->bell, fds[2] = a->notify;
	rc = own ? send_welcome(a, &w, fds + 1, 2) : send_welcome(a, &w, fds, 3);
	close(memfd);
	if (rc == 0)
		rc = ep_add(ch, a->bell, EV_BELL + idx);
	return rc;
}

/* The first message on an application's socket. 0 when attached. */
static int on_hello(struct ursad_chan *ch, unsigned idx)
{
	struct chan_app *a = ch->apps[idx];
	struct ursa_app_hello h;
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &h, .iov_len = sizeof(h)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = u.buf,
			   .msg_controllen = sizeof(u.buf)};
	uint64_t need = ursa_app_mem_size(CHAN_SLOTS, CHAN_RING);
	int memfd = -1, rc;
	ssize_t n = recvmsg(a->fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0 && errno == EAGAIN)
		return -EAGAIN;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); n > 0 && cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t k = 0; k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int); k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (memfd < 0)
				memfd = fd;
			else
				close(fd); /* one memfd at most */
		}
	}
	if (n != (ssize_t)sizeof(h) || h.magic != URSA_APP_ABI_MAGIC) {
		rc = n <= 0 ? -ECONNRESET
			    : refuse(ch, a, CHAN_C_refuse_version, -EPROTO, "not an ursa hello");
		goto close_memfd;
	}
	if (h.version != URSA_APP_ABI_VERSION) {
		char why[URSA_APP_ERR_MAX];

		snprintf(why, sizeof(why), "ABI version %u; this ursad speaks version %u",
			 h.version, URSA_APP_ABI_VERSION);
		rc = refuse(ch, a, CHAN_C_refuse_version, -EPROTO, why);
		goto close_memfd;
	}
	if (h.flags & URSA_APP_HELLO_OWN_MEM) {
		if ((rc = check_own_mem(ch, a, memfd, need)) != 0)
			goto close_memfd;
		return accept_app(ch, idx, memfd, true);
	}
	if (memfd >= 0)
		close(memfd);
	if ((memfd = make_mem(need)) < 0)
		return refuse(ch, a, CHAN_C_refuse_nomem, memfd, "cannot make the shared memory");
	return accept_app(ch, idx, memfd, false);
close_memfd:
	if (memfd >= 0)
		close(memfd);
	return rc;
}

static void on_listen(struct ursad_chan *ch)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct chan_app *a;
	unsigned idx;
	int fd = accept4(ch->lsock, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (idx = 0; idx < CHAN_MAX_APPS && ch->apps[idx]; idx++)
		;
	a = idx < CHAN_MAX_APPS ? calloc(1, sizeof(*a)) : NULL;
	if (a == NULL) {
		struct chan_app tmp = {.fd = fd, .pid = -1};

		refuse(ch, &tmp, CHAN_C_refuse_full, -EUSERS, "too many applications attached");
		close(fd);
		return;
	}
	a->fd = fd;
	a->bell = a->notify = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		a->pid = cred.pid;
	ch->apps[idx] = a;
	if (ep_add(ch, fd, idx) != 0)
		chan_detach(ch, idx, CHAN_C_detach_protocol);
}

/* Something on an attached application's socket: a hang-up, or a message out of turn. */
static void on_app(struct ursad_chan *ch, unsigned idx)
{
	struct chan_app *a = ch->apps[idx];
	char buf[64];
	ssize_t n;
	int rc;

	if (!a->attached) {
		if ((rc = on_hello(ch, idx)) == -EAGAIN)
			return;
		if (rc != 0) {
			chan_detach(ch, idx, CHAN_C_detach_protocol);
			return;
		}
		a->attached = true;
		ch->c[CHAN_C_apps]++;
		ch->c[CHAN_C_attach]++;
		return;
	}
	n = recv(a->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return;
	chan_detach(ch, idx, n == 0 || n < 0 ? CHAN_C_detach_hangup : CHAN_C_detach_protocol);
}

void chan_on_fd(struct ursa_lcore *lc, int fd, uint32_t events, void *arg)
{
	struct ursad_chan *ch = arg;
	struct epoll_event ev[16];
	int n;

	(void)lc;
	(void)fd;
	(void)events;
	n = epoll_wait(ch->ep, ev, 16, 0);
	for (int k = 0; k < n; k++) {
		uint32_t key = (uint32_t)ev[k].data.u64;

		if (key == EV_LISTEN) {
			on_listen(ch);
		} else if (key >= EV_BELL) {
			struct chan_app *a = ch->apps[key - EV_BELL];
			uint64_t v;

			if (a && a->bell >= 0 && read(a->bell, &v, sizeof(v)) == sizeof(v))
				ch->c[CHAN_C_bell]++;
		} else if (key < CHAN_MAX_APPS && ch->apps[key]) {
			on_app(ch, key);
		}
	}
}

int ursad_chan_open(struct ursa_lcore *lc, const char *path, struct ursad_chan **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ursad_chan *ch;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	ch = calloc(1, sizeof(*ch));
	if (ch == NULL)
		return -ENOMEM;
	ch->lc = lc;
	snprintf(ch->path, sizeof(ch->path), "%s", path);
	memcpy(sa.sun_path, path, strlen(path));
	ch->ep = epoll_create1(EPOLL_CLOEXEC);
	ch->lsock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ch->ep < 0 || ch->lsock < 0) {
		rc = -errno;
		goto free_ch;
	}
	unlink(path);
	if (bind(ch->lsock, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, 0660) != 0 ||
	    listen(ch->lsock, 64) != 0) {
		rc = -errno;
		goto free_ch;
	}
	if ((rc = ep_add(ch, ch->lsock, EV_LISTEN)) != 0 ||
	    (rc = ursa_stats_register(lc, "chan", chan_counter_names, ch->c, CHAN_C_MAX)) != 0 ||
	    (rc = ursa_lcore_add_wait_fd(lc, ch->ep, chan_on_fd, ch)) != 0)
		goto unlink_path;
	*out = ch;
	return 0;
unlink_path:
	unlink(path);
free_ch:
	if (ch->lsock >= 0)
		close(ch->lsock);
	if (ch->ep >= 0)
		close(ch->ep);
	free(ch);
	return rc;
}

void ursad_chan_close(struct ursad_chan *ch)
{
	if (ch == NULL)
		return;
	for (unsigned k = 0; k < CHAN_MAX_APPS; k++)
		chan_detach(ch, k, CHAN_C_detach_hangup);
	ursa_lcore_del_wait_fd(ch->lc, ch->ep);
	close(ch->lsock);
	close(ch->ep);
	unlink(ch->path);
	free(ch);
}
