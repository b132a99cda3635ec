/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-tcp load: many TCP connections of request/response, spread over N shards of one
 * ursa stack (struct ursa_stack, one EAL lcore each) or, with --kernel, over N threads on
 * Linux sockets (the baseline). The scaling benchmark (scripts/bench-scale) and the netns
 * test tcp-load run it.
 *
 *   ursa-tcp load --connect ADDR:PORT --conns C [--lcores N] [--msg-size B]
 *                 (--seconds S | --count K) --port DEVARGS --ip A/LEN [--mac MAC] ...
 *   ursa-tcp load --listen PORT --conns C [--lcores N] --port DEVARGS --ip A/LEN ...
 *   ursa-tcp load --kernel (--connect ... | --listen ...) ...   the same on Linux sockets
 *
 * Client: connection i belongs to shard (or thread) i % N, which opens it, so the shard owns
 * its ephemeral port and the replies reach it (by the NIC's hash or by dispatch). Each
 * connection keeps one request of B bytes outstanding: B bytes of the seeded stream
 * (stream seed S + i, at the connection's offset), and checks that the reply is the same B
 * bytes. After every connection is up, all shards run for S seconds (or K requests per
 * connection), then close. Server: echoes every byte on every connection, each shard (thread)
 * accepting on its own listener, until C connections have come and gone.
 *
 * Output, on stdout, one line per shard and a total:
 *   ursa-tcp: load shard=0 conns=32 transactions=81234 seconds=5.000 rate=16246.8
 *             dispatch_out=0 dispatch_in=311
 *   ursa-tcp: load role=client kernel=0 lcores=2 conns=64 msg_size=64 transactions=...
 *             seconds=5.000 rate=... bytes=... verify=ok
 * rate is transactions per second, summed over the shards. Exit 0 when every reply matched
 * and every connection finished, 1 otherwise, 2 on a bad command line.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "ursa.h"
#include "ursa_sock.h"
#include "ursa_spec.h"
#include "ursa_stack.h"
#include "ursa_tcp.h"

#include "tcpapps.h"

#define LOAD_MAX_CONNS 4096
#define MSG_MAX	       4096
#define SPIN_NS	       (200 * URSA_NS_PER_US)
#define IDLE_NAP_NS    (20 * URSA_NS_PER_US)
#define WAIT_MAX_NS    (100 * URSA_NS_PER_MS)
#define LINGER_NS      (300 * URSA_NS_PER_MS)

struct lopts {
	const char *port, *mac, *ip, *connect, *cpus;
	int listen_port;
	bool kernel, has_seed;
	unsigned conns, lcores, msg_size;
	double seconds, timeout_s;
	uint64_t count, stream_seed, seed;
};

/* One connection. Client: [0, end) is what has been asked so far; tx and rx count the bytes
 * sent and received back. Server: pend bytes received, not yet echoed. */
struct conn {
	int fd;
	uint32_t id;
	uint64_t tx, rx, end, txns;
	unsigned pend_off, pend_len;
	bool closed;
	uint8_t *pend;
};

struct run;

struct shard {
	struct run *r;
	struct ursa_lcore *lc; /* NULL: a kernel thread */
	unsigned idx;
	pthread_t th;
	int lfd, ep;
	struct conn *c;
	unsigned nc;
	uint64_t txns, txns_at_stop, bytes, mismatches, t0, t_stop;
	const char *fail;
	uint8_t buf[MSG_MAX], want[MSG_MAX];
};

struct run {
	struct lopts o;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	struct ursa_stack *st;
	struct shard sh[URSA_MAX_SHARDS];
	unsigned ready;	 /* atomic: client shards with every connection up */
	unsigned done;	 /* atomic: client shards finished with their connections */
	unsigned closed; /* atomic: server connections finished */
};

/* ---- time and I/O, the same calls for a shard and a kernel thread ---- */

static uint64_t now_ns(const struct shard *s)
{
	struct timespec ts;

	if (s->lc != NULL)
		return ursa_now(s->lc);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static ssize_t io_send(struct shard *s, int fd, const void *b, size_t n)
{
	ssize_t w;

	if (s->lc != NULL)
		return ursa_send(s->lc, fd, b, n, 0);
	w = send(fd, b, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return w < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : w;
}

static ssize_t io_recv(struct shard *s, int fd, void *b, size_t n)
{
	ssize_t r;

	if (s->lc != NULL)
		return ursa_recv(s->lc, fd, b, n, 0);
	r = recv(fd, b, n, MSG_DONTWAIT);
	return r < 0 ? (errno == EWOULDBLOCK ? -EAGAIN : -errno) : r;
}

static void io_close(struct shard *s, int fd)
{
	if (s->lc != NULL)
		ursa_close(s->lc, fd);
	else
		close(fd);
}

static bool timed_out(struct shard *s, uint64_t since)
{
	return now_ns(s) - since > (uint64_t)(s->r->o.timeout_s * 1e9);
}

/* Let the shard's stack run for up to max_ns (a kernel thread has nothing to run). */
static int run_stack(struct shard *s, uint64_t max_ns)
{
	return s->lc != NULL ? ursa_lcore_wait(s->lc, max_ns, NULL) : 0;
}

/* ---- the client's connections ---- */

/* Take what came back and check it; once the reply is whole and more is set, ask the next
 * request at once; send what is asked and not sent. 1 when something moved, 0 when not, -1
 * on a failed connection. */
/* Whether c asks another request: the run goes on (more) and, with --count, c has not made
 * its count yet. */
static bool wants_more(const struct shard *s, const struct conn *c, bool more)
{
	return more && (s->r->o.count == 0 || c->txns < s->r->o.count);
}

static int conn_step(struct shard *s, struct conn *c, bool more)
{
	unsigned b = s->r->o.msg_size;
	uint64_t seed = s->r->o.stream_seed + c->id;
	int prog = 0;
	ssize_t n;

	if (c->rx < c->tx) {
		n = io_recv(s, c->fd, s->buf, (size_t)(c->end - c->rx));
		if (n == 0 || (n < 0 && n != -EAGAIN))
			return -1;
		if (n > 0) {
			tcpapps_stream_fill(seed, c->rx, s->want, (size_t)n);
			if (memcmp(s->buf, s->want, (size_t)n) != 0)
				s->mismatches++;
			c->rx += (uint64_t)n;
			s->bytes += (uint64_t)n;
			if (c->rx == c->end) {
				c->txns++;
				s->txns++;
			}
			prog = 1;
		}
	}
	if (c->rx == c->end && wants_more(s, c, more))
		c->end += b;
	if (c->tx < c->end) {
		tcpapps_stream_fill(seed, c->tx, s->buf, (size_t)(c->end - c->tx));
		n = io_send(s, c->fd, s->buf, (size_t)(c->end - c->tx));
		if (n < 0 && n != -EAGAIN)
			return -1;
		if (n > 0) {
			c->tx += (uint64_t)n;
			prog = 1;
		}
	}
	return prog;
}

static int client_open(struct shard *s, struct conn *c)
{
	struct run *r = s->r;
	int one = 1, rc;

	if (s->lc != NULL) {
		c->fd = ursa_socket(s->lc, r->peer.ss_family, SOCK_STREAM, 0);
		if (c->fd < 0)
			return c->fd;
		ursa_setsockopt(s->lc, c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		rc = ursa_connect(s->lc, c->fd, (struct sockaddr *)&r->peer, r->peer_len);
		return rc == -EINPROGRESS ? 0 : rc;
	}
	c->fd = socket(r->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c->fd < 0)
		return -errno;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&r->peer, r->peer_len) != 0 && errno != EINPROGRESS)
		return -errno;
	return 0;
}

/* 1 when connected, 0 while connecting, a negative errno when refused or failed. */
static int client_connected(struct shard *s, struct conn *c)
{
	struct ursa_pollfd p = {.fd = c->fd, .events = URSA_POLLOUT};
	int err = 0;
	socklen_t len = sizeof(err);

	if (s->lc != NULL) {
		if (ursa_sock_poll(s->lc, &p, 1) == 0)
			return 0;
		ursa_getsockopt(s->lc, c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		return err ? -err : 1;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return -errno;
	if (err)
		return -err;
	return send(c->fd, "", 0, MSG_NOSIGNAL) == 0 ? 1 : 0;
}

/* Open this shard's connections and wait until each is up. */
static int client_connect_all(struct shard *s)
{
	uint64_t t0 = now_ns(s);
	unsigned up = 0;
	int rc;

	for (unsigned i = 0; i < s->nc; i++)
		if ((rc = client_open(s, &s->c[i])) != 0) {
			fprintf(stderr, "ursa-tcp: load: connection %u: %s\n", s->c[i].id,
				strerror(-rc));
			return rc;
		}
	while (up < s->nc) {
		up = 0;
		for (unsigned i = 0; i < s->nc; i++) {
			rc = client_connected(s, &s->c[i]);
			if (rc < 0) {
				fprintf(stderr, "ursa-tcp: load: connect %u: %s\n", s->c[i].id,
					strerror(-rc));
				return rc;
			}
			up += (unsigned)rc;
		}
		if (timed_out(s, t0))
			return -ETIMEDOUT;
		if (run_stack(s, WAIT_MAX_NS) != 0)
			return -EIO;
		if (s->lc == NULL && up < s->nc)
			usleep(1000);
	}
	return 0;
}

/* Every shard waits here (running its stack) until all have their connections up. */
static void barrier(struct shard *s)
{
	struct run *r = s->r;

	__atomic_add_fetch(&r->ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) < r->o.lcores)
		if (run_stack(s, 1 * URSA_NS_PER_MS) != 0 || s->lc == NULL)
			sched_yield();
}

/* Which connections are worth a step: a kernel thread asks epoll, a shard its sockets. */
static int ready_set(struct shard *s, struct ursa_pollfd *pf, struct epoll_event *ev, bool block)
{
	int n;

	if (s->lc == NULL) {
		n = epoll_wait(s->ep, ev, (int)s->nc, block ? 100 : 0);
		for (int i = 0; i < n; i++)
			pf[ev[i].data.u32].revents = URSA_POLLIN;
		return n < 0 ? 0 : n;
	}
	n = ursa_sock_poll(s->lc, pf, s->nc);
	if (n == 0 && ursa_lcore_wait(s->lc, block ? WAIT_MAX_NS : 0, NULL) == 0)
		n = ursa_sock_poll(s->lc, pf, s->nc);
	return n;
}

static void client_loop(struct shard *s, struct ursa_pollfd *pf, struct epoll_event *ev)
{
	const struct lopts *o = &s->r->o;
	uint64_t stop = s->t0 + (uint64_t)(o->seconds * 1e9);
	bool more = true, all_done = false, blocked = false;

	for (unsigned i = 0; i < s->nc; i++)
		if (conn_step(s, &s->c[i], true) < 0)
			s->fail = "connection";
	while (s->fail == NULL && !all_done) {
		uint64_t now = now_ns(s);

		if (more && o->count == 0 && now >= stop) {
			more = false;
			s->t_stop = now;
			s->txns_at_stop = s->txns;
		}
		if (timed_out(s, s->t0)) {
			s->fail = "timeout";
			break;
		}
		for (unsigned i = 0; i < s->nc; i++)
			pf[i] = (struct ursa_pollfd){.fd = s->c[i].fd, .events = URSA_POLLIN};
		/* a request that could not all be sent is retried without waiting */
		ready_set(s, pf, ev, !blocked);
		all_done = true;
		blocked = false;
		for (unsigned i = 0; i < s->nc; i++) {
			struct conn *c = &s->c[i];

			if ((pf[i].revents != 0 || c->tx < c->end) && conn_step(s, c, more) < 0)
				s->fail = "connection";
			blocked |= c->tx < c->end;
			if (c->rx != c->end || wants_more(s, c, more))
				all_done = false;
		}
	}
	if (o->count != 0) {
		s->t_stop = now_ns(s);
		s->txns_at_stop = s->txns;
	}
}

/* ---- the server ---- */

static int server_listen(struct shard *s)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6,
				 .sin6_port = htons((uint16_t)s->r->o.listen_port)};
	struct sockaddr_in a4 = {.sin_family = AF_INET,
				 .sin_port = htons((uint16_t)s->r->o.listen_port)};
	int one = 1, zero = 0;

	if (s->lc != NULL) {
		s->lfd = ursa_socket(s->lc, AF_INET, SOCK_STREAM, 0);
		if (s->lfd < 0)
			return s->lfd;
		int rc = ursa_bind(s->lc, s->lfd, (struct sockaddr *)&a4, sizeof(a4));

		return rc ? rc : ursa_listen(s->lc, s->lfd, 128);
	}
	s->lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s->lfd < 0)
		return -errno;
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(s->lfd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	setsockopt(s->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(s->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->lfd, 128) != 0)
		return -errno;
	return 0;
}

static void server_accept(struct shard *s)
{
	int fd, one = 1;

	while (s->nc < s->r->o.conns) {
		struct epoll_event e = {.events = EPOLLIN, .data.u32 = s->nc};

		fd = s->lc ? ursa_accept(s->lc, s->lfd, NULL, NULL)
			   : accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK);
		if (fd < 0)
			return;
		if (s->lc != NULL)
			ursa_setsockopt(s->lc, fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		else {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &e);
		}
		s->c[s->nc++] = (struct conn){.fd = fd, .pend = malloc(MSG_MAX)};
		if (s->c[s->nc - 1].pend == NULL) {
			s->fail = "memory";
			return;
		}
	}
}

/* Echo what came; 1 when something moved, 0 when not. */
static int echo_step(struct shard *s, struct conn *c)
{
	ssize_t n;

	if (c->closed)
		return 0;
	if (c->pend_len == 0) {
		n = io_recv(s, c->fd, c->pend, MSG_MAX);
		if (n == -EAGAIN)
			return 0;
		if (n <= 0) {
			io_close(s, c->fd);
			c->closed = true;
			__atomic_add_fetch(&s->r->closed, 1, __ATOMIC_ACQ_REL);
			return 1;
		}
		c->pend_off = 0;
		c->pend_len = (unsigned)n;
		s->bytes += (uint64_t)n;
	}
	n = io_send(s, c->fd, c->pend + c->pend_off, c->pend_len);
	if (n > 0) {
		c->pend_off += (unsigned)n;
		c->pend_len -= (unsigned)n;
	}
	return 1;
}

static void server_loop(struct shard *s, struct ursa_pollfd *pf, struct epoll_event *ev)
{
	struct run *r = s->r;
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = UINT32_MAX};

	if (s->lc == NULL)
		epoll_ctl(s->ep, EPOLL_CTL_ADD, s->lfd, &e);
	s->t0 = now_ns(s);
	while (s->fail == NULL && __atomic_load_n(&r->closed, __ATOMIC_ACQUIRE) < r->o.conns) {
		if (timed_out(s, s->t0)) {
			s->fail = "timeout";
			break;
		}
		server_accept(s);
		for (unsigned i = 0; i < s->nc; i++)
			pf[i] = (struct ursa_pollfd){
				.fd = s->c[i].closed ? -1 : s->c[i].fd,
				.events = URSA_POLLIN,
			};
		if (s->lc == NULL) {
			int n = epoll_wait(s->ep, ev, (int)s->r->o.conns + 1, 100);

			for (int i = 0; i < n; i++)
				if (ev[i].data.u32 < s->nc)
					pf[ev[i].data.u32].revents = URSA_POLLIN;
		} else if (ursa_sock_poll(s->lc, pf, s->nc) == 0) {
			ursa_lcore_wait(s->lc, WAIT_MAX_NS, NULL);
			ursa_sock_poll(s->lc, pf, s->nc);
		}
		for (unsigned i = 0; i < s->nc; i++)
			if (pf[i].revents != 0 || s->c[i].pend_len > 0)
				echo_step(s, &s->c[i]);
	}
	s->t_stop = now_ns(s);
}

/* ---- one shard or thread, start to end ---- */

static void linger(struct shard *s)
{
	uint64_t end = now_ns(s) + LINGER_NS, now;

	while (s->lc != NULL && (now = now_ns(s)) < end)
		if (ursa_lcore_wait(s->lc, end - now, NULL) != 0)
			return;
}

static int shard_main(void *arg)
{
	struct shard *s = arg;
	unsigned n = s->r->o.conns + 1;
	struct ursa_pollfd *pf = calloc(n, sizeof(*pf));
	struct epoll_event *ev = calloc(n, sizeof(*ev));
	int rc;

	s->ep = s->lc == NULL ? epoll_create1(0) : -1;
	if (pf == NULL || ev == NULL || (s->lc == NULL && s->ep < 0)) {
		s->fail = "memory";
		goto out;
	}
	if (s->r->o.connect == NULL) {
		if ((rc = server_listen(s)) != 0) {
			fprintf(stderr, "ursa-tcp: load: listen: %s\n", strerror(-rc));
			s->fail = "listen";
		} else {
			server_loop(s, pf, ev);
		}
	} else if (client_connect_all(s) != 0) {
		s->fail = "connect";
	} else {
		for (unsigned i = 0; s->lc == NULL && i < s->nc; i++) {
			struct epoll_event e = {.events = EPOLLIN, .data.u32 = i};

			epoll_ctl(s->ep, EPOLL_CTL_ADD, s->c[i].fd, &e);
		}
		barrier(s);
		s->t0 = now_ns(s);
		client_loop(s, pf, ev);
		/* the other shards' segments land on this shard's queue too: keep the stack
		 * running until every shard is done */
		__atomic_add_fetch(&s->r->done, 1, __ATOMIC_ACQ_REL);
		while (__atomic_load_n(&s->r->done, __ATOMIC_ACQUIRE) < s->r->o.lcores)
			if (run_stack(s, 1 * URSA_NS_PER_MS) != 0 || s->lc == NULL)
				sched_yield();
	}
	for (unsigned i = 0; i < s->nc; i++)
		if (!s->c[i].closed && s->c[i].fd >= 0)
			io_close(s, s->c[i].fd);
	linger(s);
out:
	if (s->ep >= 0)
		close(s->ep);
	free(pf);
	free(ev);
	return s->fail != NULL;
}

static void *thread_main(void *arg)
{
	shard_main(arg);
	return NULL;
}

/* ---- the ursa stack: N shards on N EAL lcores ---- */

/* "--lcores" "0@(cpus),1@(cpus),...": every lcore may run on any CPU of the affinity mask,
 * or lcore i on the i-th CPU of --cpus. */
static int eal_start(const struct lopts *o)
{
	char lc[2048], cpus[1024],
		*argv[] = {"ursa-tcp", "--no-huge",	 "-m",	     "1024", "--no-shconf",
			   "--no-pci", "--no-telemetry", "--lcores", lc,     "--log-level=error",
			   NULL};
	cpu_set_t set;
	size_t n = 0, k = 0;

	if (o->cpus != NULL) {
		char *save, *tok, *dup = strdup(o->cpus);

		for (tok = strtok_r(dup, ",", &save); tok && k < o->lcores;
		     tok = strtok_r(NULL, ",", &save), k++)
			n += (size_t)snprintf(lc + n, sizeof(lc) - n, "%zu@%s,", k, tok);
		free(dup);
		if (k < o->lcores) {
			fprintf(stderr, "ursa-tcp: load: --cpus names fewer CPUs than --lcores\n");
			return -1;
		}
	} else {
		if (sched_getaffinity(0, sizeof(set), &set) != 0)
			return -1;
		for (int c = 0, m = 0; c < CPU_SETSIZE && (size_t)m < sizeof(cpus) - 8; c++)
			if (CPU_ISSET(c, &set))
				m += snprintf(cpus + m, sizeof(cpus) - (size_t)m, "%s%d",
					      m ? "," : "", c);
		for (k = 0; k < o->lcores && n < sizeof(lc); k++)
			n += (size_t)snprintf(lc + n, sizeof(lc) - n, "%zu@(%s),", k, cpus);
	}
	if (n == 0 || n >= sizeof(lc))
		return -1;
	lc[n - 1] = '\0';
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) < 0) {
		fprintf(stderr, "ursa-tcp: load: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int set_policy(struct ursa_lcore *lc)
{
	struct ursa_wait_policy pol;

	ursa_wait_policy_default(&pol);
	pol.busy_polls = 0;
	pol.spin_ns = SPIN_NS;
	pol.nap_min_ns = pol.nap_max_ns = IDLE_NAP_NS;
	pol.hot_ns = 0;
	return ursa_lcore_set_wait_policy(lc, &pol);
}

/* Poll every shard from here until the stack has applied ticket (before the shards run). */
static int settle(struct ursa_stack *st, uint64_t ticket)
{
	for (uint64_t i = 0; !ursa_stack_applied(st, ticket); i++) {
		if (i > 1000000)
			return -ETIMEDOUT;
		for (uint16_t s = 0; s < ursa_stack_nb_shards(st); s++)
			ursa_lcore_poll(ursa_stack_shard(st, s));
	}
	return ursa_stack_result(st, ticket);
}

static int add_iface(struct run *r)
{
	struct ursa_iface_conf ic = {.port = 0};
	struct rte_ether_addr mac;
	struct ursa_ipaddr a;
	uint64_t t = 0;
	uint16_t ifi;
	uint8_t plen;
	int rc;

	if (r->o.mac != NULL) {
		if (rte_ether_unformat_addr(r->o.mac, &mac) != 0)
			return -EINVAL;
		ic.mac = &mac;
	}
	if (ursa_ipaddr_parse(r->o.ip, &a, &plen) != 0)
		return -EINVAL;
	if ((rc = ursa_stack_iface_add(r->st, &ic, &ifi, &t)) != 0 || (rc = settle(r->st, t)) != 0)
		return rc;
	if ((rc = ursa_stack_addr_add(r->st, ifi, &a, plen, &t)) != 0)
		return rc;
	return settle(r->st, t);
}

static int stack_up(struct run *r)
{
	struct ursa_lcore_conf confs[URSA_MAX_SHARDS];
	struct ursa_stack_conf sc = {.nb_shards = (uint16_t)r->o.lcores, .shard = confs};
	unsigned id, k = 0;
	uint16_t port;
	int rc;

	if (eal_start(&r->o) != 0)
		return -1;
	confs[k] = (struct ursa_lcore_conf){.lcore_id = rte_get_main_lcore()};
	RTE_LCORE_FOREACH_WORKER(id)
	{
		if (++k == r->o.lcores)
			break;
		confs[k] = (struct ursa_lcore_conf){.lcore_id = id};
	}
	for (k = 0; k < r->o.lcores; k++) {
		confs[k].nb_mbufs = 16383;
		confs[k].max_timers = 4 * LOAD_MAX_CONNS;
		confs[k].name = "utl";
		confs[k].seeded = r->o.has_seed; /* without --seed: unpredictable */
		confs[k].seed = r->o.seed + k;
	}
	if ((rc = ursa_stack_create(&sc, &r->st)) != 0 ||
	    (rc = ursa_stack_port_open_ethdev(r->st, r->o.port, 0, &port)) != 0) {
		fprintf(stderr, "ursa-tcp: load: stack or --port %s: %s\n", r->o.port,
			strerror(-rc));
		return -1;
	}
	for (k = 0; k < r->o.lcores; k++) {
		struct ursa_lcore *lc = ursa_stack_shard(r->st, (uint16_t)k);

		if ((rc = set_policy(lc)) != 0 || (rc = ursa_stack_init(lc)) != 0 ||
		    (lc->tcp == NULL && (rc = ursa_tcp_init(lc)) != 0) ||
		    (rc = ursa_sock_init(lc)) != 0) {
			fprintf(stderr, "ursa-tcp: load: shard %u: %s\n", k, strerror(-rc));
			return -1;
		}
		r->sh[k].lc = lc;
	}
	if ((rc = add_iface(r)) != 0) {
		fprintf(stderr, "ursa-tcp: load: interface %s: %s\n", r->o.ip, strerror(-rc));
		return -1;
	}
	ursa_stack_start(r->sh[0].lc);
	return 0;
}

/* Shard 0 here, the others on their EAL lcores (or N threads on kernel sockets). */
static void run_all(struct run *r)
{
	unsigned k;

	if (r->o.kernel) {
		for (k = 0; k < r->o.lcores; k++)
			if (pthread_create(&r->sh[k].th, NULL, thread_main, &r->sh[k]) != 0)
				r->sh[k].fail = "thread";
		for (k = 0; k < r->o.lcores; k++)
			if (r->sh[k].fail == NULL || strcmp(r->sh[k].fail, "thread") != 0)
				pthread_join(r->sh[k].th, NULL);
		return;
	}
	for (k = 1; k < r->o.lcores; k++)
		rte_eal_remote_launch(shard_main, &r->sh[k], r->sh[k].lc->lcore_id);
	shard_main(&r->sh[0]);
	rte_eal_mp_wait_lcore();
}

/* ---- options and results ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ursa-tcp load (--connect ADDR:PORT | --listen PORT) --conns C\n"
		"         [--lcores N] [--cpus LIST] [--msg-size B] [--seconds S | --count K]\n"
		"         [--timeout S] [--stream-seed S] [--seed N]\n"
		"         (--port DEVARGS --ip A/LEN [--mac MAC] | --kernel)\n"
		"  N shards of one ursa stack on N EAL lcores (--kernel: N threads on Linux\n"
		"  sockets); the client keeps one request of B bytes (default 64) outstanding on\n"
		"  each of C connections and checks each reply; the server echoes until C\n"
		"  connections have closed.\n");
}

static int num(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;

	if (ursa_spec_u64(s, hi, &v) != 0 || v < lo)
		return -EINVAL;
	*out = v;
	return 0;
}

static int secs(const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	return *s == '\0' || *end != '\0' || !(*out > 0) ? -EINVAL : 0;
}

static int bad(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "ursa-tcp: load: %s %s: expected %s\n", opt, val, want);
	return -1;
}

static int parse_peer(struct run *r, const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *in = (struct sockaddr_in *)&r->peer;
	struct ursa_ipaddr ip;
	uint64_t port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (num(colon + 1, 1, 65535, &port) != 0 || ursa_ipaddr_parse(host, &ip, NULL) != 0 ||
	    ip.family != AF_INET)
		return -EINVAL;
	*in = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	in->sin_addr.s_addr = ip.v4;
	r->peer_len = sizeof(*in);
	return 0;
}

static int parse_opt(struct run *r, int c, const char *arg)
{
	struct lopts *o = &r->o;
	uint64_t v;

	switch (c) {
	case 'p':
		o->port = arg;
		return 0;
	case 'm':
		o->mac = arg;
		return 0;
	case '4':
		o->ip = arg;
		return 0;
	case 'K':
		o->kernel = true;
		return 0;
	case 'u':
		o->cpus = arg;
		return 0;
	case 'c':
		o->connect = arg;
		return parse_peer(r, arg) ? bad("--connect", arg, "IPv4:PORT") : 0;
	case 'l':
		if (num(arg, 1, 65535, &v) != 0)
			return bad("--listen", arg, "a port 1-65535");
		o->listen_port = (int)v;
		return 0;
	case 'C':
		if (num(arg, 1, LOAD_MAX_CONNS, &v) != 0)
			return bad("--conns", arg, "1 to 4096 connections");
		o->conns = (unsigned)v;
		return 0;
	case 'L':
		if (num(arg, 1, URSA_MAX_SHARDS, &v) != 0)
			return bad("--lcores", arg, "1 to URSA_MAX_SHARDS");
		o->lcores = (unsigned)v;
		return 0;
	case 'z':
		if (num(arg, 1, MSG_MAX, &v) != 0)
			return bad("--msg-size", arg, "1 to 4096 bytes");
		o->msg_size = (unsigned)v;
		return 0;
	case 'n':
		return num(arg, 1, UINT32_MAX, &o->count) ? bad("--count", arg, ">= 1") : 0;
	case 's':
		return num(arg, 0, UINT64_MAX, &o->stream_seed)
			       ? bad("--stream-seed", arg, "a number")
			       : 0;
	case 'S':
		o->has_seed = true;
		return num(arg, 0, UINT64_MAX, &o->seed) ? bad("--seed", arg, "a number") : 0;
	case 'D':
		return secs(arg, &o->seconds) ? bad("--seconds", arg, "seconds > 0") : 0;
	case 'T':
		return secs(arg, &o->timeout_s) ? bad("--timeout", arg, "seconds > 0") : 0;
	case 'h':
		usage(stdout);
		exit(0);
	default:
		return -1;
	}
}

static int parse(int argc, char **argv, struct run *r)
{
	static const struct option lo[] = {
		{"port", 1, NULL, 'p'},	   {"mac", 1, NULL, 'm'},
		{"ip", 1, NULL, '4'},	   {"kernel", 0, NULL, 'K'},
		{"cpus", 1, NULL, 'u'},	   {"connect", 1, NULL, 'c'},
		{"listen", 1, NULL, 'l'},  {"conns", 1, NULL, 'C'},
		{"lcores", 1, NULL, 'L'},  {"msg-size", 1, NULL, 'z'},
		{"count", 1, NULL, 'n'},   {"seconds", 1, NULL, 'D'},
		{"timeout", 1, NULL, 'T'}, {"stream-seed", 1, NULL, 's'},
		{"seed", 1, NULL, 'S'},	   {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct lopts *o = &r->o;
	int c;

	*o = (struct lopts){.lcores = 1, .msg_size = 64, .timeout_s = 120, .stream_seed = 1};
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		if (parse_opt(r, c, optarg) != 0)
			return -1;
	if (optind != argc)
		return bad("argument", argv[optind], "no positional arguments");
	if ((o->connect == NULL) == (o->listen_port <= 0))
		return bad("--listen/--connect", "(both or neither)", "exactly one of them");
	if (o->conns < o->lcores)
		return bad("--conns", "(too few)", "at least one connection per lcore");
	if (o->connect && (o->seconds > 0) == (o->count > 0))
		return bad("--seconds/--count", "(both or neither)", "exactly one of them");
	if (!o->kernel && (o->port == NULL || o->ip == NULL))
		return bad("--port/--ip", "(missing)", "a DPDK port and an IPv4 address");
	return 0;
}

/* Split the connections: connection i to shard i % N. */
static int assign(struct run *r)
{
	for (unsigned k = 0; k < r->o.lcores; k++) {
		struct shard *s = &r->sh[k];

		s->r = r;
		s->idx = k;
		s->lfd = -1;
		s->c = calloc(r->o.conns, sizeof(*s->c));
		if (s->c == NULL)
			return -ENOMEM;
		for (unsigned i = k; r->o.connect && i < r->o.conns; i += r->o.lcores)
			s->c[s->nc++] = (struct conn){.fd = -1, .id = i};
	}
	return 0;
}

static uint64_t counter(struct shard *s, const char *block, const char *name)
{
	uint64_t v = 0;

	if (s->lc != NULL)
		ursa_stats_get(s->lc, block, name, &v);
	return v;
}

static int report(struct run *r)
{
	uint64_t txns = 0, bytes = 0, bad = 0, unfinished = 0;
	double rate = 0, el_max = 0;
	const char *fail = NULL;

	for (unsigned k = 0; k < r->o.lcores; k++) {
		struct shard *s = &r->sh[k];
		double el = (double)(s->t_stop - s->t0) / 1e9;

		for (unsigned i = 0; r->o.connect && i < s->nc; i++)
			unfinished += s->c[i].rx != s->c[i].end || s->c[i].txns == 0;
		printf("ursa-tcp: load shard=%u conns=%u transactions=%" PRIu64 " seconds=%.3f "
		       "rate=%.1f dispatch_out=%" PRIu64 " dispatch_in=%" PRIu64 "%s%s\n",
		       k, s->nc, s->txns_at_stop, el, el > 0 ? (double)s->txns_at_stop / el : 0.0,
		       counter(s, "dispatch", "out"), counter(s, "dispatch", "in"),
		       s->fail ? " error=" : "", s->fail ? s->fail : "");
		txns += s->txns_at_stop;
		bytes += s->bytes;
		bad += s->mismatches;
		rate += el > 0 ? (double)s->txns_at_stop / el : 0.0;
		el_max = el > el_max ? el : el_max;
		fail = fail ? fail : s->fail;
	}
	printf("ursa-tcp: load role=%s kernel=%d lcores=%u conns=%u msg_size=%u "
	       "transactions=%" PRIu64 " seconds=%.3f rate=%.1f bytes=%" PRIu64 " verify=%s%s%s\n",
	       r->o.connect ? "client" : "server", r->o.kernel, r->o.lcores, r->o.conns,
	       r->o.msg_size, txns, el_max, rate, bytes,
	       !r->o.connect	   ? "n/a"
	       : bad || unfinished ? "mismatch"
				   : "ok",
	       fail ? " error=" : "", fail ? fail : "");
	if (bad || unfinished)
		fprintf(stderr,
			"ursa-tcp: load: %" PRIu64 " replies differ, %" PRIu64
			" connections unfinished\n",
			bad, unfinished);
	fflush(stdout);
	return fail == NULL && bad == 0 && unfinished == 0 ? 0 : 1;
}

int tcpapps_load_main(int argc, char **argv)
{
	struct run *r = calloc(1, sizeof(*r));
	int rc = 1;

	if (r == NULL)
		return 1;
	if (parse(argc, argv, r) != 0) {
		usage(stderr);
		free(r);
		return 2;
	}
	if (assign(r) != 0 || (!r->o.kernel && stack_up(r) != 0))
		goto out;
	if (r->o.listen_port) {
		printf("ursa-tcp: listening on port %d\n", r->o.listen_port);
		fflush(stdout);
	}
	run_all(r);
	rc = report(r);
out:
	if (r->st != NULL)
		ursa_stack_destroy(r->st);
	if (!r->o.kernel)
		rte_eal_cleanup();
	for (unsigned k = 0; k < r->o.lcores; k++) {
		for (unsigned i = 0; r->sh[k].c && i < r->sh[k].nc; i++)
			free(r->sh[k].c[i].pend);
		free(r->sh[k].c);
	}
	free(r);
	return rc;
}
