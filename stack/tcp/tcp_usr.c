/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp user requests: the public socket-shaped API (create, bind, listen, connect, accept,
 * send, recv, shutdown, close, abort), options, and state/info queries. RFC 9293 §3.10.1-6
 * says what each call does in each state.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tcp_priv.h"

#define TCP_BUF_MAX (64u << 20)

static bool synchronised(enum ursa_tcp_state s)
{
	return s >= URSA_TCP_ESTABLISHED;
}

int ursa_tcp_create(struct ursa_lcore *lc, uint32_t tenant, int32_t iface, uint8_t family,
		    struct ursa_tcp_pcb **out)
{
	if (lc->tcp == NULL)
		return -ENODEV;
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (iface >= 0) {
		const struct ursa_iface *ifc = ursa_iface_get(lc, (uint16_t)iface);

		if (iface > UINT16_MAX || ifc == NULL || ifc->tenant != tenant)
			return -EINVAL;
	} else if (iface != -1) {
		return -EINVAL;
	}
	return tcp_pcb_alloc(lc, tenant, iface, family, out);
}

void ursa_tcp_set_callback(struct ursa_tcp_pcb *pcb, ursa_tcp_event_cb_t cb, void *arg)
{
	pcb->cb = cb;
	pcb->cb_arg = arg;
}

void *ursa_tcp_get_arg(const struct ursa_tcp_pcb *pcb)
{
	return pcb->cb_arg;
}

/* Is a a usable local address of the PCB's tenant (and bound interface)? */
static bool local_addr_ok(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb,
			  const struct ursa_ipaddr *a)
{
	for (uint16_t i = 0; i < lc->nb_ifaces; i++) {
		const struct ursa_iface *ifc = &lc->ifaces[i];

		if (ifc->tenant != pcb->tenant ||
		    (pcb->bound_iface >= 0 && pcb->bound_iface != (int32_t)i))
			continue;
		if (ursa_iface_has_addr(ifc, a) != NULL)
			return true;
	}
	return false;
}

int ursa_tcp_bind(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct ursa_ipaddr *addr,
		  uint16_t port)
{
	struct ursa_ipaddr any = {.family = 0};

	if (pcb->state != URSA_TCP_CLOSED || pcb->bound)
		return -EINVAL;
	if (addr != NULL && addr->family != 0) {
		if (addr->family != pcb->family)
			return -EAFNOSUPPORT;
		if (!local_addr_ok(lc, pcb, addr))
			return -EADDRNOTAVAIL;
	} else {
		addr = &any;
	}
	if (port == 0) {
		int rc;

		pcb->laddr = *addr;
		rc = tcp_port_pick(lc, pcb);
		if (rc != 0) {
			pcb->laddr = any;
			return rc;
		}
	} else {
		if (tcp_port_in_use(lc, pcb, addr, port))
			return -EADDRINUSE;
		pcb->lport = port;
	}
	pcb->laddr = *addr;
	pcb->bound = true;
	return 0;
}

int ursa_tcp_listen(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, int backlog)
{
	int rc;

	if (pcb->state == URSA_TCP_LISTEN) {
		pcb->backlog = backlog < 1 ? 1 : (uint32_t)backlog;
		return 0;
	}
	if (pcb->state != URSA_TCP_CLOSED || pcb->faddr.family != 0 || pcb->released)
		return -EINVAL;
	if (!pcb->bound && (rc = ursa_tcp_bind(lc, pcb, NULL, 0)) != 0)
		return rc;
	pcb->backlog = backlog < 1 ? 1 : (uint32_t)backlog;
	pcb->state = URSA_TCP_LISTEN;
	TAILQ_INSERT_TAIL(&lc->tcp->listeners, pcb, q_link);
	pcb->on_listen_list = true;
	return 0;
}

int ursa_tcp_connect(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct ursa_ipaddr *dst,
		     uint16_t port)
{
	struct ursa_ip_tx tx;
	struct ursa_iface *ifc;
	struct ursa_ipaddr nh, src;
	int rc;

	if (pcb->state == URSA_TCP_SYN_SENT || pcb->state == URSA_TCP_SYN_RCVD)
		return -EALREADY;
	if (pcb->state != URSA_TCP_CLOSED)
		return pcb->state == URSA_TCP_LISTEN ? -EINVAL : -EISCONN;
	if (pcb->faddr.family != 0 || pcb->err != 0)
		return -EINVAL; /* a PCB is connected once */
	if (dst == NULL || port == 0)
		return -EINVAL;
	if (dst->family != pcb->family)
		return -EAFNOSUPPORT;
	memset(&tx, 0, sizeof(tx));
	tx.dst = *dst;
	tx.src = pcb->laddr;
	tx.proto = IPPROTO_TCP;
	tx.tenant = pcb->tenant;
	tx.iface = pcb->bound_iface;
	rc = ursa_ip_route(lc, &tx, &ifc, &nh, &src);
	if (rc != 0)
		return rc;
	pcb->iface = ifc->index;
	if (pcb->laddr.family == 0)
		pcb->laddr = src;
	pcb->faddr = *dst;
	pcb->fport = port;
	if (!pcb->bound) {
		rc = tcp_port_pick(lc, pcb);
		if (rc != 0)
			goto unset;
		pcb->bound = true;
	}
	rc = tcp_pcb_buffers(pcb);
	if (rc != 0)
		goto unset;
	rc = tcp_table_insert(lc, pcb);
	if (rc != 0)
		goto unset;
	pcb->iss = tcp_isn(lc, pcb);
	pcb->snd_una = pcb->snd_nxt = pcb->snd_max = pcb->iss;
	pcb->recover = pcb->high_rxt = pcb->time_lost_below = pcb->iss;
	pcb->ts_offset = (uint32_t)tcp_siphash(lc->tcp->secret, &pcb->faddr, sizeof(pcb->faddr)) ^
			 ursa_secret_u32(&lc->secret);
	pcb->rcv_mss = tcp_mss_for(lc, pcb);
	pcb->snd_mss = pcb->rcv_mss;
	pcb->rcv_wscale = 0;
	if (pcb->ws_want)
		while (pcb->rcv_wscale < TCP_MAX_WSCALE && (pcb->rcvbuf >> pcb->rcv_wscale) > 65535)
			pcb->rcv_wscale++;
	pcb->last_rx_ns = ursa_now(lc);
	pcb->state = URSA_TCP_SYN_SENT;
	TCP_INC(lc, TCP_C_conn_active);
	pcb->rtt_timing = true;
	pcb->rtt_seq = pcb->iss;
	pcb->rtt_start_ns = ursa_now(lc);
	tcp_output(lc, pcb);
	return 0;

unset:
	pcb->faddr.family = 0;
	pcb->fport = 0;
	pcb->iface = pcb->bound_iface;
	return rc;
}

int ursa_tcp_accept(struct ursa_lcore *lc, struct ursa_tcp_pcb *l, struct ursa_tcp_pcb **out)
{
	struct ursa_tcp_pcb *c;

	(void)lc;
	if (l->state != URSA_TCP_LISTEN)
		return -EINVAL;
	c = TAILQ_FIRST(&l->acceptq);
	if (c == NULL)
		return -EAGAIN;
	TAILQ_REMOVE(&l->acceptq, c, q_link);
	c->in_acceptq = false;
	l->naccept--;
	c->listener = NULL;
	*out = c;
	return 0;
}

ssize_t ursa_tcp_send(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const void *buf, size_t len,
		      unsigned flags)
{
	uint32_t room, n;

	if (pcb->err != 0)
		return pcb->state == URSA_TCP_CLOSED ? -EPIPE : pcb->err;
	if (pcb->shut_wr)
		return -EPIPE;
	if (pcb->state != URSA_TCP_ESTABLISHED && pcb->state != URSA_TCP_CLOSE_WAIT)
		return synchronised(pcb->state) ? -EPIPE : -ENOTCONN;
	if (len == 0)
		return 0;
	room = pcb->sndq.size - pcb->sndq.len;
	if (room == 0) {
		pcb->want_write = true;
		return -EAGAIN;
	}
	n = len < room ? (uint32_t)len : room;
	tcp_ring_put(&pcb->sndq, pcb->sndq.len, buf, n);
	pcb->sndq.len += n;
	if (n < len)
		pcb->want_write = true;
	pcb->more = (flags & URSA_TCP_SEND_MORE) != 0;
	tcp_output(lc, pcb);
	return (ssize_t)n;
}

ssize_t ursa_tcp_recv(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, void *buf, size_t len,
		      unsigned flags)
{
	uint32_t n;

	if (pcb->rcvq.buf != NULL && pcb->rcvq.len > 0) {
		uint32_t before, after;

		n = len < pcb->rcvq.len ? (uint32_t)len : pcb->rcvq.len;
		tcp_ring_get(&pcb->rcvq, 0, buf, n);
		if (flags & URSA_TCP_RECV_PEEK)
			return (ssize_t)n;
		before = SEQ_GT(pcb->rcv_adv, pcb->rcv_nxt) ? pcb->rcv_adv - pcb->rcv_nxt : 0;
		tcp_ring_consume(&pcb->rcvq, n);
		after = tcp_rcv_window(pcb);
		/* Window update when it opened by two segments or half the buffer
		 * (RFC 9293 §3.8.6.2.2). */
		if (synchronised(pcb->state) && !pcb->rcvd_fin && after > before &&
		    (after - before >= 2u * pcb->rcv_mss || after - before >= pcb->rcvbuf / 2)) {
			pcb->ack_now = true;
			tcp_output(lc, pcb);
		}
		return (ssize_t)n;
	}
	if (pcb->rcvd_fin)
		return 0;
	if (pcb->err != 0)
		return pcb->err;
	if (!synchronised(pcb->state))
		return -ENOTCONN;
	return -EAGAIN;
}

size_t ursa_tcp_readable(const struct ursa_tcp_pcb *pcb)
{
	return pcb->rcvq.buf != NULL ? pcb->rcvq.len : 0;
}

size_t ursa_tcp_writable(const struct ursa_tcp_pcb *pcb)
{
	if (pcb->shut_wr || pcb->err != 0 ||
	    (pcb->state != URSA_TCP_ESTABLISHED && pcb->state != URSA_TCP_CLOSE_WAIT))
		return 0;
	return pcb->sndq.size - pcb->sndq.len;
}

int ursa_tcp_shutdown(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, int how)
{
	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	if (!synchronised(pcb->state) && pcb->state != URSA_TCP_SYN_RCVD &&
	    pcb->state != URSA_TCP_SYN_SENT)
		return -ENOTCONN;
	if (how == SHUT_RD || how == SHUT_RDWR) {
		pcb->shut_rd = true;
		if (pcb->rcvq.buf != NULL)
			tcp_ring_consume(&pcb->rcvq, pcb->rcvq.len);
	}
	if (how == SHUT_WR || how == SHUT_RDWR) {
		if (pcb->state == URSA_TCP_SYN_SENT) {
			tcp_drop(lc, pcb, 0);
			return 0;
		}
		pcb->shut_wr = true;
		pcb->more = false;
		tcp_output(lc, pcb);
	}
	return 0;
}

int ursa_tcp_close(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	pcb->released = true;
	pcb->cb = NULL;
	switch (pcb->state) {
	case URSA_TCP_CLOSED:
	case URSA_TCP_LISTEN:
	case URSA_TCP_SYN_SENT:
		tcp_pcb_free(lc, pcb);
		return 0;
	default:
		break;
	}
	if (pcb->linger0 || (pcb->rcvq.buf != NULL && pcb->rcvq.len > 0)) {
		/* SO_LINGER 0, or unread data (RFC 2525 §2.17): abort with RST. */
		tcp_send_rst(lc, pcb);
		tcp_pcb_free(lc, pcb);
		return 0;
	}
	switch (pcb->state) {
	case URSA_TCP_SYN_RCVD:
	case URSA_TCP_ESTABLISHED:
	case URSA_TCP_CLOSE_WAIT:
		pcb->shut_wr = true;
		pcb->more = false;
		tcp_output(lc, pcb);
		break;
	case URSA_TCP_FIN_WAIT_2:
		tcp_finwait2_arm(lc, pcb);
		break;
	default:
		break;
	}
	return 0;
}

void ursa_tcp_abort(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	pcb->released = true;
	if (synchronised(pcb->state) || pcb->state == URSA_TCP_SYN_RCVD)
		tcp_send_rst(lc, pcb);
	tcp_pcb_free(lc, pcb);
}

void ursa_tcp_reset(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	if (pcb->state == URSA_TCP_LISTEN || pcb->state == URSA_TCP_CLOSED)
		return;
	if (synchronised(pcb->state) || pcb->state == URSA_TCP_SYN_RCVD)
		tcp_send_rst(lc, pcb);
	tcp_drop(lc, pcb, -ECONNRESET);
}

int ursa_tcp_error(const struct ursa_tcp_pcb *pcb)
{
	return pcb->err;
}

enum ursa_tcp_state ursa_tcp_get_state(const struct ursa_tcp_pcb *pcb)
{
	return pcb->state;
}

int ursa_tcp_local(const struct ursa_tcp_pcb *pcb, struct ursa_ipaddr *addr, uint16_t *port)
{
	if (!pcb->bound)
		return -ENOTCONN;
	if (addr != NULL)
		*addr = pcb->laddr;
	if (port != NULL)
		*port = pcb->lport;
	return 0;
}

int ursa_tcp_peer(const struct ursa_tcp_pcb *pcb, struct ursa_ipaddr *addr, uint16_t *port)
{
	if (pcb->faddr.family == 0)
		return -ENOTCONN;
	if (addr != NULL)
		*addr = pcb->faddr;
	if (port != NULL)
		*port = pcb->fport;
	return 0;
}

int32_t ursa_tcp_iface(const struct ursa_tcp_pcb *pcb)
{
	return pcb->iface;
}

uint32_t ursa_tcp_tenant(const struct ursa_tcp_pcb *pcb)
{
	return pcb->tenant;
}

static bool before_syn(const struct ursa_tcp_pcb *pcb)
{
	return pcb->state == URSA_TCP_CLOSED || pcb->state == URSA_TCP_LISTEN;
}

int ursa_tcp_setopt(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, enum ursa_tcp_opt opt,
		    int64_t val)
{
	switch (opt) {
	case URSA_TCP_OPT_NODELAY:
		pcb->nodelay = val != 0;
		if (pcb->nodelay && synchronised(pcb->state))
			tcp_output(lc, pcb);
		return 0;
	case URSA_TCP_OPT_SNDBUF:
	case URSA_TCP_OPT_RCVBUF:
		if (val < 1024 || val > TCP_BUF_MAX)
			return -EINVAL;
		if (pcb->sndq.buf != NULL || !before_syn(pcb) || pcb->faddr.family != 0)
			return -EISCONN;
		if (opt == URSA_TCP_OPT_SNDBUF)
			pcb->sndbuf = (uint32_t)val;
		else
			pcb->rcvbuf = (uint32_t)val;
		return 0;
	case URSA_TCP_OPT_KEEPALIVE:
		pcb->keepalive = val != 0;
		if (pcb->keepalive && synchronised(pcb->state)) {
			pcb->keep_probes = 0;
			tcp_keep_arm(lc, pcb);
		} else if (!pcb->keepalive && pcb->state != URSA_TCP_TIME_WAIT) {
			ursa_timer_cancel(lc, &pcb->keep_timer);
		}
		return 0;
	case URSA_TCP_OPT_KEEPIDLE:
	case URSA_TCP_OPT_KEEPINTVL:
	case URSA_TCP_OPT_KEEPCNT:
		if (val < 1 || val > 86400 * 365)
			return -EINVAL;
		if (opt == URSA_TCP_OPT_KEEPIDLE)
			pcb->keep_idle_s = (uint32_t)val;
		else if (opt == URSA_TCP_OPT_KEEPINTVL)
			pcb->keep_intvl_s = (uint32_t)val;
		else
			pcb->keep_cnt = (uint32_t)val;
		return 0;
	case URSA_TCP_OPT_LINGER0:
		pcb->linger0 = val != 0;
		return 0;
	case URSA_TCP_OPT_MAXSEG:
		if (val < 88 || val > 65495)
			return -EINVAL;
		if (!before_syn(pcb) || pcb->faddr.family != 0)
			return -EISCONN;
		pcb->user_mss = (uint16_t)val;
		return 0;
	case URSA_TCP_OPT_QUICKACK:
		pcb->quickack = val != 0;
		return 0;
	case URSA_TCP_OPT_TIMESTAMPS:
	case URSA_TCP_OPT_SACK:
	case URSA_TCP_OPT_WSCALE:
		if (!before_syn(pcb) || pcb->faddr.family != 0)
			return -EISCONN;
		if (opt == URSA_TCP_OPT_TIMESTAMPS)
			pcb->ts_want = val != 0;
		else if (opt == URSA_TCP_OPT_SACK)
			pcb->sack_want = val != 0;
		else
			pcb->ws_want = val != 0;
		return 0;
	default:
		return -EINVAL;
	}
}

int ursa_tcp_getopt(const struct ursa_tcp_pcb *pcb, enum ursa_tcp_opt opt, int64_t *val)
{
	switch (opt) {
	case URSA_TCP_OPT_NODELAY:
		*val = pcb->nodelay;
		return 0;
	case URSA_TCP_OPT_SNDBUF:
		*val = pcb->sndbuf;
		return 0;
	case URSA_TCP_OPT_RCVBUF:
		*val = pcb->rcvbuf;
		return 0;
	case URSA_TCP_OPT_KEEPALIVE:
		*val = pcb->keepalive;
		return 0;
	case URSA_TCP_OPT_KEEPIDLE:
		*val = pcb->keep_idle_s;
		return 0;
	case URSA_TCP_OPT_KEEPINTVL:
		*val = pcb->keep_intvl_s;
		return 0;
	case URSA_TCP_OPT_KEEPCNT:
		*val = pcb->keep_cnt;
		return 0;
	case URSA_TCP_OPT_LINGER0:
		*val = pcb->linger0;
		return 0;
	case URSA_TCP_OPT_MAXSEG:
		*val = synchronised(pcb->state) ? pcb->snd_mss : pcb->user_mss;
		return 0;
	case URSA_TCP_OPT_QUICKACK:
		*val = pcb->quickack;
		return 0;
	case URSA_TCP_OPT_TIMESTAMPS:
		*val = pcb->ts_want;
		return 0;
	case URSA_TCP_OPT_SACK:
		*val = pcb->sack_want;
		return 0;
	case URSA_TCP_OPT_WSCALE:
		*val = pcb->ws_want;
		return 0;
	default:
		return -EINVAL;
	}
}

int ursa_tcp_set_cc(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const char *name)
{
	const struct ursa_tcp_cc_ops *ops = ursa_tcp_cc_find(lc, name);
	uint32_t cwnd = pcb->cc.cwnd, ssthresh = pcb->cc.ssthresh;

	if (ops == NULL)
		return -ENOENT;
	pcb->cc_ops = ops;
	if (pcb->cc.smss != 0) {
		/* A live connection keeps its window; the new algorithm takes over from it. */
		ops->init(&pcb->cc, ursa_now(lc));
		pcb->cc.cwnd = cwnd;
		pcb->cc.ssthresh = ssthresh;
	}
	return 0;
}

int ursa_tcp_get_info(const struct ursa_tcp_pcb *pcb, struct ursa_tcp_info *i)
{
	memset(i, 0, sizeof(*i));
	i->state = pcb->state;
	i->snd_una = pcb->snd_una;
	i->snd_nxt = pcb->snd_nxt;
	i->snd_max = pcb->snd_max;
	i->snd_wnd = pcb->snd_wnd;
	i->rcv_nxt = pcb->rcv_nxt;
	i->rcv_wnd = tcp_rcv_window(pcb);
	i->snd_mss = pcb->snd_mss;
	i->rcv_mss = pcb->rcv_mss;
	i->snd_wscale = pcb->ws_ok ? pcb->snd_wscale : 0xff;
	i->rcv_wscale = pcb->ws_ok ? pcb->rcv_wscale : 0xff;
	i->ts_ok = pcb->ts_ok;
	i->sack_ok = pcb->sack_ok;
	i->in_recovery = pcb->in_recovery;
	i->cwnd = pcb->cc.cwnd;
	i->ssthresh = pcb->cc.ssthresh;
	i->srtt_us = pcb->srtt_us;
	i->rttvar_us = pcb->rttvar_us;
	i->rto_us = pcb->rto_us;
	i->backoff = pcb->backoff;
	i->dupacks = pcb->dupacks;
	i->retransmits = pcb->st_retransmits;
	i->timeouts = pcb->st_timeouts;
	i->fast_retransmits = pcb->st_fast_rexmt;
	i->segs_in = pcb->st_segs_in;
	i->segs_out = pcb->st_segs_out;
	i->bytes_acked = pcb->st_bytes_acked;
	i->bytes_received = pcb->st_bytes_received;
	i->unacked = pcb->snd_max - pcb->snd_una;
	i->sndbuf_used = pcb->sndq.len;
	i->rcvbuf_used = pcb->rcvq.len;
	i->ooo_bytes = tcp_rset_bytes(&pcb->ooo);
	snprintf(i->cc, sizeof(i->cc), "%s", pcb->cc_ops->name);
	return 0;
}
