/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP and ICMPv6 errors reaching TCP through IP's error upcall: fragmentation needed and
 * packet too big lower a connection's MSS and the first unacknowledged segment goes again
 * at the new size (and the transfer completes with every frame fitting the path); an error
 * quoting a sequence number outside SND.UNA..SND.MAX, a packet we did not send, or too few
 * transport bytes is ignored and counted; port unreachable in SYN-SENT fails the connect
 * with ECONNREFUSED; a soft error (host unreachable) is reported when the SYN times out.
 * Two lcores (A connects, B listens) on virtual clocks; the ICMP errors are built here from
 * the very frames A sent, as a router 10.9.0.254 / fd00:9::fe would.
 */
#include <string.h>
#include <sys/socket.h>

#include <rte_ip.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_tcp.h"
#include "ursa_test.h"

static const struct rte_ether_addr mac_a = URSA_TEST_MAC;
static const struct rte_ether_addr mac_b = URSA_TEST_PEER_MAC;

static struct ursa_lcore *A, *B;
static struct ursa_ipaddr a4, b4, a6, b6;

static struct ursa_ipaddr addr(const char *s)
{
	struct ursa_ipaddr x;

	CU_ASSERT_FATAL(ursa_ipaddr_parse(s, &x, NULL) == 0);
	return x;
}

static struct ursa_lcore *host(uint64_t seed, const struct rte_ether_addr *mac,
			       const struct ursa_ipaddr *v4, const struct ursa_ipaddr *v6)
{
	struct ursa_iface_conf c = {.port = 0, .tenant = 1, .mac = mac, .no_linklocal = true};
	struct ursa_lcore *lc = ursa_test_lcore(seed);
	struct ursa_tcp_conf tc;
	uint16_t idx;

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_FATAL(ursa_eth_init(lc) == 0 && ursa_arp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_ip_init(lc) == 0 && ursa_tcp_init(lc) == 0);
	CU_ASSERT_FATAL(ursa_iface_add(lc, &c, &idx) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, idx, v4, 24) == 0);
	CU_ASSERT_FATAL(ursa_iface_addr_add(lc, idx, v6, 64) == 0);
	ursa_tcp_conf_default(&tc);
	tc.syn_retries = 1;
	CU_ASSERT_FATAL(ursa_tcp_set_conf(lc, &tc) == 0);
	return lc;
}

static void hosts_up(void)
{
	a4 = addr("10.9.0.1");
	b4 = addr("10.9.0.2");
	a6 = addr("fd00:9::1");
	b6 = addr("fd00:9::2");
	A = host(21, &mac_a, &a4, &a6);
	B = host(22, &mac_b, &b4, &b6);
	ursa_neigh_update(A, &A->ifaces[0], &b4, &mac_b, true, true);
	ursa_neigh_update(A, &A->ifaces[0], &b6, &mac_b, true, true);
	ursa_neigh_update(B, &B->ifaces[0], &a4, &mac_a, true, true);
	ursa_neigh_update(B, &B->ifaces[0], &a6, &mac_a, true, true);
}

static void hosts_down(void)
{
	ursa_lcore_destroy(A);
	ursa_lcore_destroy(B);
	A = B = NULL;
}

static uint64_t ctr(struct ursa_lcore *lc, const char *block, const char *name)
{
	return ursa_test_counter(lc, block, name);
}

/* Carry frames both ways until quiet; every frame A sends must be at most max bytes
 * (Ethernet header included). */
static void pump(size_t max)
{
	struct rte_mbuf *m[32];
	unsigned n, moved;

	do {
		moved = 0;
		ursa_lcore_poll(A);
		ursa_lcore_poll(B);
		while ((n = ursa_port_mem_take(&A->ports[0], m, 32)) > 0) {
			for (unsigned i = 0; i < n; i++)
				CU_ASSERT(rte_pktmbuf_pkt_len(m[i]) <= max);
			ursa_port_mem_inject(&B->ports[0], m, n);
			moved += n;
		}
		while ((n = ursa_port_mem_take(&B->ports[0], m, 32)) > 0) {
			ursa_port_mem_inject(&A->ports[0], m, n);
			moved += n;
		}
	} while (moved > 0 || ursa_test_pair_idle(A, B));
}

/* A connects to B (port 80, listening) and both reach ESTABLISHED. */
static void connected(bool v6, struct ursa_tcp_pcb **a, struct ursa_tcp_pcb **b)
{
	struct ursa_tcp_pcb *l;

	CU_ASSERT_FATAL(ursa_tcp_create(B, 1, -1, v6 ? AF_INET6 : AF_INET, &l) == 0);
	CU_ASSERT_FATAL(ursa_tcp_bind(B, l, NULL, 80) == 0);
	CU_ASSERT_FATAL(ursa_tcp_listen(B, l, 4) == 0);
	CU_ASSERT_FATAL(ursa_tcp_create(A, 1, -1, v6 ? AF_INET6 : AF_INET, a) == 0);
	CU_ASSERT_FATAL(ursa_tcp_connect(A, *a, v6 ? &b6 : &b4, 80) == 0);
	for (int i = 0; i < 8; i++)
		ursa_test_pair_carry(A, B);
	CU_ASSERT_FATAL(ursa_tcp_accept(B, l, b) == 0);
	CU_ASSERT_FATAL(ursa_tcp_get_state(*a) == URSA_TCP_ESTABLISHED);
}

/* An ICMP (IPv4) or ICMPv6 error from the router to A about orig (an Ethernet frame A sent),
 * quoting quote bytes of its IP packet. Returns the frame length. */
static size_t icmp_about(uint8_t *f, const uint8_t *orig, size_t orig_len, bool v6, uint8_t type,
			 uint8_t code, uint32_t word, size_t quote)
{
	size_t ip = v6 ? 40 : 20, n;
	uint8_t *ih = f + 14 + ip;

	if (quote > orig_len - 14)
		quote = orig_len - 14;
	n = 8 + quote;
	memcpy(f, &mac_a, 6);
	memcpy(f + 6, &mac_b, 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	memset(f + 14, 0, ip);
	ih[0] = type;
	ih[1] = code;
	ih[2] = ih[3] = 0;
	ih[4] = (uint8_t)(word >> 24);
	ih[5] = (uint8_t)(word >> 16);
	ih[6] = (uint8_t)(word >> 8);
	ih[7] = (uint8_t)word;
	memcpy(ih + 8, orig + 14, quote);
	if (v6) {
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(f + 14);
		struct ursa_ipaddr r = addr("fd00:9::fe");
		uint16_t ck;

		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)n);
		h->proto = 58;
		h->hop_limits = 64;
		memcpy(h->src_addr, r.v6, 16);
		memcpy(h->dst_addr, a6.v6, 16);
		ck = rte_ipv6_udptcp_cksum(h, ih);
		memcpy(ih + 2, &ck, 2);
	} else {
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(f + 14);
		uint16_t ck = (uint16_t)~rte_raw_cksum(ih, n);

		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(20 + n));
		h->time_to_live = 64;
		h->next_proto_id = IPPROTO_ICMP;
		h->src_addr = addr("10.9.0.254").v4;
		h->dst_addr = a4.v4;
		h->hdr_checksum = rte_ipv4_cksum(h);
		memcpy(ih + 2, &ck, 2);
	}
	return 14 + ip + n;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A sends 3000 bytes; its first segment reaches a hop with a smaller MTU, which answers with
 * fragmentation needed / packet too big (reported mtu); the second is lost there. */
static void pmtu_case(bool v6, uint32_t reported, uint32_t want_mtu)
{
	static uint8_t data[3000], got[3000];
	uint8_t f0[1600], f1[1600], icmp[1700];
	struct ursa_tcp_pcb *a, *b;
	struct ursa_tcp_info ia;
	size_t n0, n1, n, ip = v6 ? 40 : 20;
	uint32_t want_mss = want_mtu - (uint32_t)ip - 20 - 12; /* timestamps on */
	ssize_t r, total = 0;

	hosts_up();
	connected(v6, &a, &b);
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7);
	CU_ASSERT_EQUAL(ursa_tcp_send(A, a, data, sizeof(data), 0), (ssize_t)sizeof(data));
	n0 = ursa_test_tx_copy(A, f0, sizeof(f0));
	CU_ASSERT_EQUAL_FATAL(n0, 14 + ip + 32 + (v6 ? 1428 : 1448));
	CU_ASSERT_EQUAL(ursa_test_tx_drain(A), 1); /* Nagle holds the short rest */
	/* routers quote 576 bytes (IPv4) or as much as fits in 1280 (IPv6) */
	n = icmp_about(icmp, f0, n0, v6, v6 ? 2 : 3, v6 ? 0 : 4, reported, v6 ? 1232 : 548);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_pmtu_lowered"), 1);
	CU_ASSERT_EQUAL(ctr(A, v6 ? "icmp6" : "icmp", "rx_err_delivered"), 1);
	CU_ASSERT_EQUAL(ctr(A, "icmp6", "rx_err_small_mtu"), v6 && reported < 1280);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_pmtu_clamped"), !v6 && reported != 0 && reported < 576);
	CU_ASSERT_EQUAL(ursa_tcp_get_info(a, &ia), 0);
	CU_ASSERT_EQUAL(ia.snd_mss, want_mss);
	CU_ASSERT_EQUAL(ia.cwnd, 10u * (v6 ? 1428 : 1448)); /* IW10: not a congestion signal */
	/* what was in flight goes again at once from SND.UNA, every segment fitting the path */
	n1 = ursa_test_tx_copy(A, f1, sizeof(f1));
	CU_ASSERT_EQUAL_FATAL(n1, 14 + want_mtu);
	CU_ASSERT_EQUAL(be32_at(f1 + 14 + ip + 4), be32_at(f0 + 14 + ip + 4));
	CU_ASSERT_EQUAL(memcmp(f1 + 14 + ip + 32, data, want_mss), 0);
	ursa_port_mem_inject(&B->ports[0], &(struct rte_mbuf *){ursa_test_mbuf(B, f1, n1)}, 1);
	/* the second segment (lost at the hop) without waiting for an RTO */
	n1 = ursa_test_tx_copy(A, f1, sizeof(f1));
	CU_ASSERT_EQUAL_FATAL(n1, 14 + want_mtu);
	CU_ASSERT_EQUAL(be32_at(f1 + 14 + ip + 4), be32_at(f0 + 14 + ip + 4) + want_mss);
	ursa_port_mem_inject(&B->ports[0], &(struct rte_mbuf *){ursa_test_mbuf(B, f1, n1)}, 1);
	CU_ASSERT(ctr(A, "tcp", "retransmits") >= 2);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "timeouts"), 0);
	/* the rest is resent at the new size and arrives in order */
	pump(14 + want_mtu);
	while ((r = ursa_tcp_recv(B, b, got + total, sizeof(got) - (size_t)total, 0)) > 0)
		total += r;
	CU_ASSERT_EQUAL(total, (ssize_t)sizeof(data));
	CU_ASSERT_EQUAL(memcmp(got, data, sizeof(data)), 0);
	CU_ASSERT_EQUAL(ursa_tcp_get_info(a, &ia), 0);
	CU_ASSERT_EQUAL(ia.unacked, 0);
	CU_ASSERT_EQUAL(ia.timeouts, 0); /* recovered without an RTO */
	hosts_down();
}

static void test_frag_needed_v4(void)
{
	pmtu_case(false, 1000, 1000);
	/* a hop that sends no MTU (RFC 1191 §7): the plateau below the 1500-byte packet */
	pmtu_case(false, 0, 1492);
	/* never below 576 bytes (RFC 1122 3.3.3), however small the report */
	pmtu_case(false, 296, 576);
}

static void test_packet_too_big_v6(void)
{
	pmtu_case(true, 1400, 1400);
	/* below the IPv6 minimum: 1280 (RFC 8201 §4), and IP counts it */
	pmtu_case(true, 1000, 1280);
}

/* Errors TCP must not believe: a sequence number outside the window (RFC 5927 §4.1), a
 * packet from an address that is not ours, a quote too short to hold the ports and sequence,
 * a connection that does not exist. Nothing changes and nothing is sent. */
static void test_forged_ignored(void)
{
	uint8_t f0[1600], icmp[1700];
	struct ursa_tcp_pcb *a, *b;
	struct ursa_tcp_info ia;
	size_t n0, n;
	uint8_t *seq;

	hosts_up();
	connected(false, &a, &b);
	CU_ASSERT_EQUAL(ursa_tcp_send(A, a, "0123456789", 10, 0), 10);
	n0 = ursa_test_tx_copy(A, f0, sizeof(f0));
	CU_ASSERT_FATAL(n0 > 0);
	seq = f0 + 14 + 20 + 4;
	/* below SND.UNA */
	seq[0] ^= 0x80;
	n = icmp_about(icmp, f0, n0, false, 3, 4, 600, 548);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_bad_seq"), 1);
	/* port unreachable outside the window does not kill it either */
	n = icmp_about(icmp, f0, n0, false, 3, 3, 0, 548);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_bad_seq"), 2);
	seq[0] ^= 0x80;
	/* a connection that is not there (another source port) */
	f0[14 + 20 + 1] ^= 1;
	n = icmp_about(icmp, f0, n0, false, 3, 4, 600, 548);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_no_conn"), 1);
	f0[14 + 20 + 1] ^= 1;
	/* not our packet: its source is not an address of the interface */
	f0[14 + 12 + 3] ^= 0x40;
	n = icmp_about(icmp, f0, n0, false, 3, 4, 600, 548);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "icmp", "rx_err_not_ours"), 1);
	f0[14 + 12 + 3] ^= 0x40;
	/* the IP header and 4 bytes: no sequence number to check */
	n = icmp_about(icmp, f0, n0, false, 3, 4, 600, 24);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "icmp", "rx_err_no_l4"), 1);
	/* a quoted IP header that is not one */
	f0[14] = 0x46;
	n = icmp_about(icmp, f0, n0, false, 3, 4, 600, 20);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ctr(A, "icmp", "rx_err_bad_quote"), 1);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_pmtu_lowered"), 0);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_rx"), 3);
	CU_ASSERT_EQUAL(ctr(A, "icmp", "rx_err_delivered"), 3);
	CU_ASSERT_EQUAL(ursa_tcp_get_info(a, &ia), 0);
	CU_ASSERT_EQUAL(ia.snd_mss, 1448);
	CU_ASSERT_EQUAL(ia.state, URSA_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(ursa_test_tx_drain(A), 0);
	hosts_down();
}

/* RFC 1122 4.2.3.9: port unreachable about our SYN fails the connect (hard error); host
 * unreachable does not, and is what the connect reports when the SYN times out. */
static void test_syn_sent_errors(void)
{
	uint8_t f0[200], icmp[400];
	struct ursa_tcp_pcb *a;
	size_t n0, n;

	hosts_up();
	CU_ASSERT_FATAL(ursa_tcp_create(A, 1, -1, AF_INET, &a) == 0);
	CU_ASSERT_FATAL(ursa_tcp_connect(A, a, &b4, 81) == 0);
	n0 = ursa_test_tx_copy(A, f0, sizeof(f0));
	CU_ASSERT_FATAL(n0 > 0);
	n = icmp_about(icmp, f0, n0, false, 3, 3, 0, 28);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ursa_tcp_get_state(a), URSA_TCP_CLOSED);
	CU_ASSERT_EQUAL(ursa_tcp_error(a), -ECONNREFUSED);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_conn_refused"), 1);
	ursa_tcp_close(A, a);

	/* IPv6 port unreachable (RFC 4443 §3.1 code 4): the same */
	CU_ASSERT_FATAL(ursa_tcp_create(A, 1, -1, AF_INET6, &a) == 0);
	CU_ASSERT_FATAL(ursa_tcp_connect(A, a, &b6, 81) == 0);
	n0 = ursa_test_tx_copy(A, f0, sizeof(f0));
	n = icmp_about(icmp, f0, n0, true, 1, 4, 0, 200);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ursa_tcp_error(a), -ECONNREFUSED);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_conn_refused"), 2);
	ursa_tcp_close(A, a);

	/* host unreachable: soft; the SYN is retried, and its timeout reports it */
	CU_ASSERT_FATAL(ursa_tcp_create(A, 1, -1, AF_INET, &a) == 0);
	CU_ASSERT_FATAL(ursa_tcp_connect(A, a, &b4, 82) == 0);
	n0 = ursa_test_tx_copy(A, f0, sizeof(f0));
	n = icmp_about(icmp, f0, n0, false, 3, 1, 0, 28);
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ursa_tcp_get_state(a), URSA_TCP_SYN_SENT);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_soft"), 1);
	ursa_test_advance(A, 10ull * URSA_NS_PER_S); /* syn_retries 1: 1 s + 2 s */
	CU_ASSERT_EQUAL(ursa_tcp_get_state(a), URSA_TCP_CLOSED);
	CU_ASSERT_EQUAL(ursa_tcp_error(a), -EHOSTUNREACH);
	ursa_tcp_close(A, a);
	ursa_test_tx_drain(A);
	hosts_down();
}

/* Once synchronised a hard error is soft too (RFC 5461 §4), and an ACK of new data forgets
 * a soft error: a later timeout reports ETIMEDOUT, not old ICMP news. */
static void test_soft_errors_established(void)
{
	uint8_t f0[1600], icmp[1700];
	struct ursa_tcp_pcb *a, *b;
	struct ursa_tcp_conf tc;
	size_t n0, n;

	hosts_up();
	ursa_tcp_conf_default(&tc);
	tc.retries2 = 2;
	CU_ASSERT_FATAL(ursa_tcp_set_conf(A, &tc) == 0);
	connected(false, &a, &b);
	CU_ASSERT_EQUAL(ursa_tcp_send(A, a, "abc", 3, 0), 3);
	n0 = ursa_test_tx_copy(A, f0, sizeof(f0));
	n = icmp_about(icmp, f0, n0, false, 3, 3, 0, 548); /* port unreachable */
	ursa_test_rx_bytes(A, icmp, n);
	CU_ASSERT_EQUAL(ursa_tcp_get_state(a), URSA_TCP_ESTABLISHED);
	CU_ASSERT_EQUAL(ctr(A, "tcp", "icmp_soft"), 1);
	/* the peer acknowledges (the RTO resends the segment) */
	pump(1514);
	CU_ASSERT_EQUAL(ursa_tcp_get_state(a), URSA_TCP_ESTABLISHED);
	/* then the peer goes silent: the timeout is ETIMEDOUT */
	CU_ASSERT_EQUAL(ursa_tcp_send(A, a, "def", 3, 0), 3);
	for (int k = 0; k < 600 && ursa_tcp_get_state(a) != URSA_TCP_CLOSED; k++) {
		ursa_test_advance(A, URSA_NS_PER_S);
		ursa_test_tx_drain(A);
	}
	CU_ASSERT_EQUAL(ursa_tcp_get_state(a), URSA_TCP_CLOSED);
	CU_ASSERT_EQUAL(ursa_tcp_error(a), -ETIMEDOUT);
	ursa_tcp_close(A, a);
	hosts_down();
}

int main(void)
{
	CU_pSuite s;

	s = ursa_test_suite("tcp_icmp", NULL, NULL);
	CU_add_test(s, "fragmentation needed lowers the MSS (IPv4)", test_frag_needed_v4);
	CU_add_test(s, "packet too big lowers the MSS (IPv6)", test_packet_too_big_v6);
	CU_add_test(s, "forged or foreign errors are ignored and counted", test_forged_ignored);
	CU_add_test(s, "hard and soft errors in SYN-SENT", test_syn_sent_errors);
	CU_add_test(s, "soft errors once established", test_soft_errors_established);
	return ursa_test_main();
}
