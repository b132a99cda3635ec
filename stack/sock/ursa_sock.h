/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * sock: the in-process socket API of libursa.
 *
 * A socket is a small integer handle (>= 0) local to one lcore; handle % nb_shards is the
 * shard that gave it out, so the shards of one stack never hand out the same handle (a lone
 * lcore numbers them 0, 1, 2... as file descriptors are). Every call is non-blocking:
 * a call that would wait returns -EAGAIN (or -EINPROGRESS for connect), and readiness is
 * asked with ursa_sock_poll() (one look) or ursa_sock_wait() (polls the lcore until
 * something is ready or the time is up). Errors are negative errnos, as the Linux calls
 * would set errno: -EBADF, -ENOTCONN, -EPIPE, -ECONNRESET, -ECONNREFUSED, -ETIMEDOUT, ...
 *
 * Addresses are ordinary struct sockaddr_in / sockaddr_in6; options use the ordinary
 * levels and names (SOL_SOCKET SO_SNDBUF/SO_RCVBUF/SO_KEEPALIVE/SO_LINGER/SO_ERROR,
 * IPPROTO_TCP TCP_NODELAY/TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT/TCP_MAXSEG), so code and
 * scripts written for Linux sockets read the same. SOL_SMC options are kept per socket and
 * handed to the SMC transport when it exists.
 *
 * The connection object behind a handle is transport-neutral: each socket has an ops
 * table (today TCP; SMC connections will plug in the same way and fall back to TCP).
 */
#ifndef URSA_SOCK_H
#define URSA_SOCK_H

#include <sys/socket.h>
#include <sys/types.h>

#include "ursa_core.h"

#ifndef IPPROTO_SMC
#define IPPROTO_SMC 256 /**< choose SMC on an AF_INET/AF_INET6 stream socket */
#endif
/** getsockopt(SOL_SMC, ...) of an IPPROTO_SMC socket, an int: why it fell back to TCP
 *  (Linux's reason codes: 0x03010000 the peer did not offer/echo SMC, 0x03030000 no SMC
 *  device, 0x05000000 the peer declined, ...; 0 while SMC is used or not decided), and the
 *  reason code of the peer's Decline (0 when none came). */
#define URSA_SMC_FALLBACK_REASON 0x7601
#define URSA_SMC_PEER_DIAG	 0x7602
#ifndef SOL_SMC
#define SOL_SMC 286
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_SOCK_MAX 1024 /**< sockets per lcore */

/** Readiness bits (the same meaning as poll(2)'s). */
#define URSA_POLLIN    0x001  /**< readable: data, EOF, or a connection to accept */
#define URSA_POLLOUT   0x004  /**< writable: send buffer space, or connect finished */
#define URSA_POLLERR   0x008  /**< a pending error (SO_ERROR) */
#define URSA_POLLHUP   0x010  /**< both directions closed (or reset) */
#define URSA_POLLRDHUP 0x2000 /**< the peer sent FIN */

struct ursa_pollfd {
	int fd;
	short events;
	short revents;
};

/** Create the sock context on lc (called by ursa_socket() when not done before). */
int ursa_sock_init(struct ursa_lcore *lc);

/** family AF_INET or AF_INET6; type SOCK_STREAM (SOCK_NONBLOCK/SOCK_CLOEXEC accepted and
 *  ignored: every socket is non-blocking); proto 0, IPPROTO_TCP or IPPROTO_SMC. Returns a
 *  handle >= 0, -EAFNOSUPPORT, -EPROTONOSUPPORT, -ESOCKTNOSUPPORT or -EMFILE. */
int ursa_socket(struct ursa_lcore *lc, int family, int type, int proto);
/** Port 0 picks an ephemeral port; the address must be unspecified or one of the lcore's
 *  (-EADDRNOTAVAIL); -EADDRINUSE when taken; -EINVAL when already bound. */
int ursa_bind(struct ursa_lcore *lc, int fd, const struct sockaddr *sa, socklen_t len);
/** Restrict the socket to one interface (and so to its tenant): listeners see only
 *  connections arriving there, connections leave there. Before bind/listen/connect. */
int ursa_sock_bind_iface(struct ursa_lcore *lc, int fd, uint16_t iface);
int ursa_listen(struct ursa_lcore *lc, int fd, int backlog);
/** A new handle for an established connection, or -EAGAIN. sa/len may be NULL. */
int ursa_accept(struct ursa_lcore *lc, int fd, struct sockaddr *sa, socklen_t *len);
/** -EINPROGRESS when the handshake started; later calls give -EALREADY while it runs, 0
 *  once connected (or -EISCONN after that), or the error that ended it. */
int ursa_connect(struct ursa_lcore *lc, int fd, const struct sockaddr *sa, socklen_t len);
/** Bytes queued (may be fewer than len), -EAGAIN when the send buffer is full, -EPIPE
 *  after shutdown(SHUT_WR)/close, -ENOTCONN, -ECONNRESET. flags: MSG_NOSIGNAL accepted. */
ssize_t ursa_send(struct ursa_lcore *lc, int fd, const void *buf, size_t len, int flags);
/** Bytes read, 0 at end of stream, -EAGAIN when nothing is there yet. flags: MSG_PEEK. */
ssize_t ursa_recv(struct ursa_lcore *lc, int fd, void *buf, size_t len, int flags);
/** how: SHUT_RD, SHUT_WR (FIN after queued data), SHUT_RDWR. */
int ursa_shutdown(struct ursa_lcore *lc, int fd, int how);
/** Release the handle. The connection closes gracefully in the background, or is reset
 *  at once with SO_LINGER {1, 0}, or when unread data is discarded (RFC 2525 §2.17). */
int ursa_close(struct ursa_lcore *lc, int fd);
int ursa_setsockopt(struct ursa_lcore *lc, int fd, int level, int name, const void *val,
		    socklen_t len);
int ursa_getsockopt(struct ursa_lcore *lc, int fd, int level, int name, void *val, socklen_t *len);
int ursa_getsockname(struct ursa_lcore *lc, int fd, struct sockaddr *sa, socklen_t *len);
int ursa_getpeername(struct ursa_lcore *lc, int fd, struct sockaddr *sa, socklen_t *len);

struct ursa_tcp_info;
/** The TCP variables of a connected or connecting TCP socket (what getsockopt(TCP_INFO)
 *  gives on Linux): -EBADF, -EOPNOTSUPP when the socket is not TCP, -ENOTCONN before
 *  connect()/accept() gave it a connection. */
int ursa_sock_tcp_info(struct ursa_lcore *lc, int fd, struct ursa_tcp_info *info);
/** 1 when the peer's SYN (accepted socket) or SYN-ACK (connecting socket) carried the SMC
 *  option (RFC 7609 §3.1), so SMC may go on; 0 when not (fallback to TCP; always after a SYN
 *  cookie); -EBADF, -EOPNOTSUPP (not TCP), -ENOTCONN (no connection yet). */
int ursa_sock_smc_peer(struct ursa_lcore *lc, int fd);

/** Fill revents of each entry (POLLERR/POLLHUP always reported; an invalid handle gets
 *  POLLNVAL 0x020); returns how many entries have revents != 0. Does not poll the lcore. */
int ursa_sock_poll(struct ursa_lcore *lc, struct ursa_pollfd *fds, unsigned n);
/** Run the lcore in ursa_lcore_wait() (polling, napping as its wait policy says) until
 *  ursa_sock_poll() reports something or timeout_ns passes (0: look once; UINT64_MAX:
 *  forever). Returns the count, 0 on time-out, or the negative errno of ursa_lcore_wait. */
int ursa_sock_wait(struct ursa_lcore *lc, struct ursa_pollfd *fds, unsigned n, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* URSA_SOCK_H */
