/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames of the TCP conformance runner: conf_pkt_build() turns an inbound segment (absolute
 * numbers) into an Ethernet/IPv4|IPv6/TCP frame with correct checksums, written with DPDK's
 * header structs; conf_pkt_parse() reads a frame the stack sent back into the same form,
 * verifying the IP and TCP checksums, so the runner compares fields and never bytes.
 */
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "conf.h"
#include "ursa_core.h"

#define SMC_EXID 0xE2D4C3D9u

static unsigned opts_encode(const struct conf_wire *w, uint8_t *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < w->nopt; i++) {
		const struct conf_opt *o = &w->opt[i];

		switch (o->kind) {
		case CONF_OPT_NOP:
			b[n++] = 1;
			break;
		case CONF_OPT_EOL:
			b[n++] = 0;
			break;
		case CONF_OPT_MSS:
			b[n++] = 2;
			b[n++] = 4;
			b[n++] = (uint8_t)(o->v1 >> 8);
			b[n++] = (uint8_t)o->v1;
			break;
		case CONF_OPT_WSCALE:
			b[n++] = 3;
			b[n++] = 3;
			b[n++] = (uint8_t)o->v1;
			break;
		case CONF_OPT_SACKOK:
			b[n++] = 4;
			b[n++] = 2;
			break;
		case CONF_OPT_SACK:
			b[n++] = 5;
			b[n++] = (uint8_t)(2 + 8 * o->nsack);
			for (unsigned j = 0; j < o->nsack; j++) {
				for (int k = 0; k < 2; k++) {
					uint32_t v = o->sack[j][k];

					b[n++] = (uint8_t)(v >> 24);
					b[n++] = (uint8_t)(v >> 16);
					b[n++] = (uint8_t)(v >> 8);
					b[n++] = (uint8_t)v;
				}
			}
			break;
		case CONF_OPT_TS:
			b[n++] = 8;
			b[n++] = 10;
			for (int k = 0; k < 2; k++) {
				uint32_t v = (uint32_t)(k ? o->v2 : o->v1);

				b[n++] = (uint8_t)(v >> 24);
				b[n++] = (uint8_t)(v >> 16);
				b[n++] = (uint8_t)(v >> 8);
				b[n++] = (uint8_t)v;
			}
			break;
		case CONF_OPT_SMC:
			b[n++] = 254;
			b[n++] = 6;
			b[n++] = (uint8_t)(SMC_EXID >> 24);
			b[n++] = (uint8_t)(SMC_EXID >> 16);
			b[n++] = (uint8_t)(SMC_EXID >> 8);
			b[n++] = (uint8_t)SMC_EXID;
			break;
		case CONF_OPT_EXP:
			b[n++] = o->raw_kind;
			b[n++] = (uint8_t)(2 + o->raw_len);
			memcpy(b + n, o->raw, o->raw_len);
			n += o->raw_len;
			break;
		}
	}
	while (n % 4)
		b[n++] = 0; /* EOL pads to the 32-bit boundary */
	return n;
}

struct rte_mbuf *conf_pkt_build(struct ursa_lcore *lc, const uint8_t *src_mac,
				const uint8_t *dst_mac, const struct conf_wire *w)
{
	uint8_t opts[64];
	unsigned olen = opts_encode(w, opts);
	unsigned l3 = w->ipv6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	unsigned l4 = (unsigned)sizeof(struct rte_tcp_hdr) + olen;
	unsigned total = (unsigned)sizeof(struct rte_ether_hdr) + l3 + l4 + w->paylen;
	struct rte_mbuf *m = ursa_pkt_alloc(lc);
	struct rte_ether_hdr *eh;
	struct rte_tcp_hdr *th;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)total);
	if (p == NULL || olen > 40) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)p;
	memcpy(&eh->dst_addr, dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eh->src_addr, src_mac, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(w->ipv6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	th = (struct rte_tcp_hdr *)(p + sizeof(*eh) + l3);
	th->src_port = rte_cpu_to_be_16(w->sport);
	th->dst_port = rte_cpu_to_be_16(w->dport);
	th->sent_seq = rte_cpu_to_be_32(w->seq);
	th->recv_ack = rte_cpu_to_be_32(w->ack);
	th->data_off = (uint8_t)((l4 / 4) << 4);
	th->tcp_flags = w->flags;
	th->rx_win = rte_cpu_to_be_16(w->win);
	th->cksum = 0;
	th->tcp_urp = 0;
	memcpy(th + 1, opts, olen);
	for (unsigned i = 0; i < w->paylen; i++)
		((uint8_t *)(th + 1))[olen + i] = (uint8_t)('a' + i % 26);
	if (w->ipv6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + w->paylen));
		ip6->proto = IPPROTO_TCP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, w->src, 16);
		memcpy(ip6->dst_addr, w->dst, 16);
		th->cksum = rte_ipv6_udptcp_cksum(ip6, th);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + w->paylen));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		memcpy(&ip->src_addr, w->src, 4);
		memcpy(&ip->dst_addr, w->dst, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
	return m;
}

struct rte_mbuf *conf_pkt_build_icmp(struct ursa_lcore *lc, const uint8_t *src_mac,
				     const uint8_t *dst_mac, const struct conf_wire *w,
				     const struct conf_wire *q, uint8_t type, uint8_t code,
				     uint32_t word)
{
	struct rte_mbuf *qm = conf_pkt_build(lc, dst_mac, src_mac, q), *m;
	unsigned l3 = w->ipv6 ? sizeof(struct rte_ipv6_hdr) : sizeof(struct rte_ipv4_hdr);
	unsigned qlen, max = w->ipv6 ? 1280 : 576;
	struct rte_ether_hdr *eh;
	uint8_t *p, *ih;
	uint16_t ck;

	if (qm == NULL)
		return NULL;
	qlen = rte_pktmbuf_pkt_len(qm) - (unsigned)sizeof(*eh);
	if (qlen > max - l3 - 8)
		qlen = max - l3 - 8;
	m = ursa_pkt_alloc(lc);
	p = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*eh) + l3 + 8 + qlen))
		      : NULL;
	if (p == NULL) {
		rte_pktmbuf_free(qm);
		rte_pktmbuf_free(m);
		return NULL;
	}
	eh = (struct rte_ether_hdr *)p;
	memcpy(&eh->dst_addr, dst_mac, RTE_ETHER_ADDR_LEN);
	memcpy(&eh->src_addr, src_mac, RTE_ETHER_ADDR_LEN);
	eh->ether_type = rte_cpu_to_be_16(w->ipv6 ? RTE_ETHER_TYPE_IPV6 : RTE_ETHER_TYPE_IPV4);
	ih = p + sizeof(*eh) + l3;
	ih[0] = type;
	ih[1] = code;
	ih[2] = ih[3] = 0;
	ih[4] = (uint8_t)(word >> 24);
	ih[5] = (uint8_t)(word >> 16);
	ih[6] = (uint8_t)(word >> 8);
	ih[7] = (uint8_t)word;
	memcpy(ih + 8, rte_pktmbuf_mtod_offset(qm, uint8_t *, sizeof(*eh)), qlen);
	rte_pktmbuf_free(qm);
	if (w->ipv6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eh + 1);

		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)(8 + qlen));
		ip6->proto = IPPROTO_ICMPV6;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, w->src, 16);
		memcpy(ip6->dst_addr, w->dst, 16);
		ck = rte_ipv6_udptcp_cksum(ip6, ih);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eh + 1);

		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + 8 + qlen));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_ICMP;
		memcpy(&ip->src_addr, w->src, 4);
		memcpy(&ip->dst_addr, w->dst, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		ck = (uint16_t)~rte_raw_cksum(ih, 8 + qlen);
	}
	memcpy(ih + 2, &ck, 2);
	return m;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Options in wire order; -1 when malformed. */
static int opts_decode(const uint8_t *b, unsigned len, struct conf_wire *w)
{
	unsigned i = 0;

	w->nopt = 0;
	while (i < len) {
		struct conf_opt *o;
		uint8_t kind = b[i], olen;

		if (w->nopt == sizeof(w->opt) / sizeof(w->opt[0]))
			return -1;
		o = &w->opt[w->nopt];
		memset(o, 0, sizeof(*o));
		if (kind == 0) {
			/* EOL: the rest is padding, not recorded */
			return 0;
		}
		if (kind == 1) {
			o->kind = CONF_OPT_NOP;
			w->nopt++;
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;
		olen = b[i + 1];
		if (olen < 2 || i + olen > len)
			return -1;
		switch (kind) {
		case 2:
			if (olen != 4)
				return -1;
			o->kind = CONF_OPT_MSS;
			o->v1 = (uint64_t)b[i + 2] << 8 | b[i + 3];
			break;
		case 3:
			if (olen != 3)
				return -1;
			o->kind = CONF_OPT_WSCALE;
			o->v1 = b[i + 2];
			break;
		case 4:
			if (olen != 2)
				return -1;
			o->kind = CONF_OPT_SACKOK;
			break;
		case 5:
			if ((olen - 2) % 8 != 0 || (olen - 2) / 8 > CONF_MAX_SACK)
				return -1;
			o->kind = CONF_OPT_SACK;
			o->nsack = (unsigned)(olen - 2) / 8;
			for (unsigned j = 0; j < o->nsack; j++) {
				o->sack[j][0] = be32_at(b + i + 2 + 8 * j);
				o->sack[j][1] = be32_at(b + i + 6 + 8 * j);
			}
			break;
		case 8:
			if (olen != 10)
				return -1;
			o->kind = CONF_OPT_TS;
			o->v1 = be32_at(b + i + 2);
			o->v2 = be32_at(b + i + 6);
			break;
		default:
			if (kind == 254 && olen == 6 && be32_at(b + i + 2) == SMC_EXID) {
				o->kind = CONF_OPT_SMC;
			} else {
				o->kind = CONF_OPT_EXP;
				o->raw_kind = kind;
				o->raw_len = (uint8_t)RTE_MIN((unsigned)olen - 2, sizeof(o->raw));
				memcpy(o->raw, b + i + 2, o->raw_len);
			}
			break;
		}
		w->nopt++;
		i += olen;
	}
	return 0;
}

/* The one's complement sum of pseudo-header and segment (checksum included) is 0xffff. */
static bool l4_sum_ok(uint16_t phdr, const void *l4, uint32_t len)
{
	uint32_t sum = (uint32_t)phdr + rte_raw_cksum(l4, len);

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

int conf_pkt_parse(const struct rte_mbuf *m, struct conf_wire *w, const char **what)
{
	static const unsigned max = 9216 + 64;
	uint8_t buf[9216 + 64];
	uint32_t len = rte_pktmbuf_pkt_len(m);
	const uint8_t *p;
	const struct rte_ether_hdr *eh;
	const struct rte_tcp_hdr *th;
	uint16_t et;
	uint32_t l4len, hlen;

	memset(w, 0, sizeof(*w));
	if (len > max) {
		*what = "frame larger than the runner's buffer";
		return -1;
	}
	p = rte_pktmbuf_read(m, 0, len, buf);
	if (p == NULL || len < sizeof(*eh)) {
		*what = "runt frame";
		return -1;
	}
	eh = (const struct rte_ether_hdr *)p;
	et = rte_be_to_cpu_16(eh->ether_type);
	if (et == RTE_ETHER_TYPE_ARP) {
		*what = "ARP";
		return 0;
	}
	if (et == RTE_ETHER_TYPE_IPV4) {
		const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eh + 1);
		unsigned ihl;

		if (len < sizeof(*eh) + sizeof(*ip)) {
			*what = "short IPv4 header";
			return -1;
		}
		ihl = rte_ipv4_hdr_len(ip);
		if (ihl < sizeof(*ip) || rte_raw_cksum(ip, ihl) != 0xffff) {
			*what = "bad IPv4 header checksum";
			return -1;
		}
		if (ip->next_proto_id != IPPROTO_TCP) {
			*what = ip->next_proto_id == IPPROTO_ICMP ? "ICMP" : "non-TCP IPv4";
			return 0;
		}
		if (rte_be_to_cpu_16(ip->total_length) + sizeof(*eh) > len ||
		    rte_be_to_cpu_16(ip->total_length) < ihl + sizeof(*th)) {
			*what = "bad IPv4 total length";
			return -1;
		}
		memcpy(w->src, &ip->src_addr, 4);
		memcpy(w->dst, &ip->dst_addr, 4);
		w->ttl = ip->time_to_live;
		w->df = (rte_be_to_cpu_16(ip->fragment_offset) & RTE_IPV4_HDR_DF_FLAG) != 0;
		th = (const struct rte_tcp_hdr *)((const uint8_t *)ip + ihl);
		l4len = rte_be_to_cpu_16(ip->total_length) - ihl;
		w->cksum_ok = l4_sum_ok(rte_ipv4_phdr_cksum(ip, 0), th, l4len);
	} else if (et == RTE_ETHER_TYPE_IPV6) {
		const struct rte_ipv6_hdr *ip6 = (const struct rte_ipv6_hdr *)(eh + 1);

		if (len < sizeof(*eh) + sizeof(*ip6)) {
			*what = "short IPv6 header";
			return -1;
		}
		if (ip6->proto != IPPROTO_TCP) {
			*what = ip6->proto == IPPROTO_ICMPV6 ? "ICMPv6" : "non-TCP IPv6";
			return 0;
		}
		l4len = rte_be_to_cpu_16(ip6->payload_len);
		if (l4len + sizeof(*eh) + sizeof(*ip6) > len || l4len < sizeof(*th)) {
			*what = "bad IPv6 payload length";
			return -1;
		}
		w->ipv6 = true;
		memcpy(w->src, ip6->src_addr, 16);
		memcpy(w->dst, ip6->dst_addr, 16);
		w->ttl = ip6->hop_limits;
		th = (const struct rte_tcp_hdr *)(ip6 + 1);
		w->cksum_ok = l4_sum_ok(rte_ipv6_phdr_cksum(ip6, 0), th, l4len);
	} else {
		*what = "non-IP frame";
		return 0;
	}
	hlen = (uint32_t)(th->data_off >> 4) * 4;
	if (hlen < sizeof(*th) || hlen > l4len) {
		*what = "bad TCP data offset";
		return -1;
	}
	w->sport = rte_be_to_cpu_16(th->src_port);
	w->dport = rte_be_to_cpu_16(th->dst_port);
	w->seq = rte_be_to_cpu_32(th->sent_seq);
	w->ack = rte_be_to_cpu_32(th->recv_ack);
	w->flags = th->tcp_flags;
	w->win = rte_be_to_cpu_16(th->rx_win);
	w->paylen = l4len - hlen;
	if (opts_decode((const uint8_t *)(th + 1), hlen - (uint32_t)sizeof(*th), w) != 0) {
		*what = "malformed TCP options";
		return -1;
	}
	*what = "TCP";
	return 1;
}
