/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock over TCP: the struct sock_ops of a plain TCP socket, mapping each socket call onto a
 * PCB of stack/tcp and its readiness callback onto poll(2)-style bits.
 *
 * Readiness is computed from the PCB's state and buffers when asked (ursa_sock_poll), so it
 * is exact; the callback only records what the PCB cannot be asked later: that a listener
 * has an established child waiting.
 */
#include <errno.h>
#include <sys/socket.h>

#include "sock_priv.h"

static struct ursa_tcp_pcb *pcb_of(struct ursa_sock *s)
{
	return (struct ursa_tcp_pcb *)s->conn;
}

static void tcp_event(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, unsigned events, void *arg)
{
	struct ursa_sock *s = arg;

	(void)lc;
	/* A child not yet accepted inherits the listener's callback and arg: ignore it. */
	if (s == NULL || s->conn != pcb)
		return;
	/* EV_CONNECTED needs no note: connect() asks the state (and reports 0 once, as
	 * Linux does, before EISCONN). */
	if (events & URSA_TCP_EV_ACCEPT)
		s->accept_ready = true;
}

void sock_tcp_adopt(struct ursa_sock *s)
{
	ursa_tcp_set_callback(pcb_of(s), tcp_event, s);
}

static const enum ursa_tcp_opt opt_map[SOCK_OPT_MAX] = {
	[SOCK_OPT_NODELAY] = URSA_TCP_OPT_NODELAY,
	[SOCK_OPT_SNDBUF] = URSA_TCP_OPT_SNDBUF,
	[SOCK_OPT_RCVBUF] = URSA_TCP_OPT_RCVBUF,
	[SOCK_OPT_KEEPALIVE] = URSA_TCP_OPT_KEEPALIVE,
	[SOCK_OPT_KEEPIDLE] = URSA_TCP_OPT_KEEPIDLE,
	[SOCK_OPT_KEEPINTVL] = URSA_TCP_OPT_KEEPINTVL,
	[SOCK_OPT_KEEPCNT] = URSA_TCP_OPT_KEEPCNT,
	[SOCK_OPT_LINGER0] = URSA_TCP_OPT_LINGER0,
	[SOCK_OPT_MAXSEG] = URSA_TCP_OPT_MAXSEG,
	[SOCK_OPT_QUICKACK] = URSA_TCP_OPT_QUICKACK,
	[SOCK_OPT_TIMESTAMPS] = URSA_TCP_OPT_TIMESTAMPS,
	[SOCK_OPT_SACK] = URSA_TCP_OPT_SACK,
	[SOCK_OPT_WSCALE] = URSA_TCP_OPT_WSCALE,
};

static int t_setopt(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t v)
{
	if (o == SOCK_OPT_SMC) /* not TCP's: the option hook's state */
		return ursa_smc_opt_want(lc, pcb_of(s), v != 0);
	return ursa_tcp_setopt(lc, pcb_of(s), opt_map[o], v);
}

static int t_getopt(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t *v)
{
	if (o == SOCK_OPT_SMC) {
		*v = ursa_smc_opt_wanted(lc, pcb_of(s));
		return 0;
	}
	return ursa_tcp_getopt(pcb_of(s), opt_map[o], v);
}

static int t_open(struct ursa_lcore *lc, struct ursa_sock *s)
{
	struct ursa_tcp_pcb *pcb;
	int rc = ursa_tcp_create(lc, s->tenant, s->iface, s->family, &pcb);

	if (rc != 0)
		return rc;
	s->conn = pcb;
	ursa_tcp_set_callback(pcb, tcp_event, s);
	/* options the user set before the connection object existed (bind_iface re-opens) */
	for (unsigned o = 0; o < SOCK_OPT_MAX; o++) {
		if (!(s->opt_set & (1u << o)))
			continue;
		rc = t_setopt(lc, s, (enum sock_opt)o, s->opt[o]);
		if (rc != 0) {
			ursa_tcp_abort(lc, pcb);
			s->conn = NULL;
			return rc;
		}
	}
	return 0;
}

static int t_bind(struct ursa_lcore *lc, struct ursa_sock *s, const struct ursa_ipaddr *a,
		  uint16_t port)
{
	return ursa_tcp_bind(lc, pcb_of(s), a, port);
}

static int t_listen(struct ursa_lcore *lc, struct ursa_sock *s, int backlog)
{
	return ursa_tcp_listen(lc, pcb_of(s), backlog);
}

static int t_accept(struct ursa_lcore *lc, struct ursa_sock *s, struct ursa_sock *child)
{
	struct ursa_tcp_pcb *c;
	int rc = ursa_tcp_accept(lc, pcb_of(s), &c);

	if (rc == -EAGAIN)
		s->accept_ready = false;
	if (rc != 0)
		return rc;
	child->conn = c;
	child->iface = ursa_tcp_iface(c);
	child->tenant = ursa_tcp_tenant(c);
	ursa_tcp_set_callback(c, tcp_event, child);
	return 0;
}

static int t_connect(struct ursa_lcore *lc, struct ursa_sock *s, const struct ursa_ipaddr *a,
		     uint16_t port)
{
	return ursa_tcp_connect(lc, pcb_of(s), a, port);
}

static ssize_t t_send(struct ursa_lcore *lc, struct ursa_sock *s, const void *buf, size_t len)
{
	return ursa_tcp_send(lc, pcb_of(s), buf, len, 0);
}

static ssize_t t_recv(struct ursa_lcore *lc, struct ursa_sock *s, void *buf, size_t len, bool peek)
{
	return ursa_tcp_recv(lc, pcb_of(s), buf, len, peek ? URSA_TCP_RECV_PEEK : 0);
}

static int t_shutdown(struct ursa_lcore *lc, struct ursa_sock *s, int how)
{
	return ursa_tcp_shutdown(lc, pcb_of(s), how);
}

static int t_close(struct ursa_lcore *lc, struct ursa_sock *s)
{
	struct ursa_tcp_pcb *pcb = pcb_of(s);
	int rc;

	ursa_tcp_set_callback(pcb, NULL, NULL);
	rc = ursa_tcp_close(lc, pcb);
	s->conn = NULL;
	return rc;
}

/* Has the peer's FIN arrived (the states after it in RFC 9293 §3.3.2)? */
static bool fin_received(enum ursa_tcp_state st)
{
	return st == URSA_TCP_CLOSE_WAIT || st == URSA_TCP_LAST_ACK || st == URSA_TCP_CLOSING ||
	       st == URSA_TCP_TIME_WAIT;
}

static short t_poll(struct ursa_lcore *lc, struct ursa_sock *s)
{
	struct ursa_tcp_pcb *pcb = pcb_of(s);
	enum ursa_tcp_state st = ursa_tcp_get_state(pcb);
	int err = ursa_tcp_error(pcb);
	short ev = 0;

	(void)lc;
	if (s->state == SOCK_LISTENING)
		return s->accept_ready ? URSA_POLLIN : 0;
	if (err != 0 && err != s->err_seen)
		ev |= URSA_POLLERR;
	if (st == URSA_TCP_CLOSED && s->state != SOCK_UNCONNECTED)
		ev |= URSA_POLLHUP | URSA_POLLIN | URSA_POLLRDHUP | URSA_POLLOUT;
	if (s->state == SOCK_UNCONNECTED && st == URSA_TCP_CLOSED)
		ev |= URSA_POLLHUP | URSA_POLLOUT; /* as Linux: an unconnected socket polls HUP */
	if (ursa_tcp_readable(pcb) > 0 || s->shut_rd)
		ev |= URSA_POLLIN;
	if (fin_received(st))
		ev |= URSA_POLLIN | URSA_POLLRDHUP;
	if ((st == URSA_TCP_ESTABLISHED || st == URSA_TCP_CLOSE_WAIT) && !s->shut_wr &&
	    ursa_tcp_writable(pcb) > 0)
		ev |= URSA_POLLOUT;
	if (s->shut_wr && fin_received(st))
		ev |= URSA_POLLHUP;
	if (s->shut_wr && st != URSA_TCP_SYN_SENT)
		ev |= URSA_POLLOUT; /* Linux: a shut writer polls writable (send gives EPIPE) */
	return ev;
}

static int t_error(struct ursa_sock *s)
{
	return ursa_tcp_error(pcb_of(s));
}

static int t_local(struct ursa_sock *s, struct ursa_ipaddr *a, uint16_t *port)
{
	return ursa_tcp_local(pcb_of(s), a, port);
}

static int t_peer(struct ursa_sock *s, struct ursa_ipaddr *a, uint16_t *port)
{
	return ursa_tcp_peer(pcb_of(s), a, port);
}

static bool t_started(struct ursa_sock *s)
{
	return ursa_tcp_get_state(pcb_of(s)) != URSA_TCP_CLOSED || s->state != SOCK_UNCONNECTED;
}

const struct sock_ops sock_tcp_ops = {
	.name = "tcp",
	.open = t_open,
	.bind = t_bind,
	.listen = t_listen,
	.accept = t_accept,
	.connect = t_connect,
	.send = t_send,
	.recv = t_recv,
	.shutdown = t_shutdown,
	.close = t_close,
	.poll = t_poll,
	.setopt = t_setopt,
	.getopt = t_getopt,
	.error = t_error,
	.local = t_local,
	.peer = t_peer,
	.started = t_started,
};
