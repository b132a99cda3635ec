/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock over SMC: the struct sock_ops of an IPPROTO_SMC socket. It is a TCP socket whose SYN
 * offers SMC (stack/smc's rendezvous option) and whose connection then runs stack/smc's CLC
 * handshake before the application sees it:
 *   - connect() stays in progress (-EALREADY) until the handshake ends;
 *   - a listener runs the handshake of each child as soon as TCP hands it over, and
 *     accept() returns children whose handshake has ended, in the order they ended.
 * When the handshake ends in a fallback the socket swaps its ops to sock_tcp_ops on the same
 * TCP connection (nothing was consumed but CLC), and keeps Linux's fallback reason
 * (getsockopt(SOL_SMC, URSA_SMC_FALLBACK_REASON)). When it ends with SMC the data moves
 * through stack/smc; when the TCP connection failed during it, its error is the socket's.
 */
#include <errno.h>
#include <stdlib.h>

#include "sock_priv.h"

/* A child of an SMC listener from TCP's accept to the application's. */
struct sock_smc_child {
	struct sock_smc_child *next;
	struct ursa_sock *listener;
	struct ursa_tcp_pcb *pcb;
	struct ursa_smc_conn *c;
	bool done;
};

static struct ursa_tcp_pcb *pcb_of(struct ursa_sock *s)
{
	return (struct ursa_tcp_pcb *)s->conn;
}

/* The handshake ended in a fallback: the socket is a TCP socket from now on. */
static void to_tcp(struct ursa_lcore *lc, struct ursa_sock *s, struct ursa_smc_conn *c)
{
	s->smc_fallback = ursa_smc_fallback_reason(c);
	s->smc_peer_diag = ursa_smc_peer_diag(c);
	ursa_smc_conn_free(lc, c, false);
	s->smc = NULL;
	s->ops = &sock_tcp_ops;
	sock_tcp_adopt(s);
}

static void client_done(struct ursa_lcore *lc, struct ursa_smc_conn *c, void *arg)
{
	struct ursa_sock *s = arg;

	if (ursa_smc_state(c) == URSA_SMC_FALLBACK)
		to_tcp(lc, s, c);
}

static void child_done(struct ursa_lcore *lc, struct ursa_smc_conn *c, void *arg)
{
	struct sock_smc_child *ch = arg;

	(void)lc, (void)c;
	ch->done = true;
	ch->listener->accept_ready = true;
}

static void child_free(struct ursa_lcore *lc, struct sock_smc_child *ch)
{
	enum ursa_smc_state st = ursa_smc_state(ch->c);

	ursa_smc_conn_free(lc, ch->c, true);
	if (st == URSA_SMC_FALLBACK || st == URSA_SMC_FAILED)
		ursa_tcp_abort(lc, ch->pcb);
	free(ch);
}

/* TCP has established children: start their handshakes now, not when accept() is called. */
static void listen_event(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, unsigned ev, void *arg)
{
	struct ursa_sock *s = arg;
	struct ursa_tcp_pcb *cp;

	if (s == NULL || s->conn != pcb || !(ev & URSA_TCP_EV_ACCEPT))
		return; /* a child not accepted yet inherits the listener's callback */
	while (ursa_tcp_accept(lc, pcb, &cp) == 0) {
		struct sock_smc_child *ch = calloc(1, sizeof(*ch)), **tail;

		if (ch == NULL || s->smc_nb_children >= URSA_SOCK_MAX) {
			free(ch);
			ursa_tcp_abort(lc, cp);
			continue;
		}
		ch->listener = s;
		ch->pcb = cp;
		if (ursa_smc_accept_start(lc, cp, child_done, ch, &ch->c) != 0) {
			free(ch);
			ursa_tcp_abort(lc, cp);
			continue;
		}
		ch->done = ursa_smc_state(ch->c) != URSA_SMC_HANDSHAKE;
		for (tail = &s->smc_children; *tail != NULL; tail = &(*tail)->next)
			;
		*tail = ch;
		s->smc_nb_children++;
		s->accept_ready |= ch->done;
	}
}

static int m_listen(struct ursa_lcore *lc, struct ursa_sock *s, int backlog)
{
	int rc = sock_tcp_ops.listen(lc, s, backlog);

	if (rc == 0)
		ursa_tcp_set_callback(pcb_of(s), listen_event, s);
	return rc;
}

/* The first child whose handshake ended, unlinked; NULL when none. */
static struct sock_smc_child *take_done(struct ursa_sock *s)
{
	for (struct sock_smc_child **p = &s->smc_children; *p != NULL; p = &(*p)->next)
		if ((*p)->done) {
			struct sock_smc_child *ch = *p;

			*p = ch->next;
			s->smc_nb_children--;
			return ch;
		}
	return NULL;
}

static bool any_done(const struct ursa_sock *s)
{
	for (const struct sock_smc_child *ch = s->smc_children; ch != NULL; ch = ch->next)
		if (ch->done)
			return true;
	return false;
}

static int m_accept(struct ursa_lcore *lc, struct ursa_sock *s, struct ursa_sock *child)
{
	struct sock_smc_child *ch;

	while ((ch = take_done(s)) != NULL) {
		enum ursa_smc_state st = ursa_smc_state(ch->c);

		if (st == URSA_SMC_FAILED) { /* gone before the application saw it */
			child_free(lc, ch);
			continue;
		}
		child->conn = ch->pcb;
		child->iface = ursa_tcp_iface(ch->pcb);
		child->tenant = ursa_tcp_tenant(ch->pcb);
		if (st == URSA_SMC_FALLBACK) {
			to_tcp(lc, child, ch->c);
		} else {
			child->ops = &sock_smc_ops;
			child->smc = ch->c;
		}
		free(ch);
		s->accept_ready = any_done(s);
		return 0;
	}
	s->accept_ready = false;
	return -EAGAIN;
}

static int m_connect(struct ursa_lcore *lc, struct ursa_sock *s, const struct ursa_ipaddr *a,
		     uint16_t port)
{
	int rc = sock_tcp_ops.connect(lc, s, a, port);

	if (rc != 0)
		return rc;
	rc = ursa_smc_connect_start(lc, pcb_of(s), client_done, s, &s->smc);
	if (rc != 0)
		return rc;
	if (ursa_smc_state(s->smc) == URSA_SMC_FALLBACK)
		to_tcp(lc, s, s->smc);
	return 0;
}

/* What a connection's calls give while its handshake runs or after it failed. */
static int not_active(const struct ursa_sock *s)
{
	if (s->smc == NULL || ursa_smc_state(s->smc) == URSA_SMC_HANDSHAKE)
		return -ENOTCONN;
	return ursa_smc_error(s->smc) != 0 ? ursa_smc_error(s->smc) : -EPIPE;
}

static bool active(const struct ursa_sock *s)
{
	return s->smc != NULL && ursa_smc_state(s->smc) == URSA_SMC_ACTIVE;
}

static ssize_t m_send(struct ursa_lcore *lc, struct ursa_sock *s, const void *buf, size_t len)
{
	(void)lc;
	return active(s) ? ursa_smc_send(s->smc, buf, len) : not_active(s);
}

static ssize_t m_recv(struct ursa_lcore *lc, struct ursa_sock *s, void *buf, size_t len, bool peek)
{
	(void)lc;
	return active(s) ? ursa_smc_recv(s->smc, buf, len, peek) : not_active(s);
}

static int m_shutdown(struct ursa_lcore *lc, struct ursa_sock *s, int how)
{
	(void)lc;
	return active(s) ? ursa_smc_shutdown(s->smc, how) : not_active(s);
}

static int m_close(struct ursa_lcore *lc, struct ursa_sock *s)
{
	bool abort = (s->opt_set & (1u << SOCK_OPT_LINGER0)) && s->opt[SOCK_OPT_LINGER0];
	struct sock_smc_child *ch;

	while ((ch = s->smc_children) != NULL) {
		s->smc_children = ch->next;
		child_free(lc, ch);
	}
	s->smc_nb_children = 0;
	if (s->smc == NULL)
		return sock_tcp_ops.close(lc, s);
	if (ursa_smc_state(s->smc) == URSA_SMC_FAILED) {
		ursa_smc_conn_free(lc, s->smc, true);
		ursa_tcp_abort(lc, pcb_of(s));
	} else {
		ursa_smc_conn_free(lc, s->smc, abort); /* closes the TCP connection too */
	}
	s->smc = NULL;
	s->conn = NULL;
	return 0;
}

static short m_poll(struct ursa_lcore *lc, struct ursa_sock *s)
{
	if (s->state == SOCK_LISTENING)
		return any_done(s) ? URSA_POLLIN : 0;
	if (s->smc == NULL)
		return sock_tcp_ops.poll(lc, s); /* not connected yet: as TCP */
	switch (ursa_smc_state(s->smc)) {
	case URSA_SMC_ACTIVE:
		return ursa_smc_poll(s->smc);
	case URSA_SMC_FAILED:
		return URSA_POLLERR | URSA_POLLHUP | URSA_POLLIN | URSA_POLLOUT;
	default:
		return 0; /* the handshake runs */
	}
}

static int m_error(struct ursa_sock *s)
{
	if (s->smc != NULL && ursa_smc_state(s->smc) == URSA_SMC_FAILED)
		return ursa_smc_error(s->smc);
	return sock_tcp_ops.error(s);
}

/* The rest is TCP's: under SMC there is a TCP connection, bound, listening, with options. */
static int m_open(struct ursa_lcore *lc, struct ursa_sock *s)
{
	return sock_tcp_ops.open(lc, s);
}

static int m_bind(struct ursa_lcore *lc, struct ursa_sock *s, const struct ursa_ipaddr *a,
		  uint16_t port)
{
	return sock_tcp_ops.bind(lc, s, a, port);
}

static int m_setopt(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t v)
{
	return sock_tcp_ops.setopt(lc, s, o, v);
}

static int m_getopt(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t *v)
{
	return sock_tcp_ops.getopt(lc, s, o, v);
}

static int m_local(struct ursa_sock *s, struct ursa_ipaddr *a, uint16_t *port)
{
	return sock_tcp_ops.local(s, a, port);
}

static int m_peer(struct ursa_sock *s, struct ursa_ipaddr *a, uint16_t *port)
{
	return sock_tcp_ops.peer(s, a, port);
}

static bool m_started(struct ursa_sock *s)
{
	return sock_tcp_ops.started(s);
}

const struct sock_ops sock_smc_ops = {
	.name = "smc",
	.open = m_open,
	.bind = m_bind,
	.listen = m_listen,
	.accept = m_accept,
	.connect = m_connect,
	.send = m_send,
	.recv = m_recv,
	.shutdown = m_shutdown,
	.close = m_close,
	.poll = m_poll,
	.setopt = m_setopt,
	.getopt = m_getopt,
	.error = m_error,
	.local = m_local,
	.peer = m_peer,
	.started = m_started,
};
