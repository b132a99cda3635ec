/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLC encode/decode against the bytes Linux sent (pcap-tests/fixtures/rxe): the v2
 * Proposal, Accept and Confirm of smc_ueid-linux6.12.pcap and the v1 Decline of
 * smc_pnet-linux6.1.pcap (tshark -r F -Y smc -T fields -e tcp.payload). Each decodes to the
 * fields as captured and encodes back to the same bytes; every truncation, a wrong length,
 * eyecatcher, version, offset or count, and values out of range are refused.
 */
#include <errno.h>
#include <string.h>

#include "smc_clc.h"
#include "ursa_test.h"

/* frame 4: Linux 6.12 client, SMC-Rv2 only (typev1 N), one UEID */
static const char prop_hex[] =
	"e2d4c3d901009c220000000000000000000000000000000000000000000000000000000000000000"
	"00000000000000000000001c00000000000000000000000000000000000000000000000000000000"
	"010000100000000000000000000000000000ffff0a4d0003ff020001000000000000000000000000"
	"534d432d4c41422d454944202020202020202020202020202020202020202020e2d4c3d9";
/* frame 6: the server's Accept, first contact, FCE v2.1 */
static const char acc_hex[] =
	"e2d4c3d90200a028553652540077000200000000000000000000ffff0a4d00025254007700020000"
	"11000003e401000000012300ff2eb877eead0000003cbe46534d432d4c41422d4549442020202020"
	"20202020202020202020202020202020000000000000000080210000286e6f6e6529202020202020"
	"2020202020202020202020202020202020202020ff020001000000000000000000000000e2d4c3d9";
/* frame 8: the client's Confirm, first contact, FCE v2.1 and a GID list of one */
static const char conf_hex[] =
	"e2d4c3d90300b42863f152540077000300000000000000000000ffff0a4d00035254007700030000"
	"110000032a01000000012300ff3df0602de3000000bd79eb534d432d4c41422d4549442020202020"
	"20202020202020202020202020202020000000000000000080210000286e6f6e6529202020202020"
	"2020202020202020202020202020202020202020ff02000100000000000000000000000001000000"
	"00000000000000000000ffff0a4d0003e2d4c3d9";
/* smc_pnet-linux6.1.pcap frame 4: a Linux 6.1 client without a device declines at once */
static const char decl_hex[] = "e2d4c3d904001c10df8a5254007700030303000000000000e2d4c3d9";

static const uint8_t gid_client[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 77, 0, 3};
static const uint8_t gid_server[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 77, 0, 2};
static const char eid[] = "SMC-LAB-EID                     ";

static size_t unhex(const char *hex, uint8_t *b)
{
	long n = ursa_test_hex(hex, b, SMC_CLC_MAX_LEN);

	CU_ASSERT_FATAL(n > 0);
	return (size_t)n;
}

/* decode, compare nothing here, encode: the same bytes; and peek gives the length */
static void roundtrip(const uint8_t *b, size_t n, struct smc_clc_msg *m)
{
	uint8_t out[SMC_CLC_MAX_LEN];

	CU_ASSERT_EQUAL(smc_clc_peek_len(b), n);
	CU_ASSERT_EQUAL_FATAL(smc_clc_decode(b, n, m), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL_FATAL(smc_clc_encode(m, out, sizeof(out)), (int)n);
	CU_ASSERT_EQUAL(memcmp(out, b, n), 0);
	CU_ASSERT_EQUAL(smc_clc_encode(m, out, n - 1), -ENOSPC);
	/* every truncation is refused */
	for (size_t k = 0; k < n; k++) {
		struct smc_clc_msg t;

		CU_ASSERT_NOT_EQUAL(smc_clc_decode(b, k, &t), SMC_CLC_E_ok);
	}
}

static void test_proposal_fixture(void)
{
	uint8_t b[SMC_CLC_MAX_LEN];
	size_t n = unhex(prop_hex, b);
	struct smc_clc_msg m;

	CU_ASSERT_EQUAL(n, 156);
	roundtrip(b, n, &m);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_PROPOSAL);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.typev1, SMC_CLC_PATH_N);
	CU_ASSERT_EQUAL(m.typev2, SMC_CLC_PATH_R);
	CU_ASSERT_EQUAL(m.prop.iparea_offset, 0);
	CU_ASSERT_EQUAL(m.prop.eid_cnt, 1);
	CU_ASSERT_EQUAL(memcmp(m.prop.eid[0], eid, 32), 0);
	CU_ASSERT_EQUAL(memcmp(m.prop.v2_gid, gid_client, 16), 0);
	CU_ASSERT_EQUAL(m.prop.release, 1);
	CU_ASSERT_EQUAL(m.prop.max_conns, 255);
	CU_ASSERT_EQUAL(m.prop.max_links, 2);
	CU_ASSERT_EQUAL(m.prop.feature_mask, 1);
	CU_ASSERT_EQUAL(m.prop.ism_cnt, 0);
}

static void test_accept_fixture(void)
{
	static const uint8_t pid[8] = {0x55, 0x36, 0x52, 0x54, 0x00, 0x77, 0x00, 0x02};
	static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x77, 0x00, 0x02};
	uint8_t b[SMC_CLC_MAX_LEN];
	size_t n = unhex(acc_hex, b);
	struct smc_clc_msg m;

	CU_ASSERT_EQUAL(n, 160);
	roundtrip(b, n, &m);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_ACCEPT);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT(m.first_contact);
	CU_ASSERT_EQUAL(m.typev1, SMC_CLC_PATH_R);
	CU_ASSERT_EQUAL(memcmp(m.acc.peer_id, pid, 8), 0);
	CU_ASSERT_EQUAL(memcmp(m.acc.gid, gid_server, 16), 0);
	CU_ASSERT_EQUAL(memcmp(m.acc.mac, mac, 6), 0);
	CU_ASSERT_EQUAL(m.acc.qpn, 0x11);
	CU_ASSERT_EQUAL(m.acc.rkey, 0x3e4);
	CU_ASSERT_EQUAL(m.acc.rmbe_idx, 1);
	CU_ASSERT_EQUAL(m.acc.token, 1);
	CU_ASSERT_EQUAL(m.acc.rmbe_size, 2); /* 64 KiB */
	CU_ASSERT_EQUAL(m.acc.mtu, 3);	     /* 1024 */
	CU_ASSERT_EQUAL(m.acc.vaddr, 0xff2eb877eead0000ull);
	CU_ASSERT_EQUAL(m.acc.psn, 0x3cbe46);
	CU_ASSERT_EQUAL(memcmp(m.acc.eid, eid, 32), 0);
	CU_ASSERT(m.acc.direct);
	CU_ASSERT_EQUAL(m.acc.os_type, 2); /* Linux */
	CU_ASSERT_EQUAL(m.acc.fce_release, 1);
	CU_ASSERT_EQUAL(memcmp(m.acc.hostname, "(none)  ", 8), 0);
	CU_ASSERT_EQUAL(m.acc.max_conns, 255);
	CU_ASSERT_EQUAL(m.acc.max_links, 2);
	CU_ASSERT_EQUAL(m.acc.feature_mask, 1);
}

static void test_confirm_fixture(void)
{
	uint8_t b[SMC_CLC_MAX_LEN];
	size_t n = unhex(conf_hex, b);
	struct smc_clc_msg m;

	CU_ASSERT_EQUAL(n, 180);
	roundtrip(b, n, &m);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_CONFIRM);
	CU_ASSERT(m.first_contact);
	CU_ASSERT_EQUAL(memcmp(m.acc.gid, gid_client, 16), 0);
	CU_ASSERT_EQUAL(m.acc.qpn, 0x11);
	CU_ASSERT_EQUAL(m.acc.rkey, 0x32a);
	CU_ASSERT_EQUAL(m.acc.vaddr, 0xff3df0602de30000ull);
	CU_ASSERT_EQUAL(m.acc.psn, 0xbd79eb);
	CU_ASSERT_EQUAL(m.acc.mtu, 3);
	CU_ASSERT_EQUAL(m.acc.gid_cnt, 1);
	CU_ASSERT_EQUAL(memcmp(m.acc.gids[0], gid_client, 16), 0);
}

static void test_decline_fixture(void)
{
	uint8_t b[SMC_CLC_MAX_LEN];
	size_t n = unhex(decl_hex, b);
	struct smc_clc_msg m;

	CU_ASSERT_EQUAL(n, 28);
	roundtrip(b, n, &m);
	CU_ASSERT_EQUAL(m.type, SMC_CLC_DECLINE);
	CU_ASSERT_EQUAL(m.version, 1);
	CU_ASSERT_FALSE(m.first_contact);
	CU_ASSERT_EQUAL(m.decl.diag, SMC_CLC_DECL_NOSMCDEV);
	/* the v2 form is 44 bytes and carries the OS type */
	m.version = 2;
	m.decl.os_type = 2;
	m.decl.diag_v2[3] = SMC_CLC_DECL_NOUEID;
	uint8_t v2[SMC_CLC_MAX_LEN];
	struct smc_clc_msg d;

	CU_ASSERT_EQUAL(smc_clc_encode(&m, v2, sizeof(v2)), 44);
	CU_ASSERT_EQUAL(smc_clc_decode(v2, 44, &d), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(d.decl.os_type, 2);
	CU_ASSERT_EQUAL(d.decl.diag_v2[3], SMC_CLC_DECL_NOUEID);
	CU_ASSERT_EQUAL(smc_clc_decode(v2, 28, &d), SMC_CLC_E_eyecatcher);
	v2[6] = 28; /* a v2 Decline of the v1 length */
	memcpy(v2 + 24, v2 + 40, 4);
	CU_ASSERT_EQUAL(smc_clc_decode(v2, 28, &d), SMC_CLC_E_length);
}

/* A v1 SMC-R Proposal as the 4.11 code sent it (52 bytes), and one with IPv6 prefixes. */
static void test_proposal_v1(void)
{
	struct smc_clc_msg m = {.type = SMC_CLC_PROPOSAL, .version = 1, .typev1 = SMC_CLC_PATH_R};
	uint8_t b[SMC_CLC_MAX_LEN];
	struct smc_clc_msg d;

	m.prop.subnet = 0x0a4d0000;
	m.prop.prefix_len = 24;
	memcpy(m.prop.gid, gid_client, 16);
	CU_ASSERT_EQUAL(smc_clc_encode(&m, b, sizeof(b)), 52);
	CU_ASSERT_EQUAL(smc_clc_decode(b, 52, &d), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(d.prop.subnet, 0x0a4d0000);
	CU_ASSERT_EQUAL(d.prop.prefix_len, 24);
	m.prop.v6_count = 2;
	m.prop.v6[1].len = 64;
	CU_ASSERT_EQUAL(smc_clc_encode(&m, b, sizeof(b)), 52 + 34);
	CU_ASSERT_EQUAL(smc_clc_decode(b, 52 + 34, &d), SMC_CLC_E_ok);
	CU_ASSERT_EQUAL(d.prop.v6[1].len, 64);
	m.prop.v6_count = 9;
	CU_ASSERT_EQUAL(smc_clc_encode(&m, b, sizeof(b)), -EINVAL);
	/* a v1 Proposal that offers nothing */
	m.prop.v6_count = 0;
	m.typev1 = SMC_CLC_PATH_N;
	CU_ASSERT_EQUAL(smc_clc_encode(&m, b, sizeof(b)), -EINVAL);
}

static void test_refused(void)
{
	uint8_t b[SMC_CLC_MAX_LEN], c[SMC_CLC_MAX_LEN];
	size_t n = unhex(prop_hex, b);
	struct smc_clc_msg m;

	memcpy(c, b, n);
	c[0] = 0xe3;
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_eyecatcher);
	CU_ASSERT_EQUAL(smc_clc_peek_len(c), 0);
	memcpy(c, b, n);
	c[n - 1] = 0;
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_eyecatcher);
	memcpy(c, b, n);
	c[7] = 0x32; /* version 3 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_version);
	CU_ASSERT_EQUAL(smc_clc_peek_len(c), 0);
	c[7] = 0x02; /* version 0 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_version);
	memcpy(c, b, n);
	c[4] = 5;
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_type);
	memcpy(c, b, n);
	c[6] = 0x9d; /* the length says one more byte */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_length);
	memcpy(c, b, n);
	c[51] = 0x1d; /* the v2 extension one byte further */
	CU_ASSERT_NOT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_ok);
	memcpy(c, b, n);
	c[80] = 2; /* two UEIDs in a message with room for one */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_length);
	memcpy(c, b, n);
	c[81] = 1; /* an ISM GID without SMC-D indicated */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_count);
	memcpy(c, b, n);
	c[39] = 8; /* iparea_offset neither 0 nor 40 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_offset);

	n = unhex(acc_hex, b);
	memcpy(c, b, n);
	c[50] = 0x26; /* MTU enum 6 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_value);
	memcpy(c, b, n);
	c[50] = 0x20; /* MTU enum 0 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_value);
	memcpy(c, b, n);
	c[40] = 0x01; /* QPN 1 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_value);
	memcpy(c, b, n);
	c[45] = 0; /* RMBE index 0 */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_value);
	memcpy(c, b, n);
	c[7] = 0x29; /* SMC-D */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_type);
	memcpy(c, b, n);
	c[7] = 0x20; /* no first contact: no FCE expected */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_length);
	memcpy(c, b, n);
	c[105] = 0x20; /* FCE v2.0: 16 bytes fewer expected */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_length);

	n = unhex(conf_hex, b);
	memcpy(c, b, n);
	c[156] = 2; /* two GIDs announced, one there */
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_length);
	c[156] = 200;
	CU_ASSERT_EQUAL(smc_clc_decode(c, n, &m), SMC_CLC_E_count);
}

/* Every byte of every fixture changed to every value: the decoder reads only what it
 * checked (ASan watches), and what it accepts encodes to a message that decodes the same. */
static void test_mutations(void)
{
	const char *hex[] = {prop_hex, acc_hex, conf_hex, decl_hex};

	for (unsigned f = 0; f < 4; f++) {
		uint8_t b[SMC_CLC_MAX_LEN], c[SMC_CLC_MAX_LEN], out[SMC_CLC_MAX_LEN];
		size_t n = unhex(hex[f], b);
		unsigned ok = 0;

		for (size_t i = 0; i < n; i++)
			for (unsigned v = 0; v < 256; v++) {
				struct smc_clc_msg m, m2;
				int len;

				memcpy(c, b, n);
				c[i] = (uint8_t)v;
				if (smc_clc_decode(c, n, &m) != SMC_CLC_E_ok)
					continue;
				ok++;
				len = smc_clc_encode(&m, out, sizeof(out));
				CU_ASSERT_EQUAL_FATAL(len, (int)n);
				CU_ASSERT_EQUAL(smc_clc_decode(out, n, &m2), SMC_CLC_E_ok);
				CU_ASSERT_EQUAL(memcmp(&m, &m2, sizeof(m)), 0);
			}
		CU_ASSERT(ok > n); /* the fields that carry values do vary */
	}
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("smc_clc", NULL, NULL);

	CU_add_test(s, "Proposal v2 of Linux 6.12", test_proposal_fixture);
	CU_add_test(s, "Accept v2 of Linux 6.12", test_accept_fixture);
	CU_add_test(s, "Confirm v2 of Linux 6.12", test_confirm_fixture);
	CU_add_test(s, "Decline v1 of Linux 6.1", test_decline_fixture);
	CU_add_test(s, "Proposal v1 with prefixes", test_proposal_v1);
	CU_add_test(s, "malformed messages refused", test_refused);
	CU_add_test(s, "every byte mutated", test_mutations);
	return ursa_test_main();
}
