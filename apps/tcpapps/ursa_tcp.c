/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-tcp: a small TCP interop tool on libursa in-process (one DPDK port, one interface),
 * for tests against the Linux kernel and for benchmarks.
 *
 *   ursa-tcp --port net_af_packet0,iface=vu --ip 10.253.1.2/24 [--ip6 fd00:253::2/64]
 *            (--listen PORT | --connect ADDR:PORT | --connect [ADDR6]:PORT)
 *            --mode echo|discard|source|sink|pingpong [--bytes N] [--stream-seed S]
 *            [--close fin|rst] [--fault SPEC] [--timeout S] [--msg-size N --count N]
 *            [--lcore CPU] [--smc [--ueid EID] [--smc-rmb BYTES]]
 *   ursa-tcp gen --bytes N [--stream-seed S]      the stream on stdout (no DPDK)
 *   ursa-tcp check --bytes N [--stream-seed S]    verify stdin against the stream
 *   ursa-tcp kernel (--listen PORT | --connect ...) --mode ...   the same modes on a Linux
 *            kernel socket (no DPDK): the baseline peer for tests and benchmarks
 *   ursa-tcp load ...   many connections of 64-byte request/response over N shards (or N
 *            kernel threads): the scaling benchmark's load (load.c, --help there)
 *
 * The stream is a seeded pseudo-random byte sequence (byte i from splitmix64 of its 8-byte
 * word), so both ends can make or check it at any offset. Every run ends with one line:
 *   ursa-tcp: role=server mode=sink bytes=1048576 crc32=0x1c291ca3 verify=ok elapsed=0.52
 *             mbit_s=16.1 close=fin
 * (CRC-32 of the bytes seen, as zlib.crc32/ISA-L crc32_gzip_refl), and exits 0 when all went
 * as asked, 1 otherwise (verify=mismatch, reset, timeout), 2 on a bad command line. A
 * ping-pong client also prints its round trips: average, minimum, median, 90th, 99th, 99.9th
 * percentile and maximum, in microseconds.
 *
 * The stack runs on EAL lcore 0. Without --lcore that lcore may run on any CPU the process is
 * allowed (taskset decides), so two ursa-tcp processes are not forced onto one core; --lcore
 * pins it to one CPU. The stack runs in ursa_lcore_wait (ursa_wait.h), whose policy here
 * polls without sleeping while there was work in the last SPIN_NS and naps IDLE_NAP_NS
 * between polls after that (on Rx interrupts instead, where the port has them).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <isa-l/crc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "ursa.h"
#include "ursa_rdma.h"
#include "ursa_smc.h"
#include "ursa_softroce.h"
#include "ursa_sock.h"
#include "ursa_spec.h"
#include "ursa_tcp.h"

#include "tcpapps.h"

#define BUF_SIZE (256 * 1024)
/*
 * Poll without sleeping for this long after the last work: longer than a round trip over
 * memif or veth (10-40 us here), so a ping-pong never naps between its messages; short enough
 * that a peer sharing the core gets it well within a scheduler slice.
 */
#define SPIN_NS	    (200 * URSA_NS_PER_US)
#define IDLE_NAP_NS (20 * URSA_NS_PER_US)
/* The longest wait in the transfer loop: how late --timeout may be noticed. */
#define WAIT_MAX_NS (100 * URSA_NS_PER_MS)
#define MAX_RTTS    (4u * 1024 * 1024) /* round trips kept for the percentiles */

enum mode { M_ECHO, M_DISCARD, M_SOURCE, M_SINK, M_PINGPONG };
static const char *const mode_names[] = {"echo", "discard", "source", "sink", "pingpong"};

struct opts {
	const char *port, *mac, *ip, *ip6, *fault, *fault_rx, *fault_tx, *connect, *ueid;
	int listen_port;
	enum mode mode;
	uint64_t bytes, stream_seed, seed;
	bool rst, offline_gen, offline_check, kernel, stats, has_seed;
	bool smc;	  /* IPPROTO_SMC sockets: SMC where the peer offers it, else TCP fallback */
	uint64_t smc_rmb; /* --smc-rmb: the receive buffer SMC asks for (0: the default) */
	double timeout_s;
	unsigned msg_size, count;
	int lcore; /* CPU for EAL lcore 0; -1: any CPU of the affinity mask */
};

struct app {
	struct opts o;
	struct ursa_lcore *lc;
	uint8_t *buf, *want;
	uint64_t in, out; /* bytes received / sent */
	uint32_t crc;
	bool mismatch;
	uint64_t t_start, t_end;
	uint64_t *rtts; /* ping-pong client: each round trip (ns) */
	unsigned nb_rtts;
	const char *fail;
	int smc_fallback; /* --smc: getsockopt(SOL_SMC, URSA_SMC_FALLBACK_REASON) */
};

/* ---- the stream ---- */

static uint64_t splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

/* Bytes [off, off + len) of the stream of seed. */
void tcpapps_stream_fill(uint64_t seed, uint64_t off, uint8_t *p, size_t len)
{
	while (len > 0) {
		uint64_t w = splitmix(seed ^ ((off >> 3) * 0xD1B54A32D192ED03ull));
		unsigned k = (unsigned)(off & 7);

		if (k == 0 && len >= 8) {
			memcpy(p, &w, 8); /* little-endian byte order of w, as below */
			p += 8;
			off += 8;
			len -= 8;
			continue;
		}
		*p++ = (uint8_t)(w >> (8 * k));
		off++;
		len--;
	}
}

static void seen(struct app *a, const uint8_t *p, size_t n, bool verify)
{
	a->crc = crc32_gzip_refl(a->crc, p, n);
	if (verify && !a->mismatch) {
		tcpapps_stream_fill(a->o.stream_seed, a->in, a->want, n);
		if (memcmp(p, a->want, n) != 0) {
			size_t i = 0;

			while (i < n && p[i] == a->want[i])
				i++;
			fprintf(stderr, "ursa-tcp: stream differs at byte %" PRIu64 "\n",
				a->in + i);
			a->mismatch = true;
		}
	}
	a->in += n;
}

static void summary(struct app *a, const char *role)
{
	double el = (double)(a->t_end - a->t_start) / 1e9;
	uint64_t moved = a->in > a->out ? a->in : a->out;

	printf("ursa-tcp: role=%s mode=%s bytes=%" PRIu64 " crc32=0x%08x verify=%s elapsed=%.3f "
	       "mbit_s=%.1f close=%s%s%s",
	       role, mode_names[a->o.mode], moved, a->crc,
	       a->o.mode == M_SINK || a->o.mode == M_ECHO ? (a->mismatch ? "mismatch" : "ok")
							  : "n/a",
	       el, el > 0 ? (double)moved * 8 / el / 1e6 : 0.0, a->o.rst ? "rst" : "fin",
	       a->fail ? " error=" : "", a->fail ? a->fail : "");
	if (a->o.smc)
		printf(" smc_fallback=0x%08x", (unsigned)a->smc_fallback);
	printf("\n");
	fflush(stdout);
}

/* ---- offline gen/check ---- */

static int offline(struct app *a)
{
	uint64_t left = a->o.bytes;

	a->t_start = 0;
	if (a->o.offline_gen) {
		while (left > 0) {
			size_t n = left < BUF_SIZE ? (size_t)left : BUF_SIZE;

			tcpapps_stream_fill(a->o.stream_seed, a->out, a->buf, n);
			if (fwrite(a->buf, 1, n, stdout) != n)
				return 1;
			a->out += n;
			left -= n;
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
	for (;;) {
		size_t n = fread(a->buf, 1, BUF_SIZE, stdin);

		if (n == 0)
			break;
		seen(a, a->buf, n, true);
	}
	a->o.mode = M_SINK;
	if (a->in != a->o.bytes) {
		a->mismatch = true;
		a->fail = "short";
	}
	summary(a, "check");
	return a->mismatch ? 1 : 0;
}

/* ---- the stack ---- */

/*
 * "-l" "CPU" with --lcore; else "--lcores" "0@(a,b,...)": lcore 0 on every CPU of the
 * affinity mask. EAL's usual "-l 0" pins every process to CPU 0, so two ursa-tcp processes
 * (the two ends over memif) share one core, each polling until the scheduler preempts it: a
 * round trip then costs scheduler slices (ms) instead of microseconds.
 */
static int eal_cpus(int lcore, char *opt, size_t opt_len, char *val, size_t val_len)
{
	cpu_set_t set;
	size_t n;

	if (lcore >= 0) {
		snprintf(opt, opt_len, "-l");
		snprintf(val, val_len, "%d", lcore);
		return 0;
	}
	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return -errno;
	snprintf(opt, opt_len, "--lcores");
	n = (size_t)snprintf(val, val_len, "0@(");
	for (int c = 0; c < CPU_SETSIZE && n < val_len; c++)
		if (CPU_ISSET(c, &set))
			n += (size_t)snprintf(val + n, val_len - n, "%d,", c);
	if (n + 1 >= val_len || val[n - 1] != ',')
		return -E2BIG;
	val[n - 1] = ')';
	return 0;
}

static int eal_start(int lcore)
{
	char opt[16], cpus[2048];
	struct ursa_eal_args a;
	int rc = eal_cpus(lcore, opt, sizeof(opt), cpus, sizeof(cpus));

	if (rc != 0) {
		fprintf(stderr, "ursa-tcp: CPU set: %s\n", strerror(-rc));
		return -1;
	}
	rc = ursa_eal_args_init(&a, "ursa-tcp", 512, cpus, "error");
	if (rc != 0) {
		fprintf(stderr, "ursa-tcp: EAL arguments: %s %s\n", strerror(-rc), a.why);
		return -1;
	}
	ursa_eal_args_report(&a);
	if (rte_eal_init(a.argc, a.argv) < 0) {
		fprintf(stderr, "ursa-tcp: EAL init failed: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int add_addr(struct ursa_lcore *lc, uint16_t ifi, const char *s)
{
	struct ursa_ipaddr a;
	uint8_t plen;
	int rc;

	if (ursa_ipaddr_parse(s, &a, &plen) != 0) {
		fprintf(stderr, "ursa-tcp: bad address '%s'\n", s);
		return -EINVAL;
	}
	rc = ursa_iface_addr_add(lc, ifi, &a, plen);
	if (rc != 0)
		fprintf(stderr, "ursa-tcp: address %s: %s\n", s, strerror(-rc));
	return rc;
}

static int set_fault(struct ursa_lcore *lc, const char *spec, enum ursa_dir dir)
{
	struct ursa_fault_conf fc;
	char err[128];
	int rc;

	if (ursa_fault_parse(spec, &fc, err, sizeof(err)) != 0) {
		fprintf(stderr, "ursa-tcp: --fault '%s': %s\n", spec, err);
		return -EINVAL;
	}
	if (dir == URSA_DIR_TX)
		fc.seed ^= 0x5a5a5a5a; /* independent choices per direction */
	rc = ursa_port_set_fault(lc, &lc->ports[0], dir, &fc);
	if (rc != 0)
		fprintf(stderr, "ursa-tcp: fault injection: %s\n", strerror(-rc));
	return rc;
}

/* Spin SPIN_NS after the last work, then naps of IDLE_NAP_NS: a ping-pong never naps
 * between its messages. */
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

static int stack_up(struct app *a)
{
	struct ursa_lcore_conf lconf = {.nb_mbufs = 16383, .max_timers = 4096, .name = "ut"};
	struct ursa_iface_conf ic = {.port = 0};
	struct rte_ether_addr mac;
	uint16_t port, ifi;
	int rc;

	if (eal_start(a->o.lcore) != 0)
		return -1;
	lconf.lcore_id = rte_lcore_id();
	lconf.seeded = a->o.has_seed; /* without --seed: unpredictable */
	lconf.seed = a->o.seed;
	if ((rc = ursa_lcore_create(&lconf, &a->lc)) != 0) {
		fprintf(stderr, "ursa-tcp: lcore: %s\n", strerror(-rc));
		return -1;
	}
	if ((rc = set_policy(a->lc)) != 0) {
		fprintf(stderr, "ursa-tcp: wait policy: %s\n", strerror(-rc));
		return -1;
	}
	if ((rc = ursa_port_open_ethdev(a->lc, a->o.port, 0, &port)) != 0) {
		fprintf(stderr, "ursa-tcp: --port %s: %s\n", a->o.port, strerror(-rc));
		return -1;
	}
	if (a->o.fault && (set_fault(a->lc, a->o.fault, URSA_DIR_RX) != 0 ||
			   set_fault(a->lc, a->o.fault, URSA_DIR_TX) != 0))
		return -1;
	if (a->o.fault_rx && set_fault(a->lc, a->o.fault_rx, URSA_DIR_RX) != 0)
		return -1;
	if (a->o.fault_tx && set_fault(a->lc, a->o.fault_tx, URSA_DIR_TX) != 0)
		return -1;
	if ((rc = ursa_stack_init(a->lc)) != 0 ||
	    (a->lc->tcp == NULL && (rc = ursa_tcp_init(a->lc)) != 0) ||
	    (rc = ursa_sock_init(a->lc)) != 0) {
		fprintf(stderr, "ursa-tcp: stack init: %s\n", strerror(-rc));
		return -1;
	}
	if (a->o.ueid != NULL) { /* SMC-Rv2 is offered and accepted with a UEID only */
		struct ursa_rdma_device *dev;
		struct ursa_smc_conf sc;

		/* the device stack/smc's link side uses (SMC_DEFAULT_DEV) */
		if ((rc = ursa_rdma_device_open(a->lc, &ursa_softroce_provider, "softroce0", NULL,
						&dev)) != 0) {
			fprintf(stderr, "ursa-tcp: softroce0: %s\n", strerror(-rc));
			return -1;
		}
		ursa_smc_conf_default(&sc);
		snprintf(sc.ueid[0], sizeof(sc.ueid[0]), "%s", a->o.ueid);
		sc.nb_ueid = 1;
		if (a->o.smc_rmb != 0)
			sc.rmb_size = (uint32_t)a->o.smc_rmb;
		if ((rc = ursa_smc_set_conf(a->lc, &sc)) != 0) {
			fprintf(stderr, "ursa-tcp: --ueid %s: %s\n", a->o.ueid, strerror(-rc));
			return -1;
		}
	}
	if (a->o.mac != NULL) {
		if (rte_ether_unformat_addr(a->o.mac, &mac) != 0) {
			fprintf(stderr, "ursa-tcp: bad --mac %s\n", a->o.mac);
			return -1;
		}
		ic.mac = &mac;
	}
	if ((rc = ursa_iface_add(a->lc, &ic, &ifi)) != 0) {
		fprintf(stderr, "ursa-tcp: interface: %s\n", strerror(-rc));
		return -1;
	}
	if ((a->o.ip && add_addr(a->lc, ifi, a->o.ip) != 0) ||
	    (a->o.ip6 && add_addr(a->lc, ifi, a->o.ip6) != 0))
		return -1;
	ursa_stack_start(a->lc);
	return 0;
}

static bool timed_out(struct app *a)
{
	return ursa_now(a->lc) - a->t_start > (uint64_t)(a->o.timeout_s * 1e9);
}

/* Poll until fd has one of events (or an error); false on time-out. */
static bool wait_for(struct app *a, int fd, short events)
{
	struct ursa_pollfd p = {.fd = fd, .events = events};

	while (ursa_sock_wait(a->lc, &p, 1, 100 * URSA_NS_PER_MS) == 0)
		if (timed_out(a))
			return false;
	return true;
}

/* Keep the stack running for ns (the FIN or RST exchange after close). */
static void linger_poll(struct app *a, uint64_t ns)
{
	uint64_t end = ursa_now(a->lc) + ns, now;

	while ((now = ursa_now(a->lc)) < end)
		if (ursa_lcore_wait(a->lc, end - now, NULL) != 0)
			return;
}

/* ---- the modes on a connected socket ---- */

/* What TCP did for this transfer (on stderr, so the result line on stdout stays one line). */
static void tcp_report(struct app *a, int fd)
{
	struct ursa_tcp_info ti;

	if (ursa_sock_tcp_info(a->lc, fd, &ti) != 0)
		return;
	fprintf(stderr,
		"ursa-tcp: tcp segs_out=%" PRIu64 " segs_in=%" PRIu64 " retrans=%" PRIu64
		" timeouts=%" PRIu64 " recoveries=%" PRIu64 " cwnd=%u ssthresh=%u srtt_us=%u"
		" rto_us=%u backoff=%u unacked=%u snd_wnd=%u cc=%s\n",
		ti.segs_out, ti.segs_in, ti.retransmits, ti.timeouts, ti.fast_retransmits, ti.cwnd,
		ti.ssthresh, ti.srtt_us, ti.rto_us, ti.backoff, ti.unacked, ti.snd_wnd, ti.cc);
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The p-th percentile (nearest rank) of the n sorted round trips, in microseconds. */
static double rtt_pct(const uint64_t *v, unsigned n, double p)
{
	double rank = p / 100 * n;
	unsigned i = (unsigned)rank;

	if ((double)i < rank)
		i++;
	return (double)v[i > 0 ? i - 1 : 0] / 1e3;
}

/* Keep one ping-pong round trip for the percentiles. */
static void rtt_add(struct app *a, uint64_t ns)
{
	if (a->rtts != NULL && a->nb_rtts < a->o.count && a->nb_rtts < MAX_RTTS)
		a->rtts[a->nb_rtts++] = ns;
}

static void rtt_report(struct app *a, unsigned done, uint64_t sum_ns)
{
	unsigned n = a->nb_rtts;

	printf("ursa-tcp: pingpong count=%u msg_size=%u avg_rtt_us=%.2f", done, a->o.msg_size,
	       done > 0 ? (double)sum_ns / done / 1e3 : 0.0);
	if (n > 0) {
		qsort(a->rtts, n, sizeof(a->rtts[0]), cmp_u64);
		printf(" min_rtt_us=%.2f p50_rtt_us=%.2f p90_rtt_us=%.2f p99_rtt_us=%.2f"
		       " p999_rtt_us=%.2f max_rtt_us=%.2f",
		       (double)a->rtts[0] / 1e3, rtt_pct(a->rtts, n, 50), rtt_pct(a->rtts, n, 90),
		       rtt_pct(a->rtts, n, 99), rtt_pct(a->rtts, n, 99.9),
		       (double)a->rtts[n - 1] / 1e3);
	}
	printf("\n");
}

static int run_conn(struct app *a, int fd)
{
	uint64_t pend_off = 0, pend_len = 0; /* echo: received bytes not yet sent back */
	bool eof = false, shut = false;
	uint64_t rtt_sum = 0, t_sent = 0;
	unsigned done = 0;
	uint8_t *echo = a->want; /* echo mode does not verify: reuse the buffer */

	a->t_start = ursa_now(a->lc);
	/* as the kernel mode does: no Nagle delay for the ping-pong's small messages */
	ursa_setsockopt(a->lc, fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	if (a->o.mode == M_ECHO && a->o.connect == NULL)
		echo = malloc(BUF_SIZE);
	for (;;) {
		bool progress = false;
		ssize_t n;

		if (timed_out(a)) {
			a->fail = "timeout";
			break;
		}
		/* send side */
		if (a->o.mode == M_SOURCE || (a->o.mode == M_ECHO && a->o.connect != NULL)) {
			if (a->out < a->o.bytes) {
				size_t len = a->o.bytes - a->out < BUF_SIZE
						     ? (size_t)(a->o.bytes - a->out)
						     : BUF_SIZE;

				tcpapps_stream_fill(a->o.stream_seed, a->out, a->buf, len);
				n = ursa_send(a->lc, fd, a->buf, len, 0);
				if (n > 0) {
					if (a->o.mode == M_SOURCE)
						a->crc = crc32_gzip_refl(a->crc, a->buf,
									 (uint64_t)n);
					a->out += (uint64_t)n;
					progress = true;
				} else if (n != -EAGAIN) {
					a->fail = "send";
					break;
				}
			} else if (!shut && !a->o.rst) {
				ursa_shutdown(a->lc, fd, SHUT_WR);
				shut = true;
			}
		}
		if (a->o.mode == M_PINGPONG && a->o.connect != NULL && a->out == a->in &&
		    done < a->o.count) {
			/* one request out, wait for the whole reply */
			memset(a->buf, 'q', a->o.msg_size);
			n = ursa_send(a->lc, fd, a->buf, a->o.msg_size, 0);
			if (n != (ssize_t)a->o.msg_size) {
				a->fail = "send";
				break;
			}
			a->out += (uint64_t)n;
			t_sent = ursa_now(a->lc);
			progress = true;
		}
		if (a->o.mode == M_ECHO && a->o.connect == NULL && pend_len > 0) {
			n = ursa_send(a->lc, fd, echo + pend_off, (size_t)pend_len, 0);
			if (n > 0) {
				pend_off += (uint64_t)n;
				pend_len -= (uint64_t)n;
				a->out += (uint64_t)n;
				progress = true;
			} else if (n != -EAGAIN) {
				a->fail = "send";
				break;
			}
		}
		/* receive side */
		if (!eof && !(a->o.mode == M_ECHO && a->o.connect == NULL && pend_len > 0)) {
			n = ursa_recv(a->lc, fd,
				      a->o.mode == M_ECHO && !a->o.connect ? echo : a->buf,
				      BUF_SIZE, 0);
			if (n > 0) {
				progress = true;
				if (a->o.mode == M_ECHO && a->o.connect == NULL) {
					seen(a, echo, (size_t)n, false);
					pend_off = 0;
					pend_len = (uint64_t)n;
				} else if (a->o.mode == M_PINGPONG) {
					a->in += (uint64_t)n;
					if (a->o.connect != NULL && a->in == a->out) {
						uint64_t rtt = ursa_now(a->lc) - t_sent;

						rtt_sum += rtt;
						rtt_add(a, rtt);
						done++;
					} else if (a->o.connect == NULL) {
						/* server: reply with as many bytes */
						if (ursa_send(a->lc, fd, a->buf, (size_t)n, 0) !=
						    n) {
							a->fail = "send";
							break;
						}
						a->out += (uint64_t)n;
					}
				} else {
					seen(a, a->buf, (size_t)n,
					     a->o.mode == M_SINK || a->o.mode == M_ECHO);
				}
			} else if (n == 0) {
				eof = true;
			} else if (n != -EAGAIN) {
				a->fail = n == -ECONNRESET ? "reset" : "recv";
				break;
			}
		}
		/* done? */
		if (a->o.mode == M_PINGPONG && a->o.connect != NULL && done == a->o.count)
			break;
		if (a->o.mode == M_SOURCE && a->out == a->o.bytes && (eof || a->o.rst))
			break;
		if (a->o.mode == M_ECHO && a->o.connect != NULL && a->in >= a->o.bytes)
			break;
		if (eof && (a->o.mode != M_ECHO || pend_len == 0))
			break;
		if (!progress) {
			/*
			 * Ask only for what the loop would act on: a connected socket is writable
			 * nearly always, and counting that as work kept the loop from ever napping.
			 */
			bool echo_pend =
				a->o.mode == M_ECHO && a->o.connect == NULL && pend_len > 0;
			bool tx = echo_pend || ((a->o.mode == M_SOURCE ||
						 (a->o.mode == M_ECHO && a->o.connect != NULL)) &&
						a->out < a->o.bytes);
			struct ursa_pollfd p = {
				.fd = fd,
				.events = (short)((!eof && !echo_pend ? URSA_POLLIN : 0) |
						  (tx ? URSA_POLLOUT : 0)),
			};

			/* The socket is ready: poll the stack once and act on it. Otherwise the
			 * stack runs (spinning, then napping) until it does work. */
			bool ready = ursa_sock_poll(a->lc, &p, 1) != 0;

			if (ursa_lcore_wait(a->lc, ready ? 0 : WAIT_MAX_NS, NULL) != 0) {
				a->fail = "wait";
				break;
			}
		}
	}
	a->t_end = ursa_now(a->lc);
	tcp_report(a, fd);
	if (a->o.mode == M_PINGPONG && a->o.connect != NULL && done > 0)
		rtt_report(a, done, rtt_sum);
	if (a->o.rst) {
		struct linger l = {1, 0};

		ursa_setsockopt(a->lc, fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	ursa_close(a->lc, fd);
	linger_poll(a, 500 * URSA_NS_PER_MS);
	if (echo != a->want)
		free(echo);
	if ((a->o.mode == M_SINK || (a->o.mode == M_ECHO && a->o.connect)) && a->o.bytes &&
	    a->in != a->o.bytes && a->fail == NULL)
		a->fail = "short";
	return a->fail == NULL && !a->mismatch ? 0 : 1;
}

static int parse_hostport(const char *s, int *family, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *colon;
	struct ursa_ipaddr ip;
	long port;

	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (e == NULL || e[1] != ':' || (size_t)(e - s - 1) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		colon = e + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
	}
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535 || ursa_ipaddr_parse(host, &ip, NULL) != 0)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	*family = ip.family;
	if (ip.family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		in->sin_addr.s_addr = ip.v4;
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		memcpy(&in6->sin6_addr, ip.v6, 16);
		*len = sizeof(*in6);
	}
	return 0;
}

/*
 * Until the port reports its link up, or the time-out. memif connects to its peer in the
 * background after start: a SYN sent before that is dropped by the PMD and costs the initial
 * retransmission time-out (1 s) and a timeout in the TCP figures.
 */
static void link_wait(struct app *a)
{
	struct rte_eth_link link;

	for (;;) {
		if (rte_eth_link_get_nowait(a->lc->ports[0].ethdev, &link) != 0 ||
		    link.link_status == RTE_ETH_LINK_UP || timed_out(a))
			return;
		linger_poll(a, 10 * URSA_NS_PER_MS);
	}
}

/* --smc: why the connection fell back to TCP (0: it did not), for the summary line. */
static void smc_note(struct app *a, int fd)
{
	socklen_t len = sizeof(a->smc_fallback);

	if (a->o.smc && ursa_getsockopt(a->lc, fd, SOL_SMC, URSA_SMC_FALLBACK_REASON,
					&a->smc_fallback, &len) != 0)
		a->smc_fallback = -1;
}

static int run_client(struct app *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family, fd, rc;

	if (parse_hostport(a->o.connect, &family, &ss, &len) != 0) {
		fprintf(stderr, "ursa-tcp: bad --connect %s\n", a->o.connect);
		return 2;
	}
	a->t_start = ursa_now(a->lc);
	link_wait(a);
	/* the peer's neighbour entry and our DAD need a moment: retry refused/unreachable */
	for (;;) {
		fd = ursa_socket(a->lc, family, SOCK_STREAM, a->o.smc ? IPPROTO_SMC : 0);
		if (fd < 0)
			return 1;
		rc = ursa_connect(a->lc, fd, (struct sockaddr *)&ss, len);
		if (rc == -EINPROGRESS && wait_for(a, fd, URSA_POLLOUT))
			rc = ursa_connect(a->lc, fd, (struct sockaddr *)&ss, len);
		if (rc == 0)
			break;
		ursa_close(a->lc, fd);
		if (timed_out(a) || (rc != -ECONNREFUSED && rc != -EHOSTUNREACH &&
				     rc != -ETIMEDOUT && rc != -EINPROGRESS)) {
			fprintf(stderr, "ursa-tcp: connect %s: %s\n", a->o.connect, strerror(-rc));
			return 1;
		}
		linger_poll(a, 200 * URSA_NS_PER_MS);
	}
	smc_note(a, fd);
	rc = run_conn(a, fd);
	summary(a, "client");
	return rc;
}

static int run_server(struct app *a)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	int lfd4, lfd6 = -1, fd = -EAGAIN, rc;

	memset(&ss, 0, sizeof(ss));
	lfd4 = ursa_socket(a->lc, AF_INET, SOCK_STREAM, a->o.smc ? IPPROTO_SMC : 0);
	((struct sockaddr_in *)&ss)->sin_family = AF_INET;
	((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)a->o.listen_port);
	if ((rc = ursa_bind(a->lc, lfd4, (struct sockaddr *)&ss, sizeof(struct sockaddr_in))) ||
	    (rc = ursa_listen(a->lc, lfd4, 16))) {
		fprintf(stderr, "ursa-tcp: listen: %s\n", strerror(-rc));
		return 1;
	}
	if (a->o.ip6) {
		memset(&ss, 0, sizeof(ss));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)a->o.listen_port);
		lfd6 = ursa_socket(a->lc, AF_INET6, SOCK_STREAM, a->o.smc ? IPPROTO_SMC : 0);
		if ((rc = ursa_bind(a->lc, lfd6, (struct sockaddr *)&ss, sizeof(*in6))) ||
		    (rc = ursa_listen(a->lc, lfd6, 16))) {
			fprintf(stderr, "ursa-tcp: listen6: %s\n", strerror(-rc));
			return 1;
		}
	}
	printf("ursa-tcp: listening on port %d\n", a->o.listen_port);
	fflush(stdout);
	a->t_start = ursa_now(a->lc);
	while (fd < 0) {
		struct ursa_pollfd p[2] = {{.fd = lfd4, .events = URSA_POLLIN},
					   {.fd = lfd6, .events = URSA_POLLIN}};

		if (timed_out(a)) {
			fprintf(stderr, "ursa-tcp: no connection within %.0f s\n", a->o.timeout_s);
			return 1;
		}
		ursa_sock_wait(a->lc, p, lfd6 >= 0 ? 2 : 1, 100 * URSA_NS_PER_MS);
		fd = ursa_accept(a->lc, lfd4, NULL, NULL);
		if (fd < 0 && lfd6 >= 0)
			fd = ursa_accept(a->lc, lfd6, NULL, NULL);
	}
	smc_note(a, fd);
	rc = run_conn(a, fd);
	summary(a, "server");
	ursa_close(a->lc, lfd4);
	if (lfd6 >= 0)
		ursa_close(a->lc, lfd6);
	return rc;
}

/* ---- the same modes over a kernel socket (blocking; baseline) ---- */

static int k_sendall(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static uint64_t k_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int run_kernel(struct app *a)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = AF_INET6, fd, one = 1;
	const char *role = a->o.connect ? "kclient" : "kserver";

	if (a->o.connect) {
		if (parse_hostport(a->o.connect, &family, &ss, &len) != 0)
			return 2;
		fd = socket(family, SOCK_STREAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) != 0) {
			perror("ursa-tcp kernel: connect");
			return 1;
		}
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		int lfd = socket(AF_INET6, SOCK_STREAM, 0), zero = 0;

		memset(&ss, 0, sizeof(ss));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)a->o.listen_port);
		setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (lfd < 0 || bind(lfd, (struct sockaddr *)&ss, sizeof(*in6)) != 0 ||
		    listen(lfd, 4) != 0) {
			perror("ursa-tcp kernel: listen");
			return 1;
		}
		printf("ursa-tcp: listening on port %d\n", a->o.listen_port);
		fflush(stdout);
		fd = accept(lfd, NULL, NULL);
		close(lfd);
		if (fd < 0)
			return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	a->t_start = k_now();
	if (a->o.mode == M_PINGPONG && a->o.connect) {
		uint64_t sum = 0, t0;
		unsigned i;

		memset(a->buf, 'q', a->o.msg_size);
		for (i = 0; i < a->o.count; i++) {
			size_t got = 0;

			t0 = k_now();
			if (k_sendall(fd, a->buf, a->o.msg_size) != 0)
				break;
			while (got < a->o.msg_size) {
				ssize_t r = recv(fd, a->want, a->o.msg_size - got, 0);

				if (r <= 0)
					break;
				got += (size_t)r;
			}
			if (got < a->o.msg_size)
				break;
			t0 = k_now() - t0;
			sum += t0;
			rtt_add(a, t0);
		}
		a->out = a->in = (uint64_t)i * a->o.msg_size;
		rtt_report(a, i, sum);
		if (i < a->o.count)
			a->fail = "short";
	} else if (a->o.mode == M_SOURCE) {
		while (a->out < a->o.bytes) {
			size_t n = a->o.bytes - a->out < BUF_SIZE ? (size_t)(a->o.bytes - a->out)
								  : BUF_SIZE;

			tcpapps_stream_fill(a->o.stream_seed, a->out, a->buf, n);
			a->crc = crc32_gzip_refl(a->crc, a->buf, n);
			if (k_sendall(fd, a->buf, n) != 0) {
				a->fail = "send";
				break;
			}
			a->out += n;
		}
		shutdown(fd, SHUT_WR);
		while (recv(fd, a->buf, BUF_SIZE, 0) > 0)
			;
	} else {
		for (;;) {
			ssize_t r = recv(fd, a->buf, BUF_SIZE, 0);

			if (r <= 0) {
				if (r < 0)
					a->fail = errno == ECONNRESET ? "reset" : "recv";
				break;
			}
			if (a->o.mode == M_ECHO || a->o.mode == M_PINGPONG) {
				if (k_sendall(fd, a->buf, (size_t)r) != 0) {
					a->fail = "send";
					break;
				}
				a->out += (uint64_t)r;
				a->crc = crc32_gzip_refl(a->crc, a->buf, (uint64_t)r);
				a->in += (uint64_t)r;
			} else {
				seen(a, a->buf, (size_t)r, a->o.mode == M_SINK);
			}
		}
	}
	a->t_end = k_now();
	close(fd);
	summary(a, role);
	return a->fail == NULL && !a->mismatch ? 0 : 1;
}

/* --stats: every counter that moved, one per line on stderr ("ursa-tcp: stat tcp.timeouts 3") */
static void print_counter(const char *block, const char *name, uint64_t val, void *arg)
{
	(void)arg;
	if (val != 0)
		fprintf(stderr, "ursa-tcp: stat %s.%s %" PRIu64 "\n", block, name, val);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ursa-tcp --port DEVARGS --ip A/LEN [--ip6 A/LEN] [--mac MAC]\n"
		   "         (--listen PORT | --connect ADDR:PORT | --connect [ADDR6]:PORT)\n"
		   "         --mode echo|discard|source|sink|pingpong [--bytes N] "
		   "[--stream-seed S]\n"
		   "         [--close fin|rst] [--fault SPEC] [--fault-rx SPEC] [--fault-tx SPEC]\n"
		   "         [--timeout S] [--seed N] [--msg-size N] [--count N] [--stats]\n"
		   "         [--lcore CPU] [--smc [--ueid EID] [--smc-rmb BYTES]]\n"
		   "       ursa-tcp gen|check --bytes N [--stream-seed S]\n"
		   "       ursa-tcp kernel (--listen PORT | --connect ADDR:PORT) --mode M ...\n");
}

/* A decimal or 0x number in [lo, hi], the whole string. */
static int num(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
	uint64_t v;

	if (ursa_spec_u64(s, hi, &v) != 0 || v < lo)
		return -EINVAL;
	*out = v;
	return 0;
}

static int bad(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "ursa-tcp: %s %s: expected %s\n", opt, val, want);
	return -1;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"port", 1, NULL, 'p'},	       {"mac", 1, NULL, 'm'},
		{"ip", 1, NULL, '4'},	       {"ip6", 1, NULL, '6'},
		{"listen", 1, NULL, 'l'},      {"connect", 1, NULL, 'c'},
		{"mode", 1, NULL, 'M'},	       {"bytes", 1, NULL, 'b'},
		{"stream-seed", 1, NULL, 's'}, {"seed", 1, NULL, 'S'},
		{"close", 1, NULL, 'C'},       {"fault", 1, NULL, 'f'},
		{"fault-rx", 1, NULL, 'r'},    {"fault-tx", 1, NULL, 't'},
		{"timeout", 1, NULL, 'T'},     {"msg-size", 1, NULL, 'z'},
		{"count", 1, NULL, 'n'},       {"stats", 0, NULL, 'x'},
		{"smc", 0, NULL, 'k'},	       {"ueid", 1, NULL, 'u'},
		{"smc-rmb", 1, NULL, 'R'},     {"lcore", 1, NULL, 'L'},
		{"help", 0, NULL, 'h'},	       {NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	o->mode = M_DISCARD;
	o->timeout_s = 60;
	o->stream_seed = 1;
	o->msg_size = 64;
	o->count = 1000;
	o->lcore = -1;
	if (argc > 1 && (strcmp(argv[1], "gen") == 0 || strcmp(argv[1], "check") == 0 ||
			 strcmp(argv[1], "kernel") == 0)) {
		o->kernel = argv[1][0] == 'k';
		o->offline_gen = argv[1][0] == 'g';
		o->offline_check = argv[1][0] == 'c';
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->port = optarg;
			break;
		case 'm':
			o->mac = optarg;
			break;
		case '4':
			o->ip = optarg;
			break;
		case '6':
			o->ip6 = optarg;
			break;
		case 'l':
			if (num(optarg, 1, 65535, &v) != 0)
				return bad("--listen", optarg, "a port 1-65535");
			o->listen_port = (int)v;
			break;
		case 'c':
			o->connect = optarg;
			break;
		case 'b':
			if (num(optarg, 0, UINT64_MAX, &o->bytes) != 0)
				return bad("--bytes", optarg, "a byte count");
			break;
		case 's':
			if (num(optarg, 0, UINT64_MAX, &o->stream_seed) != 0)
				return bad("--stream-seed", optarg, "a number");
			break;
		case 'S':
			if (num(optarg, 0, UINT64_MAX, &o->seed) != 0)
				return bad("--seed", optarg, "a number");
			o->has_seed = true;
			break;
		case 'f':
			o->fault = optarg;
			break;
		case 'k':
			o->smc = true;
			break;
		case 'u':
			o->ueid = optarg;
			break;
		case 'R':
			if (num(optarg, 16384, 1048576, &o->smc_rmb) != 0)
				return bad("--smc-rmb", optarg, "bytes 16384-1048576");
			break;
		case 'r':
			o->fault_rx = optarg;
			break;
		case 't':
			o->fault_tx = optarg;
			break;
		case 'T': {
			char *end;

			o->timeout_s = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' || !(o->timeout_s > 0))
				return bad("--timeout", optarg, "seconds > 0");
			break;
		}
		case 'z':
			if (num(optarg, 1, BUF_SIZE, &v) != 0)
				return bad("--msg-size", optarg, "1 to the buffer size (1 MiB)");
			o->msg_size = (unsigned)v;
			break;
		case 'n':
			if (num(optarg, 1, UINT32_MAX, &v) != 0)
				return bad("--count", optarg, "a count >= 1");
			o->count = (unsigned)v;
			break;
		case 'x':
			o->stats = true;
			break;
		case 'L':
			if (num(optarg, 0, CPU_SETSIZE - 1, &v) != 0)
				return bad("--lcore", optarg, "a CPU number");
			o->lcore = (int)v;
			break;
		case 'C':
			if (strcmp(optarg, "rst") != 0 && strcmp(optarg, "fin") != 0)
				return bad("--close", optarg, "fin or rst");
			o->rst = strcmp(optarg, "rst") == 0;
			break;
		case 'M': {
			unsigned i;

			for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == sizeof(mode_names) / sizeof(mode_names[0]))
				return bad("--mode", optarg,
					   "echo, discard, source, sink or pingpong");
			o->mode = (enum mode)i;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1; /* getopt named it */
		}
	}
	if (optind != argc)
		return bad("argument", argv[optind], "no positional arguments");
	if (o->offline_gen || o->offline_check)
		return 0;
	if (!o->kernel && o->port == NULL)
		return bad("--port", "(missing)", "the DPDK port's devargs");
	if (!o->kernel && o->ip == NULL && o->ip6 == NULL)
		return bad("--ip/--ip6", "(missing)", "an address");
	if ((o->connect == NULL) == (o->listen_port <= 0))
		return bad("--listen/--connect", "(both or neither)", "exactly one of them");
	if ((o->mode == M_SOURCE || (o->mode == M_ECHO && o->connect)) && o->bytes == 0)
		return bad("--bytes", "0", "how much to send (source, echo client)");
	return 0;
}

int main(int argc, char **argv)
{
	struct app a;
	int rc;

	memset(&a, 0, sizeof(a));
	if (argc > 1 && strcmp(argv[1], "load") == 0)
		return tcpapps_load_main(argc - 1, argv + 1);
	if (parse(argc, argv, &a.o) != 0) {
		usage(stderr);
		return 2;
	}
	a.buf = malloc(BUF_SIZE);
	a.want = malloc(BUF_SIZE);
	if (a.buf == NULL || a.want == NULL)
		return 1;
	if (a.o.mode == M_PINGPONG && a.o.connect != NULL && a.o.count > 0) {
		a.rtts = calloc(a.o.count < MAX_RTTS ? a.o.count : MAX_RTTS, sizeof(a.rtts[0]));
		if (a.rtts == NULL)
			return 1;
	}
	if (a.o.offline_gen || a.o.offline_check) {
		rc = offline(&a);
		goto out;
	}
	if (a.o.kernel) {
		rc = run_kernel(&a);
		goto out;
	}
	if (stack_up(&a) != 0) {
		rc = 1;
		goto out_lc;
	}
	rc = a.o.connect ? run_client(&a) : run_server(&a);
	if (a.o.stats)
		ursa_stats_foreach(a.lc, print_counter, NULL);
out_lc:
	if (a.lc != NULL)
		ursa_lcore_destroy(a.lc);
	rte_eal_cleanup();
out:
	free(a.rtts);
	free(a.buf);
	free(a.want);
	return rc;
}
