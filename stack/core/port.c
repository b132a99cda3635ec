/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: a DPDK ethdev (any PMD, given by devargs) or a memory port (tests, replay).
 *
 * Transmit is buffered per port (URSA_BURST frames) and flushed at the end of each poll, so
 * the stack hands the device whole bursts. Fault injection sits between the stack and the
 * device in both directions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_ip.h>
#include <rte_thash.h>

#include "core_priv.h"

#define PORT_NB_DESC 1024

/* ---- ethdev ---------------------------------------------------------------------------- */

static uint16_t ethdev_rx(struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(p->ethdev, p->queue, pkts, n);
}

static uint16_t ethdev_tx(struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_tx_burst(p->ethdev, p->queue, pkts, n);
}

static int ethdev_intr_fd(struct ursa_port *p)
{
	int fd = rte_eth_dev_rx_intr_ctl_q_get_fd(p->ethdev, p->queue);

	return fd >= 0 ? fd : -ENOTSUP;
}

static void ethdev_intr_enable(struct ursa_port *p, bool on)
{
	if (on)
		rte_eth_dev_rx_intr_enable(p->ethdev, p->queue);
	else
		rte_eth_dev_rx_intr_disable(p->ethdev, p->queue);
}

static void ethdev_close(struct ursa_port *p)
{
	port_ethdev_close(p->ethdev);
}

static const struct ursa_port_ops ethdev_ops = {
	.name = "ethdev",
	.rx_burst = ethdev_rx,
	.tx_burst = ethdev_tx,
	.rx_intr_fd = ethdev_intr_fd,
	.rx_intr_enable = ethdev_intr_enable,
	.close = ethdev_close,
};

/* One queue of a device that a struct ursa_stack owns: the stack stops and closes the
 * device once, after every shard has let go of its queue. */
static void ethdev_queue_close(struct ursa_port *p)
{
	(void)p;
}

static const struct ursa_port_ops ethdev_queue_ops = {
	.name = "ethdev",
	.rx_burst = ethdev_rx,
	.tx_burst = ethdev_tx,
	.rx_intr_fd = ethdev_intr_fd,
	.rx_intr_enable = ethdev_intr_enable,
	.close = ethdev_queue_close,
};

void port_ethdev_close(uint16_t pid)
{
	rte_eth_dev_stop(pid);
	rte_eth_dev_close(pid);
}

/* Receive-side scaling over the queues where the PMD hashes flows itself (hardware, tap
 * with its eBPF); af_packet spreads over its qpairs with a kernel fanout group instead and
 * memif queues follow the peer's, so neither advertises hash types. */
static void ethdev_rss(const struct rte_eth_dev_info *info, uint16_t nb_queues,
		       struct rte_eth_conf *conf)
{
	uint64_t hf =
		info->flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);

	if (nb_queues > 1 && hf != 0) {
		conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf->rx_adv_conf.rss_conf.rss_hf = hf;
	}
}

static int ethdev_configure(uint16_t pid, uint16_t nb_queues, struct rte_mempool *const *pools,
			    bool rx_intr)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	int rc;

	rc = rte_eth_dev_info_get(pid, &info);
	if (rc)
		return rc;
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues)
		return -EINVAL;
	conf.intr_conf.rxq = rx_intr ? 1 : 0;
	ethdev_rss(&info, nb_queues, &conf);
	rc = rte_eth_dev_configure(pid, nb_queues, nb_queues, &conf);
	if (rc)
		return rc;
	for (uint16_t q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(pid, q, PORT_NB_DESC, rte_eth_dev_socket_id(pid), NULL,
					    pools[q]);
		if (rc)
			return rc;
		rc = rte_eth_tx_queue_setup(pid, q, PORT_NB_DESC, rte_eth_dev_socket_id(pid), NULL);
		if (rc)
			return rc;
	}
	return 0;
}

int port_ethdev_probe(const char *devargs, char *name, size_t len, uint16_t *out_pid)
{
	const char *comma = strchr(devargs, ',');
	size_t n = comma ? (size_t)(comma - devargs) : strlen(devargs);
	int rc;

	if (n == 0 || n >= len || n >= RTE_ETH_NAME_MAX_LEN)
		return -EINVAL;
	memcpy(name, devargs, n);
	name[n] = '\0';
	if (rte_eth_dev_get_port_by_name(name, out_pid) == 0)
		return 0;
	rc = rte_dev_probe(devargs);
	if (rc)
		return rc < 0 ? rc : -ENODEV;
	return rte_eth_dev_get_port_by_name(name, out_pid) == 0 ? 0 : -ENODEV;
}

int port_ethdev_setup(uint16_t pid, uint16_t nb_queues, struct rte_mempool *const *pools,
		      uint16_t mtu, uint16_t *out_mtu)
{
	bool mtu_unsettable = false;
	int rc;

	/* Rx interrupts where the PMD has them (net_tap); otherwise the daemon naps. */
	if (ethdev_configure(pid, nb_queues, pools, true) != 0) {
		rc = ethdev_configure(pid, nb_queues, pools, false);
		if (rc)
			return rc;
	}
	if (mtu) {
		rc = rte_eth_dev_set_mtu(pid, mtu);
		if (rc && rc != -ENOTSUP)
			return rc;
		mtu_unsettable = rc == -ENOTSUP;
	}
	rc = rte_eth_dev_start(pid);
	if (rc)
		return rc;
	if (rte_eth_dev_get_mtu(pid, out_mtu) != 0 || *out_mtu == 0)
		*out_mtu = RTE_ETHER_MTU;
	if (mtu_unsettable) {
		/* PMDs with no MTU of their own (memif, ring) carry what their limit allows. */
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(pid, &info) == 0 && info.max_mtu >= mtu)
			*out_mtu = mtu;
	} else if (mtu && mtu < *out_mtu) {
		*out_mtu = mtu;
	}
	/* Interfaces may use their own MACs and VLANs: receive everything, filter in eth. */
	rte_eth_promiscuous_enable(pid);
	rte_eth_allmulticast_enable(pid);
	return 0;
}

int port_ethdev_attach(struct ursa_lcore *lc, uint16_t pid, uint16_t queue, const char *name,
		       uint16_t mtu, bool shared, uint16_t *out_index)
{
	struct ursa_port *p;

	if (lc->nb_ports == URSA_MAX_PORTS)
		return -ENOSPC;
	p = &lc->ports[lc->nb_ports];
	memset(p, 0, sizeof(*p));
	p->index = lc->nb_ports;
	p->ethdev = pid;
	p->queue = queue;
	p->mtu = mtu;
	p->ops = shared ? &ethdev_queue_ops : &ethdev_ops;
	snprintf(p->name, sizeof(p->name), "%s", name);
	rte_eth_macaddr_get(pid, &p->mac);
	*out_index = lc->nb_ports++;
	return port_register_stats(lc, p);
}

int ursa_port_open_ethdev(struct ursa_lcore *lc, const char *devargs, uint16_t mtu,
			  uint16_t *out_index)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t pid, real_mtu;
	int rc;

	if (lc->nb_ports == URSA_MAX_PORTS)
		return -ENOSPC;
	rc = port_ethdev_probe(devargs, name, sizeof(name), &pid);
	if (rc)
		return rc;
	rc = port_ethdev_setup(pid, 1, &lc->pool, mtu, &real_mtu);
	if (rc)
		return rc;
	return port_ethdev_attach(lc, pid, 0, name, real_mtu, false, out_index);
}

/* ---- memory port ------------------------------------------------------------------------ */

struct mem_fifo {
	struct rte_mbuf **v;
	unsigned head, n, cap;
};

struct mem_port {
	struct mem_fifo rx, tx;
};

static int fifo_push(struct mem_fifo *f, struct rte_mbuf *m)
{
	if (f->n == f->cap) {
		unsigned cap = f->cap ? f->cap * 2 : 256;
		struct rte_mbuf **v = malloc(cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		for (unsigned i = 0; i < f->n; i++)
			v[i] = f->v[(f->head + i) % f->cap];
		free(f->v);
		f->v = v;
		f->head = 0;
		f->cap = cap;
	}
	f->v[(f->head + f->n) % f->cap] = m;
	f->n++;
	return 0;
}

static struct rte_mbuf *fifo_pop(struct mem_fifo *f)
{
	struct rte_mbuf *m;

	if (f->n == 0)
		return NULL;
	m = f->v[f->head];
	f->head = (f->head + 1) % f->cap;
	f->n--;
	return m;
}

static void fifo_free(struct mem_fifo *f)
{
	struct rte_mbuf *m;

	while ((m = fifo_pop(f)) != NULL)
		rte_pktmbuf_free(m);
	free(f->v);
}

static uint16_t mem_rx(struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct mem_port *mp = p->priv;
	uint16_t i;

	for (i = 0; i < n; i++) {
		pkts[i] = fifo_pop(&mp->rx);
		if (pkts[i] == NULL)
			break;
	}
	return i;
}

static uint16_t mem_tx(struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct mem_port *mp = p->priv;
	uint16_t i;

	for (i = 0; i < n; i++)
		if (fifo_push(&mp->tx, pkts[i]) != 0)
			break;
	return i;
}

static int mem_intr_fd(struct ursa_port *p)
{
	(void)p;
	return -ENOTSUP;
}

static void mem_intr_enable(struct ursa_port *p, bool on)
{
	(void)p;
	(void)on;
}

static void mem_close(struct ursa_port *p)
{
	struct mem_port *mp = p->priv;

	fifo_free(&mp->rx);
	fifo_free(&mp->tx);
	free(mp);
	p->priv = NULL;
}

static const struct ursa_port_ops mem_ops = {
	.name = "mem",
	.rx_burst = mem_rx,
	.tx_burst = mem_tx,
	.rx_intr_fd = mem_intr_fd,
	.rx_intr_enable = mem_intr_enable,
	.close = mem_close,
};

int ursa_port_open_mem(struct ursa_lcore *lc, const struct rte_ether_addr *mac, uint16_t mtu,
		       uint16_t *out_index)
{
	struct ursa_port *p;
	struct mem_port *mp;

	if (lc->nb_ports == URSA_MAX_PORTS)
		return -ENOSPC;
	mp = calloc(1, sizeof(*mp));
	if (mp == NULL)
		return -ENOMEM;
	p = &lc->ports[lc->nb_ports];
	memset(p, 0, sizeof(*p));
	p->index = lc->nb_ports;
	p->ethdev = UINT16_MAX;
	p->ops = &mem_ops;
	p->priv = mp;
	p->mac = *mac;
	p->mtu = mtu ? mtu : RTE_ETHER_MTU;
	snprintf(p->name, sizeof(p->name), "mem%u", p->index);
	*out_index = lc->nb_ports++;
	return port_register_stats(lc, p);
}

/* A frame that points into memory outside the pool (external buffers: RoCE's zero-copy
 * payload) is copied, as a wire would: the receiver never reads the sender's memory, and a
 * frame that fits one mbuf arrives in one. NULL when no mbuf is left. */
static struct rte_mbuf *mem_unshare(struct rte_mbuf *m)
{
	struct rte_mbuf *c;
	bool ext = false;

	for (const struct rte_mbuf *s = m; s != NULL; s = s->next)
		ext |= RTE_MBUF_HAS_EXTBUF(s) != 0;
	if (!ext)
		return m;
	c = rte_pktmbuf_copy(m, m->pool, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	return c;
}

int ursa_port_mem_inject(struct ursa_port *p, struct rte_mbuf **pkts, unsigned n)
{
	struct mem_port *mp = p->priv;

	if (p->ops != &mem_ops)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		pkts[i] = mem_unshare(pkts[i]);
		if (pkts[i] == NULL)
			continue; /* the copy found no mbuf: lost, as on a wire */
		if (fifo_push(&mp->rx, pkts[i]) != 0) {
			for (; i < n; i++)
				rte_pktmbuf_free(pkts[i]);
			return -ENOMEM;
		}
	}
	return 0;
}

unsigned ursa_port_mem_take(struct ursa_port *p, struct rte_mbuf **pkts, unsigned n)
{
	struct mem_port *mp = p->priv;
	unsigned i;

	if (p->ops != &mem_ops)
		return 0;
	for (i = 0; i < n; i++) {
		pkts[i] = fifo_pop(&mp->tx);
		if (pkts[i] == NULL)
			break;
	}
	return i;
}

unsigned ursa_port_mem_pending(const struct ursa_port *p)
{
	const struct mem_port *mp = p->priv;

	return p->ops == &mem_ops ? mp->tx.n : 0;
}

unsigned ursa_port_mem_rx_pending(const struct ursa_port *p)
{
	const struct mem_port *mp = p->priv;

	return p->ops == &mem_ops ? mp->rx.n : 0;
}

/* Software RSS for memory ports: a Toeplitz hash under the key most NICs ship with (the
 * Microsoft RSS verification key) and a 128-entry indirection table filled round-robin, as
 * a NIC configured by default would spread flows over nb_queues. It knows nothing of how
 * ursa chooses ports or QPNs, so a test sees flows land on any shard. */
static const uint8_t rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void rss_load_v6(uint8_t *dst, const uint8_t *a)
{
	for (unsigned i = 0; i < 16; i += 4) {
		uint32_t w;

		memcpy(&w, a + i, 4);
		w = rte_be_to_cpu_32(w);
		memcpy(dst + i, &w, 4);
	}
}

static uint32_t rss_hash(const struct ursa_ipaddr *src, const struct ursa_ipaddr *dst, bool ports,
			 uint16_t sport, uint16_t dport)
{
	union rte_thash_tuple t;
	uint32_t n;

	memset(&t, 0, sizeof(t));
	if (src->family == AF_INET) {
		t.v4.src_addr = rte_be_to_cpu_32(src->v4);
		t.v4.dst_addr = rte_be_to_cpu_32(dst->v4);
		t.v4.sport = sport;
		t.v4.dport = dport;
		n = ports ? RTE_THASH_V4_L4_LEN : RTE_THASH_V4_L3_LEN;
	} else {
		rss_load_v6(t.v6.src_addr, src->v6);
		rss_load_v6(t.v6.dst_addr, dst->v6);
		t.v6.sport = sport;
		t.v6.dport = dport;
		n = ports ? RTE_THASH_V6_L4_LEN : RTE_THASH_V6_L3_LEN;
	}
	return rte_softrss((uint32_t *)&t, n, rss_key);
}

unsigned ursa_port_mem_rss_flow(const struct ursa_ipaddr *src, const struct ursa_ipaddr *dst,
				uint8_t proto, uint16_t sport, uint16_t dport, unsigned nb_queues)
{
	bool ports = proto == IPPROTO_TCP || proto == IPPROTO_UDP;

	if (nb_queues <= 1 || (src->family != AF_INET && src->family != AF_INET6))
		return 0;
	return (rss_hash(src, dst, ports, ports ? sport : 0, ports ? dport : 0) & 127) % nb_queues;
}

unsigned ursa_port_mem_rss(const struct rte_mbuf *m, unsigned nb_queues)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m), off = RTE_ETHER_HDR_LEN;
	struct ursa_ipaddr src, dst;
	const uint8_t *l3, *l4;
	uint16_t type, sport = 0, dport = 0;
	uint8_t proto;

	if (nb_queues <= 1 || len < RTE_ETHER_HDR_LEN)
		return 0;
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == RTE_ETHER_TYPE_VLAN && len >= RTE_ETHER_HDR_LEN + 4) {
		type = (uint16_t)(f[16] << 8 | f[17]);
		off += 4;
	}
	l3 = f + off;
	len -= off;
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	if (type == RTE_ETHER_TYPE_IPV4 && len >= sizeof(struct rte_ipv4_hdr)) {
		const struct rte_ipv4_hdr *ip = (const void *)l3;

		src.family = dst.family = AF_INET;
		src.v4 = ip->src_addr;
		dst.v4 = ip->dst_addr;
		proto = ip->next_proto_id;
		l4 = l3 + (ip->version_ihl & 0xf) * 4u;
	} else if (type == RTE_ETHER_TYPE_IPV6 && len >= sizeof(struct rte_ipv6_hdr)) {
		const struct rte_ipv6_hdr *ip = (const void *)l3;

		src.family = dst.family = AF_INET6;
		memcpy(src.v6, ip->src_addr, 16);
		memcpy(dst.v6, ip->dst_addr, 16);
		proto = ip->proto;
		l4 = l3 + sizeof(*ip);
	} else {
		return 0; /* ARP and the rest: queue 0, as a NIC without a hash for them */
	}
	if (l4 + 4 <= l3 + len) {
		sport = (uint16_t)(l4[0] << 8 | l4[1]);
		dport = (uint16_t)(l4[2] << 8 | l4[3]);
	} else {
		proto = 0; /* no ports to hash */
	}
	return ursa_port_mem_rss_flow(&src, &dst, proto, sport, dport, nb_queues);
}

/* ---- transmit ---------------------------------------------------------------------------- */

struct tx_ctx {
	struct ursa_lcore *lc;
	struct ursa_port *p;
};

static void txbuf_push(void *arg, struct rte_mbuf *m)
{
	struct tx_ctx *t = arg;

	if (t->p->ntx == URSA_BURST)
		ursa_port_flush(t->lc, t->p);
	t->p->txbuf[t->p->ntx++] = m;
}

void ursa_port_tx(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf *m)
{
	struct tx_ctx t = {lc, p};

	if (p->fault[URSA_DIR_TX])
		fault_apply(p->fault[URSA_DIR_TX], ursa_now(lc), m, txbuf_push, &t);
	else
		txbuf_push(&t, m);
}

unsigned ursa_port_flush(struct ursa_lcore *lc, struct ursa_port *p)
{
	uint16_t sent = 0;

	if (p->fault[URSA_DIR_TX]) {
		struct tx_ctx t = {lc, p};

		fault_drain(p->fault[URSA_DIR_TX], ursa_now(lc), txbuf_push, &t);
	}
	if (p->ntx == 0)
		return 0;
	for (uint16_t i = 0; i < p->ntx; i++)
		p->c.tx_bytes += rte_pktmbuf_pkt_len(p->txbuf[i]);
	sent = p->ops->tx_burst(p, p->txbuf, p->ntx);
	for (uint16_t i = sent; i < p->ntx; i++) {
		p->c.tx_bytes -= rte_pktmbuf_pkt_len(p->txbuf[i]);
		rte_pktmbuf_free(p->txbuf[i]);
	}
	p->c.tx_pkts += sent;
	p->c.tx_full_drop += p->ntx - sent;
	p->ntx = 0;
	return sent;
}

/* PMDs whose link follows the peer and which take it down from the EAL interrupt thread
 * when the peer leaves: memif. */
static bool link_follows_peer(struct ursa_port *p)
{
	struct rte_eth_dev_info info;

	return rte_eth_dev_info_get(p->ethdev, &info) == 0 && info.driver_name != NULL &&
	       strcmp(info.driver_name, "net_memif") == 0;
}

/* Whether memif has finished taking the link down: the last step of memif_disconnect()
 * clears the run configuration, after which its stats callback counts over zero queues;
 * before that, a port that carried traffic reports it. (DPDK offers no generic way to wait
 * for the interrupt thread: an EAL alarm used as a barrier leaves a handle that
 * rte_eal_cleanup() frees while it is still registered, and the interrupt thread then
 * crashes at exit.) */
static bool memif_settled(struct ursa_port *p)
{
	struct rte_eth_stats st;

	return rte_eth_stats_get(p->ethdev, &st) == 0 && st.ipackets == 0 && st.opackets == 0;
}

int ursa_port_wait_peer_gone(struct ursa_port *p, unsigned timeout_ms)
{
	struct rte_eth_link link;

	if ((p->ops != &ethdev_ops && p->ops != &ethdev_queue_ops) || !link_follows_peer(p))
		return 0;
	for (unsigned i = 0; i < timeout_ms * 10; i++) {
		if ((rte_eth_link_get_nowait(p->ethdev, &link) != 0 || !link.link_status) &&
		    memif_settled(p))
			return 0;
		usleep(100);
	}
	return -ETIMEDOUT;
}

int ursa_port_set_fault(struct ursa_lcore *lc, struct ursa_port *p, enum ursa_dir dir,
			const struct ursa_fault_conf *conf)
{
	struct ursa_fault *f = NULL;
	int rc;

	(void)lc;
	if (dir >= URSA_DIR_MAX)
		return -EINVAL;
	if (conf) {
		rc = fault_create(conf, &f);
		if (rc)
			return rc;
	}
	fault_destroy(p->fault[dir]);
	p->fault[dir] = f;
	return 0;
}

const struct ursa_fault_counters *ursa_port_fault_counters(const struct ursa_port *p,
							   enum ursa_dir dir)
{
	return dir < URSA_DIR_MAX && p->fault[dir] ? fault_counters(p->fault[dir]) : NULL;
}

static const char *const port_counter_names[] = {
	"rx_pkts", "rx_bytes", "tx_pkts", "tx_bytes", "tx_full_drop",
};
_Static_assert(sizeof(struct ursa_port_counters) == sizeof(port_counter_names) / sizeof(char *) * 8,
	       "port counter names out of step with struct ursa_port_counters");

int port_register_stats(struct ursa_lcore *lc, struct ursa_port *p)
{
	return ursa_stats_register(lc, p->name, port_counter_names, (const uint64_t *)&p->c,
				   RTE_DIM(port_counter_names));
}

void port_close_all(struct ursa_lcore *lc)
{
	for (uint16_t i = 0; i < lc->nb_ports; i++) {
		struct ursa_port *p = &lc->ports[i];

		for (uint16_t j = 0; j < p->ntx; j++)
			rte_pktmbuf_free(p->txbuf[j]);
		p->ntx = 0;
		for (int d = 0; d < URSA_DIR_MAX; d++) {
			fault_destroy(p->fault[d]);
			p->fault[d] = NULL;
		}
		p->ops->close(p);
	}
	lc->nb_ports = 0;
}
