/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libursa-preload.so: runs unmodified programs' TCP over ursad. LD_PRELOAD it with
 * URSA_APP_SOCKET=<ursad's --app-socket>; without that variable it passes every call on.
 *
 * socket(AF_INET or AF_INET6, SOCK_STREAM, 0 | IPPROTO_TCP | IPPROTO_SMC) makes an ursa
 * socket (libursa-app) and reserves a real descriptor for it, an eventfd, so the program
 * sees an ordinary fd number that no other open() can take; every call on such an fd is
 * answered here, every other fd (files, pipes, Unix and UDP sockets) goes to libc as it is.
 * Blocking sockets block here (on the channel's notifier); O_NONBLOCK (socket flags, fcntl,
 * ioctl FIONBIO, accept4) makes them answer EAGAIN/EINPROGRESS. dup/dup2/dup3/F_DUPFD give
 * a second fd for the same socket, which closes when its last fd does.
 *
 * fork: the child keeps the descriptors but not the sockets: in the child, calls on the
 * parent's ursa sockets fail with EBADF (close() works and leaves the parent's socket
 * alone), and the child's first new socket attaches to ursad on its own. exec: an ursa
 * socket does not survive exec (its eventfd does, unless close-on-exec: calls on it go to
 * libc and fail with ENOTSOCK). At exit the library closes the process's sockets the way
 * the kernel would (queued data is still sent) and detaches; a process that is killed
 * leaves ursad to abort its connections.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "preload_priv.h"

struct pl_state pl = {.lock = PTHREAD_MUTEX_INITIALIZER};

int pl_err(int neg)
{
	errno = -neg;
	return -1;
}

static void pl_init(void);

int pl_slot(int fd)
{
	int v;

	if (__builtin_expect(pl.real.close == NULL, 0))
		pl_init(); /* called before the library's constructor ran */

	if (fd < 0 || (unsigned)fd >= pl.nfd || pl.fd_slot == NULL)
		return -1;
	v = __atomic_load_n(&pl.fd_slot[fd], __ATOMIC_ACQUIRE);
	return v > 0 ? v - 1 : v < 0 ? -2 : -1;
}

#define REAL(name) pl.real.name = (__typeof__(pl.real.name))dlsym(RTLD_NEXT, #name)

static void child_after_fork(void)
{
	/* The parent's attach is not ours: drop it, keep the fds marked dead. */
	if (pl.app)
		ursa_app_forget(pl.app);
	pl.app = NULL;
	pl.pid = getpid();
	for (unsigned fd = 0; fd < pl.nfd; fd++)
		if (pl.fd_slot[fd] > 0)
			pl.fd_slot[fd] = -1;
	memset(pl.refs, 0, sizeof(pl.refs));
	pthread_mutex_init(&pl.lock, NULL);
}

__attribute__((constructor)) static void pl_init(void)
{
	struct rlimit rl;

	if (pl.real.close)
		return;
	REAL(socket), REAL(close), REAL(bind), REAL(listen), REAL(accept4), REAL(connect);
	REAL(read), REAL(write), REAL(readv), REAL(writev), REAL(recvfrom), REAL(sendto);
	REAL(recvmsg), REAL(sendmsg), REAL(shutdown), REAL(getsockopt), REAL(setsockopt);
	REAL(getsockname), REAL(getpeername), REAL(fcntl), REAL(ioctl), REAL(dup), REAL(dup2);
	REAL(dup3), REAL(ppoll), REAL(epoll_ctl), REAL(epoll_pwait), REAL(pselect);
	pl.path = getenv("URSA_APP_SOCKET");
	if (pl.path == NULL || *pl.path == '\0') {
		pl.path = NULL;
		return;
	}
	pl.nfd = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (unsigned)rl.rlim_cur
									   : 65536;
	pl.fd_slot = calloc(pl.nfd, sizeof(*pl.fd_slot));
	pl.ep = calloc(pl.nfd, sizeof(*pl.ep));
	if (pl.fd_slot == NULL || pl.ep == NULL) {
		pl.path = NULL;
		return;
	}
	pl.pid = getpid();
	pthread_atfork(NULL, NULL, child_after_fork);
}

__attribute__((destructor)) static void pl_fini(void)
{
	if (pl.app && pl.pid == getpid()) {
		for (unsigned fd = 0; fd < pl.nfd; fd++)
			if (pl.fd_slot[fd] > 0)
				close((int)fd);
		ursa_app_detach(pl.app);
	}
	pl.app = NULL;
}

/* The attach, made at the first socket that needs it. */
static struct ursa_app *app_get(void)
{
	char why[URSA_APP_ERR_MAX];
	int rc;

	pthread_mutex_lock(&pl.lock);
	if (pl.app == NULL && pl.attach_err == 0) {
		rc = ursa_app_attach(pl.path, -1, why, sizeof(why), &pl.app);
		if (rc) {
			pl.attach_err = rc;
			fprintf(stderr, "libursa-preload: cannot attach to ursad at %s: %s%s%s\n",
				pl.path, strerror(-rc), why[0] ? ": " : "", why);
		}
	}
	pthread_mutex_unlock(&pl.lock);
	return pl.app;
}

/* Give slot s a reserved descriptor. */
static int fd_new(int s, bool nonblock, bool cloexec)
{
	int fd = eventfd(0, cloexec ? EFD_CLOEXEC : 0);

	if (fd < 0 || (unsigned)fd >= pl.nfd) {
		if (fd >= 0)
			pl.real.close(fd);
		ursa_app_close(pl.app, s);
		return pl_err(-EMFILE);
	}
	pthread_mutex_lock(&pl.lock);
	pl.refs[s] = 1;
	pl.nonblock[s] = nonblock;
	__atomic_store_n(&pl.fd_slot[fd], s + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&pl.lock);
	return fd;
}

/* Forget fd; close the socket when it was its last fd. */
static void fd_drop(int fd)
{
	int s = pl_slot(fd), last = 0;

	pthread_mutex_lock(&pl.lock);
	__atomic_store_n(&pl.fd_slot[fd], 0, __ATOMIC_RELEASE);
	if (s >= 0)
		last = --pl.refs[s] == 0;
	pthread_mutex_unlock(&pl.lock);
	if (last && pl.app)
		ursa_app_close(pl.app, s);
}

static void fd_share(int newfd, int s)
{
	pthread_mutex_lock(&pl.lock);
	pl.refs[s]++;
	__atomic_store_n(&pl.fd_slot[newfd], s + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&pl.lock);
}

/* Block until the socket has one of events (or an error). */
static void wait_for(int s, short events)
{
	struct ursa_app_pollfd p = {.s = s, .events = events};

	ursa_app_poll(pl.app, &p, 1, -1);
}

int socket(int domain, int type, int proto)
{
	int s, base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (pl.real.socket == NULL)
		pl_init();
	if (pl.path == NULL || (domain != AF_INET && domain != AF_INET6) || base != SOCK_STREAM ||
	    (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_SMC))
		return pl.real.socket(domain, type, proto);
	if (app_get() == NULL)
		return pl_err(pl.attach_err);
	s = ursa_app_socket(pl.app, domain, SOCK_STREAM, proto);
	if (s < 0)
		return pl_err(s);
	return fd_new(s, type & SOCK_NONBLOCK, type & SOCK_CLOEXEC);
}

int close(int fd)
{
	int s = pl_slot(fd);

	if (s != -1)
		fd_drop(fd);
	if (fd >= 0 && (unsigned)fd < pl.nfd && pl.ep && pl.ep[fd])
		pl_epoll_forget(fd);
	return pl.real.close(fd);
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.bind(fd, sa, len);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_bind(pl.app, s, sa, len);
	return rc < 0 ? pl_err(rc) : 0;
}

int listen(int fd, int backlog)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.listen(fd, backlog);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_listen(pl.app, s, backlog);
	return rc < 0 ? pl_err(rc) : 0;
}

int accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int s = pl_slot(fd), n;

	if (s == -1)
		return pl.real.accept4(fd, sa, len, flags);
	if (s < 0)
		return pl_err(-EBADF);
	while ((n = ursa_app_accept(pl.app, s, sa, len)) == -EAGAIN && !pl.nonblock[s])
		wait_for(s, POLLIN);
	if (n < 0)
		return pl_err(n);
	return fd_new(n, flags & SOCK_NONBLOCK, flags & SOCK_CLOEXEC);
}

int accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	return accept4(fd, sa, len, 0);
}

int connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.connect(fd, sa, len);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_connect(pl.app, s, sa, len);
	if (rc == -EINPROGRESS && !pl.nonblock[s]) {
		wait_for(s, POLLOUT);
		rc = ursa_app_connect(pl.app, s, sa, len);
	}
	return rc < 0 ? pl_err(rc) : 0;
}

/* recv on slot s: blocking unless nonblocking or MSG_DONTWAIT; MSG_WAITALL fills buf. */
static ssize_t do_recv(int s, void *buf, size_t len, int flags)
{
	bool nb = pl.nonblock[s] || (flags & MSG_DONTWAIT);
	size_t got = 0;

	for (;;) {
		ssize_t r = ursa_app_recv(pl.app, s, (char *)buf + got, len - got, flags);

		if (r > 0) {
			got += (size_t)r;
			if (!(flags & MSG_WAITALL) || got == len || (flags & MSG_PEEK))
				return (ssize_t)got;
			continue;
		}
		if (r == 0 || (r == -EAGAIN && nb) || r != -EAGAIN)
			return got ? (ssize_t)got : r == 0 ? 0 : pl_err((int)r);
		wait_for(s, POLLIN);
	}
}

/* send on slot s: a blocking socket sends everything (or fails); EPIPE raises SIGPIPE
 * unless MSG_NOSIGNAL. */
static ssize_t do_send(int s, const void *buf, size_t len, int flags)
{
	bool nb = pl.nonblock[s] || (flags & MSG_DONTWAIT);
	size_t done = 0;

	while (done < len || len == 0) {
		ssize_t r = ursa_app_send(pl.app, s, (const char *)buf + done, len - done);

		if (r >= 0) {
			done += (size_t)r;
			if (nb || len == 0)
				break;
			continue;
		}
		if (r == -EAGAIN && !nb) {
			wait_for(s, POLLOUT);
			continue;
		}
		if (done)
			break;
		if (r == -EPIPE && !(flags & MSG_NOSIGNAL))
			raise(SIGPIPE);
		return pl_err((int)r);
	}
	return (ssize_t)done;
}

ssize_t read(int fd, void *buf, size_t len)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.read(fd, buf, len);
	return s < 0 ? pl_err(-EBADF) : do_recv(s, buf, len, 0);
}

ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	(void)buflen;
	return read(fd, buf, len);
}

ssize_t write(int fd, const void *buf, size_t len)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.write(fd, buf, len);
	return s < 0 ? pl_err(-EBADF) : do_send(s, buf, len, 0);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags)
{
	(void)buflen;
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *sa, socklen_t *sl)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.recvfrom(fd, buf, len, flags, sa, sl);
	if (s < 0)
		return pl_err(-EBADF);
	if (sl)
		*sl = 0; /* a stream socket names no source */
	return do_recv(s, buf, len, flags);
}

ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags, struct sockaddr *sa,
		       socklen_t *sl)
{
	(void)buflen;
	return recvfrom(fd, buf, len, flags, sa, sl);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *sa,
	       socklen_t sl)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.sendto(fd, buf, len, flags, sa, sl);
	if (s < 0)
		return pl_err(-EBADF);
	return do_send(s, buf, len, flags); /* a connected stream ignores the address */
}

/* The iovec calls: one buffer at a time; a short transfer ends the call. */
static ssize_t iov_io(int s, const struct iovec *iov, int n, int flags, bool tx)
{
	ssize_t total = 0;

	for (int i = 0; i < n; i++) {
		ssize_t r;

		if (iov[i].iov_len == 0)
			continue;
		r = tx ? do_send(s, iov[i].iov_base, iov[i].iov_len, flags)
		       : do_recv(s, iov[i].iov_base, iov[i].iov_len, flags);
		if (r < 0)
			return total ? total : r;
		total += r;
		if ((size_t)r < iov[i].iov_len)
			break;
		if (!tx)
			flags |= MSG_DONTWAIT; /* a read returns what is there after the first */
	}
	return total;
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.readv(fd, iov, n);
	return s < 0 ? pl_err(-EBADF) : iov_io(s, iov, n, 0, false);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.writev(fd, iov, n);
	return s < 0 ? pl_err(-EBADF) : iov_io(s, iov, n, 0, true);
}

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	int s = pl_slot(fd);
	ssize_t r;

	if (s == -1)
		return pl.real.recvmsg(fd, m, flags);
	if (s < 0)
		return pl_err(-EBADF);
	r = iov_io(s, m->msg_iov, (int)m->msg_iovlen, flags, false);
	if (r < 0)
		return -1;
	m->msg_namelen = 0;
	m->msg_controllen = 0;
	m->msg_flags = 0;
	return r;
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	int s = pl_slot(fd);

	if (s == -1)
		return pl.real.sendmsg(fd, m, flags);
	return s < 0 ? pl_err(-EBADF) : iov_io(s, m->msg_iov, (int)m->msg_iovlen, flags, true);
}

int shutdown(int fd, int how)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.shutdown(fd, how);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_shutdown(pl.app, s, how);
	return rc < 0 ? pl_err(rc) : 0;
}

int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	int s = pl_slot(fd), rc, v = -1;

	if (s == -1)
		return pl.real.getsockopt(fd, level, name, val, len);
	if (s < 0)
		return pl_err(-EBADF);
	if (level == SOL_SOCKET && name == SO_TYPE)
		v = SOCK_STREAM;
	else if (level == SOL_SOCKET && name == SO_PROTOCOL)
		v = IPPROTO_TCP;
	if (level == IPPROTO_TCP && name == TCP_INFO) {
		/* What a program reads for its reports: the state; the counters are ursad's
		 * (ursactl), not copied here. */
		struct tcp_info ti = {.tcpi_state = (ursa_app_revents(pl.app, s) & POLLOUT)
							    ? TCP_ESTABLISHED
							    : TCP_CLOSE};
		socklen_t n = *len < sizeof(ti) ? *len : sizeof(ti);

		memcpy(val, &ti, n);
		*len = n;
		return 0;
	}
	if (v >= 0) {
		if (*len < sizeof(int))
			return pl_err(-EINVAL);
		memcpy(val, &v, sizeof(v));
		*len = sizeof(int);
		return 0;
	}
	rc = ursa_app_getsockopt(pl.app, s, level, name, val, len);
	return rc < 0 ? pl_err(rc) : 0;
}

int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.setsockopt(fd, level, name, val, len);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_setsockopt(pl.app, s, level, name, val, len);
	return rc < 0 ? pl_err(rc) : 0;
}

int getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.getsockname(fd, sa, len);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_getsockname(pl.app, s, sa, len);
	return rc < 0 ? pl_err(rc) : 0;
}

int getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	int s = pl_slot(fd), rc;

	if (s == -1)
		return pl.real.getpeername(fd, sa, len);
	if (s < 0)
		return pl_err(-EBADF);
	rc = ursa_app_getpeername(pl.app, s, sa, len);
	return rc < 0 ? pl_err(rc) : 0;
}

int fcntl(int fd, int cmd, ...)
{
	int s = pl_slot(fd), rc;
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	if (s == -1)
		return pl.real.fcntl(fd, cmd, arg);
	if (s < 0 && cmd != F_GETFD && cmd != F_SETFD)
		return pl_err(-EBADF);
	switch (cmd) {
	case F_GETFL:
		return O_RDWR | (pl.nonblock[s] ? O_NONBLOCK : 0);
	case F_SETFL:
		pl.nonblock[s] = (arg & O_NONBLOCK) != 0;
		return 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		rc = pl.real.fcntl(fd, cmd, arg);
		if (rc >= 0 && (unsigned)rc < pl.nfd)
			fd_share(rc, s);
		return rc;
	default:
		return pl.real.fcntl(fd, cmd, arg);
	}
}

int ioctl(int fd, unsigned long req, ...)
{
	int s = pl_slot(fd), n;
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (s == -1)
		return pl.real.ioctl(fd, req, arg);
	if (s < 0)
		return pl_err(-EBADF);
	switch (req) {
	case FIONREAD:
		if ((n = ursa_app_nread(pl.app, s)) < 0)
			return pl_err(n);
		*(int *)arg = n;
		return 0;
	case FIONBIO:
		pl.nonblock[s] = *(int *)arg != 0;
		return 0;
	default:
		return pl_err(-ENOTTY);
	}
}

int dup(int fd)
{
	int s = pl_slot(fd), nfd = pl.real.dup(fd);

	if (s >= 0 && nfd >= 0 && (unsigned)nfd < pl.nfd)
		fd_share(nfd, s);
	return nfd;
}

static int dup_to(int old, int new, int flags, bool three)
{
	int s = pl_slot(old), rc;

	if (old == new && !three)
		return pl.real.dup2(old, new);
	if (pl_slot(new) != -1)
		fd_drop(new); /* dup2 closes new first */
	rc = three ? pl.real.dup3(old, new, flags) : pl.real.dup2(old, new);
	if (rc >= 0 && s >= 0 && (unsigned)rc < pl.nfd)
		fd_share(rc, s);
	return rc;
}

int dup2(int old, int new)
{
	return dup_to(old, new, 0, false);
}

int dup3(int old, int new, int flags)
{
	return dup_to(old, new, flags, true);
}
