/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The field decoder: turns an Ethernet frame into named fields (eth, 802.1Q, ARP, IPv4,
 * IPv6 with its fragment header, ICMP, ICMPv6 with neighbour discovery, UDP, TCP, RoCEv2 on
 * UDP 4791: BTH, RETH, AETH, AtomicETH, AtomicAckETH, ImmDt, IETH, DETH, ICRC) so the
 * comparison can say exactly which field differs. Values are printed the way they are
 * written in the RFCs (decimal, hex for checksums and flags, dotted/colon addresses).
 * Checksums and the RoCE ICRC also get a ".valid" field, computed here, so a case that
 * ignores a checksum's value still checks that ursa's is correct. Never reads past the
 * captured length: a short header becomes a "<proto>.truncated" field and the rest is
 * payload.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_net_crc.h>

#include "runner.h"

struct cursor {
	const uint8_t *p;
	uint32_t len;
	struct dissection *d;
};

static struct field *add(struct dissection *d, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct field *add(struct dissection *d, const char *name, const char *fmt, ...)
{
	struct field *f;
	va_list ap;

	if (d->n == DISSECT_MAX_FIELDS)
		return NULL;
	f = &d->f[d->n++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(f->val, sizeof(f->val), fmt, ap);
	va_end(ap);
	return f;
}

static void add_bytes(struct dissection *d, const char *name, const uint8_t *p, uint32_t n)
{
	struct field *f = add(d, name, "%u bytes", n);

	if (f != NULL) {
		f->bytes = p;
		f->nbytes = n;
	}
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static void add_mac(struct dissection *d, const char *name, const uint8_t *p)
{
	add(d, name, "%02x:%02x:%02x:%02x:%02x:%02x", p[0], p[1], p[2], p[3], p[4], p[5]);
}

static void add_ip4(struct dissection *d, const char *name, const uint8_t *p)
{
	add(d, name, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

static void add_ip6(struct dissection *d, const char *name, const uint8_t *p)
{
	char buf[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, p, buf, sizeof(buf));
	add(d, name, "%s", buf);
}

static void kind(struct dissection *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append to the coarse signature and the summary alike. */
static void kind(struct dissection *d, const char *fmt, ...)
{
	size_t n = strlen(d->kind);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->kind + n, sizeof(d->kind) - n, fmt, ap);
	va_end(ap);
}

static void summary(struct dissection *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void summary(struct dissection *d, const char *fmt, ...)
{
	size_t n = strlen(d->summary);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->summary + n, sizeof(d->summary) - n, fmt, ap);
	va_end(ap);
}

/* One's complement sum, not yet folded or complemented. */
static uint32_t sum16(uint32_t s, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static bool sum_ok(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* L4 checksum over the pseudo-header; ip/ip6 points at the addresses. */
static bool l4_cksum_ok(bool v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			const uint8_t *l4, uint32_t len)
{
	uint32_t s = 0;

	s = sum16(s, src, v6 ? 16 : 4);
	s = sum16(s, dst, v6 ? 16 : 4);
	s += proto;
	s += len & 0xffff;
	s += len >> 16;
	return sum_ok(sum16(s, l4, len));
}

static const char *icmp_name(uint8_t t)
{
	switch (t) {
	case 0:
		return "echo-reply";
	case 3:
		return "dest-unreach";
	case 5:
		return "redirect";
	case 8:
		return "echo-request";
	case 11:
		return "time-exceeded";
	case 12:
		return "param-problem";
	default:
		return "type-other";
	}
}

static const char *icmp6_name(uint8_t t)
{
	switch (t) {
	case 1:
		return "dest-unreach";
	case 2:
		return "packet-too-big";
	case 3:
		return "time-exceeded";
	case 4:
		return "param-problem";
	case 128:
		return "echo-request";
	case 129:
		return "echo-reply";
	case 133:
		return "RS";
	case 134:
		return "RA";
	case 135:
		return "NS";
	case 136:
		return "NA";
	case 143:
		return "MLDv2-report";
	default:
		return "type-other";
	}
}

struct l3 {
	bool v6;
	const uint8_t *src, *dst;
	bool whole;	    /**< not a fragment: the L4 checksum can be verified */
	const uint8_t *hdr; /**< the IP header */
	uint32_t hdr_len;   /**< its length up to the UDP/TCP/ICMP header */
};

#define ROCE_UDP_PORT 4791
#define ROCE_BTH_LEN  12
#define ROCE_ICRC_LEN 4

/* Extended headers after the BTH, in wire order (IBTA vol. 1 9.2, 9.3; rocev2.md 1.5, 1.6). */
enum roce_ext {
	RX_RETH = 1 << 0, /* 16: VA, R_Key, DMA length */
	RX_AETH = 1 << 1, /* 4: syndrome, MSN */
	RX_ATOM = 1 << 2, /* 28: VA, R_Key, swap/add, compare */
	RX_AACK = 1 << 3, /* 8: original remote data */
	RX_IMM = 1 << 4,  /* 4: immediate data */
	RX_IETH = 1 << 5, /* 4: R_Key to invalidate */
	RX_DETH = 1 << 6, /* 8: Q_Key, source QP */
	RX_REQ = 1 << 7,  /* a request (vs a response) */
};

struct roce_op {
	const char *name;
	unsigned ext;
};

/* Operation codes of RC and UC (low 5 bits; UC has no READ, ATOMIC or ACK). */
static const struct roce_op roce_ops[24] = {
	[0] = {"SEND_FIRST", RX_REQ},
	[1] = {"SEND_MIDDLE", RX_REQ},
	[2] = {"SEND_LAST", RX_REQ},
	[3] = {"SEND_LAST_IMM", RX_REQ | RX_IMM},
	[4] = {"SEND_ONLY", RX_REQ},
	[5] = {"SEND_ONLY_IMM", RX_REQ | RX_IMM},
	[6] = {"WRITE_FIRST", RX_REQ | RX_RETH},
	[7] = {"WRITE_MIDDLE", RX_REQ},
	[8] = {"WRITE_LAST", RX_REQ},
	[9] = {"WRITE_LAST_IMM", RX_REQ | RX_IMM},
	[10] = {"WRITE_ONLY", RX_REQ | RX_RETH},
	[11] = {"WRITE_ONLY_IMM", RX_REQ | RX_RETH | RX_IMM},
	[12] = {"READ_REQUEST", RX_REQ | RX_RETH},
	[13] = {"READ_RESPONSE_FIRST", RX_AETH},
	[14] = {"READ_RESPONSE_MIDDLE", 0},
	[15] = {"READ_RESPONSE_LAST", RX_AETH},
	[16] = {"READ_RESPONSE_ONLY", RX_AETH},
	[17] = {"ACKNOWLEDGE", RX_AETH},
	[18] = {"ATOMIC_ACKNOWLEDGE", RX_AETH | RX_AACK},
	[19] = {"CMP_SWAP", RX_REQ | RX_ATOM},
	[20] = {"FETCH_ADD", RX_REQ | RX_ATOM},
	[22] = {"SEND_LAST_INV", RX_REQ | RX_IETH},
	[23] = {"SEND_ONLY_INV", RX_REQ | RX_IETH},
};

static void dissect_payload(struct cursor *c, uint32_t off)
{
	if (off < c->len)
		add_bytes(c->d, "payload", c->p + off, c->len - off);
}

static void dissect_icmp(struct cursor *c, const struct l3 *l3)
{
	struct dissection *d = c->d;
	uint8_t t;

	if (c->len < 4) {
		add(d, "icmp.truncated", "%u bytes", c->len);
		kind(d, " ICMP truncated");
		dissect_payload(c, 0);
		return;
	}
	t = c->p[0];
	add(d, "icmp.type", "%u", t);
	add(d, "icmp.code", "%u", c->p[1]);
	add(d, "icmp.cksum", "0x%04x", rd16(c->p + 2));
	if (l3->whole)
		add(d, "icmp.cksum.valid", "%s", sum_ok(sum16(0, c->p, c->len)) ? "yes" : "no");
	kind(d, " ICMP %s", icmp_name(t));
	summary(d, " ICMP %s code %u", icmp_name(t), c->p[1]);
	if (c->len < 8) {
		dissect_payload(c, 4);
		return;
	}
	if (t == 0 || t == 8 || t == 13 || t == 14) {
		add(d, "icmp.id", "%u", rd16(c->p + 4));
		add(d, "icmp.seq", "%u", rd16(c->p + 6));
		summary(d, " id %u seq %u", rd16(c->p + 4), rd16(c->p + 6));
	} else {
		add(d, "icmp.rest", "0x%08x", rd32(c->p + 4));
	}
	dissect_payload(c, 8);
}

static void dissect_nd_opts(struct cursor *c, uint32_t off)
{
	struct dissection *d = c->d;

	for (unsigned i = 0; off + 2 <= c->len; i++) {
		uint8_t type = c->p[off], olen = c->p[off + 1];
		char name[CASE_NAME_LEN];

		snprintf(name, sizeof(name), "nd.opt%u.type", i);
		add(d, name, "%u", type);
		snprintf(name, sizeof(name), "nd.opt%u.len", i);
		add(d, name, "%u", olen);
		if (olen == 0 || off + olen * 8u > c->len) {
			snprintf(name, sizeof(name), "nd.opt%u.bad", i);
			add_bytes(d, name, c->p + off, c->len - off);
			return;
		}
		if ((type == 1 || type == 2) && olen == 1) {
			snprintf(name, sizeof(name), "nd.opt%u.lladdr", i);
			add_mac(d, name, c->p + off + 2);
		} else {
			snprintf(name, sizeof(name), "nd.opt%u.data", i);
			add_bytes(d, name, c->p + off + 2, olen * 8u - 2);
		}
		off += olen * 8u;
	}
	if (off < c->len)
		add_bytes(d, "nd.opt.trailing", c->p + off, c->len - off);
}

static void dissect_icmp6(struct cursor *c, const struct l3 *l3)
{
	struct dissection *d = c->d;
	uint8_t t;

	if (c->len < 4) {
		add(d, "icmp6.truncated", "%u bytes", c->len);
		kind(d, " ICMPv6 truncated");
		dissect_payload(c, 0);
		return;
	}
	t = c->p[0];
	add(d, "icmp6.type", "%u", t);
	add(d, "icmp6.code", "%u", c->p[1]);
	add(d, "icmp6.cksum", "0x%04x", rd16(c->p + 2));
	if (l3->whole)
		add(d, "icmp6.cksum.valid", "%s",
		    l4_cksum_ok(true, l3->src, l3->dst, 58, c->p, c->len) ? "yes" : "no");
	kind(d, " ICMPv6 %s", icmp6_name(t));
	summary(d, " ICMPv6 %s code %u", icmp6_name(t), c->p[1]);
	if (c->len < 8) {
		dissect_payload(c, 4);
		return;
	}
	switch (t) {
	case 128:
	case 129:
		add(d, "icmp6.id", "%u", rd16(c->p + 4));
		add(d, "icmp6.seq", "%u", rd16(c->p + 6));
		summary(d, " id %u seq %u", rd16(c->p + 4), rd16(c->p + 6));
		dissect_payload(c, 8);
		return;
	case 135:
	case 136:
		if (c->len < 24)
			break;
		if (t == 136)
			add(d, "nd.flags", "%s%s%s", c->p[4] & 0x80 ? "R" : "-",
			    c->p[4] & 0x40 ? "S" : "-", c->p[4] & 0x20 ? "O" : "-");
		add(d, "nd.reserved", "0x%08x", rd32(c->p + 4) & (t == 136 ? 0x1fffffff : ~0u));
		add_ip6(d, "nd.target", c->p + 8);
		summary(d, " %s", d->f[d->n - 1].val);
		dissect_nd_opts(c, 24);
		return;
	case 133:
		add(d, "icmp6.rest", "0x%08x", rd32(c->p + 4));
		dissect_nd_opts(c, 8);
		return;
	default:
		break;
	}
	add(d, "icmp6.rest", "0x%08x", rd32(c->p + 4));
	dissect_payload(c, 8);
}

/* The ICRC as rxe computes it (rocev2.md 2): CRC-32 (Ethernet) over 8 bytes of 0xFF and the
 * IP packet up to the ICRC, with the variant fields (IPv4 TOS, TTL, checksum; IPv6 traffic
 * class, flow label, hop limit; UDP checksum; BTH byte 4) set to 0xFF. On the wire least
 * significant byte first. roce points at the BTH, len counts BTH .. ICRC. */
static bool icrc_ok(const struct l3 *l3, const uint8_t *roce, uint32_t len)
{
	static_assert(65536 + 8 <= 70000, "ICRC buffer");
	uint8_t buf[70000];
	uint32_t n = 8, ip = l3->hdr_len, wire;

	if ((uint64_t)ip + 8 + len - ROCE_ICRC_LEN + 8 > sizeof(buf))
		return false;
	memset(buf, 0xff, 8);
	memcpy(buf + n, l3->hdr, ip + 8);
	memcpy(buf + n + ip + 8, roce, len - ROCE_ICRC_LEN);
	if (l3->v6) {
		buf[n] |= 0x0f;
		buf[n + 1] = buf[n + 2] = buf[n + 3] = 0xff;
		buf[n + 7] = 0xff;
	} else {
		buf[n + 1] = 0xff;
		buf[n + 8] = 0xff;
		buf[n + 10] = buf[n + 11] = 0xff;
	}
	buf[n + ip + 6] = buf[n + ip + 7] = 0xff;
	buf[n + ip + 8 + 4] = 0xff;
	n += ip + 8 + len - ROCE_ICRC_LEN;
	wire = (uint32_t)roce[len - 4] | (uint32_t)roce[len - 3] << 8 |
	       (uint32_t)roce[len - 2] << 16 | (uint32_t)roce[len - 1] << 24;
	return rte_net_crc_calc(buf, n, RTE_NET_CRC32_ETH) == wire;
}

/* RoCEv2: c covers the UDP payload (BTH .. ICRC). */
static void dissect_roce(struct cursor *c, const struct l3 *l3)
{
	struct dissection *d = c->d;
	const uint8_t *p = c->p;
	const struct roce_op *op = NULL;
	uint8_t opc, pad;
	uint32_t off = ROCE_BTH_LEN, end;
	unsigned ext;
	char name[40];

	if (c->len < ROCE_BTH_LEN + ROCE_ICRC_LEN) {
		add(d, "roce.truncated", "%u bytes", c->len);
		kind(d, " RoCE truncated");
		dissect_payload(c, 0);
		return;
	}
	opc = p[0];
	pad = (p[1] >> 4) & 3;
	add(d, "bth.opcode", "0x%02x", opc);
	add(d, "bth.se", "%u", p[1] >> 7);
	add(d, "bth.m", "%u", (p[1] >> 6) & 1);
	add(d, "bth.pad", "%u", pad);
	add(d, "bth.tver", "%u", p[1] & 0xf);
	add(d, "bth.pkey", "0x%04x", rd16(p + 2));
	add(d, "bth.resv8a", "0x%02x", p[4]);
	add(d, "bth.destqp", "0x%06x", rd32(p + 4) & 0xffffff);
	add(d, "bth.ackreq", "%u", p[8] >> 7);
	add(d, "bth.resv7", "0x%02x", p[8] & 0x7f);
	add(d, "bth.psn", "0x%06x", rd32(p + 8) & 0xffffff);
	add(d, "icrc", "0x%02x%02x%02x%02x", p[c->len - 4], p[c->len - 3], p[c->len - 2],
	    p[c->len - 1]);
	if (l3->hdr != NULL)
		add(d, "icrc.valid", "%s", icrc_ok(l3, p, c->len) ? "yes" : "no");
	if ((opc >> 5) <= 1 && (opc & 0x1f) < RTE_DIM(roce_ops) && roce_ops[opc & 0x1f].name)
		op = &roce_ops[opc & 0x1f];
	if (opc == 0x64 || opc == 0x65) {
		static const struct roce_op ud[2] = {{"SEND_ONLY", RX_REQ | RX_DETH},
						     {"SEND_ONLY_IMM", RX_REQ | RX_DETH | RX_IMM}};
		op = &ud[opc - 0x64];
	}
	snprintf(name, sizeof(name), "%s%s",
		 (opc >> 5) == 1   ? "UC_"
		 : (opc >> 5) == 3 ? "UD_"
				   : "",
		 op ? op->name : "opcode-other");
	kind(d, " RoCE %s", name);
	summary(d, " RoCE %s qp 0x%06x psn 0x%06x%s", name, rd32(p + 4) & 0xffffff,
		rd32(p + 8) & 0xffffff, p[8] >> 7 ? " ackreq" : "");
	end = c->len - ROCE_ICRC_LEN;
	ext = op ? op->ext : 0;
	if ((ext & RX_DETH) && off + 8 <= end) {
		add(d, "deth.qkey", "0x%08x", rd32(p + off));
		add(d, "deth.srcqp", "0x%06x", rd32(p + off + 4) & 0xffffff);
		off += 8;
	}
	if ((ext & RX_RETH) && off + 16 <= end) {
		add(d, "reth.va", "0x%016" PRIx64, rd64(p + off));
		add(d, "reth.rkey", "0x%08x", rd32(p + off + 8));
		add(d, "reth.len", "%u", rd32(p + off + 12));
		off += 16;
	}
	if ((ext & RX_ATOM) && off + 28 <= end) {
		add(d, "atomiceth.va", "0x%016" PRIx64, rd64(p + off));
		add(d, "atomiceth.rkey", "0x%08x", rd32(p + off + 8));
		add(d, "atomiceth.swap_add", "0x%016" PRIx64, rd64(p + off + 12));
		add(d, "atomiceth.compare", "0x%016" PRIx64, rd64(p + off + 20));
		off += 28;
	}
	if ((ext & RX_AETH) && off + 4 <= end) {
		add(d, "aeth.syndrome", "0x%02x", p[off]);
		add(d, "aeth.msn", "%u", rd32(p + off) & 0xffffff);
		summary(d, " %s syndrome 0x%02x msn %u",
			(p[off] >> 5) == 0   ? "ACK"
			: (p[off] >> 5) == 1 ? "RNR-NAK"
			: (p[off] >> 5) == 3 ? "NAK"
					     : "AETH",
			p[off], rd32(p + off) & 0xffffff);
		off += 4;
	}
	if ((ext & RX_AACK) && off + 8 <= end) {
		add(d, "atomicacketh.orig", "0x%016" PRIx64, rd64(p + off));
		off += 8;
	}
	if ((ext & (RX_IMM | RX_IETH)) && off + 4 <= end) {
		add(d, ext & RX_IMM ? "immdt" : "ieth.rkey", "0x%08x", rd32(p + off));
		off += 4;
	}
	if (off > end) {
		add(d, "roce.truncated", "%u bytes", c->len);
		return;
	}
	if (off + pad > end) {
		add(d, "roce.bad_pad", "%u", pad);
		pad = 0;
	}
	if (end - pad > off)
		add_bytes(d, "payload", p + off, end - pad - off);
	if (pad)
		add_bytes(d, "roce.pad", p + end - pad, pad);
}

static void dissect_udp(struct cursor *c, const struct l3 *l3)
{
	struct dissection *d = c->d;
	uint16_t ck;

	if (c->len < 8) {
		add(d, "udp.truncated", "%u bytes", c->len);
		kind(d, " UDP truncated");
		dissect_payload(c, 0);
		return;
	}
	ck = rd16(c->p + 6);
	add(d, "udp.sport", "%u", rd16(c->p));
	add(d, "udp.dport", "%u", rd16(c->p + 2));
	add(d, "udp.len", "%u", rd16(c->p + 4));
	add(d, "udp.cksum", "0x%04x", ck);
	if (l3->whole)
		add(d, "udp.cksum.valid", "%s",
		    ck == 0 && !l3->v6					      ? "none"
		    : l4_cksum_ok(l3->v6, l3->src, l3->dst, 17, c->p, c->len) ? "yes"
									      : "no");
	kind(d, " UDP");
	summary(d, " UDP %u > %u", rd16(c->p), rd16(c->p + 2));
	if (rd16(c->p + 2) == ROCE_UDP_PORT && l3->whole) {
		struct cursor r = {.p = c->p + 8, .len = c->len - 8, .d = d};

		dissect_roce(&r, l3);
		return;
	}
	dissect_payload(c, 8);
}

static void dissect_tcp(struct cursor *c, const struct l3 *l3)
{
	struct dissection *d = c->d;
	uint32_t hl;

	if (c->len < 20) {
		add(d, "tcp.truncated", "%u bytes", c->len);
		kind(d, " TCP truncated");
		dissect_payload(c, 0);
		return;
	}
	hl = (c->p[12] >> 4) * 4u;
	add(d, "tcp.sport", "%u", rd16(c->p));
	add(d, "tcp.dport", "%u", rd16(c->p + 2));
	add(d, "tcp.seq", "%u", rd32(c->p + 4));
	add(d, "tcp.ack", "%u", rd32(c->p + 8));
	add(d, "tcp.off", "%u", c->p[12] >> 4);
	add(d, "tcp.flags", "0x%03x", rd16(c->p + 12) & 0x1ff);
	add(d, "tcp.win", "%u", rd16(c->p + 14));
	add(d, "tcp.cksum", "0x%04x", rd16(c->p + 16));
	if (l3->whole)
		add(d, "tcp.cksum.valid", "%s",
		    l4_cksum_ok(l3->v6, l3->src, l3->dst, 6, c->p, c->len) ? "yes" : "no");
	add(d, "tcp.urp", "%u", rd16(c->p + 18));
	kind(d, " TCP");
	summary(d, " TCP %u > %u flags 0x%03x", rd16(c->p), rd16(c->p + 2),
		rd16(c->p + 12) & 0x1ff);
	if (hl < 20 || hl > c->len) {
		add(d, "tcp.bad_off", "%u", hl);
		dissect_payload(c, 20);
		return;
	}
	if (hl > 20)
		add_bytes(d, "tcp.options", c->p + 20, hl - 20);
	dissect_payload(c, hl);
}

static void dissect_l4(struct cursor *c, uint8_t proto, const struct l3 *l3)
{
	switch (proto) {
	case 1:
		if (!l3->v6) {
			dissect_icmp(c, l3);
			return;
		}
		break;
	case 58:
		if (l3->v6) {
			dissect_icmp6(c, l3);
			return;
		}
		break;
	case 17:
		dissect_udp(c, l3);
		return;
	case 6:
		dissect_tcp(c, l3);
		return;
	default:
		break;
	}
	kind(c->d, " proto %u", proto);
	dissect_payload(c, 0);
}

/* Bytes after the end the L3 header declares: Ethernet padding or junk. */
static void trailer(struct dissection *d, const uint8_t *p, uint32_t n)
{
	if (n)
		add_bytes(d, "eth.trailer", p, n);
}

static void dissect_ipv4(struct cursor *c)
{
	struct dissection *d = c->d;
	const uint8_t *p = c->p;
	uint32_t ihl, tot, flen = c->len;
	uint16_t frag;
	struct l3 l3 = {.v6 = false};
	struct cursor l4;

	if (flen < 20) {
		add(d, "ip.truncated", "%u bytes", flen);
		kind(d, " IPv4 truncated");
		dissect_payload(c, 0);
		return;
	}
	ihl = (p[0] & 0xf) * 4u;
	tot = rd16(p + 2);
	frag = rd16(p + 6);
	add(d, "ip.version", "%u", p[0] >> 4);
	add(d, "ip.ihl", "%u", p[0] & 0xf);
	add(d, "ip.tos", "0x%02x", p[1]);
	add(d, "ip.len", "%u", tot);
	add(d, "ip.id", "%u", rd16(p + 4));
	add(d, "ip.flags", "0x%x%s%s%s", frag >> 13, frag & 0x8000 ? " RF" : "",
	    frag & 0x4000 ? " DF" : "", frag & 0x2000 ? " MF" : "");
	add(d, "ip.frag_off", "%u", (frag & 0x1fff) * 8u);
	add(d, "ip.ttl", "%u", p[8]);
	add(d, "ip.proto", "%u", p[9]);
	add(d, "ip.cksum", "0x%04x", rd16(p + 10));
	add_ip4(d, "ip.src", p + 12);
	add_ip4(d, "ip.dst", p + 16);
	summary(d, " IPv4 %u.%u.%u.%u > %u.%u.%u.%u", p[12], p[13], p[14], p[15], p[16], p[17],
		p[18], p[19]);
	if ((p[0] >> 4) != 4 || ihl < 20 || ihl > flen || tot < ihl || tot > flen) {
		/* Malformed: the header cannot be trusted past its fixed part. */
		kind(d, " IPv4 malformed");
		add(d, "ip.malformed", "%s",
		    (p[0] >> 4) != 4	     ? "version"
		    : ihl < 20 || ihl > flen ? "ihl"
					     : "length");
		dissect_payload(c, 20);
		return;
	}
	add(d, "ip.cksum.valid", "%s", sum_ok(sum16(0, p, ihl)) ? "yes" : "no");
	if (ihl > 20)
		add_bytes(d, "ip.options", p + 20, ihl - 20);
	kind(d, " IPv4");
	l3.src = p + 12;
	l3.dst = p + 16;
	l3.whole = (frag & 0x3fff) == 0;
	l3.hdr = ihl == 20 ? p : NULL; /* rxe's ICRC assumes no options (rocev2.md 1.2) */
	l3.hdr_len = ihl;
	l4 = (struct cursor){.p = p + ihl, .len = tot - ihl, .d = d};
	if ((frag & 0x1fff) != 0) {
		kind(d, " fragment");
		summary(d, " fragment off %u", (frag & 0x1fff) * 8u);
		dissect_payload(&l4, 0);
	} else {
		if (frag & 0x2000) {
			kind(d, " first-fragment");
			summary(d, " first fragment");
		}
		dissect_l4(&l4, p[9], &l3);
	}
	trailer(d, p + tot, flen - tot);
}

static void dissect_ipv6(struct cursor *c)
{
	struct dissection *d = c->d;
	const uint8_t *p = c->p;
	uint32_t plen, off = 40, flen = c->len;
	uint8_t nxt;
	struct l3 l3 = {.v6 = true, .whole = true};
	struct cursor l4;

	if (flen < 40) {
		add(d, "ip6.truncated", "%u bytes", flen);
		kind(d, " IPv6 truncated");
		dissect_payload(c, 0);
		return;
	}
	plen = rd16(p + 4);
	nxt = p[6];
	add(d, "ip6.version", "%u", p[0] >> 4);
	add(d, "ip6.tc", "0x%02x", (uint8_t)(rd16(p) >> 4));
	add(d, "ip6.flow", "0x%05x", rd32(p) & 0xfffff);
	add(d, "ip6.plen", "%u", plen);
	add(d, "ip6.nxt", "%u", nxt);
	add(d, "ip6.hlim", "%u", p[7]);
	add_ip6(d, "ip6.src", p + 8);
	add_ip6(d, "ip6.dst", p + 24);
	{
		char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, p + 8, s, sizeof(s));
		inet_ntop(AF_INET6, p + 24, t, sizeof(t));
		summary(d, " IPv6 %s > %s", s, t);
	}
	if ((p[0] >> 4) != 6 || 40 + plen > flen) {
		kind(d, " IPv6 malformed");
		add(d, "ip6.malformed", "%s", (p[0] >> 4) != 6 ? "version" : "length");
		dissect_payload(c, 40);
		return;
	}
	kind(d, " IPv6");
	l3.src = p + 8;
	l3.dst = p + 24;
	/* Extension headers: hop-by-hop, routing, destination options, fragment. */
	for (unsigned i = 0; nxt == 0 || nxt == 43 || nxt == 60 || nxt == 44; i++) {
		char name[CASE_NAME_LEN];
		uint32_t hl;

		if (off + 8 > 40 + plen) {
			add(d, "ip6.ext.truncated", "%u", nxt);
			dissect_payload(c, off);
			return;
		}
		if (nxt == 44) {
			uint16_t fo = rd16(p + off + 2);

			add(d, "ip6.frag.nxt", "%u", p[off]);
			add(d, "ip6.frag.off", "%u", fo & 0xfff8);
			add(d, "ip6.frag.m", "%u", fo & 1);
			add(d, "ip6.frag.id", "0x%08x", rd32(p + off + 4));
			nxt = p[off];
			off += 8;
			l3.whole = false;
			if ((fo & 0xfff8) != 0) {
				kind(d, " fragment");
				summary(d, " fragment off %u", fo & 0xfff8);
				l4 = (struct cursor){.p = p + off, .len = 40 + plen - off, .d = d};
				dissect_payload(&l4, 0);
				trailer(d, p + 40 + plen, flen - 40 - plen);
				return;
			}
			kind(d, " first-fragment");
			summary(d, " first fragment");
			continue;
		}
		hl = (p[off + 1] + 1u) * 8u;
		if (off + hl > 40 + plen) {
			add(d, "ip6.ext.truncated", "%u", nxt);
			dissect_payload(c, off);
			return;
		}
		snprintf(name, sizeof(name), "ip6.ext%u.type", i);
		add(d, name, "%u", nxt);
		snprintf(name, sizeof(name), "ip6.ext%u.data", i);
		add_bytes(d, name, p + off + 2, hl - 2);
		nxt = p[off];
		off += hl;
	}
	l4 = (struct cursor){.p = p + off, .len = 40 + plen - off, .d = d};
	l3.hdr = off == 40 ? p : NULL;
	l3.hdr_len = off;
	dissect_l4(&l4, nxt, &l3);
	trailer(d, p + 40 + plen, flen - 40 - plen);
}

static void dissect_arp(struct cursor *c)
{
	struct dissection *d = c->d;
	const uint8_t *p = c->p;
	uint16_t op;

	if (c->len < 28 || rd16(p) != 1 || rd16(p + 2) != 0x0800 || p[4] != 6 || p[5] != 4) {
		kind(d, " ARP malformed");
		if (c->len >= 8) {
			add(d, "arp.htype", "%u", rd16(p));
			add(d, "arp.ptype", "0x%04x", rd16(p + 2));
			add(d, "arp.hlen", "%u", p[4]);
			add(d, "arp.plen", "%u", p[5]);
			add(d, "arp.op", "%u", rd16(p + 6));
		}
		add(d, "arp.malformed", "%u bytes", c->len);
		dissect_payload(c, c->len >= 8 ? 8 : 0);
		return;
	}
	op = rd16(p + 6);
	add(d, "arp.htype", "%u", rd16(p));
	add(d, "arp.ptype", "0x%04x", rd16(p + 2));
	add(d, "arp.hlen", "%u", p[4]);
	add(d, "arp.plen", "%u", p[5]);
	add(d, "arp.op", "%u", op);
	add_mac(d, "arp.sha", p + 8);
	add_ip4(d, "arp.spa", p + 14);
	add_mac(d, "arp.tha", p + 18);
	add_ip4(d, "arp.tpa", p + 24);
	kind(d, " ARP %s", op == 1 ? "request" : op == 2 ? "reply" : "op-other");
	summary(d, " ARP %s %u.%u.%u.%u > %u.%u.%u.%u",
		op == 1	  ? "request"
		: op == 2 ? "reply"
			  : "op-other",
		p[14], p[15], p[16], p[17], p[24], p[25], p[26], p[27]);
	trailer(d, p + 28, c->len - 28);
}

void dissect(const uint8_t *data, uint32_t len, struct dissection *d)
{
	struct cursor c;
	uint32_t off = 12;
	uint16_t type;
	unsigned ntags = 0;

	memset(d, 0, sizeof(*d));
	add(d, "frame.len", "%u", len);
	if (len < 14) {
		add(d, "eth.truncated", "%u bytes", len);
		snprintf(d->kind, sizeof(d->kind), "runt");
		snprintf(d->summary, sizeof(d->summary), "runt frame of %u bytes", len);
		add_bytes(d, "payload", data, len);
		return;
	}
	add_mac(d, "eth.dst", data);
	add_mac(d, "eth.src", data + 6);
	type = rd16(data + 12);
	while ((type == 0x8100 || type == 0x88a8) && off + 6 <= len) {
		uint16_t tci = rd16(data + off + 2);
		char name[CASE_NAME_LEN];
		const char *pfx = ntags ? "vlan2" : "vlan";

		snprintf(name, sizeof(name), "%s.tpid", pfx);
		add(d, name, "0x%04x", type);
		snprintf(name, sizeof(name), "%s.pcp", pfx);
		add(d, name, "%u", tci >> 13);
		snprintf(name, sizeof(name), "%s.dei", pfx);
		add(d, name, "%u", (tci >> 12) & 1);
		snprintf(name, sizeof(name), "%s.id", pfx);
		add(d, name, "%u", tci & 0xfff);
		kind(d, "vlan%u ", tci & 0xfff);
		summary(d, "vlan %u ", tci & 0xfff);
		off += 4;
		type = rd16(data + off);
		ntags++;
	}
	add(d, "eth.type", "0x%04x", type);
	off += 2;
	c = (struct cursor){.p = data + off, .len = len - off, .d = d};
	switch (type) {
	case 0x0806:
		dissect_arp(&c);
		break;
	case 0x0800:
		dissect_ipv4(&c);
		break;
	case 0x86dd:
		dissect_ipv6(&c);
		break;
	default:
		kind(d, "ethertype 0x%04x", type);
		summary(d, "ethertype 0x%04x", type);
		dissect_payload(&c, 0);
		break;
	}
}

const struct field *dissect_find(const struct dissection *d, const char *name)
{
	for (unsigned i = 0; i < d->n; i++)
		if (strcmp(d->f[i].name, name) == 0)
			return &d->f[i];
	return NULL;
}
