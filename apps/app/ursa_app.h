/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * libursa-app: the client side of ursad's app channel, for applications in other processes.
 * No DPDK: link with `pkg-config --libs libursa-app`.
 *
 * ursa_app_attach() connects to ursad's --app-socket and maps the shared memory it hands
 * out (apps/app/ursa_app_abi.h has the layout). Sockets are small integers local to the
 * attach, shaped like the socket calls: every call returns a value >= 0 or a negative errno
 * and never blocks, except ursa_app_poll() and ursa_app_wait(), which sleep on the
 * notifier eventfd (ursa_app_fd(); it works with poll/epoll: call ursa_app_arm() before
 * sleeping on it, look at ursa_app_revents() again after arming, ursa_app_disarm() after).
 * Socket calls go to ursad as commands and wait for its reply; send and recv only copy
 * into and out of the connection's rings in shared memory.
 *
 * One attach may be shared by the threads of a process: the calls take a lock. fork(): the
 * child must not use the parent's attach (ursa_app_forget() in the child drops it without
 * touching ursad's state, then it may attach anew).
 */
#ifndef URSA_APP_H
#define URSA_APP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ursa_app;

/** Attach to ursad. path NULL: $URSA_APP_SOCKET. memfd >= 0 hands in the application's own
 *  shared memory (a memfd sealed with F_SEAL_SHRINK | F_SEAL_GROW, of the size
 *  ursa_app_mem_size() gives; ursad refuses anything else); -1: ursad makes it. On refusal
 *  err (when not NULL) holds ursad's reason. Returns 0, -ENOENT/-ECONNREFUSED (no ursad),
 *  -EPROTO (ABI version), -EPERM (unsealed memory), ... */
int ursa_app_attach(const char *path, int memfd, char *err, size_t errlen, struct ursa_app **out);
/** Detach: ursad aborts the connections still open and frees everything. */
void ursa_app_detach(struct ursa_app *a);
/** In a child after fork(): free the attach's local state without telling ursad. */
void ursa_app_forget(struct ursa_app *a);

/** The notifier eventfd (readable after ursa_app_arm() once something changed). */
int ursa_app_fd(const struct ursa_app *a);
/** Ask ursad to write the notifier on the next change. Look at the sockets after it. */
void ursa_app_arm(struct ursa_app *a);
/** After waking from the notifier: drain it. */
void ursa_app_disarm(struct ursa_app *a);

int ursa_app_socket(struct ursa_app *a, int family, int type, int proto);
int ursa_app_bind(struct ursa_app *a, int s, const struct sockaddr *sa, socklen_t len);
int ursa_app_listen(struct ursa_app *a, int s, int backlog);
/** A new socket, or -EAGAIN when no connection waits. sa/len may be NULL. */
int ursa_app_accept(struct ursa_app *a, int s, struct sockaddr *sa, socklen_t *len);
/** -EINPROGRESS, then -EALREADY while it runs, 0 once connected (-EISCONN after that), or
 *  the error that ended it. */
int ursa_app_connect(struct ursa_app *a, int s, const struct sockaddr *sa, socklen_t len);
/** Bytes copied into the transmit ring, -EAGAIN when full, -EPIPE after SHUT_WR, ... */
ssize_t ursa_app_send(struct ursa_app *a, int s, const void *buf, size_t len);
/** Bytes copied out of the receive ring, 0 at end of stream, -EAGAIN. flags: MSG_PEEK. */
ssize_t ursa_app_recv(struct ursa_app *a, int s, void *buf, size_t len, int flags);
int ursa_app_shutdown(struct ursa_app *a, int s, int how);
/** Queued bytes are still sent; then the connection closes. */
int ursa_app_close(struct ursa_app *a, int s);
int ursa_app_setsockopt(struct ursa_app *a, int s, int level, int name, const void *val,
			socklen_t len);
/** SO_ERROR is answered here (the error that ended the connection, once). */
int ursa_app_getsockopt(struct ursa_app *a, int s, int level, int name, void *val, socklen_t *len);
int ursa_app_getsockname(struct ursa_app *a, int s, struct sockaddr *sa, socklen_t *len);
int ursa_app_getpeername(struct ursa_app *a, int s, struct sockaddr *sa, socklen_t *len);

/** poll(2) bits of the socket now (POLLIN, POLLOUT, POLLERR, POLLHUP, POLLRDHUP; POLLNVAL for
 *  a bad socket). No system call. */
short ursa_app_revents(struct ursa_app *a, int s);
/** Bytes waiting in the receive ring (FIONREAD). */
int ursa_app_nread(struct ursa_app *a, int s);

/** One socket to poll. */
struct ursa_app_pollfd {
	int s;
	short events;
	short revents;
};
/** Like poll(2) over the attach's sockets: timeout_ms -1 waits forever. Returns how many
 *  entries have revents, 0 on time-out. */
int ursa_app_poll(struct ursa_app *a, struct ursa_app_pollfd *fds, unsigned n, int timeout_ms);

/** Bytes of the shared memory an application hands in with ursa_app_attach(memfd). */
uint64_t ursa_app_shm_size(void);

#ifdef __cplusplus
}
#endif

#endif /* URSA_APP_H */
