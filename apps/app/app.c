/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libursa-app: attach to ursad (hello, welcome, SCM_RIGHTS fds, mmap), commands as
 * synchronous calls over the command and event rings, send and recv as copies into and out
 * of the connection's byte rings, and waiting on the notifier eventfd. Nothing read from the
 * shared memory is trusted beyond the attach: a cursor ursad publishes out of range reads
 * as an error on that socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ursa_app.h"
#include "ursa_app_abi.h"

#define APP_SPIN_NS   20000ull	    /* spin this long for a command's reply before sleeping */
#define APP_DETACH_NS 5000000000ull /* a detach waits this long for queued bytes to go */
#define APP_NAP_MS    50	    /* a sleeper looks again at least this often */

struct app_sock {
	int err_reported; /* SO_ERROR given once */
	int shut_wr;	  /* SHUT_WR asked: no more sends */
	int connected;	  /* connect() reported success */
	int closed;	  /* close() sent */
};

struct ursa_app {
	pthread_mutex_t lock;
	int fd, bell, notify;
	uint8_t *mem;
	size_t size;
	uint32_t nb_slots, ring;
	struct ursa_app_shm *shm;
	struct ursa_app_cmd *cmd;
	struct ursa_app_evt *evt;
	struct ursa_app_slot *slot;
	uint32_t seq;
	int dead; /* ursad closed the channel: every socket reads as reset */
	struct app_sock s[URSA_APP_NB_SLOTS];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t ursa_app_shm_size(void)
{
	return ursa_app_mem_size(URSA_APP_NB_SLOTS, URSA_APP_RING_SIZE);
}

/* Send the hello (with the memfd), receive the welcome and its fds. */
static int handshake(struct ursa_app *a, int memfd, char *err, size_t errlen, int *fds)
{
	struct ursa_app_hello h = {.magic = URSA_APP_ABI_MAGIC, .version = URSA_APP_ABI_VERSION};
	struct ursa_app_welcome w;
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {.iov_base = &h, .iov_len = sizeof(h)};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	unsigned want = memfd >= 0 ? 2 : 3, got = 0;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	if (memfd >= 0) {
		struct cmsghdr *cm;

		h.flags = URSA_APP_HELLO_OWN_MEM;
		h.mem_size = ursa_app_shm_size();
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int));
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &memfd, sizeof(int));
	}
	if (sendmsg(a->fd, &m, MSG_NOSIGNAL) != (ssize_t)sizeof(h))
		return -errno;
	iov.iov_base = &w;
	iov.iov_len = sizeof(w);
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(a->fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); n > 0 && cm; cm = CMSG_NXTHDR(&m, cm))
		for (size_t k = 0;
		     cm->cmsg_type == SCM_RIGHTS && k < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		     k++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
			if (got < want)
				fds[got++] = fd;
			else
				close(fd);
		}
	if (n != (ssize_t)sizeof(w) || w.magic != URSA_APP_ABI_MAGIC)
		return n < 0 ? -errno : -EPROTO;
	if (w.status != 0 || got != want) {
		if (err && errlen)
			snprintf(err, errlen, "%.*s", (int)sizeof(w.reason), w.reason);
		return w.status ? w.status : -EPROTO;
	}
	if (w.nb_slots != URSA_APP_NB_SLOTS || w.ring_size != URSA_APP_RING_SIZE ||
	    w.mem_size != ursa_app_shm_size())
		return -EPROTO;
	a->nb_slots = w.nb_slots;
	a->ring = w.ring_size;
	a->size = w.mem_size;
	return 0;
}

int ursa_app_attach(const char *path, int memfd, char *err, size_t errlen, struct ursa_app **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fds[3] = {-1, -1, -1}, mfd, rc;
	struct ursa_app *a;

	if (err && errlen)
		err[0] = '\0';
	if (path == NULL && (path = getenv("URSA_APP_SOCKET")) == NULL)
		return -ENOENT;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	a->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (a->fd < 0 || connect(a->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		goto free_a;
	}
	if ((rc = handshake(a, memfd, err, errlen, fds)) != 0)
		goto close_fds;
	mfd = memfd >= 0 ? memfd : fds[0];
	a->bell = memfd >= 0 ? fds[0] : fds[1];
	a->notify = memfd >= 0 ? fds[1] : fds[2];
	a->mem = mmap(NULL, a->size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (a->mem == MAP_FAILED) {
		rc = -errno;
		goto close_fds;
	}
	if (memfd < 0)
		close(mfd); /* ursad's memfd: the mapping keeps the memory */
	a->shm = (struct ursa_app_shm *)a->mem;
	a->cmd = (struct ursa_app_cmd *)(a->mem + URSA_APP_OFF_CMD);
	a->evt = (struct ursa_app_evt *)(a->mem + URSA_APP_OFF_EVT);
	a->slot = (struct ursa_app_slot *)(a->mem + URSA_APP_OFF_SLOTS);
	fcntl(a->notify, F_SETFL, O_NONBLOCK);
	*out = a;
	return 0;
close_fds:
	for (int k = 0; k < 3; k++)
		if (fds[k] >= 0)
			close(fds[k]);
free_a:
	if (a->fd >= 0)
		close(a->fd);
	free(a);
	return rc;
}

static void release(struct ursa_app *a)
{
	munmap(a->mem, a->size);
	close(a->bell);
	close(a->notify);
	close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static void nap(struct ursa_app *a, int ms);

static int all_free(struct ursa_app *a)
{
	for (uint32_t i = 0; i < a->nb_slots; i++)
		if (ursa_app_load(&a->slot[i].state) != URSA_APP_ST_FREE)
			return 0;
	return 1;
}

void ursa_app_detach(struct ursa_app *a)
{
	uint64_t end;

	if (a == NULL)
		return;
	/* Close what is still open the way exit() closes kernel sockets, and give ursad time
	 * to send what the transmit rings hold: a detach with slots in use aborts them. */
	for (uint32_t i = 0; i < a->nb_slots; i++)
		if (ursa_app_load(&a->slot[i].state) != URSA_APP_ST_FREE && !a->s[i].closed)
			ursa_app_close(a, (int)i);
	end = now_ns() + APP_DETACH_NS;
	while (!all_free(a) && now_ns() < end && !__atomic_load_n(&a->dead, __ATOMIC_RELAXED)) {
		ursa_app_arm(a);
		if (!all_free(a))
			nap(a, APP_NAP_MS);
		else
			ursa_app_disarm(a);
	}
	release(a); /* ursad sees the socket close and reclaims anything left */
}

void ursa_app_forget(struct ursa_app *a)
{
	if (a)
		release(a); /* the parent's connection stays open in the parent */
}

int ursa_app_fd(const struct ursa_app *a)
{
	return a->notify;
}

void ursa_app_arm(struct ursa_app *a)
{
	ursa_app_arm_flag(&a->shm->app_armed);
}

void ursa_app_disarm(struct ursa_app *a)
{
	uint64_t v;

	__atomic_store_n(&a->shm->app_armed, 0u, __ATOMIC_RELAXED);
	while (read(a->notify, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

/* Wake ursad when it asked for it. */
static void bell_ring(struct ursa_app *a)
{
	uint64_t one = 1;

	if (ursa_app_take_armed(&a->shm->srv_armed) &&
	    write(a->bell, &one, sizeof(one)) != (ssize_t)sizeof(one))
		(void)0; /* the bell's counter is full: ursad is awake anyway */
}

/* Sleep on the notifier for at most ms (after arming; the caller looked again). */
static void nap(struct ursa_app *a, int ms)
{
	struct pollfd p[2] = {{.fd = a->notify, .events = POLLIN}, {.fd = a->fd, .events = POLLIN}};

	poll(p, 2, ms);
	if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
		__atomic_store_n(&a->dead, 1, __ATOMIC_RELAXED); /* ursad went away */
	ursa_app_disarm(a);
}

/* Post one command and wait for its reply (the lock held). */
static int call(struct ursa_app *a, struct ursa_app_cmd *c, struct ursa_app_evt *e)
{
	uint32_t prod = a->shm->cmd_prod, seq = ++a->seq;
	uint64_t t0;

	while (prod - ursa_app_load(&a->shm->cmd_cons) >= URSA_APP_CMD_SLOTS) {
		ursa_app_arm(a);
		if (prod - ursa_app_load(&a->shm->cmd_cons) >= URSA_APP_CMD_SLOTS)
			nap(a, APP_NAP_MS);
	}
	c->seq = seq;
	memcpy(&a->cmd[prod % URSA_APP_CMD_SLOTS], c, sizeof(*c));
	ursa_app_store(&a->shm->cmd_prod, prod + 1);
	bell_ring(a);
	t0 = now_ns();
	for (;;) {
		if (__atomic_load_n(&a->dead, __ATOMIC_RELAXED))
			return -ECONNABORTED;
		uint32_t cons = a->shm->evt_cons;

		if (ursa_app_load(&a->shm->evt_prod) != cons) {
			memcpy(e, &a->evt[cons % URSA_APP_EVT_SLOTS], sizeof(*e));
			ursa_app_store(&a->shm->evt_cons, cons + 1);
			if (e->seq == seq)
				break;
			continue; /* a reply nobody waits for (a thread that gave up) */
		}
		if (now_ns() - t0 < APP_SPIN_NS)
			continue;
		ursa_app_arm(a);
		if (ursa_app_load(&a->shm->evt_prod) == cons) {
			struct pollfd p[2] = {{.fd = a->notify, .events = POLLIN},
					      {.fd = a->fd, .events = POLLIN}};

			poll(p, 2, APP_NAP_MS);
			ursa_app_disarm(a);
			if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
				__atomic_store_n(&a->dead, 1, __ATOMIC_RELAXED);
				return -ECONNABORTED; /* ursad went away */
			}
		}
	}
	if (e->len > sizeof(e->data))
		e->len = sizeof(e->data);
	return e->result;
}

static int slot_ok(const struct ursa_app *a, int s)
{
	return s >= 0 && (uint32_t)s < a->nb_slots &&
	       ursa_app_load(&a->slot[s].state) != URSA_APP_ST_FREE;
}

static int simple(struct ursa_app *a, uint32_t op, int s, int a0, int a1, int a2, const void *data,
		  size_t len, struct ursa_app_evt *e)
{
	struct ursa_app_cmd c = {.op = op, .slot = s, .a0 = a0, .a1 = a1, .a2 = a2};
	struct ursa_app_evt tmp;
	int rc;

	if (len > URSA_APP_DATA_MAX)
		return -EINVAL;
	c.len = (uint32_t)len;
	if (len)
		memcpy(c.data, data, len);
	pthread_mutex_lock(&a->lock);
	rc = call(a, &c, e ? e : &tmp);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int ursa_app_socket(struct ursa_app *a, int family, int type, int proto)
{
	int s = simple(a, URSA_APP_OP_SOCKET, -1, family, type, proto, NULL, 0, NULL);

	if (s >= 0 && (uint32_t)s < a->nb_slots)
		memset(&a->s[s], 0, sizeof(a->s[s]));
	return s;
}

int ursa_app_bind(struct ursa_app *a, int s, const struct sockaddr *sa, socklen_t len)
{
	return simple(a, URSA_APP_OP_BIND, s, 0, 0, 0, sa, len, NULL);
}

int ursa_app_listen(struct ursa_app *a, int s, int backlog)
{
	return simple(a, URSA_APP_OP_LISTEN, s, backlog, 0, 0, NULL, 0, NULL);
}

static void copy_addr(const struct ursa_app_evt *e, struct sockaddr *sa, socklen_t *len)
{
	if (sa == NULL || len == NULL)
		return;
	memcpy(sa, e->data, *len < e->len ? *len : e->len);
	*len = e->len;
}

int ursa_app_accept(struct ursa_app *a, int s, struct sockaddr *sa, socklen_t *len)
{
	struct ursa_app_evt e;
	int n;

	if (!slot_ok(a, s))
		return -EBADF;
	if (__atomic_load_n(&a->dead, __ATOMIC_RELAXED))
		return -ECONNABORTED;
	if (!(ursa_app_load(&a->slot[s].flags) & URSA_APP_F_ACCEPT))
		return -EAGAIN; /* nothing waits: no need to ask ursad */
	n = simple(a, URSA_APP_OP_ACCEPT, s, 0, 0, 0, NULL, 0, &e);
	if (n >= 0 && (uint32_t)n < a->nb_slots) {
		memset(&a->s[n], 0, sizeof(a->s[n]));
		a->s[n].connected = 1;
		copy_addr(&e, sa, len);
	}
	return n;
}

int ursa_app_connect(struct ursa_app *a, int s, const struct sockaddr *sa, socklen_t len)
{
	uint32_t st;

	if (!slot_ok(a, s))
		return -EBADF;
	if (__atomic_load_n(&a->dead, __ATOMIC_RELAXED))
		return -ECONNABORTED;
	st = ursa_app_load(&a->slot[s].state);
	if (st == URSA_APP_ST_CONNECTING)
		return -EALREADY;
	if (st == URSA_APP_ST_CONNECTED) {
		if (a->s[s].connected)
			return -EISCONN;
		a->s[s].connected = 1;
		return 0;
	}
	if (st == URSA_APP_ST_CLOSED) {
		a->s[s].err_reported = 1;
		return a->slot[s].error ? a->slot[s].error : -ECONNABORTED;
	}
	return simple(a, URSA_APP_OP_CONNECT, s, 0, 0, 0, sa, len, NULL);
}

int ursa_app_shutdown(struct ursa_app *a, int s, int how)
{
	if (!slot_ok(a, s))
		return -EBADF;
	if (how == SHUT_WR || how == SHUT_RDWR)
		a->s[s].shut_wr = 1;
	return simple(a, URSA_APP_OP_SHUTDOWN, s, how, 0, 0, NULL, 0, NULL);
}

int ursa_app_close(struct ursa_app *a, int s)
{
	if (!slot_ok(a, s) || a->s[s].closed)
		return -EBADF;
	a->s[s].closed = 1;
	return simple(a, URSA_APP_OP_CLOSE, s, 0, 0, 0, NULL, 0, NULL);
}

int ursa_app_setsockopt(struct ursa_app *a, int s, int level, int name, const void *val,
			socklen_t len)
{
	if (!slot_ok(a, s))
		return -EBADF;
	return simple(a, URSA_APP_OP_SETSOCKOPT, s, level, name, 0, val, len, NULL);
}

int ursa_app_getsockopt(struct ursa_app *a, int s, int level, int name, void *val, socklen_t *len)
{
	struct ursa_app_evt e;
	int rc;

	if (!slot_ok(a, s))
		return -EBADF;
	if (level == SOL_SOCKET && name == SO_ERROR) {
		int err = 0;

		if ((ursa_app_load(&a->slot[s].flags) & URSA_APP_F_ERR) && !a->s[s].err_reported) {
			err = -a->slot[s].error;
			a->s[s].err_reported = 1;
		}
		if (*len < sizeof(int))
			return -EINVAL;
		memcpy(val, &err, sizeof(int));
		*len = sizeof(int);
		return 0;
	}
	rc = simple(a, URSA_APP_OP_GETSOCKOPT, s, level, name, (int)*len, NULL, 0, &e);
	if (rc == 0)
		copy_addr(&e, val, len);
	return rc;
}

int ursa_app_getsockname(struct ursa_app *a, int s, struct sockaddr *sa, socklen_t *len)
{
	struct ursa_app_evt e;
	int rc;

	if (!slot_ok(a, s))
		return -EBADF;
	rc = simple(a, URSA_APP_OP_GETSOCKNAME, s, 0, 0, 0, NULL, 0, &e);
	if (rc == 0)
		copy_addr(&e, sa, len);
	return rc;
}

int ursa_app_getpeername(struct ursa_app *a, int s, struct sockaddr *sa, socklen_t *len)
{
	struct ursa_app_evt e;
	int rc;

	if (!slot_ok(a, s))
		return -EBADF;
	rc = simple(a, URSA_APP_OP_GETPEERNAME, s, 0, 0, 0, NULL, 0, &e);
	if (rc == 0)
		copy_addr(&e, sa, len);
	return rc;
}

static uint8_t *rx_ring(struct ursa_app *a, int s)
{
	return a->mem + ursa_app_off_rx(a->nb_slots, a->ring, (uint32_t)s);
}

ssize_t ursa_app_send(struct ursa_app *a, int s, const void *buf, size_t len)
{
	struct ursa_app_slot *sl;
	uint32_t st, prod, space, done = 0;
	uint8_t *ring;

	if (!slot_ok(a, s))
		return -EBADF;
	if (__atomic_load_n(&a->dead, __ATOMIC_RELAXED))
		return -EPIPE;
	sl = &a->slot[s];
	st = ursa_app_load(&sl->state);
	if (ursa_app_load(&sl->flags) & URSA_APP_F_ERR)
		return sl->error == -ECONNREFUSED ? -ECONNREFUSED : -EPIPE;
	if (a->s[s].shut_wr)
		return -EPIPE;
	if (st == URSA_APP_ST_CONNECTING)
		return -EAGAIN;
	if (st != URSA_APP_ST_CONNECTED)
		return -ENOTCONN;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&a->lock);
	prod = sl->tx_prod;
	space = a->ring - (prod - ursa_app_load(&sl->tx_cons));
	if (space > a->ring)
		space = 0; /* a cursor out of range: send nothing */
	ring = rx_ring(a, s) + a->ring;
	while (done < len && done < space) {
		uint32_t off = (prod + done) % a->ring, chunk = a->ring - off;

		if (chunk > space - done)
			chunk = space - done;
		if (chunk > len - done)
			chunk = (uint32_t)(len - done);
		memcpy(ring + off, (const uint8_t *)buf + done, chunk);
		done += chunk;
	}
	if (done)
		ursa_app_store(&sl->tx_prod, prod + done);
	pthread_mutex_unlock(&a->lock);
	if (done == 0)
		return -EAGAIN;
	bell_ring(a);
	return done;
}

ssize_t ursa_app_recv(struct ursa_app *a, int s, void *buf, size_t len, int flags)
{
	struct ursa_app_slot *sl;
	uint32_t cons, avail, done = 0, fl;
	uint8_t *ring;

	if (!slot_ok(a, s))
		return -EBADF;
	sl = &a->slot[s];
	pthread_mutex_lock(&a->lock);
	cons = sl->rx_cons;
	avail = ursa_app_load(&sl->rx_prod) - cons;
	if (avail > a->ring)
		avail = 0; /* a cursor out of range: read nothing */
	ring = rx_ring(a, s);
	while (done < len && done < avail) {
		uint32_t off = (cons + done) % a->ring, chunk = a->ring - off;

		if (chunk > avail - done)
			chunk = avail - done;
		if (chunk > len - done)
			chunk = (uint32_t)(len - done);
		memcpy((uint8_t *)buf + done, ring + off, chunk);
		done += chunk;
	}
	if (done && !(flags & MSG_PEEK))
		ursa_app_store(&sl->rx_cons, cons + done);
	pthread_mutex_unlock(&a->lock);
	if (done) {
		bell_ring(a); /* room again: ursad may have stopped reading */
		return done;
	}
	if (len == 0)
		return 0;
	if (__atomic_load_n(&a->dead, __ATOMIC_RELAXED))
		return -ECONNRESET;
	fl = ursa_app_load(&sl->flags);
	if (fl & URSA_APP_F_EOF)
		return 0;
	if (fl & URSA_APP_F_ERR) {
		a->s[s].err_reported = 1;
		return sl->error ? sl->error : -ECONNRESET;
	}
	if (ursa_app_load(&sl->state) != URSA_APP_ST_CONNECTED &&
	    ursa_app_load(&sl->state) != URSA_APP_ST_CONNECTING)
		return -ENOTCONN;
	return -EAGAIN;
}

int ursa_app_nread(struct ursa_app *a, int s)
{
	uint32_t n;

	if (!slot_ok(a, s))
		return -EBADF;
	n = ursa_app_load(&a->slot[s].rx_prod) - a->slot[s].rx_cons;
	return n > a->ring ? 0 : (int)n;
}

short ursa_app_revents(struct ursa_app *a, int s)
{
	struct ursa_app_slot *sl;
	uint32_t st, fl, avail, used;
	short r = 0;

	if (!slot_ok(a, s))
		return POLLNVAL;
	if (__atomic_load_n(&a->dead, __ATOMIC_RELAXED))
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	sl = &a->slot[s];
	st = ursa_app_load(&sl->state);
	fl = ursa_app_load(&sl->flags);
	switch (st) {
	case URSA_APP_ST_OPEN:
		return POLLOUT | POLLHUP;
	case URSA_APP_ST_LISTEN:
		return fl & URSA_APP_F_ACCEPT ? POLLIN : 0;
	case URSA_APP_ST_CONNECTING:
		return 0;
	case URSA_APP_ST_CONNECTED:
		break;
	default:
		return POLLIN | POLLOUT | POLLERR | POLLHUP;
	}
	avail = ursa_app_load(&sl->rx_prod) - sl->rx_cons;
	used = sl->tx_prod - ursa_app_load(&sl->tx_cons);
	if (avail || (fl & URSA_APP_F_EOF))
		r |= POLLIN;
	if (fl & URSA_APP_F_EOF)
		r |= POLLRDHUP;
	if (!a->s[s].shut_wr && used < a->ring)
		r |= POLLOUT;
	if ((fl & URSA_APP_F_EOF) && a->s[s].shut_wr)
		r |= POLLHUP;
	if (fl & URSA_APP_F_ERR)
		r |= POLLERR | POLLHUP | POLLIN | POLLOUT;
	return r;
}

static int scan(struct ursa_app *a, struct ursa_app_pollfd *fds, unsigned n)
{
	int cnt = 0;

	for (unsigned i = 0; i < n; i++) {
		short r = ursa_app_revents(a, fds[i].s);

		fds[i].revents = r & (fds[i].events | POLLERR | POLLHUP | POLLNVAL);
		cnt += fds[i].revents != 0;
	}
	return cnt;
}

int ursa_app_poll(struct ursa_app *a, struct ursa_app_pollfd *fds, unsigned n, int timeout_ms)
{
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000ull;
	int cnt;

	while ((cnt = scan(a, fds, n)) == 0) {
		uint64_t now = now_ns();
		int ms;

		if (now >= end)
			return 0;
		ms = end - now > (uint64_t)APP_NAP_MS * 1000000ull
			     ? APP_NAP_MS
			     : (int)((end - now) / 1000000ull) + 1;
		ursa_app_arm(a);
		if ((cnt = scan(a, fds, n)) != 0) {
			ursa_app_disarm(a);
			return cnt;
		}
		nap(a, ms);
	}
	return cnt;
}
