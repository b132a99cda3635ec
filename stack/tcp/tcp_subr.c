/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp support: PCB life cycle, the connection table (rte_hash on tenant + 4-tuple, hashed
 * with SipHash under a secret key, each entry charged to its interface's quota), the
 * listener lookup in the design's order, ISNs (RFC 6528), ephemeral ports (RFC 6056),
 * byte rings, state changes and event delivery, and the layer's init.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_hash.h>
#include <rte_jhash.h>

#include "tcp_priv.h"

static const char *const tcp_counter_names[] = {TCP_COUNTERS(URSA_COUNTER_NAME)};

static const char *const state_names[URSA_TCP_STATE_MAX] = {
	"CLOSED",     "LISTEN",	    "SYN_SENT", "SYN_RCVD", "ESTABLISHED", "FIN_WAIT_1",
	"FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",	"LAST_ACK", "TIME_WAIT",
};

const char *ursa_tcp_state_name(enum ursa_tcp_state s)
{
	return (unsigned)s < URSA_TCP_STATE_MAX ? state_names[s] : "?";
}

/* ---- SipHash-2-4 (Aumasson & Bernstein), written from the paper's description ---- */

#define SIPROUND                                                                                   \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = ursa_rng_rotl(v1, 13);                                                        \
		v1 ^= v0;                                                                          \
		v0 = ursa_rng_rotl(v0, 32);                                                        \
		v2 += v3;                                                                          \
		v3 = ursa_rng_rotl(v3, 16);                                                        \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = ursa_rng_rotl(v3, 21);                                                        \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = ursa_rng_rotl(v1, 17);                                                        \
		v1 ^= v2;                                                                          \
		v2 = ursa_rng_rotl(v2, 32);                                                        \
	} while (0)

uint64_t tcp_siphash(const uint64_t key[2], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v0 = 0x736f6d6570736575ull ^ key[0], v1 = 0x646f72616e646f6dull ^ key[1];
	uint64_t v2 = 0x6c7967656e657261ull ^ key[0], v3 = 0x7465646279746573ull ^ key[1];
	uint64_t m, b = (uint64_t)len << 56;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		m = 0;
		for (int j = 7; j >= 0; j--)
			m = m << 8 | p[i + j];
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static void tcp_make_key(struct tcp_key *k, uint32_t tenant, const struct ursa_ipaddr *laddr,
			 uint16_t lport, const struct ursa_ipaddr *faddr, uint16_t fport)
{
	memset(k, 0, sizeof(*k));
	k->family = faddr->family;
	if (faddr->family == AF_INET) {
		memcpy(k->laddr, &laddr->v4, 4);
		memcpy(k->faddr, &faddr->v4, 4);
	} else {
		memcpy(k->laddr, laddr->v6, 16);
		memcpy(k->faddr, faddr->v6, 16);
	}
	k->lport = rte_cpu_to_be_16(lport);
	k->fport = rte_cpu_to_be_16(fport);
	k->tenant = tenant;
}

uint32_t tcp_isn(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb)
{
	struct tcp_key k;

	/* RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), M a
	 * timer ticking every 4 microseconds. */
	tcp_make_key(&k, pcb->tenant, &pcb->laddr, pcb->lport, &pcb->faddr, pcb->fport);
	return (uint32_t)(ursa_now(lc) / 4000) +
	       (uint32_t)tcp_siphash(lc->tcp->secret, &k, sizeof(k));
}

uint32_t tcp_syn_cookie_hash(struct ursa_lcore *lc, uint32_t tenant,
			     const struct ursa_ipaddr *laddr, uint16_t lport,
			     const struct ursa_ipaddr *faddr, uint16_t fport, uint32_t irs,
			     uint32_t t, uint32_t idx)
{
	struct {
		struct tcp_key k;
		uint32_t irs, t, idx, pad;
	} v;

	memset(&v, 0, sizeof(v));
	tcp_make_key(&v.k, tenant, laddr, lport, faddr, fport);
	v.irs = irs;
	v.t = t;
	v.idx = idx;
	/* the ISN secret reversed: cookies and ISNs use different keys */
	{
		const uint64_t key[2] = {lc->tcp->secret[1], lc->tcp->secret[0]};

		return (uint32_t)tcp_siphash(key, &v, sizeof(v)) & 0xffffff;
	}
}

uint32_t tcp_ts_now(const struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb)
{
	/* RFC 7323 §5.4: a 1 ms clock with a per-connection random offset. */
	return (uint32_t)(ursa_now(lc) / URSA_NS_PER_MS) + pcb->ts_offset;
}

uint16_t tcp_mss_for(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb)
{
	const struct ursa_iface *ifc =
		pcb->iface >= 0 ? ursa_iface_get(lc, (uint16_t)pcb->iface) : NULL;
	unsigned mtu = ifc != NULL && ifc->mtu ? ifc->mtu : 1500;
	unsigned hdr = (pcb->family == AF_INET6 ? 40 : 20) + TCP_HDR_MIN;
	unsigned room =
		lc->pool ? rte_pktmbuf_data_room_size(lc->pool) - RTE_PKTMBUF_HEADROOM : 2048;
	unsigned mss = mtu > hdr + 88 ? mtu - hdr : 88;

	/* One segment must fit one mbuf with its headers and 40 bytes of options. */
	if (room > hdr + 40 + 14 + 4 && mss > room - hdr - 40 - 18)
		mss = room - hdr - 40 - 18;
	if (pcb->user_mss && pcb->user_mss < mss)
		mss = pcb->user_mss;
	return (uint16_t)mss;
}

/* ---- byte rings ---- */

void tcp_ring_init(struct tcp_ring *r, uint8_t *buf, uint32_t size)
{
	r->buf = buf;
	r->size = size;
	r->head = 0;
	r->len = 0;
}

void tcp_ring_put(struct tcp_ring *r, uint32_t off, const void *src, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->size;
	uint32_t first = n < r->size - pos ? n : r->size - pos;

	memcpy(r->buf + pos, src, first);
	memcpy(r->buf, (const uint8_t *)src + first, n - first);
}

void tcp_ring_put_mbuf(struct tcp_ring *r, uint32_t off, const struct rte_mbuf *m, uint32_t moff,
		       uint32_t n)
{
	while (m != NULL && moff >= m->data_len) {
		moff -= m->data_len;
		m = m->next;
	}
	while (m != NULL && n > 0) {
		uint32_t chunk = m->data_len - moff < n ? m->data_len - moff : n;

		tcp_ring_put(r, off, rte_pktmbuf_mtod_offset(m, const uint8_t *, moff), chunk);
		off += chunk;
		n -= chunk;
		moff = 0;
		m = m->next;
	}
}

void tcp_ring_get(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t n)
{
	uint32_t pos = (r->head + off) % r->size;
	uint32_t first = n < r->size - pos ? n : r->size - pos;

	memcpy(dst, r->buf + pos, first);
	memcpy((uint8_t *)dst + first, r->buf, n - first);
}

void tcp_ring_consume(struct tcp_ring *r, uint32_t n)
{
	r->head = (r->head + n) % r->size;
	r->len -= n;
}

/* ---- PCBs ---- */

int tcp_pcb_alloc(struct ursa_lcore *lc, uint32_t tenant, int32_t iface, uint8_t family,
		  struct ursa_tcp_pcb **out)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	struct ursa_tcp_pcb *pcb;

	pcb = calloc(1, sizeof(*pcb));
	if (pcb == NULL)
		return -ENOMEM;
	pcb->lc = lc;
	pcb->state = URSA_TCP_CLOSED;
	pcb->tenant = tenant;
	pcb->bound_iface = iface;
	pcb->iface = iface;
	pcb->quota_iface = -1;
	pcb->family = family;
	pcb->laddr.family = 0;
	TAILQ_INIT(&pcb->synq);
	TAILQ_INIT(&pcb->acceptq);
	pcb->sndbuf = t->conf.sndbuf;
	pcb->rcvbuf = t->conf.rcvbuf;
	pcb->ts_want = pcb->sack_want = pcb->ws_want = true;
	pcb->keep_idle_s = t->conf.keep_idle_s;
	pcb->keep_intvl_s = t->conf.keep_intvl_s;
	pcb->keep_cnt = t->conf.keep_cnt;
	pcb->cc_ops = ursa_tcp_cc_find(lc, t->conf.cc);
	if (pcb->cc_ops == NULL)
		pcb->cc_ops = &ursa_tcp_cc_cubic;
	pcb->rto_us = t->conf.rto_init_ms * 1000;
	pcb->snd_wscale = pcb->rcv_wscale = 0;
	tcp_timers_init(pcb);
	TAILQ_INSERT_TAIL(&t->all, pcb, all_link);
	*out = pcb;
	return 0;
}

int tcp_pcb_buffers(struct ursa_tcp_pcb *pcb)
{
	uint8_t *s, *r;

	if (pcb->sndq.buf != NULL)
		return 0;
	s = malloc(pcb->sndbuf);
	r = malloc(pcb->rcvbuf);
	if (s == NULL || r == NULL) {
		free(s);
		free(r);
		return -ENOMEM;
	}
	tcp_ring_init(&pcb->sndq, s, pcb->sndbuf);
	tcp_ring_init(&pcb->rcvq, r, pcb->rcvbuf);
	return 0;
}

static void tcp_unlink_listener_queue(struct ursa_tcp_pcb *pcb)
{
	struct ursa_tcp_pcb *l = pcb->listener;

	if (l == NULL)
		return;
	if (pcb->in_synq) {
		TAILQ_REMOVE(&l->synq, pcb, q_link);
		l->nsyn--;
		pcb->in_synq = false;
	}
	if (pcb->in_acceptq) {
		TAILQ_REMOVE(&l->acceptq, pcb, q_link);
		l->naccept--;
		pcb->in_acceptq = false;
	}
	pcb->listener = NULL;
}

void tcp_pcb_free(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	struct ursa_tcp_pcb *c;

	while ((c = TAILQ_FIRST(&pcb->synq)) != NULL) {
		tcp_unlink_listener_queue(c);
		tcp_send_rst(lc, c);
		tcp_table_remove(lc, c);
		tcp_pcb_free(lc, c);
	}
	while ((c = TAILQ_FIRST(&pcb->acceptq)) != NULL) {
		tcp_unlink_listener_queue(c);
		tcp_send_rst(lc, c);
		tcp_table_remove(lc, c);
		tcp_pcb_free(lc, c);
	}
	tcp_unlink_listener_queue(pcb);
	if (pcb->on_listen_list) {
		TAILQ_REMOVE(&t->listeners, pcb, q_link);
		pcb->on_listen_list = false;
	}
	tcp_table_remove(lc, pcb);
	tcp_timers_stop(lc, pcb);
	TAILQ_REMOVE(&t->all, pcb, all_link);
	free(pcb->sndq.buf);
	free(pcb->rcvq.buf);
	free(pcb);
}

/* ---- tables ---- */

/* The table's hash: keyed, so that nobody who does not know the key can choose 4-tuples
 * that collide in one bucket (rte_jhash with a fixed seed could be aimed at). */
static hash_sig_t table_hash(const struct ursa_tcp_ctx *t, const struct tcp_key *k)
{
	return (hash_sig_t)tcp_siphash(t->table_key, k, sizeof(*k));
}

int tcp_table_insert(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	struct tcp_key k;
	hash_sig_t sig;
	int rc;

	if (pcb->in_table)
		return 0;
	tcp_make_key(&k, pcb->tenant, &pcb->laddr, pcb->lport, &pcb->faddr, pcb->fport);
	sig = table_hash(t, &k);
	if (rte_hash_lookup_with_hash(t->conns, &k, sig) >= 0)
		return -EADDRINUSE;
	if (pcb->iface >= 0 &&
	    ursa_quota_take(lc, (uint16_t)pcb->iface, URSA_RES_tcp_conn, 1) != 0) {
		TCP_INC(lc, TCP_C_drop_conn_quota);
		return -EDQUOT;
	}
	rc = rte_hash_add_key_with_hash_data(t->conns, &k, sig, pcb);
	if (rc < 0) {
		if (pcb->iface >= 0)
			ursa_quota_give(lc, (uint16_t)pcb->iface, URSA_RES_tcp_conn, 1);
		return rc;
	}
	pcb->quota_iface = pcb->iface;
	pcb->in_table = true;
	return 0;
}

void tcp_table_remove(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	struct tcp_key k;

	if (!pcb->in_table)
		return;
	tcp_make_key(&k, pcb->tenant, &pcb->laddr, pcb->lport, &pcb->faddr, pcb->fport);
	(void)rte_hash_del_key_with_hash(lc->tcp->conns, &k, table_hash(lc->tcp, &k));
	if (pcb->quota_iface >= 0)
		ursa_quota_give(lc, (uint16_t)pcb->quota_iface, URSA_RES_tcp_conn, 1);
	pcb->quota_iface = -1;
	pcb->in_table = false;
}

struct ursa_tcp_pcb *tcp_table_lookup(struct ursa_lcore *lc, uint32_t tenant,
				      const struct ursa_ipaddr *laddr, uint16_t lport,
				      const struct ursa_ipaddr *faddr, uint16_t fport)
{
	struct tcp_key k;
	void *data;

	tcp_make_key(&k, tenant, laddr, lport, faddr, fport);
	if (rte_hash_lookup_with_hash_data(lc->tcp->conns, &k, table_hash(lc->tcp, &k), &data) < 0)
		return NULL;
	return data;
}

static bool addr_any(const struct ursa_ipaddr *a)
{
	return a->family == 0;
}

struct ursa_tcp_pcb *tcp_listen_lookup(struct ursa_lcore *lc, const struct ursa_iface *ifc,
				       const struct ursa_ipaddr *laddr, uint16_t lport)
{
	struct ursa_tcp_pcb *l, *wild = NULL;

	/* The design's order: listeners bound to the ingress interface, then unbound
	 * listeners of the same tenant; within each, an exact address beats a wildcard. */
	for (int pass = 0; pass < 2; pass++) {
		TAILQ_FOREACH(l, &lc->tcp->listeners, q_link)
		{
			if (l->lport != lport || l->family != laddr->family)
				continue;
			if (pass == 0 && l->bound_iface != (int32_t)ifc->index)
				continue;
			if (pass == 1 && (l->bound_iface != -1 || l->tenant != ifc->tenant))
				continue;
			if (addr_any(&l->laddr)) {
				if (wild == NULL)
					wild = l;
			} else if (ursa_ipaddr_eq(&l->laddr, laddr)) {
				return l;
			}
		}
		if (wild != NULL)
			return wild;
	}
	return NULL;
}

bool tcp_port_in_use(struct ursa_lcore *lc, const struct ursa_tcp_pcb *self,
		     const struct ursa_ipaddr *addr, uint16_t port)
{
	struct ursa_tcp_pcb *p;

	TAILQ_FOREACH(p, &lc->tcp->all, all_link)
	{
		if (p == self || !p->bound || p->lport != port || p->tenant != self->tenant ||
		    p->family != self->family)
			continue;
		if (p->bound_iface >= 0 && self->bound_iface >= 0 &&
		    p->bound_iface != self->bound_iface)
			continue;
		if (addr == NULL || addr_any(addr) || addr_any(&p->laddr) ||
		    ursa_ipaddr_eq(addr, &p->laddr))
			return true;
	}
	return false;
}

static bool listener_on_port(struct ursa_lcore *lc, const struct ursa_tcp_pcb *self, uint16_t port)
{
	struct ursa_tcp_pcb *p;

	TAILQ_FOREACH(p, &lc->tcp->listeners, q_link)
	if (p->lport == port && p->tenant == self->tenant)
		return true;
	return false;
}

/* Ephemeral ports are partitioned by shard like every other ID space: a shard picks only
 * ports with port % nb_shards == its index, so a reply that lands on another shard tells by
 * its destination port where its connection lives (tcp_input hands it over). */
int tcp_port_owner(const struct ursa_lcore *lc, uint16_t port)
{
	const struct ursa_tcp_conf *c = &lc->tcp->conf;

	if (port < c->port_lo || port > c->port_hi)
		return -1;
	return (int)(port % lc->nb_shards);
}

int tcp_port_pick(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	uint32_t lo = t->conf.port_lo, num = t->conf.port_hi - t->conf.port_lo + 1;
	uint32_t offset;

	if (pcb->faddr.family == 0) {
		/* bind(0) / listen without a peer: a random free port. */
		uint32_t start = (uint32_t)ursa_secret_below(&lc->secret, num);

		for (uint32_t i = 0; i < num; i++) {
			uint16_t port = (uint16_t)(lo + (start + i) % num);

			if (tcp_port_owner(lc, port) == lc->shard &&
			    !tcp_port_in_use(lc, pcb, &pcb->laddr, port)) {
				pcb->lport = port;
				return 0;
			}
		}
		return -EADDRNOTAVAIL;
	}
	/* RFC 6056 §3.3.3 (Algorithm 3): offset = F(local, remote, secret); a per-lcore
	 * counter moves on past each port used. */
	{
		struct tcp_key k;

		tcp_make_key(&k, pcb->tenant, &pcb->laddr, 0, &pcb->faddr, pcb->fport);
		offset = (uint32_t)tcp_siphash(t->secret, &k, sizeof(k));
	}
	/* Where the NIC's hash is known, a first pass takes only ports whose replies it puts on
	 * this shard's queue, so they need no hand-over; the second takes any of the shard's. */
	for (int pass = lc->rss_queue != NULL && lc->nb_shards > 1 ? 0 : 1; pass < 2; pass++) {
		for (uint32_t i = 0; i < num; i++) {
			uint16_t port = (uint16_t)(lo + (offset + t->eph_next + i) % num);

			if (tcp_port_owner(lc, port) != lc->shard ||
			    (pass == 0 &&
			     lc->rss_queue(&pcb->faddr, &pcb->laddr, IPPROTO_TCP, pcb->fport, port,
					   lc->nb_shards) != lc->shard) ||
			    listener_on_port(lc, pcb, port))
				continue;
			if (tcp_table_lookup(lc, pcb->tenant, &pcb->laddr, port, &pcb->faddr,
					     pcb->fport) != NULL)
				continue;
			t->eph_next += i + 1;
			pcb->lport = port;
			return 0;
		}
	}
	return -EADDRNOTAVAIL;
}

/* ---- state and events ---- */

void tcp_set_state(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, enum ursa_tcp_state s)
{
	if (s == URSA_TCP_ESTABLISHED && pcb->state != URSA_TCP_ESTABLISHED)
		TCP_INC(lc, TCP_C_conn_established);
	pcb->state = s;
}

void tcp_drop(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, int err)
{
	tcp_table_remove(lc, pcb);
	tcp_timers_stop(lc, pcb);
	pcb->state = URSA_TCP_CLOSED;
	if (err != 0 && pcb->err == 0)
		pcb->err = err;
	if (pcb->listener != NULL || pcb->released) {
		tcp_pcb_free(lc, pcb);
		return;
	}
	pcb->events |= URSA_TCP_EV_CLOSED | (err ? URSA_TCP_EV_ERROR : 0);
	tcp_notify(lc, pcb);
}

void tcp_notify(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb)
{
	unsigned ev = pcb->events;

	if (ev == 0 || pcb->released || pcb->listener != NULL)
		return;
	pcb->events = 0;
	if (pcb->cb != NULL)
		pcb->cb(lc, pcb, ev, pcb->cb_arg);
}

/* ---- layer init ---- */

static void tcp_fini(struct ursa_lcore *lc)
{
	struct ursa_tcp_ctx *t = lc->tcp;
	struct ursa_tcp_pcb *p;

	if (t == NULL)
		return;
	/* Free listeners first (they free their children), then everything else. */
	while ((p = TAILQ_FIRST(&t->listeners)) != NULL)
		tcp_pcb_free(lc, p);
	while ((p = TAILQ_FIRST(&t->all)) != NULL)
		tcp_pcb_free(lc, p);
	rte_hash_free(t->conns);
	free(t);
	lc->tcp = NULL;
}

void ursa_tcp_conf_default(struct ursa_tcp_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->msl_ms = 60000;
	c->rto_init_ms = 1000;
	c->rto_min_ms = 200;
	c->rto_max_ms = 120000;
	c->delack_ms = 40;
	c->syn_retries = 6;
	c->synack_retries = 5;
	c->retries2 = 15;
	c->orphan_retries = 8;
	c->fin_wait2_ms = 60000;
	c->sndbuf = 256 * 1024;
	c->rcvbuf = 256 * 1024;
	c->syn_queue_max = 256;
	c->keep_idle_s = 7200;
	c->keep_intvl_s = 75;
	c->keep_cnt = 9;
	c->port_lo = 32768;
	c->port_hi = 60999;
	c->invalid_ratelimit_ms = 500;
	c->challenge_ack_limit = 1000;
	c->syn_cookies = true;
	snprintf(c->cc, sizeof(c->cc), "cubic");
}

int ursa_tcp_set_conf(struct ursa_lcore *lc, const struct ursa_tcp_conf *c)
{
	if (lc->tcp == NULL)
		return -ENODEV;
	if (c->msl_ms == 0 || c->rto_init_ms == 0 || c->rto_min_ms == 0 ||
	    c->rto_min_ms > c->rto_max_ms || c->port_lo == 0 || c->port_lo > c->port_hi ||
	    c->sndbuf < 1024 || c->rcvbuf < 1024 || c->syn_queue_max == 0 ||
	    memchr(c->cc, 0, sizeof(c->cc)) == NULL || ursa_tcp_cc_find(lc, c->cc) == NULL)
		return -EINVAL;
	lc->tcp->conf = *c;
	return 0;
}

const struct ursa_tcp_conf *ursa_tcp_get_conf(const struct ursa_lcore *lc)
{
	return lc->tcp != NULL ? &lc->tcp->conf : NULL;
}

/* The connection hash's key (SipHash): secret, so that a peer cannot pick 4-tuples that
 * collide in one bucket. */
static void tcp_table_secret(struct ursa_lcore *lc, uint64_t key[2])
{
	ursa_secret_bytes(&lc->secret, key, 2 * sizeof(key[0]));
}

static void tcp_ip_handler(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
			   const struct ursa_ip_info *info)
{
	tcp_input(lc, ifc, m, info);
}

int ursa_tcp_init(struct ursa_lcore *lc)
{
	struct ursa_tcp_ctx *t;
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.entries = TCP_HASH_ENTRIES,
		.key_len = sizeof(struct tcp_key),
		.hash_func = rte_jhash,
		.socket_id = SOCKET_ID_ANY,
	};
	int rc;

	if (lc->tcp != NULL)
		return -EEXIST;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	ursa_tcp_conf_default(&t->conf);
	TAILQ_INIT(&t->all);
	TAILQ_INIT(&t->listeners);
	/* Secrets for ISNs and port offsets (RFC 6528 §3 and RFC 6056 §3.3.3). */
	ursa_secret_bytes(&lc->secret, t->secret, sizeof(t->secret));
	/* rte_hash names are process-wide: make ours unique per lcore context. */
	snprintf(name, sizeof(name), "tcp%u_%" PRIxPTR, lc->lcore_id,
		 (uintptr_t)lc & 0xffffffffffu);
	hp.name = name;
	tcp_table_secret(lc, t->table_key);
	t->conns = rte_hash_create(&hp);
	if (t->conns == NULL) {
		rc = -ENOMEM;
		goto free_ctx;
	}
	lc->tcp = t;
	tcp_cc_register_builtin(lc);
	rc = ursa_stats_register(lc, "tcp", tcp_counter_names, t->c, TCP_C_MAX);
	if (rc != 0)
		goto free_hash;
	rc = ursa_ip_register(lc, IPPROTO_TCP, tcp_ip_handler);
	if (rc != 0)
		goto free_hash;
	rc = tcp_err_init(lc);
	if (rc != 0)
		goto free_hash;
	rc = ursa_lcore_add_fini_hook(lc, tcp_fini);
	if (rc != 0)
		goto free_hash;
	return 0;

free_hash:
	rte_hash_free(t->conns);
	lc->tcp = NULL;
free_ctx:
	free(t);
	return rc;
}

void ursa_tcp_walk(struct ursa_lcore *lc, ursa_tcp_walk_t fn, void *arg)
{
	const struct ursa_tcp_pcb *pcb;
	const void *key;
	void *data;
	uint32_t it = 0;

	if (lc->tcp == NULL)
		return;
	TAILQ_FOREACH(pcb, &lc->tcp->listeners, q_link)
	fn(pcb, arg);
	while (rte_hash_iterate(lc->tcp->conns, &key, &data, &it) >= 0)
		fn(data, arg);
}
