/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of stack/sock: two fake lcores ("a" at 10.0.0.1 / fd00::1, "b" at 10.0.0.2 /
 * fd00::2) whose memory ports are wired back to back by a pump, both on virtual clocks that
 * move together. Everything goes through the socket API: argument checks, connect/accept,
 * transfers verified byte for byte, half close, refusal, options, abortive close, readiness,
 * and tenant isolation by interface binding.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_sock.h"
#include "ursa_tcp.h"
#include "ursa_test.h"

struct side {
	struct ursa_lcore *lc;
	uint16_t ifi;
};

static struct side A, B;

static void addr4(const char *s, struct ursa_ipaddr *a)
{
	ursa_ipaddr_parse(s, a, NULL);
}

static int bring_up(struct side *s, uint64_t seed, const struct rte_ether_addr *mac,
		    const char *me4, const char *me6, const struct rte_ether_addr *peer_mac,
		    const char *peer4, const char *peer6)
{
	struct ursa_iface_conf ic = {.port = 0, .mac = mac, .no_linklocal = true};
	struct ursa_ipaddr a;

	s->lc = ursa_test_lcore(seed);
	if (s->lc == NULL)
		return -1;
	if (ursa_eth_init(s->lc) || ursa_arp_init(s->lc) || ursa_ip_init(s->lc) ||
	    ursa_tcp_init(s->lc) || ursa_sock_init(s->lc))
		return -1;
	if (ursa_iface_add(s->lc, &ic, &s->ifi))
		return -1;
	addr4(me4, &a);
	if (ursa_iface_addr_add(s->lc, s->ifi, &a, 24))
		return -1;
	addr4(me6, &a);
	if (ursa_iface_addr_add(s->lc, s->ifi, &a, 64))
		return -1;
	addr4(peer4, &a);
	if (ursa_neigh_add_static(s->lc, ursa_iface_get(s->lc, s->ifi), &a, peer_mac))
		return -1;
	addr4(peer6, &a);
	if (ursa_neigh_add_static(s->lc, ursa_iface_get(s->lc, s->ifi), &a, peer_mac))
		return -1;
	return 0;
}

static int setup(void)
{
	struct rte_ether_addr ma = URSA_TEST_MAC, mb = URSA_TEST_PEER_MAC;

	if (bring_up(&A, 1, &ma, "10.0.0.1", "fd00::1", &mb, "10.0.0.2", "fd00::2"))
		return 1;
	if (bring_up(&B, 2, &mb, "10.0.0.2", "fd00::2", &ma, "10.0.0.1", "fd00::1"))
		return 1;
	return 0;
}

static int teardown(void)
{
	ursa_lcore_destroy(A.lc);
	ursa_lcore_destroy(B.lc);
	return 0;
}

/* Move frames between the two ports until both are quiet. */
static void pump(void)
{
	ursa_test_pair_pump(A.lc, B.lc, NULL, NULL, 10000);
}

/* Advance both clocks by ns, pumping at every timer expiry on the way. */
static void step(uint64_t ns)
{
	uint64_t end = ursa_now(A.lc) + ns;

	for (;;) {
		uint64_t na = ursa_timer_next(A.lc), nb = ursa_timer_next(B.lc);
		uint64_t next = na < nb ? na : nb;

		pump();
		if (next > end || next <= ursa_now(A.lc))
			break;
		ursa_clock_set(&A.lc->clock, next);
		ursa_clock_set(&B.lc->clock, next);
	}
	ursa_clock_set(&A.lc->clock, end);
	ursa_clock_set(&B.lc->clock, end);
	pump();
}

static socklen_t sa_make(int family, const char *ip, uint16_t port, struct sockaddr_storage *ss)
{
	struct ursa_ipaddr a;

	memset(ss, 0, sizeof(*ss));
	if (ip != NULL)
		addr4(ip, &a);
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		if (ip != NULL)
			in->sin_addr.s_addr = a.v4;
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	if (ip != NULL)
		memcpy(&in6->sin6_addr, a.v6, 16);
	return sizeof(*in6);
}

static int listen_on(struct side *s, int family, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_make(family, NULL, port, &ss);
	int fd = ursa_socket(s->lc, family, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ursa_bind(s->lc, fd, (struct sockaddr *)&ss, len), 0);
	CU_ASSERT_EQUAL(ursa_listen(s->lc, fd, 8), 0);
	return fd;
}

/* Connect b to a's listener; returns the accepted handle on a, the client in *cfd. */
static int connect_pair(int family, const char *dst, uint16_t port, int lfd, int *cfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_make(family, dst, port, &ss);
	int fd = ursa_socket(B.lc, family, SOCK_STREAM, IPPROTO_TCP), afd;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), -EINPROGRESS);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), -EALREADY);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), 0);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), -EISCONN);
	afd = ursa_accept(A.lc, lfd, NULL, NULL);
	CU_ASSERT(afd >= 0);
	*cfd = fd;
	return afd;
}

static void pattern(uint8_t *p, size_t n, uint64_t off, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((off + i) * 131 + seed + ((off + i) >> 11));
}

/* Send total bytes from (sl, sfd) to (rl, rfd), verifying every byte received. */
static void transfer(struct ursa_lcore *sl, int sfd, struct ursa_lcore *rl, int rfd, size_t total,
		     uint8_t seed)
{
	static uint8_t out[65536], in[65536], want[65536];
	size_t sent = 0, got = 0;
	int idle = 0;

	while (got < total && idle < 200) {
		bool progress = false;

		if (sent < total) {
			size_t n = total - sent < sizeof(out) ? total - sent : sizeof(out);
			ssize_t r;

			pattern(out, n, sent, seed);
			r = ursa_send(sl, sfd, out, n, 0);
			if (r > 0) {
				sent += (size_t)r;
				progress = true;
			} else {
				CU_ASSERT_EQUAL(r, -EAGAIN);
			}
		}
		for (;;) {
			ssize_t r = ursa_recv(rl, rfd, in, sizeof(in), 0);

			if (r <= 0) {
				CU_ASSERT_EQUAL(r, -EAGAIN);
				break;
			}
			pattern(want, (size_t)r, got, seed);
			if (memcmp(in, want, (size_t)r) != 0) {
				CU_FAIL("received bytes differ from what was sent");
				return;
			}
			got += (size_t)r;
			progress = true;
		}
		step(URSA_NS_PER_MS);
		idle = progress ? 0 : idle + 1;
	}
	CU_ASSERT_EQUAL(sent, total);
	CU_ASSERT_EQUAL(got, total);
	if (got != total)
		fprintf(stderr, "\ntransfer stalled: %zu of %zu bytes sent, %zu received\n", sent,
			total, got);
}

/* ---- tests ---- */

static void test_socket_args(void)
{
	int fd0, fd1, fd2;

	CU_ASSERT_EQUAL(ursa_socket(A.lc, AF_UNIX, SOCK_STREAM, 0), -EAFNOSUPPORT);
	CU_ASSERT_EQUAL(ursa_socket(A.lc, AF_INET, SOCK_DGRAM, 0), -ESOCKTNOSUPPORT);
	CU_ASSERT_EQUAL(ursa_socket(A.lc, AF_INET, SOCK_STREAM, IPPROTO_UDP), -EPROTONOSUPPORT);
	fd0 = ursa_socket(A.lc, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	fd1 = ursa_socket(A.lc, AF_INET6, SOCK_STREAM, IPPROTO_TCP);
	CU_ASSERT(fd0 >= 0);
	CU_ASSERT_EQUAL(fd1, fd0 + 1);
	CU_ASSERT_EQUAL(ursa_close(A.lc, fd0), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, fd0), -EBADF);
	fd2 = ursa_socket(A.lc, AF_INET, SOCK_STREAM, IPPROTO_SMC);
	CU_ASSERT_EQUAL(fd2, fd0); /* lowest free handle first, as file descriptors */
	CU_ASSERT_EQUAL(ursa_send(A.lc, -1, "x", 1, 0), -EBADF);
	CU_ASSERT_EQUAL(ursa_recv(A.lc, URSA_SOCK_MAX, NULL, 1, 0), -EBADF);
	CU_ASSERT_EQUAL(ursa_listen(A.lc, 999, 1), -EBADF);
	CU_ASSERT_EQUAL(ursa_recv(A.lc, fd1, (char[4]){0}, 4, 0), -ENOTCONN);
	CU_ASSERT_EQUAL(ursa_send(A.lc, fd1, "x", 1, 0), -EPIPE);
	CU_ASSERT_EQUAL(ursa_shutdown(A.lc, fd1, SHUT_WR), -ENOTCONN);
	CU_ASSERT_EQUAL(ursa_shutdown(A.lc, fd1, 7), -EINVAL);
	{
		struct sockaddr_storage ss;
		socklen_t len = sa_make(AF_INET, NULL, 1, &ss);

		/* family mismatch, short length */
		CU_ASSERT_EQUAL(ursa_bind(A.lc, fd1, (struct sockaddr *)&ss, len), -EAFNOSUPPORT);
		CU_ASSERT_EQUAL(ursa_bind(A.lc, fd0, (struct sockaddr *)&ss, 4), -EINVAL);
		CU_ASSERT_EQUAL(ursa_connect(A.lc, fd0, (struct sockaddr *)&ss, len),
				-ECONNREFUSED); /* the any address */
	}
	CU_ASSERT_EQUAL(ursa_close(A.lc, fd1), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, fd2), 0);
}

/* The SMC option (stack/smc/smc_rdv.c through TCP's option hook): offered by an IPPROTO_SMC
 * client, echoed only by an IPPROTO_SMC listener whose peer offered it. */
static void smc_case(int lproto, int cproto, uint16_t port, int want_client, int want_server)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_make(AF_INET, NULL, port, &ss);
	int lfd = ursa_socket(A.lc, AF_INET, SOCK_STREAM, lproto), cfd, afd;

	CU_ASSERT_FATAL(lfd >= 0);
	CU_ASSERT_EQUAL(ursa_bind(A.lc, lfd, (struct sockaddr *)&ss, len), 0);
	CU_ASSERT_EQUAL(ursa_listen(A.lc, lfd, 8), 0);
	CU_ASSERT_EQUAL(ursa_sock_smc_peer(A.lc, lfd), -ENOTCONN);
	len = sa_make(AF_INET, "10.0.0.1", port, &ss);
	cfd = ursa_socket(B.lc, AF_INET, SOCK_STREAM, cproto);
	CU_ASSERT_FATAL(cfd >= 0);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, cfd, (struct sockaddr *)&ss, len), -EINPROGRESS);
	step(URSA_NS_PER_MS);
	afd = ursa_accept(A.lc, lfd, NULL, NULL);
	CU_ASSERT_FATAL(afd >= 0);
	CU_ASSERT_EQUAL(ursa_sock_smc_peer(B.lc, cfd), want_client);
	CU_ASSERT_EQUAL(ursa_sock_smc_peer(A.lc, afd), want_server);
	ursa_close(B.lc, cfd);
	ursa_close(A.lc, afd);
	ursa_close(A.lc, lfd);
	step(10 * URSA_NS_PER_MS);
}

static void test_smc_option(void)
{
	smc_case(IPPROTO_SMC, IPPROTO_SMC, 7001, 1, 1);
	smc_case(0, IPPROTO_SMC, 7002, 0, 1); /* not echoed: the client falls back to TCP */
	smc_case(IPPROTO_SMC, 0, 7003, 0, 0);
	smc_case(0, 0, 7004, 0, 0);
	CU_ASSERT_EQUAL(ursa_sock_smc_peer(A.lc, URSA_SOCK_MAX), -EBADF);
}

/* IPPROTO_SMC sockets over stack/smc's handshake: none of these stacks has an SMC-R device,
 * so every connection falls back to TCP on the same connection, says why, and moves bytes
 * both ways intact; connect() completes only once the handshake ended. */
static int smc_fallback_case(int lproto, int cproto, uint16_t port, int *cfd)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_make(AF_INET, NULL, port, &ss);
	int lfd = ursa_socket(A.lc, AF_INET, SOCK_STREAM, lproto), afd = -1;

	CU_ASSERT_FATAL(lfd >= 0);
	CU_ASSERT_EQUAL(ursa_bind(A.lc, lfd, (struct sockaddr *)&ss, len), 0);
	CU_ASSERT_EQUAL(ursa_listen(A.lc, lfd, 8), 0);
	len = sa_make(AF_INET, "10.0.0.1", port, &ss);
	*cfd = ursa_socket(B.lc, AF_INET, SOCK_STREAM, cproto);
	CU_ASSERT_FATAL(*cfd >= 0);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, *cfd, (struct sockaddr *)&ss, len), -EINPROGRESS);
	CU_ASSERT_EQUAL(ursa_send(B.lc, *cfd, "x", 1, 0), -EAGAIN);
	for (int i = 0; i < 10 && afd < 0; i++) {
		step(URSA_NS_PER_MS);
		afd = ursa_accept(A.lc, lfd, NULL, NULL);
	}
	CU_ASSERT_FATAL(afd >= 0);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, *cfd, (struct sockaddr *)&ss, len), 0);
	transfer(B.lc, *cfd, A.lc, afd, 100000, 3);
	transfer(A.lc, afd, B.lc, *cfd, 70000, 4);
	ursa_close(A.lc, lfd);
	return afd;
}

static int smc_reason(struct ursa_lcore *lc, int fd, int name)
{
	int v = -1;
	socklen_t vl = sizeof(v);

	CU_ASSERT_EQUAL(ursa_getsockopt(lc, fd, SOL_SMC, name, &v, &vl), 0);
	return v;
}

static void test_smc_fallback(void)
{
	int cfd, afd;

	/* both SMC, neither with a device: the client declines at once, as Linux does */
	afd = smc_fallback_case(IPPROTO_SMC, IPPROTO_SMC, 7011, &cfd);
	CU_ASSERT_EQUAL(smc_reason(B.lc, cfd, URSA_SMC_FALLBACK_REASON), 0x03030000);
	CU_ASSERT_EQUAL(smc_reason(A.lc, afd, URSA_SMC_FALLBACK_REASON), 0x05000000);
	CU_ASSERT_EQUAL(smc_reason(A.lc, afd, URSA_SMC_PEER_DIAG), 0x03030000);
	CU_ASSERT_EQUAL(ursa_sock_smc_peer(B.lc, cfd), 1);
	ursa_close(B.lc, cfd);
	ursa_close(A.lc, afd);
	/* an SMC client, a TCP listener: no echo, no CLC */
	afd = smc_fallback_case(IPPROTO_TCP, IPPROTO_SMC, 7012, &cfd);
	CU_ASSERT_EQUAL(smc_reason(B.lc, cfd, URSA_SMC_FALLBACK_REASON), 0x03010000);
	ursa_close(B.lc, cfd);
	ursa_close(A.lc, afd);
	/* a TCP client, an SMC listener: its child falls back at once */
	afd = smc_fallback_case(IPPROTO_SMC, IPPROTO_TCP, 7013, &cfd);
	CU_ASSERT_EQUAL(smc_reason(A.lc, afd, URSA_SMC_FALLBACK_REASON), 0x03010000);
	CU_ASSERT_EQUAL(ursa_test_counter(A.lc, "smc", "fallback_peer_nosmc") >= 1, 1);
	ursa_close(B.lc, cfd);
	ursa_close(A.lc, afd);
	step(10 * URSA_NS_PER_MS);
}

static void test_names_and_transfer(void)
{
	int lfd = listen_on(&A, AF_INET, 8080), cfd, afd;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	afd = connect_pair(AF_INET, "10.0.0.1", 8080, lfd, &cfd);
	CU_ASSERT_FATAL(afd >= 0);
	CU_ASSERT_EQUAL(ursa_getsockname(A.lc, afd, (struct sockaddr *)&sa, &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(sa));
	CU_ASSERT_EQUAL(ntohs(sa.sin_port), 8080);
	CU_ASSERT_EQUAL(sa.sin_addr.s_addr, htonl(0x0a000001));
	CU_ASSERT_EQUAL(ursa_getpeername(A.lc, afd, (struct sockaddr *)&sa, &len), 0);
	CU_ASSERT_EQUAL(sa.sin_addr.s_addr, htonl(0x0a000002));
	{
		struct sockaddr_in me;
		socklen_t ml = sizeof(me);

		/* the client's ephemeral port is the server's view of its peer */
		CU_ASSERT_EQUAL(ursa_getsockname(B.lc, cfd, (struct sockaddr *)&me, &ml), 0);
		CU_ASSERT_EQUAL(me.sin_port, sa.sin_port);
		CU_ASSERT(ntohs(me.sin_port) >= 32768);
	}
	CU_ASSERT_EQUAL(ursa_getpeername(A.lc, lfd, (struct sockaddr *)&sa, &len), -ENOTCONN);
	CU_ASSERT_EQUAL(ursa_accept(A.lc, lfd, NULL, NULL), -EAGAIN);

	/* within the first windows (see test_bulk for more) */
	transfer(B.lc, cfd, A.lc, afd, 30000, 1);
	transfer(A.lc, afd, B.lc, cfd, 20000, 2);

	/* half close: B stops writing; A reads the end, can still write back */
	CU_ASSERT_EQUAL(ursa_shutdown(B.lc, cfd, SHUT_WR), 0);
	CU_ASSERT_EQUAL(ursa_send(B.lc, cfd, "x", 1, 0), -EPIPE);
	step(URSA_NS_PER_MS);
	{
		struct ursa_pollfd p = {.fd = afd, .events = URSA_POLLIN | URSA_POLLRDHUP};
		char buf[8];

		CU_ASSERT_EQUAL(ursa_sock_poll(A.lc, &p, 1), 1);
		CU_ASSERT_EQUAL(p.revents, URSA_POLLIN | URSA_POLLRDHUP);
		CU_ASSERT_EQUAL(ursa_recv(A.lc, afd, buf, sizeof(buf), 0), 0);
		CU_ASSERT_EQUAL(ursa_send(A.lc, afd, "bye", 3, 0), 3);
		step(URSA_NS_PER_MS);
		CU_ASSERT_EQUAL(ursa_recv(B.lc, cfd, buf, sizeof(buf), MSG_PEEK), 3);
		CU_ASSERT_EQUAL(ursa_recv(B.lc, cfd, buf, sizeof(buf), 0), 3);
		CU_ASSERT_EQUAL(memcmp(buf, "bye", 3), 0);
	}
	CU_ASSERT_EQUAL(ursa_close(A.lc, afd), 0);
	step(10 * URSA_NS_PER_MS);
	{
		char buf[8];
		struct ursa_pollfd p = {.fd = cfd, .events = URSA_POLLIN};

		CU_ASSERT_EQUAL(ursa_recv(B.lc, cfd, buf, sizeof(buf), 0), 0);
		CU_ASSERT_EQUAL(ursa_sock_poll(B.lc, &p, 1), 1);
		CU_ASSERT_EQUAL(p.revents, URSA_POLLIN | URSA_POLLHUP);
	}
	CU_ASSERT_EQUAL(ursa_close(B.lc, cfd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, lfd), 0);
	step(200 * URSA_NS_PER_S); /* let TIME_WAIT pass */
}

static void test_ipv6(void)
{
	int lfd = listen_on(&A, AF_INET6, 8081), cfd, afd;
	struct sockaddr_in6 sa;
	socklen_t len = sizeof(sa);

	afd = connect_pair(AF_INET6, "fd00::1", 8081, lfd, &cfd);
	CU_ASSERT_FATAL(afd >= 0);
	CU_ASSERT_EQUAL(ursa_getpeername(A.lc, afd, (struct sockaddr *)&sa, &len), 0);
	CU_ASSERT_EQUAL(len, sizeof(sa));
	CU_ASSERT_EQUAL(sa.sin6_family, AF_INET6);
	CU_ASSERT_EQUAL(sa.sin6_addr.s6_addr[15], 2);
	transfer(B.lc, cfd, A.lc, afd, 30000, 3);
	CU_ASSERT_EQUAL(ursa_close(B.lc, cfd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, afd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, lfd), 0);
	step(200 * URSA_NS_PER_S);
}

static void test_refused(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sa_make(AF_INET, "10.0.0.1", 9, &ss);
	int fd = ursa_socket(B.lc, AF_INET, SOCK_STREAM, 0), err = -1;
	socklen_t el = sizeof(err);
	struct ursa_pollfd p = {.fd = fd, .events = URSA_POLLOUT};

	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), -EINPROGRESS);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_sock_poll(B.lc, &p, 1), 1);
	CU_ASSERT(p.revents & URSA_POLLERR);
	CU_ASSERT(p.revents & URSA_POLLHUP);
	/* the error is reported once: by SO_ERROR here, so connect has nothing to add */
	CU_ASSERT_EQUAL(ursa_getsockopt(B.lc, fd, SOL_SOCKET, SO_ERROR, &err, &el), 0);
	CU_ASSERT_EQUAL(err, ECONNREFUSED);
	CU_ASSERT_EQUAL(ursa_getsockopt(B.lc, fd, SOL_SOCKET, SO_ERROR, &err, &el), 0);
	CU_ASSERT_EQUAL(err, 0);
	CU_ASSERT_EQUAL(ursa_close(B.lc, fd), 0);

	fd = ursa_socket(B.lc, AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), -EINPROGRESS);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, fd, (struct sockaddr *)&ss, len), -ECONNREFUSED);
	CU_ASSERT_EQUAL(ursa_close(B.lc, fd), 0);
}

static void test_options(void)
{
	int fd = ursa_socket(A.lc, AF_INET, SOCK_STREAM, 0), v = 0;
	socklen_t vl = sizeof(v);
	struct linger l = {1, 0}, lo = {0, 0};
	socklen_t ll = sizeof(lo);

	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, 4), 0);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, IPPROTO_TCP, TCP_NODELAY, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, SOL_SOCKET, SO_RCVBUF, &(int){65536}, 4), 0);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, SOL_SOCKET, SO_RCVBUF, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 65536);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, SOL_SOCKET, SO_KEEPALIVE, &(int){5}, 4), 0);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, SOL_SOCKET, SO_KEEPALIVE, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_KEEPIDLE, &(int){30}, 4), 0);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_KEEPINTVL, &(int){3}, 4), 0);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_KEEPCNT, &(int){4}, 4), 0);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 30);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, IPPROTO_TCP, TCP_KEEPCNT, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 4);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_KEEPIDLE, &(int){0}, 4),
			-EINVAL);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, SOL_SOCKET, SO_LINGER, &lo, &ll), 0);
	CU_ASSERT_EQUAL(lo.l_onoff, 1);
	CU_ASSERT_EQUAL(lo.l_linger, 0);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, SOL_SOCKET, SO_LINGER, &l, 4), -EINVAL);
	/* SOL_SMC options are kept for the SMC transport */
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, SOL_SMC, 1, &(int){42}, 4), 0);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, SOL_SMC, 1, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 42);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, SOL_SMC, 2, &v, &vl), -ENOPROTOOPT);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, SOL_SOCKET, 9999, &(int){1}, 4), -ENOPROTOOPT);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, 2), -EINVAL);
	CU_ASSERT_EQUAL(ursa_setsockopt(A.lc, fd, IPPROTO_TCP, TCP_NODELAY, NULL, 4), -EFAULT);
	vl = sizeof(v);
	CU_ASSERT_EQUAL(ursa_getsockopt(A.lc, fd, SOL_SOCKET, SO_ERROR, &v, &vl), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, fd), 0);
}

static void test_linger_abort(void)
{
	int lfd = listen_on(&A, AF_INET, 8082), cfd, afd;
	struct linger l = {1, 0};
	char buf[4];

	afd = connect_pair(AF_INET, "10.0.0.1", 8082, lfd, &cfd);
	CU_ASSERT_FATAL(afd >= 0);
	CU_ASSERT_EQUAL(ursa_setsockopt(B.lc, cfd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
	CU_ASSERT_EQUAL(ursa_close(B.lc, cfd), 0);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_recv(A.lc, afd, buf, sizeof(buf), 0), -ECONNRESET);
	CU_ASSERT_EQUAL(ursa_recv(A.lc, afd, buf, sizeof(buf), 0), 0);
	CU_ASSERT_EQUAL(ursa_send(A.lc, afd, "x", 1, 0), -EPIPE);
	CU_ASSERT_EQUAL(ursa_close(A.lc, afd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, lfd), 0);
}

static void test_wait(void)
{
	int lfd = listen_on(&A, AF_INET, 8083);
	struct ursa_pollfd p[2] = {{.fd = lfd, .events = URSA_POLLIN}, {.fd = 1000}};
	uint64_t t = ursa_now(A.lc);

	/* nothing happens: the wait ends after exactly its time on the virtual clock */
	CU_ASSERT_EQUAL(ursa_sock_wait(A.lc, p, 1, 250 * URSA_NS_PER_MS), 0);
	CU_ASSERT_EQUAL(ursa_now(A.lc), t + 250 * URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(p[0].revents, 0);
	/* an invalid handle is reported at once */
	CU_ASSERT_EQUAL(ursa_sock_wait(A.lc, p, 2, URSA_NS_PER_S), 1);
	CU_ASSERT_EQUAL(p[1].revents, 0x020);
	ursa_clock_set(&B.lc->clock, ursa_now(A.lc));
	CU_ASSERT_EQUAL(ursa_close(A.lc, lfd), 0);
}

static void test_iface_tenant(void)
{
	struct rte_ether_addr ma = URSA_TEST_MAC;
	struct ursa_iface_conf ic = {
		.port = 0, .vlan = 10, .tenant = 2, .mac = &ma, .no_linklocal = true};
	struct ursa_ipaddr a;
	struct sockaddr_storage ss;
	socklen_t len;
	uint16_t vif;
	int lfd, fd, cfd, afd;

	/* a's second interface: VLAN 10, tenant 2, the same address as the untagged one */
	CU_ASSERT_FATAL(ursa_iface_add(A.lc, &ic, &vif) == 0);
	addr4("10.0.0.1", &a);
	CU_ASSERT_FATAL(ursa_iface_addr_add(A.lc, vif, &a, 24) == 0);

	fd = ursa_socket(A.lc, AF_INET, SOCK_STREAM, 0);
	CU_ASSERT_EQUAL(ursa_sock_bind_iface(A.lc, fd, 60), -ENODEV);
	CU_ASSERT_EQUAL(ursa_sock_bind_iface(A.lc, fd, vif), 0);
	len = sa_make(AF_INET, NULL, 8084, &ss);
	CU_ASSERT_EQUAL(ursa_bind(A.lc, fd, (struct sockaddr *)&ss, len), 0);
	CU_ASSERT_EQUAL(ursa_sock_bind_iface(A.lc, fd, vif), -EINVAL); /* too late */
	CU_ASSERT_EQUAL(ursa_listen(A.lc, fd, 4), 0);

	/* b reaches a untagged (tenant 0): the tenant-2 listener must not see it */
	cfd = ursa_socket(B.lc, AF_INET, SOCK_STREAM, 0);
	len = sa_make(AF_INET, "10.0.0.1", 8084, &ss);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, cfd, (struct sockaddr *)&ss, len), -EINPROGRESS);
	step(URSA_NS_PER_MS);
	CU_ASSERT_EQUAL(ursa_connect(B.lc, cfd, (struct sockaddr *)&ss, len), -ECONNREFUSED);
	CU_ASSERT_EQUAL(ursa_accept(A.lc, fd, NULL, NULL), -EAGAIN);
	CU_ASSERT_EQUAL(ursa_close(B.lc, cfd), 0);

	/* an unbound tenant-0 listener on the same port does */
	lfd = listen_on(&A, AF_INET, 8084);
	afd = connect_pair(AF_INET, "10.0.0.1", 8084, lfd, &cfd);
	CU_ASSERT(afd >= 0);
	CU_ASSERT_EQUAL(ursa_accept(A.lc, fd, NULL, NULL), -EAGAIN);
	CU_ASSERT_EQUAL(ursa_close(B.lc, cfd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, afd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, lfd), 0);
	CU_ASSERT_EQUAL(ursa_close(A.lc, fd), 0);
	step(200 * URSA_NS_PER_S);
}

/* Megabytes both ways, several connections: the receive window must reopen as the
 * application reads (RFC 9293 §3.8.6.2.2). */
static void test_bulk(void)
{
	for (int i = 0; i < 4; i++) {
		int lfd = listen_on(&A, i % 2 ? AF_INET6 : AF_INET, (uint16_t)(9000 + i)), cfd, afd;

		afd = connect_pair(i % 2 ? AF_INET6 : AF_INET, i % 2 ? "fd00::1" : "10.0.0.1",
				   (uint16_t)(9000 + i), lfd, &cfd);
		CU_ASSERT_FATAL(afd >= 0);
		transfer(B.lc, cfd, A.lc, afd, 3 * 1024 * 1024 + 17, (uint8_t)i);
		transfer(A.lc, afd, B.lc, cfd, 1024 * 1024 + 5, (uint8_t)(i + 100));
		CU_ASSERT_EQUAL(ursa_close(B.lc, cfd), 0);
		CU_ASSERT_EQUAL(ursa_close(A.lc, afd), 0);
		CU_ASSERT_EQUAL(ursa_close(A.lc, lfd), 0);
		step(200 * URSA_NS_PER_S);
	}
}

/* "test_sock" runs the API suite; "test_sock bulk" the bulk transfers (a test of its own). */
int main(int argc, char **argv)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (argc > 1 && strcmp(argv[1], "bulk") == 0) {
		s = CU_add_suite("sock-bulk", setup, teardown);
		CU_add_test(s, "bulk transfers", test_bulk);
		return ursa_test_main();
	}
	s = CU_add_suite("sock", setup, teardown);
	CU_add_test(s, "socket arguments and handles", test_socket_args);
	CU_add_test(s, "names, transfers, half close", test_names_and_transfer);
	CU_add_test(s, "SMC option offered and echoed", test_smc_option);
	CU_add_test(s, "IPPROTO_SMC falls back to TCP", test_smc_fallback);
	CU_add_test(s, "IPv6", test_ipv6);
	CU_add_test(s, "connection refused, SO_ERROR once", test_refused);
	CU_add_test(s, "options", test_options);
	CU_add_test(s, "SO_LINGER 0 aborts", test_linger_abort);
	CU_add_test(s, "wait on the virtual clock", test_wait);
	CU_add_test(s, "interface binding and tenants", test_iface_tenant);
	return ursa_test_main();
}
