/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: TCP segment input (options included) against live connections. One
 * stack on a virtual clock (interface 192.0.2.1/24 and 2001:db8::1/64, the peer 192.0.2.2 /
 * 2001:db8::2 a static neighbour) with listeners on port 8080 (IPv4 and IPv6). Segments go
 * straight to TCP input through ursa_tcp_fuzz_input() (no checksum check, so random bytes
 * reach the state machine); the socket API drives the application side. Every input starts
 * from no connection and ends by aborting what it still holds and letting 30 minutes of
 * virtual time pass (orphans closed gracefully run out their retries: up to 8 back-offs of
 * 120 s); then every mbuf must be back in the pool (a leak is a crash), and the next input's
 * listeners must bind port 8080 again (a connection that never ends is a crash too).
 *
 * Input: a sequence of operations, each an opcode byte and its operands:
 *   0-2 segment: a fix-up byte F, a length byte L, then L bytes of TCP header, options and
 *       payload (fewer when the input ends). F: bit 0 IPv6; bit 1 ports := 40000 -> 8080
 *       (a listener), or with bit 2 the ports of the last active connection; bit 3 seq :=
 *       the ACK number the stack last sent (what it expects next); bit 4 ack := one past the
 *       last sequence number the stack sent; bit 5: a data offset beyond the segment's end
 *       is cut to the segment (so mutated lengths still reach the options parser).
 *   3   time: one byte B; B < 240: B ms pass, else (B - 239) x 10 s (RTO, keepalive,
 *       TIME_WAIT, FIN_WAIT_2 timers).
 *   4   accept on either listener.
 *   5   socket call: one byte S: connection S & 3; (S >> 2) & 7: send (S >> 5) * 193 bytes,
 *       recv, shutdown(SHUT_WR), close, NODELAY, KEEPALIVE + 1 s idle, SO_LINGER {1,0}, peek.
 *   6   connect (active open) to 192.0.2.2 / 2001:db8::2 port 40000 + one byte.
 *   7   poll only.
 * Seeds (corpus/tcp/): handshakes both ways with data, SACK, timestamps, window scale, FIN
 * and RST, written by make-seeds-tcp.py. FUZZ_TCP_VERBOSE=1 prints the TCP counters that
 * moved (cumulative) after each input, to see how deep the seeds reach.
 */
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "fuzz.h"
#include "ursa.h"
#include "ursa_arp.h"
#include "ursa_sock.h"
#include "ursa_tcp.h"

#define LPORT	 8080
#define RPORT	 40000
#define MAX_CONN 4

struct fuzz_state {
	struct ursa_lcore *lc;
	unsigned pool_free; /* mbufs free between inputs */
	/* per input */
	int lfd4, lfd6;
	int conn[MAX_CONN];
	uint16_t active_lport; /* local port of the last active open */
	uint16_t active_rport;
	bool active_v6;
	uint32_t last_seq_end, last_ack; /* what the stack last sent */
};

static struct fuzz_state *state(void)
{
	static struct fuzz_state st; /* libFuzzer gives no context pointer */
	return &st;
}

static void must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fuzz_tcp: %s failed: %d\n", what, rc);
		abort();
	}
}

static struct ursa_ipaddr addr(const char *s)
{
	struct ursa_ipaddr a;
	uint8_t plen;

	must(ursa_ipaddr_parse(s, &a, &plen), s);
	return a;
}

static int listener(struct ursa_lcore *lc, int family)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(LPORT)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(LPORT)};
	int fd = ursa_socket(lc, family, SOCK_STREAM, 0);

	if (fd < 0)
		abort();
	must(ursa_sock_bind_iface(lc, fd, 0), "bind_iface"); /* the interface's tenant */
	if (family == AF_INET6)
		must(ursa_bind(lc, fd, (struct sockaddr *)&s6, sizeof(s6)), "bind6");
	else
		must(ursa_bind(lc, fd, (struct sockaddr *)&s4, sizeof(s4)), "bind4");
	must(ursa_listen(lc, fd, 4), "listen");
	return fd;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ursa_eal_args eal;
	struct ursa_lcore_conf conf = {.nb_mbufs = 4095,
				       .seeded = true,
				       .seed = 1,
				       .virtual_clock = true,
				       .virtual_start_ns = URSA_NS_PER_S,
				       .name = "fuzz"};
	struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, 0x01}};
	struct rte_ether_addr peer = {{0x02, 0, 0, 0, 0, 0x02}};
	/* no link-local: ursa_tcp_fuzz_input() sends to the first IPv6 address, 2001:db8::1 */
	struct ursa_iface_conf c0 = {.port = 0, .tenant = 1, .no_linklocal = true};
	struct ursa_ipaddr a;
	struct ursa_lcore *lc;
	uint16_t port, i0;
	uint8_t plen;

	(void)argc;
	(void)argv;
	if (ursa_eal_args_init(&eal, "fuzz_tcp", 256, "0", "crit") != 0 ||
	    rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "fuzz_tcp: EAL cannot start: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	must(ursa_lcore_create(&conf, &lc), "lcore");
	must(ursa_port_open_mem(lc, &mac, 1500, &port), "port");
	must(ursa_iface_add(lc, &c0, &i0), "iface");
	must(ursa_ipaddr_parse("192.0.2.1/24", &a, &plen), "addr4");
	must(ursa_iface_addr_add(lc, i0, &a, plen), "addr4");
	must(ursa_ipaddr_parse("2001:db8::1/64", &a, &plen), "addr6");
	must(ursa_iface_addr_add(lc, i0, &a, plen), "addr6");
	must(ursa_stack_init(lc), "stack");
	a = addr("192.0.2.2");
	must(ursa_neigh_add_static(lc, &lc->ifaces[i0], &a, &peer), "neigh4");
	a = addr("2001:db8::2");
	must(ursa_neigh_add_static(lc, &lc->ifaces[i0], &a, &peer), "neigh6");
	must(ursa_sock_init(lc), "sock");
	state()->lc = lc;
	state()->pool_free = rte_mempool_avail_count(lc->pool);
	return 0;
}

/* Poll, then note the sequence numbers of the last TCP segment the stack sent. */
static void run(struct fuzz_state *st)
{
	struct rte_mbuf *out[URSA_BURST];
	unsigned n;

	ursa_lcore_poll(st->lc);
	while ((n = ursa_port_mem_take(&st->lc->ports[0], out, URSA_BURST)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			const struct rte_ether_hdr *eh =
				rte_pktmbuf_mtod(out[i], const struct rte_ether_hdr *);
			const struct rte_tcp_hdr *th = NULL;
			uint32_t plen = 0;

			if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) &&
			    out[i]->data_len >= sizeof(*eh) + 20 + 20) {
				const struct rte_ipv4_hdr *ip = (const void *)(eh + 1);

				if (ip->next_proto_id == IPPROTO_TCP) {
					th = (const void *)((const uint8_t *)ip +
							    rte_ipv4_hdr_len(ip));
					plen = rte_be_to_cpu_16(ip->total_length) -
					       rte_ipv4_hdr_len(ip);
				}
			} else if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) &&
				   out[i]->data_len >= sizeof(*eh) + 40 + 20) {
				const struct rte_ipv6_hdr *ip = (const void *)(eh + 1);

				if (ip->proto == IPPROTO_TCP) {
					th = (const void *)(ip + 1);
					plen = rte_be_to_cpu_16(ip->payload_len);
				}
			}
			if (th != NULL) {
				uint32_t hl = (uint32_t)(th->data_off >> 4) * 4;
				uint32_t len = plen > hl ? plen - hl : 0;

				len += (th->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) ? 1
											       : 0;
				st->last_seq_end = rte_be_to_cpu_32(th->sent_seq) + len;
				st->last_ack = rte_be_to_cpu_32(th->recv_ack);
			}
		}
		rte_pktmbuf_free_bulk(out, n);
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void segment(struct fuzz_state *st, uint8_t fix, const uint8_t *p, size_t len)
{
	uint8_t seg[1 + 255];

	seg[0] = fix & 1;
	memcpy(seg + 1, p, len);
	if (len >= 20) {
		uint8_t *th = seg + 1;

		if (fix & 2) {
			bool active = (fix & 4) && st->active_lport != 0;

			put16(th, active ? st->active_rport : RPORT);
			put16(th + 2, active ? st->active_lport : LPORT);
			if (active)
				seg[0] = st->active_v6;
		}
		if (fix & 8)
			put32(th + 4, st->last_ack);
		if (fix & 16)
			put32(th + 8, st->last_seq_end);
		if ((fix & 32) && (size_t)(th[12] >> 4) * 4 > len)
			th[12] = (uint8_t)((len / 4) << 4 | (th[12] & 0x0f));
	}
	(void)ursa_tcp_fuzz_input(st->lc, seg, 1 + len);
	run(st);
}

static void sockcall(struct fuzz_state *st, uint8_t s)
{
	static const uint8_t data[193 * 7];
	struct linger lg = {1, 0};
	int fd = st->conn[s & 3], one = 1, idle = 1;
	uint8_t buf[2048];

	if (fd < 0)
		return;
	switch ((s >> 2) & 7) {
	case 0:
		(void)ursa_send(st->lc, fd, data, (size_t)(s >> 5) * 193, 0);
		break;
	case 1:
		(void)ursa_recv(st->lc, fd, buf, sizeof(buf), 0);
		break;
	case 2:
		(void)ursa_shutdown(st->lc, fd, SHUT_WR);
		break;
	case 3:
		(void)ursa_close(st->lc, fd);
		st->conn[s & 3] = -1;
		break;
	case 4:
		(void)ursa_setsockopt(st->lc, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		break;
	case 5:
		(void)ursa_setsockopt(st->lc, fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
		(void)ursa_setsockopt(st->lc, fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
		break;
	case 6:
		(void)ursa_setsockopt(st->lc, fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	default:
		(void)ursa_recv(st->lc, fd, buf, 64, MSG_PEEK);
		break;
	}
	run(st);
}

static int free_slot(struct fuzz_state *st)
{
	for (int i = 0; i < MAX_CONN; i++)
		if (st->conn[i] < 0)
			return i;
	return -1;
}

static void active_open(struct fuzz_state *st, uint8_t b)
{
	struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(RPORT + b)};
	struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(RPORT + b)};
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	bool v6 = b & 1;
	int slot = free_slot(st), fd;

	if (slot < 0)
		return;
	fd = ursa_socket(st->lc, v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return;
	(void)ursa_sock_bind_iface(st->lc, fd, 0);
	s4.sin_addr.s_addr = htonl(0xc0000202);
	s6.sin6_addr.s6_addr[0] = 0x20;
	s6.sin6_addr.s6_addr[1] = 0x01;
	s6.sin6_addr.s6_addr[2] = 0x0d;
	s6.sin6_addr.s6_addr[3] = 0xb8;
	s6.sin6_addr.s6_addr[15] = 2;
	if (v6)
		(void)ursa_connect(st->lc, fd, (struct sockaddr *)&s6, sizeof(s6));
	else
		(void)ursa_connect(st->lc, fd, (struct sockaddr *)&s4, sizeof(s4));
	st->conn[slot] = fd;
	if (ursa_getsockname(st->lc, fd, (struct sockaddr *)&local, &llen) == 0) {
		st->active_lport = v6 ? ntohs(((struct sockaddr_in6 *)&local)->sin6_port)
				      : ntohs(((struct sockaddr_in *)&local)->sin_port);
		st->active_rport = (uint16_t)(RPORT + b);
		st->active_v6 = v6;
	}
	run(st);
}

static void accept_one(struct fuzz_state *st)
{
	int slot = free_slot(st), fd;

	if (slot < 0)
		return;
	fd = ursa_accept(st->lc, st->lfd4, NULL, NULL);
	if (fd < 0)
		fd = ursa_accept(st->lc, st->lfd6, NULL, NULL);
	if (fd >= 0)
		st->conn[slot] = fd;
	run(st);
}

static void advance(struct fuzz_state *st, uint64_t ns)
{
	/* in 8 steps, so timers that re-arm (back-off, probes) fire again on the way */
	uint64_t step = ns / 8 > URSA_NS_PER_MS ? ns / 8 : URSA_NS_PER_MS;

	while (ns > 0) {
		uint64_t d = ns < step ? ns : step;

		ursa_clock_advance(&st->lc->clock, d);
		run(st);
		ns -= d;
	}
}

static void print_counter(const char *block, const char *name, uint64_t val, void *arg)
{
	(void)arg;
	if (val != 0 && strcmp(block, "tcp") == 0)
		fprintf(stderr, "  %s.%s %" PRIu64 "\n", block, name, val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state *st = state();
	struct linger lg = {1, 0};
	size_t i = 0;

	st->lfd4 = listener(st->lc, AF_INET);
	st->lfd6 = listener(st->lc, AF_INET6);
	for (int c = 0; c < MAX_CONN; c++)
		st->conn[c] = -1;
	st->active_lport = 0;
	st->last_seq_end = st->last_ack = 0;
	while (i < size) {
		uint8_t op = data[i++] & 7;
		uint8_t b = i < size ? data[i] : 0;

		switch (op) {
		case 0:
		case 1:
		case 2: {
			uint8_t fix = b;
			size_t len;

			if (i + 2 > size)
				break;
			len = data[i + 1];
			i += 2;
			if (len > size - i)
				len = size - i;
			segment(st, fix, data + i, len);
			i += len;
			break;
		}
		case 3:
			i++;
			advance(st, b < 240 ? b * URSA_NS_PER_MS
					    : (uint64_t)(b - 239) * 10 * URSA_NS_PER_S);
			break;
		case 4:
			accept_one(st);
			break;
		case 5:
			i++;
			sockcall(st, b);
			break;
		case 6:
			i++;
			active_open(st, b);
			break;
		default:
			run(st);
			break;
		}
	}
	/* Tear down: abort what is open, let every timer run out, count the mbufs. */
	for (int c = 0; c < MAX_CONN; c++)
		if (st->conn[c] >= 0) {
			(void)ursa_setsockopt(st->lc, st->conn[c], SOL_SOCKET, SO_LINGER, &lg,
					      sizeof(lg));
			(void)ursa_close(st->lc, st->conn[c]);
		}
	(void)ursa_close(st->lc, st->lfd4);
	(void)ursa_close(st->lc, st->lfd6);
	for (int k = 0; k < 180; k++) {
		ursa_clock_advance(&st->lc->clock, 10 * URSA_NS_PER_S);
		run(st);
	}
	if (getenv("FUZZ_TCP_VERBOSE") != NULL) {
		ursa_stats_foreach(st->lc, print_counter, NULL);
		fprintf(stderr, "--\n");
	}
	if (rte_mempool_avail_count(st->lc->pool) != st->pool_free) {
		fprintf(stderr, "fuzz_tcp: %u mbufs free after the input, %u before\n",
			rte_mempool_avail_count(st->lc->pool), st->pool_free);
		abort();
	}
	return 0;
}
