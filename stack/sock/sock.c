/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock: the socket calls. Handles index a per-lcore table; each call checks the handle and
 * the Linux-visible socket state (unconnected, connecting, connected, listening), converts
 * sockaddrs and option levels, then goes through the socket's transport ops (sock_tcp.c).
 *
 * Where Linux's socket layer adds meaning above TCP, it is done here with the same results:
 * connect's EINPROGRESS/EALREADY/0/EISCONN sequence, an error reported once (by SO_ERROR or
 * the next call) and then EPIPE/EOF, send on an unconnected socket giving EPIPE, recv on one
 * giving ENOTCONN.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "sock_priv.h"

static void sock_fini(struct ursa_lcore *lc)
{
	free(lc->sock);
	lc->sock = NULL;
}

int ursa_sock_init(struct ursa_lcore *lc)
{
	struct ursa_sock_ctx *ctx;
	int rc;

	if (lc->sock != NULL)
		return 0;
	if (lc->tcp == NULL)
		return -ENOPROTOOPT; /* ursa_tcp_init() first */
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return -ENOMEM;
	rc = ursa_lcore_add_fini_hook(lc, sock_fini);
	if (rc != 0) {
		free(ctx);
		return rc;
	}
	lc->sock = ctx;
	/* SMC's rendezvous option lives in stack/smc; bring it up with sockets */
	rc = lc->smc == NULL ? ursa_smc_init(lc) : 0;
	return rc == -EEXIST ? 0 : rc;
}

/* Handles are partitioned by shard: slot i of shard k is handle i * nb_shards + k, so the
 * owner of a handle is handle % nb_shards and shards never hand out the same one. A lone
 * lcore (1 shard) numbers its handles 0, 1, 2... as file descriptors are. */
static struct ursa_sock *sock_get(struct ursa_lcore *lc, int fd)
{
	struct ursa_sock *s;

	if (lc->sock == NULL || fd < 0 || (unsigned)fd % lc->nb_shards != lc->shard ||
	    (unsigned)fd / lc->nb_shards >= URSA_SOCK_MAX)
		return NULL;
	s = &lc->sock->s[(unsigned)fd / lc->nb_shards];
	return s->state == SOCK_FREE ? NULL : s;
}

static int sock_alloc(struct ursa_lcore *lc, struct ursa_sock **out)
{
	struct ursa_sock_ctx *ctx = lc->sock;

	for (int i = 0; i < URSA_SOCK_MAX; i++) {
		int slot = (ctx->next_hint + i) % URSA_SOCK_MAX;
		struct ursa_sock *s = &ctx->s[slot];

		if (s->state != SOCK_FREE)
			continue;
		memset(s, 0, sizeof(*s));
		s->state = SOCK_UNCONNECTED;
		s->iface = -1;
		ctx->nb_open++;
		/* lowest free first, as file descriptors are */
		ctx->next_hint = 0;
		*out = s;
		return slot * lc->nb_shards + lc->shard;
	}
	return -EMFILE;
}

static void sock_release(struct ursa_lcore *lc, struct ursa_sock *s)
{
	s->state = SOCK_FREE;
	s->conn = NULL;
	lc->sock->nb_open--;
}

int ursa_socket(struct ursa_lcore *lc, int family, int type, int proto)
{
	struct ursa_sock *s;
	int fd, rc;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if ((type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != SOCK_STREAM)
		return -ESOCKTNOSUPPORT;
	if (proto != 0 && proto != IPPROTO_TCP && proto != IPPROTO_SMC)
		return -EPROTONOSUPPORT;
	if ((rc = ursa_sock_init(lc)) != 0)
		return rc;
	fd = sock_alloc(lc, &s);
	if (fd < 0)
		return fd;
	s->family = (uint8_t)family;
	s->proto = proto;
	s->ops = &sock_tcp_ops;
	if (proto == IPPROTO_SMC) {
		/* a TCP socket whose SYN offers SMC, then the CLC handshake (sock_smc.c) */
		s->ops = &sock_smc_ops;
		s->opt[SOCK_OPT_SMC] = 1;
		s->opt_set |= 1u << SOCK_OPT_SMC;
	}
	rc = s->ops->open(lc, s);
	if (rc != 0) {
		sock_release(lc, s);
		return rc;
	}
	return fd;
}

/* ---- addresses ---- */

static int sa_in(const struct ursa_sock *s, const struct sockaddr *sa, socklen_t len,
		 struct ursa_ipaddr *a, uint16_t *port)
{
	memset(a, 0, sizeof(*a));
	if (sa == NULL)
		return -EFAULT;
	if (len < (socklen_t)sizeof(sa_family_t))
		return -EINVAL;
	if (sa->sa_family != s->family)
		return -EAFNOSUPPORT;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		if (len < (socklen_t)sizeof(*in))
			return -EINVAL;
		a->family = AF_INET;
		a->v4 = in->sin_addr.s_addr;
		*port = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

		if (len < (socklen_t)sizeof(*in6))
			return -EINVAL;
		a->family = AF_INET6;
		memcpy(a->v6, &in6->sin6_addr, 16);
		*port = ntohs(in6->sin6_port);
	}
	return 0;
}

static bool addr_is_any(const struct ursa_ipaddr *a)
{
	static const uint8_t zero[16];

	return a->family == AF_INET ? a->v4 == 0 : memcmp(a->v6, zero, 16) == 0;
}

static void sa_out(uint8_t family, const struct ursa_ipaddr *a, uint16_t port, struct sockaddr *sa,
		   socklen_t *len)
{
	struct sockaddr_storage ss;
	socklen_t n;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (a != NULL && a->family == AF_INET)
			in->sin_addr.s_addr = a->v4;
		n = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		if (a != NULL && a->family == AF_INET6)
			memcpy(&in6->sin6_addr, a->v6, 16);
		n = sizeof(*in6);
	}
	if (sa != NULL && len != NULL) {
		memcpy(sa, &ss, *len < n ? *len : n);
		*len = n;
	}
}

int ursa_bind(struct ursa_lcore *lc, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct ursa_sock *s = sock_get(lc, fd);
	struct ursa_ipaddr a;
	uint16_t port;
	int rc;

	if (s == NULL)
		return -EBADF;
	if ((rc = sa_in(s, sa, len, &a, &port)) != 0)
		return rc;
	if (s->bound || s->state != SOCK_UNCONNECTED)
		return -EINVAL;
	rc = s->ops->bind(lc, s, addr_is_any(&a) ? NULL : &a, port);
	if (rc == 0)
		s->bound = true;
	return rc;
}

int ursa_sock_bind_iface(struct ursa_lcore *lc, int fd, uint16_t iface)
{
	struct ursa_sock *s = sock_get(lc, fd);
	const struct ursa_iface *ifc = ursa_iface_get(lc, iface);
	int32_t old_iface;
	uint32_t old_tenant;
	int rc;

	if (s == NULL)
		return -EBADF;
	if (ifc == NULL)
		return -ENODEV;
	if (s->bound || s->state != SOCK_UNCONNECTED || s->ops->started(s))
		return -EINVAL;
	/* The transport takes the interface at creation: make the object again. */
	old_iface = s->iface;
	old_tenant = s->tenant;
	s->ops->close(lc, s);
	s->iface = iface;
	s->tenant = ifc->tenant;
	rc = s->ops->open(lc, s);
	if (rc != 0) {
		s->iface = old_iface;
		s->tenant = old_tenant;
		if (s->ops->open(lc, s) != 0)
			sock_release(lc, s); /* cannot happen unless memory ran out */
	}
	return rc;
}

int ursa_listen(struct ursa_lcore *lc, int fd, int backlog)
{
	struct ursa_sock *s = sock_get(lc, fd);
	int rc;

	if (s == NULL)
		return -EBADF;
	if (s->state != SOCK_UNCONNECTED && s->state != SOCK_LISTENING)
		return -EINVAL;
	if (backlog < 1)
		backlog = 1;
	if (backlog > 4096)
		backlog = 4096; /* Linux's somaxconn */
	rc = s->ops->listen(lc, s, backlog);
	if (rc == 0) {
		s->state = SOCK_LISTENING;
		s->bound = true;
	}
	return rc;
}

int ursa_accept(struct ursa_lcore *lc, int fd, struct sockaddr *sa, socklen_t *len)
{
	struct ursa_sock *s = sock_get(lc, fd), *c;
	struct ursa_ipaddr a;
	uint16_t port;
	int cfd, rc;

	if (s == NULL)
		return -EBADF;
	if (s->state != SOCK_LISTENING)
		return -EINVAL;
	cfd = sock_alloc(lc, &c);
	if (cfd < 0)
		return cfd;
	c->family = s->family;
	c->proto = s->proto;
	c->ops = s->ops;
	c->state = SOCK_CONNECTED;
	c->bound = true;
	c->opt_set = s->opt_set;
	memcpy(c->opt, s->opt, sizeof(c->opt));
	rc = s->ops->accept(lc, s, c);
	if (rc != 0) {
		sock_release(lc, c);
		return rc;
	}
	if (c->ops->peer(c, &a, &port) != 0)
		sa_out(c->family, NULL, 0, sa, len);
	else
		sa_out(c->family, &a, port, sa, len);
	return cfd;
}

/* The transport's error, reported once; 0 when none or already reported. */
static int take_error(struct ursa_sock *s)
{
	int err = s->ops->error(s);

	if (err == 0 || err == s->err_seen)
		return 0;
	s->err_seen = err;
	return err;
}

int ursa_connect(struct ursa_lcore *lc, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct ursa_sock *s = sock_get(lc, fd);
	struct ursa_ipaddr a;
	uint16_t port;
	int rc;

	if (s == NULL)
		return -EBADF;
	switch (s->state) {
	case SOCK_CONNECTED:
		return -EISCONN;
	case SOCK_LISTENING:
		return -EISCONN;
	case SOCK_CONNECTING:
		rc = take_error(s);
		if (rc != 0) {
			s->state = SOCK_UNCONNECTED;
			return rc;
		}
		if (s->ops->poll(lc, s) & (URSA_POLLOUT | URSA_POLLIN)) {
			/* the handshake finished since the first call */
			s->state = SOCK_CONNECTED;
			return 0;
		}
		return -EALREADY;
	default:
		break;
	}
	if ((rc = sa_in(s, sa, len, &a, &port)) != 0)
		return rc;
	if (port == 0 || addr_is_any(&a))
		return -ECONNREFUSED; /* Linux connects to a port-0/any peer and gets refused */
	rc = s->ops->connect(lc, s, &a, port);
	if (rc != 0)
		return rc;
	s->bound = true;
	s->state = SOCK_CONNECTING;
	return -EINPROGRESS;
}

ssize_t ursa_send(struct ursa_lcore *lc, int fd, const void *buf, size_t len, int flags)
{
	struct ursa_sock *s = sock_get(lc, fd);
	ssize_t rc;

	(void)flags;
	if (s == NULL)
		return -EBADF;
	if ((rc = take_error(s)) != 0)
		return rc;
	if (s->state == SOCK_UNCONNECTED || s->state == SOCK_LISTENING || s->shut_wr)
		return -EPIPE;
	if (len == 0)
		return 0;
	rc = s->ops->send(lc, s, buf, len);
	if (rc == -ENOTCONN && s->state == SOCK_CONNECTING)
		return -EAGAIN; /* still in the handshake: the data would wait */
	if (rc >= 0 && s->state == SOCK_CONNECTING)
		s->state = SOCK_CONNECTED;
	if (rc == -EPIPE || rc == -ECONNRESET || rc == -ETIMEDOUT) {
		int e = take_error(s);

		if (e != 0)
			return e;
		return -EPIPE;
	}
	return rc;
}

ssize_t ursa_recv(struct ursa_lcore *lc, int fd, void *buf, size_t len, int flags)
{
	struct ursa_sock *s = sock_get(lc, fd);
	ssize_t rc;

	if (s == NULL)
		return -EBADF;
	if (s->state == SOCK_UNCONNECTED || s->state == SOCK_LISTENING)
		return -ENOTCONN;
	if (s->shut_rd)
		return 0;
	if (len == 0)
		return 0;
	rc = s->ops->recv(lc, s, buf, len, (flags & MSG_PEEK) != 0);
	if (rc >= 0 || rc == -EAGAIN) {
		if (rc > 0 && s->state == SOCK_CONNECTING)
			s->state = SOCK_CONNECTED;
		return rc;
	}
	if (rc == -ENOTCONN && s->state == SOCK_CONNECTING && s->ops->error(s) == 0)
		return -EAGAIN;
	/* an error: report it once, then the stream is at its end */
	{
		int e = take_error(s);

		return e != 0 ? e : 0;
	}
}

int ursa_shutdown(struct ursa_lcore *lc, int fd, int how)
{
	struct ursa_sock *s = sock_get(lc, fd);
	int rc;

	if (s == NULL)
		return -EBADF;
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	if (s->state != SOCK_CONNECTED && s->state != SOCK_CONNECTING)
		return -ENOTCONN;
	rc = s->ops->shutdown(lc, s, how);
	if (rc != 0)
		return rc;
	if (how != SHUT_WR)
		s->shut_rd = true;
	if (how != SHUT_RD)
		s->shut_wr = true;
	return 0;
}

int ursa_close(struct ursa_lcore *lc, int fd)
{
	struct ursa_sock *s = sock_get(lc, fd);
	int rc;

	if (s == NULL)
		return -EBADF;
	rc = s->ops->close(lc, s);
	sock_release(lc, s);
	/* close always releases the handle, as close(2) does; the transport's verdict is
	 * informative only */
	return rc == -EBADF ? rc : 0;
}

/* ---- options ---- */

#define URSA_TCP_TIMESTAMPS_OPT 0x7501
#define URSA_TCP_SACK_OPT	0x7502
#define URSA_TCP_WSCALE_OPT	0x7503

/* level/name to a sock option; -ENOPROTOOPT when not one. */
static int opt_lookup(int level, int name, enum sock_opt *o)
{
	if (level == SOL_SOCKET) {
		switch (name) {
		case SO_SNDBUF:
			*o = SOCK_OPT_SNDBUF;
			return 0;
		case SO_RCVBUF:
			*o = SOCK_OPT_RCVBUF;
			return 0;
		case SO_KEEPALIVE:
			*o = SOCK_OPT_KEEPALIVE;
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	if (level == IPPROTO_TCP) {
		switch (name) {
		case TCP_NODELAY:
			*o = SOCK_OPT_NODELAY;
			return 0;
		case TCP_MAXSEG:
			*o = SOCK_OPT_MAXSEG;
			return 0;
		case TCP_KEEPIDLE:
			*o = SOCK_OPT_KEEPIDLE;
			return 0;
		case TCP_KEEPINTVL:
			*o = SOCK_OPT_KEEPINTVL;
			return 0;
		case TCP_KEEPCNT:
			*o = SOCK_OPT_KEEPCNT;
			return 0;
		case TCP_QUICKACK:
			*o = SOCK_OPT_QUICKACK;
			return 0;
		case URSA_TCP_TIMESTAMPS_OPT:
			*o = SOCK_OPT_TIMESTAMPS;
			return 0;
		case URSA_TCP_SACK_OPT:
			*o = SOCK_OPT_SACK;
			return 0;
		case URSA_TCP_WSCALE_OPT:
			*o = SOCK_OPT_WSCALE;
			return 0;
		default:
			return -ENOPROTOOPT;
		}
	}
	return -ENOPROTOOPT;
}

static int set_one(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t v)
{
	int rc = 0;

	if (s->conn != NULL)
		rc = s->ops->setopt(lc, s, o, v);
	if (rc == 0) {
		s->opt[o] = v;
		s->opt_set |= 1u << o;
	}
	/* Linux restarts the keep-alive timer when its times change (tcp(7) TCP_KEEPIDLE on a
	 * live connection); tcp arms it only when keep-alive is switched on, so switch it on
	 * again to apply the new time at once. */
	if (rc == 0 && s->conn != NULL && (o == SOCK_OPT_KEEPIDLE || o == SOCK_OPT_KEEPINTVL) &&
	    (s->opt_set & (1u << SOCK_OPT_KEEPALIVE)) && s->opt[SOCK_OPT_KEEPALIVE] != 0)
		rc = s->ops->setopt(lc, s, SOCK_OPT_KEEPALIVE, 1);
	return rc;
}

int ursa_setsockopt(struct ursa_lcore *lc, int fd, int level, int name, const void *val,
		    socklen_t len)
{
	struct ursa_sock *s = sock_get(lc, fd);
	enum sock_opt o;
	int iv, rc;

	if (s == NULL)
		return -EBADF;
	if (val == NULL)
		return -EFAULT;
	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger l;

		if (len < (socklen_t)sizeof(l))
			return -EINVAL;
		memcpy(&l, val, sizeof(l));
		/* A non-zero linger time cannot block here: close stays graceful in the
		 * background (the time is remembered for getsockopt). */
		rc = set_one(lc, s, SOCK_OPT_LINGER0, l.l_onoff && l.l_linger == 0);
		if (rc == 0)
			s->linger_s = l.l_onoff ? (l.l_linger > 0 ? l.l_linger : 0) : -1;
		return rc;
	}
	if (len < (socklen_t)sizeof(int))
		return -EINVAL;
	memcpy(&iv, val, sizeof(iv));
	if (level == SOL_SOCKET && name == SO_REUSEADDR)
		return 0; /* ports are not held after close except by TIME_WAIT, which tcp
			   * lets a new listener bind over, as SO_REUSEADDR would */
	if (level == SOL_SMC) {
		for (unsigned i = 0; i < s->nsmcopt; i++)
			if (s->smcopt[i].name == name) {
				s->smcopt[i].val = iv;
				return 0;
			}
		if (s->nsmcopt == sizeof(s->smcopt) / sizeof(s->smcopt[0]))
			return -ENOBUFS;
		s->smcopt[s->nsmcopt].name = name;
		s->smcopt[s->nsmcopt].val = iv;
		s->nsmcopt++;
		return 0;
	}
	if ((rc = opt_lookup(level, name, &o)) != 0)
		return rc;
	if (o == SOCK_OPT_KEEPALIVE || o == SOCK_OPT_NODELAY || o == SOCK_OPT_QUICKACK ||
	    o == SOCK_OPT_TIMESTAMPS || o == SOCK_OPT_SACK || o == SOCK_OPT_WSCALE)
		iv = iv != 0;
	return set_one(lc, s, o, iv);
}

int ursa_sock_tcp_info(struct ursa_lcore *lc, int fd, struct ursa_tcp_info *info)
{
	struct ursa_sock *s = sock_get(lc, fd);

	if (s == NULL)
		return -EBADF;
	if (info == NULL)
		return -EFAULT;
	if (s->ops != &sock_tcp_ops && s->ops != &sock_smc_ops)
		return -EOPNOTSUPP;
	if (s->conn == NULL || s->state == SOCK_UNCONNECTED || s->state == SOCK_LISTENING)
		return -ENOTCONN;
	return ursa_tcp_get_info(s->conn, info);
}

int ursa_sock_smc_peer(struct ursa_lcore *lc, int fd)
{
	struct ursa_sock *s = sock_get(lc, fd);

	if (s == NULL)
		return -EBADF;
	if (s->ops != &sock_tcp_ops && s->ops != &sock_smc_ops)
		return -EOPNOTSUPP;
	if (s->conn == NULL || s->state == SOCK_UNCONNECTED || s->state == SOCK_LISTENING)
		return -ENOTCONN;
	return ursa_smc_opt_peer(lc, s->conn) ? 1 : 0;
}

int ursa_getsockopt(struct ursa_lcore *lc, int fd, int level, int name, void *val, socklen_t *len)
{
	struct ursa_sock *s = sock_get(lc, fd);
	enum sock_opt o;
	int64_t v = 0;
	int iv, rc;

	(void)lc;
	if (s == NULL)
		return -EBADF;
	if (val == NULL || len == NULL)
		return -EFAULT;
	if (level == SOL_SOCKET && name == SO_LINGER) {
		struct linger l = {.l_onoff = s->linger_s >= 0 &&
					      (s->opt_set & (1u << SOCK_OPT_LINGER0)),
				   .l_linger = s->linger_s > 0 ? (int)s->linger_s : 0};

		if (*len < (socklen_t)sizeof(l))
			return -EINVAL;
		memcpy(val, &l, sizeof(l));
		*len = sizeof(l);
		return 0;
	}
	if (*len < (socklen_t)sizeof(int))
		return -EINVAL;
	if (level == SOL_SOCKET && name == SO_ERROR) {
		iv = -take_error(s);
	} else if (level == SOL_SMC && name == URSA_SMC_FALLBACK_REASON) {
		iv = (int)s->smc_fallback;
	} else if (level == SOL_SMC && name == URSA_SMC_PEER_DIAG) {
		iv = (int)s->smc_peer_diag;
	} else if (level == SOL_SMC) {
		rc = -ENOPROTOOPT;
		for (unsigned i = 0; i < s->nsmcopt; i++)
			if (s->smcopt[i].name == name) {
				iv = (int)s->smcopt[i].val;
				rc = 0;
			}
		if (rc != 0)
			return rc;
	} else {
		if ((rc = opt_lookup(level, name, &o)) != 0)
			return rc;
		if (s->conn != NULL) {
			if ((rc = s->ops->getopt(lc, s, o, &v)) != 0)
				return rc;
		} else {
			v = s->opt[o];
		}
		iv = (int)v;
	}
	memcpy(val, &iv, sizeof(iv));
	*len = sizeof(iv);
	return 0;
}

int ursa_getsockname(struct ursa_lcore *lc, int fd, struct sockaddr *sa, socklen_t *len)
{
	struct ursa_sock *s = sock_get(lc, fd);
	struct ursa_ipaddr a;
	uint16_t port;

	if (s == NULL)
		return -EBADF;
	if (sa == NULL || len == NULL)
		return -EFAULT;
	if (s->ops->local(s, &a, &port) != 0)
		sa_out(s->family, NULL, 0, sa, len); /* unbound: the any address, port 0 */
	else
		sa_out(s->family, &a, port, sa, len);
	(void)lc;
	return 0;
}

int ursa_getpeername(struct ursa_lcore *lc, int fd, struct sockaddr *sa, socklen_t *len)
{
	struct ursa_sock *s = sock_get(lc, fd);
	struct ursa_ipaddr a;
	uint16_t port;
	int rc;

	(void)lc;
	if (s == NULL)
		return -EBADF;
	if (sa == NULL || len == NULL)
		return -EFAULT;
	if (s->state == SOCK_UNCONNECTED || s->state == SOCK_LISTENING)
		return -ENOTCONN;
	if ((rc = s->ops->peer(s, &a, &port)) != 0)
		return rc;
	sa_out(s->family, &a, port, sa, len);
	return 0;
}

/* ---- readiness ---- */

int ursa_sock_poll(struct ursa_lcore *lc, struct ursa_pollfd *fds, unsigned n)
{
	int ready = 0;

	for (unsigned i = 0; i < n; i++) {
		struct ursa_sock *s = sock_get(lc, fds[i].fd);

		if (s == NULL) {
			fds[i].revents = fds[i].fd < 0 ? 0 : 0x020; /* POLLNVAL; <0 ignored */
		} else {
			short ev = s->ops->poll(lc, s);

			fds[i].revents =
				(short)(ev & (fds[i].events | URSA_POLLERR | URSA_POLLHUP));
		}
		if (fds[i].revents != 0)
			ready++;
	}
	return ready;
}

int ursa_sock_wait(struct ursa_lcore *lc, struct ursa_pollfd *fds, unsigned n, uint64_t timeout_ns)
{
	uint64_t start = ursa_now(lc);
	uint64_t deadline = timeout_ns > UINT64_MAX - start ? UINT64_MAX : start + timeout_ns;
	int ready, rc;

	for (;;) {
		uint64_t now;

		if ((ready = ursa_sock_poll(lc, fds, n)) != 0)
			return ready;
		now = ursa_now(lc);
		if (now >= deadline)
			return 0;
		/* The lcore runs (and naps, as its wait policy says; on a virtual clock the naps
		 * move the clock) until it does work, which may have made a socket ready. */
		if ((rc = ursa_lcore_wait(lc, deadline - now, NULL)) != 0)
			return rc;
	}
}
