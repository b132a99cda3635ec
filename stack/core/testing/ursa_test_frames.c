/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test frames as bytes: address and hex parsers, Ethernet and 802.1Q headers, IPv4 and IPv6
 * packets, UDP and ICMP echo messages, and their checksums. Any protocol may be built here
 * (it is test data); nothing here calls a layer above core.
 */
#include <ctype.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_udp.h>

#include "ursa_test.h"

struct ursa_ipaddr ursa_test_ip(const char *s)
{
	struct ursa_ipaddr a;

	CU_ASSERT_FATAL(ursa_ipaddr_parse(s, &a, NULL) == 0);
	return a;
}

long ursa_test_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *s = hex; *s; s++) {
		int v;

		if (isspace((unsigned char)*s))
			continue;
		if (!isxdigit((unsigned char)*s) || n == cap)
			return -1;
		v = isdigit((unsigned char)*s) ? *s - '0' : tolower((unsigned char)*s) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi >= 0 ? -1 : (long)n;
}

size_t ursa_test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	long n = ursa_test_hex(hex, out, cap);

	CU_ASSERT_FATAL(n >= 0);
	return (size_t)n;
}

size_t ursa_test_eth_hdr(uint8_t *f, const void *dmac, const void *smac, uint16_t vlan,
			 uint16_t type)
{
	size_t o = 12;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	if (vlan) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(vlan >> 8);
		f[o++] = (uint8_t)vlan;
	}
	f[o++] = (uint8_t)(type >> 8);
	f[o++] = (uint8_t)type;
	return o;
}

size_t ursa_test_vlan_insert(uint8_t *f, size_t len, uint16_t vid)
{
	memmove(f + 16, f + 12, len - 12);
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = (uint8_t)(vid >> 8);
	f[15] = (uint8_t)vid;
	return len + 4;
}

size_t ursa_test_ipv4_frame(uint8_t *f, const struct ursa_test_l3 *h, const void *l4, size_t l4len)
{
	size_t o = ursa_test_eth_hdr(f, h->dmac, h->smac, h->vlan, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr ip;

	memset(&ip, 0, sizeof(ip));
	ip.version_ihl = 0x45;
	ip.type_of_service = h->tos;
	ip.total_length = rte_cpu_to_be_16((uint16_t)(sizeof(ip) + l4len));
	ip.packet_id = rte_cpu_to_be_16(h->id);
	ip.fragment_offset = rte_cpu_to_be_16(h->frag);
	ip.time_to_live = h->ttl;
	ip.next_proto_id = h->proto;
	ip.src_addr = ursa_test_ip(h->src).v4;
	ip.dst_addr = ursa_test_ip(h->dst).v4;
	ip.hdr_checksum = rte_ipv4_cksum(&ip);
	memcpy(f + o, &ip, sizeof(ip));
	memcpy(f + o + sizeof(ip), l4, l4len);
	return o + sizeof(ip) + l4len;
}

void ursa_test_ipv4_fix_cksum(uint8_t *ip)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;

	h->hdr_checksum = 0;
	h->hdr_checksum = rte_ipv4_cksum(h);
}

size_t ursa_test_ipv6_frame(uint8_t *f, const struct ursa_test_l3 *h, const void *l4, size_t l4len)
{
	size_t o = ursa_test_eth_hdr(f, h->dmac, h->smac, h->vlan, RTE_ETHER_TYPE_IPV6);
	struct ursa_ipaddr s = ursa_test_ip(h->src), d = ursa_test_ip(h->dst);

	memset(f + o, 0, 40);
	f[o] = 0x60;
	f[o + 4] = (uint8_t)(l4len >> 8);
	f[o + 5] = (uint8_t)l4len;
	f[o + 6] = h->proto;
	f[o + 7] = h->ttl;
	memcpy(f + o + 8, s.v6, 16);
	memcpy(f + o + 24, d.v6, 16);
	memcpy(f + o + 40, l4, l4len);
	return o + 40 + l4len;
}

uint16_t ursa_test_cksum6(const uint8_t *src, const uint8_t *dst, uint8_t nh, const void *p,
			  size_t n)
{
	const uint8_t *b = p;
	uint32_t s = 0;

	for (int i = 0; i < 16; i += 2)
		s += (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	s += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff) + nh;
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(b[i] << 8 | (i + 1 < n ? b[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void ursa_test_ipv6_fill_cksum(uint8_t *ip, uint8_t nh, size_t off, size_t cksum_at)
{
	size_t plen = (size_t)(ip[4] << 8 | ip[5]);
	uint8_t *l4 = ip + 40 + off;
	uint16_t c;

	l4[cksum_at] = l4[cksum_at + 1] = 0;
	c = ursa_test_cksum6(ip + 8, ip + 24, nh, l4, plen - off);
	if (c == 0 && nh == IPPROTO_UDP)
		c = 0xffff;
	l4[cksum_at] = (uint8_t)(c >> 8);
	l4[cksum_at + 1] = (uint8_t)c;
}

size_t ursa_test_udp(uint8_t *l4, uint16_t sport, uint16_t dport, const void *pl, size_t plen)
{
	struct rte_udp_hdr u = {
		.src_port = rte_cpu_to_be_16(sport),
		.dst_port = rte_cpu_to_be_16(dport),
		.dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(u) + plen)),
	};

	memcpy(l4, &u, sizeof(u));
	memcpy(l4 + sizeof(u), pl, plen);
	return sizeof(u) + plen;
}

void ursa_test_ipv4_fill_l4_cksum(uint8_t *ip)
{
	struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)ip;
	uint8_t *l4 = ip + sizeof(*h);
	size_t at = h->next_proto_id == IPPROTO_UDP ? 6 : 16;
	uint16_t c;

	memset(l4 + at, 0, 2);
	c = rte_ipv4_udptcp_cksum(h, l4);
	memcpy(l4 + at, &c, 2);
}

size_t ursa_test_icmp_echo(uint8_t *l4, uint8_t type, uint16_t id, uint16_t seq, size_t datalen)
{
	uint16_t c;

	l4[0] = type;
	l4[1] = 0;
	l4[2] = l4[3] = 0;
	l4[4] = (uint8_t)(id >> 8);
	l4[5] = (uint8_t)id;
	l4[6] = (uint8_t)(seq >> 8);
	l4[7] = (uint8_t)seq;
	for (size_t i = 0; i < datalen; i++)
		l4[8 + i] = (uint8_t)(i * 7 + 3);
	c = (uint16_t)~rte_raw_cksum(l4, 8 + datalen);
	memcpy(l4 + 2, &c, 2);
	return 8 + datalen;
}
