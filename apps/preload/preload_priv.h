/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libursa-preload.so internals, shared by preload.c (sockets, data, descriptors) and
 * preload_poll.c (poll, ppoll, select, pselect, epoll).
 */
#ifndef PRELOAD_PRIV_H
#define PRELOAD_PRIV_H

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "ursa_app.h"
#include "ursa_app_abi.h"

/* libc's functions, found with dlsym(RTLD_NEXT) when the library loads. */
struct pl_real {
	int (*socket)(int, int, int);
	int (*close)(int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept4)(int, struct sockaddr *, socklen_t *, int);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*shutdown)(int, int);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*fcntl)(int, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	int (*dup)(int);
	int (*dup2)(int, int);
	int (*dup3)(int, int, int);
	int (*ppoll)(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *);
	int (*epoll_ctl)(int, int, int, struct epoll_event *);
	int (*epoll_pwait)(int, struct epoll_event *, int, int, const sigset_t *);
	int (*pselect)(int, fd_set *, fd_set *, fd_set *, const struct timespec *,
		       const sigset_t *);
};

/* One epoll instance that holds ursa sockets (the kernel cannot watch them). */
struct pl_epoll_ent {
	int fd;
	struct epoll_event ev;
};
struct pl_epoll {
	unsigned n, cap;
	struct pl_epoll_ent *ent;
	bool notify_added; /* the channel's notifier is in the kernel set */
};

/*
 * The library's state. An interposer has no context argument to carry it, so this is the
 * one object of the process, built when the library loads: the descriptor table (which fd
 * is an ursa socket, and which slot), the attach (made at the first socket that needs it),
 * and the epoll instances that hold ursa sockets.
 */
struct pl_state {
	struct pl_real real;
	pthread_mutex_t lock; /* the tables below (not the data path) */
	const char *path;     /* $URSA_APP_SOCKET; NULL: the library passes everything on */
	struct ursa_app *app;
	int attach_err;
	pid_t pid;    /* the process that attached (fork: the child's sockets are dead) */
	unsigned nfd; /* size of fd_slot */
	int *fd_slot; /* fd -> slot + 1 (0: not ours), -1: a socket of the parent */
	int refs[URSA_APP_NB_SLOTS];
	bool nonblock[URSA_APP_NB_SLOTS];
	struct pl_epoll **ep; /* epoll fd -> instance (nfd entries) */
};

extern struct pl_state pl;

#ifndef IPPROTO_SMC
#define IPPROTO_SMC 256 /* SMC on an AF_INET/AF_INET6 stream socket */
#endif

/* glibc's fortified entry points (-D_FORTIFY_SOURCE programs call these, not read/poll). */
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __recv_chk(int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk(int fd, void *buf, size_t len, size_t buflen, int flags, struct sockaddr *sa,
		       socklen_t *sl);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask,
		size_t fdslen);

/* The slot of an ursa socket fd, or -1 (not ours: pass it to libc). */
int pl_slot(int fd);
/* errno from a negative errno; returns -1 */
int pl_err(int neg);

/* preload_poll.c */
int pl_poll(struct pollfd *fds, nfds_t n, const struct timespec *tmo, const sigset_t *mask);
void pl_epoll_forget(int epfd);

#endif /* PRELOAD_PRIV_H */
