/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf as ibv_rc_pingpong's peer, without the tool: the 52-byte address message as the
 * tool writes and reads it, and the ping-pong itself between two ursa stacks on virtual clocks
 * (one in the tool's server part, one in its client part), path MTU 1024 and 4096-byte
 * messages, with the check that catches a message that comes back different.
 * The same code against the real tool on kernel rxe: tests/lab/rxe-peers.sh (suite lab).
 */
#include <errno.h>
#include <string.h>

#include "ursa_perf_peer.h"
#include "ursa_perf_perftest.h"
#include "ursa_test.h"

/* What ibv_rc_pingpong -g 1 on rxe at 10.252.120.2 wrote in the lab (QPN 0x11). */
static const char tool_msg[URSA_PERF_PP_MSG_LEN] =
	"0000:000011:ffc126:00000000000000000000ffff0afc7802";

static void test_fmt(void)
{
	struct ursa_perf_info in = {.qpn = 0x11, .psn = 0xffc126};
	char out[URSA_PERF_PP_MSG_LEN];

	memcpy(in.gid.raw, (uint8_t[16]){[10] = 0xff, 0xff, 10, 252, 120, 2}, 16);
	CU_ASSERT_EQUAL(ursa_perf_pp_fmt(&in, out), 0);
	CU_ASSERT_EQUAL(memcmp(out, tool_msg, sizeof(out)), 0);
	CU_ASSERT_EQUAL(out[URSA_PERF_PP_MSG_LEN - 1], 0);
}

static void test_parse(void)
{
	struct ursa_perf_info i;
	char m[URSA_PERF_PP_MSG_LEN];

	CU_ASSERT_EQUAL(ursa_perf_pp_parse(tool_msg, sizeof(tool_msg), &i), 0);
	CU_ASSERT_EQUAL(i.qpn, 0x11);
	CU_ASSERT_EQUAL(i.psn, 0xffc126);
	CU_ASSERT_EQUAL(i.gid.raw[10], 0xff);
	CU_ASSERT_EQUAL(i.gid.raw[12], 10);
	CU_ASSERT_EQUAL(i.gid.raw[15], 2);
	/* short, unterminated, bad separators or digits, QP 0/1, no GID */
	CU_ASSERT_EQUAL(ursa_perf_pp_parse(tool_msg, sizeof(tool_msg) - 1, &i), -EINVAL);
	memcpy(m, tool_msg, sizeof(m));
	m[51] = '0';
	CU_ASSERT_EQUAL(ursa_perf_pp_parse(m, sizeof(m), &i), -EINVAL);
	memcpy(m, tool_msg, sizeof(m));
	m[11] = '-';
	CU_ASSERT_EQUAL(ursa_perf_pp_parse(m, sizeof(m), &i), -EINVAL);
	memcpy(m, tool_msg, sizeof(m));
	m[30] = 'g';
	CU_ASSERT_EQUAL(ursa_perf_pp_parse(m, sizeof(m), &i), -EINVAL);
	memcpy(m, "0000:000001", 11);
	CU_ASSERT_EQUAL(ursa_perf_pp_parse(m, sizeof(m), &i), -EINVAL);
	memcpy(m, tool_msg, sizeof(m));
	memset(m + 19, '0', 32);
	CU_ASSERT_EQUAL(ursa_perf_pp_parse(m, sizeof(m), &i), -EINVAL);
}

/* perftest's key message, as sprintf(KEY_PRINT_FMT_GID) writes it (out_reads 0x80). */
static const char pt_msg[URSA_PERF_PT_KEYS_LEN] =
	"0000:0080:000012:61254c:00001a03:000055d4c8a1f000:"
	"00:00:00:00:00:00:00:00:00:00:ff:ff:0a:fc:78:02:00000000:";

static void test_perftest_keys(void)
{
	struct ursa_perf_info i,
		o = {.qpn = 0x12, .psn = 0x61254c, .rkey = 0x1a03, .vaddr = 0x55d4c8a1f000};
	char m[URSA_PERF_PT_KEYS_LEN];
	unsigned reads = 0;

	memcpy(o.gid.raw, (uint8_t[16]){[10] = 0xff, 0xff, 10, 252, 120, 2}, 16);
	CU_ASSERT_EQUAL(ursa_perf_pt_keys_fmt(&o, 0x80, m), 0);
	CU_ASSERT_EQUAL(memcmp(m, pt_msg, sizeof(m)), 0);
	CU_ASSERT_EQUAL(ursa_perf_pt_keys_parse(pt_msg, sizeof(pt_msg), &i, &reads), 0);
	CU_ASSERT_EQUAL(reads, 0x80);
	CU_ASSERT_EQUAL(i.qpn, 0x12);
	CU_ASSERT_EQUAL(i.psn, 0x61254c);
	CU_ASSERT_EQUAL(i.rkey, 0x1a03);
	CU_ASSERT_EQUAL(i.vaddr, 0x55d4c8a1f000);
	CU_ASSERT_EQUAL(memcmp(i.gid.raw, o.gid.raw, 16), 0);
	/* the 59-byte form without a GID, a missing ':', a bad digit, no NUL */
	CU_ASSERT_EQUAL(ursa_perf_pt_keys_parse(pt_msg, 59, &i, &reads), -EINVAL);
	memcpy(m, pt_msg, sizeof(m));
	m[9] = ' ';
	CU_ASSERT_EQUAL(ursa_perf_pt_keys_parse(m, sizeof(m), &i, &reads), -EINVAL);
	memcpy(m, pt_msg, sizeof(m));
	m[40] = 'x';
	CU_ASSERT_EQUAL(ursa_perf_pt_keys_parse(m, sizeof(m), &i, &reads), -EINVAL);
	memcpy(m, pt_msg, sizeof(m));
	m[107] = ':';
	CU_ASSERT_EQUAL(ursa_perf_pt_keys_parse(m, sizeof(m), &i, &reads), -EINVAL);
}

struct pair {
	struct ursa_lcore *lc[2];
	struct ursa_perf_ep ep[2];
	struct ursa_perf_pp pp[2]; /* 0: the tool's server part, 1: its client part */
};

static void pair_up(struct pair *p, uint32_t size)
{
	static const struct rte_ether_addr macs[2] = {URSA_TEST_MAC, URSA_TEST_PEER_MAC};

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 2; i++) {
		struct ursa_iface_conf c = {.port = 0, .mac = &macs[i], .no_linklocal = true};
		struct ursa_ipaddr a;
		uint16_t idx;
		char s[32];

		p->lc[i] = ursa_test_lcore(40 + (uint64_t)i);
		CU_ASSERT_FATAL(p->lc[i] != NULL);
		CU_ASSERT_FATAL(ursa_stack_init(p->lc[i]) == 0);
		CU_ASSERT_FATAL(ursa_iface_add(p->lc[i], &c, &idx) == 0);
		snprintf(s, sizeof(s), "10.9.0.%d", i + 1);
		CU_ASSERT_FATAL(ursa_ipaddr_parse(s, &a, NULL) == 0);
		CU_ASSERT_FATAL(ursa_iface_addr_add(p->lc[i], idx, &a, 24) == 0);
		CU_ASSERT_FATAL(ursa_perf_ep_create(p->lc[i], 2 * size, 16, &p->ep[i]) == 0);
	}
	/* what the exchange tells each side: QPN, PSN, GID (and no buffer) */
	for (int i = 0; i < 2; i++) {
		char m[URSA_PERF_PP_MSG_LEN];

		CU_ASSERT_FATAL(ursa_perf_pp_fmt(&p->ep[1 - i].local, m) == 0);
		CU_ASSERT_FATAL(ursa_perf_pp_parse(m, sizeof(m), &p->ep[i].remote) == 0);
		CU_ASSERT_FATAL(ursa_perf_ep_connect(&p->ep[i], 1024) == 0);
	}
}

static void pair_down(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		ursa_perf_ep_destroy(&p->ep[i]);
		ursa_lcore_destroy(p->lc[i]);
	}
}

/* Both parts to the end; scribble, when asked, on the server's next message after it has
 * received three. */
static void pingpong(struct pair *p, uint32_t size, uint32_t iters, bool scribble)
{
	bool more = true;

	for (int i = 0; i < 2; i++) {
		struct ursa_perf_pp_conf c = {
			.size = size, .iters = iters, .client = i == 1, .seed = 7};

		CU_ASSERT_FATAL(ursa_perf_pp_start(&p->pp[i], &p->ep[i], &c) == 0);
	}
	for (long k = 0; more && k < 10000000; k++) {
		bool a, b;

		ursa_lcore_poll(p->lc[0]);
		ursa_lcore_poll(p->lc[1]);
		a = ursa_perf_pp_step(&p->pp[0]);
		b = ursa_perf_pp_step(&p->pp[1]);
		if (scribble && p->pp[0].res.received == 3) {
			p->ep[0].buf[size / 2] ^= 0xff;
			scribble = false;
		}
		more = (a || b) && ursa_test_pair_step(p->lc[0], p->lc[1]);
	}
}

static void test_pingpong(void)
{
	struct pair p;

	pair_up(&p, 4096);
	pingpong(&p, 4096, 50, false);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL(p.pp[i].res.status, 0);
		CU_ASSERT_EQUAL(p.pp[i].res.sent, 50);
		CU_ASSERT_EQUAL(p.pp[i].res.received, 50);
		CU_ASSERT_EQUAL(p.pp[i].res.bad, 0);
	}
	pair_down(&p);
}

static void test_pingpong_detects_change(void)
{
	struct pair p;

	pair_up(&p, 4096);
	pingpong(&p, 4096, 10, true);
	CU_ASSERT_EQUAL(p.pp[0].res.status, 0);
	CU_ASSERT_EQUAL(p.pp[1].res.status, 0);
	/* the server sent something else than it received: it sees its next message differ */
	CU_ASSERT(p.pp[0].res.bad >= 1);
	CU_ASSERT(p.pp[0].res.bad + p.pp[1].res.bad >= 1);
	pair_down(&p);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("perf peers", NULL, NULL);

	CU_add_test(s, "rc_pingpong message as the tool writes it", test_fmt);
	CU_add_test(s, "rc_pingpong message parsed, malformed ones refused", test_parse);
	CU_add_test(s, "perftest key message written and parsed, malformed refused",
		    test_perftest_keys);
	CU_add_test(s, "ping-pong, server and client parts, 4 KiB at PMTU 1024", test_pingpong);
	CU_add_test(s, "ping-pong check catches a changed message", test_pingpong_detects_change);
	return ursa_test_main();
}
