/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethernet II and IEEE 802.1Q: the lcore's receive handler and the transmit side.
 *
 * Receive order matters: the interface is resolved from (port, VLAN) before any address
 * check, so a frame on a VLAN nobody configured never reaches a tenant; then the destination
 * MAC filter, the source MAC sanity checks, and the EtherType demultiplexer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eth_priv.h"

static const char *const eth_counter_names[] = {ETH_COUNTERS(URSA_COUNTER_NAME)};
static_assert(RTE_DIM(eth_counter_names) == ETH_C_MAX, "one name per counter");

static_assert(sizeof(struct rte_ether_hdr) == 14, "Ethernet II header");
static_assert(sizeof(struct rte_vlan_hdr) == 4, "802.1Q tag after the TPID");

static void eth_fini(struct ursa_lcore *lc)
{
	free(lc->eth);
	lc->eth = NULL;
}

static ursa_eth_handler_t eth_handler(const struct ursa_eth_ctx *e, uint16_t ethertype)
{
	for (unsigned i = 0; i < e->nb_handlers; i++)
		if (e->handlers[i].ethertype == ethertype)
			return e->handlers[i].fn;
	return NULL;
}

static bool is_vlan_tpid(uint16_t t)
{
	return t == RTE_ETHER_TYPE_VLAN || t == RTE_ETHER_TYPE_QINQ;
}

/* One frame: resolve, filter, strip, dispatch. Consumes m. */
static void eth_input_one(struct ursa_lcore *lc, struct ursa_eth_ctx *e, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	struct ursa_pkt_meta *meta = ursa_pkt_meta(m);
	struct ursa_iface *ifc;
	ursa_eth_handler_t h;
	uint16_t l2len = sizeof(struct rte_ether_hdr);
	uint16_t type, vid = 0;
	uint8_t flags = 0;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr)) {
		e->c[ETH_C_drop_runt]++;
		goto drop;
	}
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	type = rte_be_to_cpu_16(eh->ether_type);
	if (m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED) {
		vid = m->vlan_tci & 0xfff;
		flags |= URSA_PKT_VLAN;
		if (is_vlan_tpid(type)) { /* a second tag left in the frame */
			e->c[ETH_C_drop_qinq]++;
			goto drop;
		}
	} else if (type == RTE_ETHER_TYPE_QINQ) { /* an outer S-tag: not ours to unwrap */
		e->c[ETH_C_drop_qinq]++;
		goto drop;
	} else if (type == RTE_ETHER_TYPE_VLAN) {
		const struct rte_vlan_hdr *vh;

		l2len += sizeof(struct rte_vlan_hdr);
		if (rte_pktmbuf_data_len(m) < l2len) {
			e->c[ETH_C_drop_runt]++;
			goto drop;
		}
		vh = (const struct rte_vlan_hdr *)(eh + 1);
		vid = rte_be_to_cpu_16(vh->vlan_tci) & 0xfff;
		type = rte_be_to_cpu_16(vh->eth_proto);
		flags |= URSA_PKT_VLAN;
		if (is_vlan_tpid(type)) {
			e->c[ETH_C_drop_qinq]++;
			goto drop;
		}
	}
	/* VID 0 is a priority tag (802.1Q 9.6): the untagged interface. */
	ifc = ursa_iface_by_port_vlan(lc, m->port, vid);
	if (ifc == NULL) {
		e->c[ETH_C_drop_no_iface]++;
		goto drop;
	}
	if (rte_is_broadcast_ether_addr(&eh->dst_addr)) {
		flags |= URSA_PKT_BCAST;
	} else if (rte_is_multicast_ether_addr(&eh->dst_addr)) {
		flags |= URSA_PKT_MCAST;
	} else if (!rte_is_same_ether_addr(&eh->dst_addr, &ifc->mac)) {
		e->c[ETH_C_drop_not_for_us]++;
		goto drop;
	}
	if (rte_is_multicast_ether_addr(&eh->src_addr)) {
		e->c[ETH_C_drop_mcast_src]++;
		goto drop;
	}
	if (rte_is_same_ether_addr(&eh->src_addr, &ifc->mac)) {
		e->c[ETH_C_drop_own_src]++; /* our own frame looped back */
		goto drop;
	}
	h = eth_handler(e, type);
	if (h == NULL) {
		e->c[ETH_C_drop_unknown_ethertype]++;
		goto drop;
	}
	if (!(meta->rx_flags & URSA_RX_DISPATCHED)) { /* counted by the shard it came to */
		e->c[ETH_C_rx]++;
		e->c[ETH_C_rx_bcast] += (flags & URSA_PKT_BCAST) != 0;
		e->c[ETH_C_rx_mcast] += (flags & URSA_PKT_MCAST) != 0;
		e->c[ETH_C_rx_vlan] += (flags & URSA_PKT_VLAN) != 0;
		e->rx_iface[ifc->index]++;
	}
	meta->iface = ifc->index;
	meta->l2_flags = flags;
	rte_pktmbuf_adj(m, l2len);
	m->l2_len = l2len;
	h(lc, ifc, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

static void eth_rx(struct ursa_lcore *lc, struct ursa_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	(void)p;
	for (uint16_t i = 0; i < n; i++)
		eth_input_one(lc, lc->eth, pkts[i]);
}

int ursa_eth_init(struct ursa_lcore *lc)
{
	struct ursa_eth_ctx *e;
	int rc;

	if (lc->eth != NULL)
		return -EEXIST;
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	rc = ursa_lcore_add_fini_hook(lc, eth_fini);
	if (rc)
		goto err_free;
	/* From here the fini hook frees e; a registered counter block can not be removed. */
	rc = ursa_stats_register(lc, "eth", eth_counter_names, e->c, ETH_C_MAX);
	if (rc)
		goto err_free;
	lc->eth = e;
	lc->rx_handler = eth_rx;
	return 0;

err_free:
	free(e);
	return rc;
}

int ursa_eth_register(struct ursa_lcore *lc, uint16_t ethertype, ursa_eth_handler_t h)
{
	struct ursa_eth_ctx *e = lc->eth;

	if (e == NULL || h == NULL)
		return -EINVAL;
	if (eth_handler(e, ethertype) != NULL)
		return -EEXIST;
	if (e->nb_handlers == ETH_MAX_HANDLERS)
		return -ENOSPC;
	e->handlers[e->nb_handlers].ethertype = ethertype;
	e->handlers[e->nb_handlers].fn = h;
	e->nb_handlers++;
	return 0;
}

int ursa_eth_output(struct ursa_lcore *lc, const struct ursa_iface *ifc, struct rte_mbuf *m,
		    const struct rte_ether_addr *dst, uint16_t ethertype)
{
	struct ursa_eth_ctx *e = lc->eth;
	struct rte_ether_hdr *eh;
	uint16_t l2len = sizeof(*eh) + (ifc->vlan ? sizeof(struct rte_vlan_hdr) : 0);

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, l2len);
	if (eh == NULL) {
		e->c[ETH_C_drop_no_headroom]++;
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	eh->dst_addr = *dst;
	eh->src_addr = ifc->mac;
	if (ifc->vlan) {
		struct rte_vlan_hdr *vh = (struct rte_vlan_hdr *)(eh + 1);

		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		vh->vlan_tci = rte_cpu_to_be_16(ifc->vlan & 0xfff); /* PCP 0, DEI 0 */
		vh->eth_proto = rte_cpu_to_be_16(ethertype);
	} else {
		eh->ether_type = rte_cpu_to_be_16(ethertype);
	}
	m->l2_len = l2len;
	ursa_pkt_meta(m)->iface = ifc->index;
	e->c[ETH_C_tx]++;
	ursa_port_tx(lc, &lc->ports[ifc->port], m);
	return 0;
}

uint64_t ursa_eth_iface_rx(const struct ursa_lcore *lc, uint16_t iface)
{
	return lc->eth != NULL && iface < URSA_MAX_IFACES ? lc->eth->rx_iface[iface] : 0;
}
