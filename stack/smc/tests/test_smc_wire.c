/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LLC and CDC codecs against the bytes of a Linux 6.12 SMC-Rv2 connection
 * (pcap-tests/fixtures/rxe/smc_ueid-linux6.12.pcap, the RC SEND payloads): decode, check the
 * fields, encode, compare byte for byte; then the forms the fixture lacks round-trip, and
 * malformed messages are refused.
 */
#include <errno.h>
#include <string.h>

#include "smc_cdc_hdr.h"
#include "smc_llc_hdr.h"
#include "ursa_test.h"

/* frame 10: server 10.77.0.2 -> client, CONFIRM_LINK v2 request */
static const char confirm_req[] = "212c000352540077000200000000000000000000ffff0a4d0002000011010000"
				  "010102ff0000000000000000";
/* frame 12: the client's CONFIRM_LINK v2 response */
static const char confirm_rsp[] = "212c008352540077000300000000000000000000ffff0a4d0003000011010000"
				  "010102ff0000000000000000";
/* frame 14: the server's ADD_LINK v2 (88 bytes: one rkey change) */
static const char add_req[] = "22580000525400770002000000000000000000000000ffff0a4d000200001202"
			      "03a22f900000000000000000800000000000000000000000ffff0a4d00020000"
			      "0000000000000100000003e400000590ff2eb877eead0000";
/* frame 16: the client's reject (44 bytes, the request's fields echoed) */
static const char add_rej[] = "222c00c0525400770002000000000000000000000000ffff0a4d000200001202"
			      "03a22f900000000000000000";
/* frames 64 and 68: DELETE_RKEY v2 and its response */
static const char delrk_req[] = "292c0000010000000000032a0000000000000000000000000000000000000000"
				"000000000000000000000000";
static const char delrk_rsp[] = "292c008001000000000000000000000000000000000000000000000000000000"
				"000000000000000000000000";
/* frames 34, 54, 56: CDC: data, data + consumer update, close */
static const char cdc_data[] = "fe2c000100000001000000000000400000000000000000000000000000000000"
			       "000000000000000000000000";
static const char cdc_ack[] = "fe2c000100000001000000000000400000000000000040000000000000000000"
			      "000000000000000000000000";
static const char cdc_close[] = "fe2c000200000001000000000000400000000000000040000040000000000000"
				"000000000000000000000000";

static size_t unhex(const char *h, uint8_t *b)
{
	return ursa_test_unhex(h, b, 256);
}

static void roundtrip_llc(const char *hex, struct smc_llc *m)
{
	uint8_t in[256], out[256];
	size_t n = unhex(hex, in);

	CU_ASSERT_EQUAL_FATAL(smc_llc_decode(in, n, m), 0);
	CU_ASSERT_EQUAL(m->len, n);
	CU_ASSERT_EQUAL(smc_llc_encode(m, out, sizeof(out)), (int)n);
	CU_ASSERT_EQUAL(memcmp(in, out, n), 0);
}

static void test_confirm_link(void)
{
	static const uint8_t gid[16] = {[10] = 0xff, 0xff, 10, 77, 0, 2};
	struct smc_llc m;

	roundtrip_llc(confirm_req, &m);
	CU_ASSERT_EQUAL(m.type, SMC_LLC_CONFIRM_LINK);
	CU_ASSERT_EQUAL(m.version, 2);
	CU_ASSERT_EQUAL(m.flags, SMC_LLC_FLAG_NO_RMBE_EYEC);
	CU_ASSERT_EQUAL(memcmp(m.confirm_link.gid, gid, 16), 0);
	CU_ASSERT_EQUAL(m.confirm_link.mac[5], 0x02);
	CU_ASSERT_EQUAL(m.confirm_link.qpn, 0x11);
	CU_ASSERT_EQUAL(m.confirm_link.link_num, 1);
	CU_ASSERT_EQUAL(m.confirm_link.link_uid, 0x00000101);
	CU_ASSERT_EQUAL(m.confirm_link.max_links, 2);
	CU_ASSERT_EQUAL(m.confirm_link.max_conns, 255);
	roundtrip_llc(confirm_rsp, &m);
	CU_ASSERT_EQUAL(m.flags, SMC_LLC_FLAG_RESP | SMC_LLC_FLAG_NO_RMBE_EYEC);
	CU_ASSERT_EQUAL(m.confirm_link.mac[5], 0x03);
}

static void test_add_link(void)
{
	struct smc_llc m;

	roundtrip_llc(add_req, &m);
	CU_ASSERT_EQUAL(m.type, SMC_LLC_ADD_LINK);
	CU_ASSERT_EQUAL(m.len, 88);
	CU_ASSERT_EQUAL(m.add_link.qpn, 0x12);
	CU_ASSERT_EQUAL(m.add_link.link_num, 2);
	CU_ASSERT_EQUAL(m.add_link.mtu, 3);
	CU_ASSERT_EQUAL(m.add_link.psn, 0xa22f90);
	CU_ASSERT(m.add_link.v2_direct);
	CU_ASSERT_EQUAL(m.add_link.target_gid[15], 2);
	CU_ASSERT_EQUAL(m.add_link.num_rkeys, 1);
	CU_ASSERT_EQUAL(m.add_link.rk[0].rkey, 0x3e4);
	CU_ASSERT_EQUAL(m.add_link.rk[0].rkey_new, 0x590);
	CU_ASSERT_EQUAL(m.add_link.rk[0].vaddr_new, 0xff2eb877eead0000ull);
	roundtrip_llc(add_rej, &m);
	CU_ASSERT_EQUAL(m.flags, SMC_LLC_FLAG_RESP | SMC_LLC_FLAG_ADD_LNK_REJ);
	CU_ASSERT_EQUAL(m.add_link.num_rkeys, 0);
}

static void test_delete_rkey(void)
{
	struct smc_llc m;

	roundtrip_llc(delrk_req, &m);
	CU_ASSERT_EQUAL(m.type, SMC_LLC_DELETE_RKEY);
	CU_ASSERT_EQUAL(m.delete_rkey.num_rkeys, 1);
	CU_ASSERT_EQUAL(m.delete_rkey.rkey[0], 0x32a);
	roundtrip_llc(delrk_rsp, &m);
	CU_ASSERT_EQUAL(m.flags, SMC_LLC_FLAG_RESP);
	CU_ASSERT_EQUAL(m.delete_rkey.rkey[0], 0);
}

/* The types the fixture lacks, in both versions: encode, decode, same fields, same bytes. */
static void test_other_types(void)
{
	struct smc_llc a = {0}, b;
	uint8_t buf[64], again[64];

	for (int v = 1; v <= 2; v++) {
		static const uint8_t types[] = {SMC_LLC_DELETE_LINK, SMC_LLC_CONFIRM_RKEY,
						SMC_LLC_TEST_LINK, SMC_LLC_ADD_LINK_CONT};

		for (unsigned t = 0; t < sizeof(types); t++) {
			memset(&a, 0, sizeof(a));
			a.version = (uint8_t)v;
			a.type = types[t];
			a.flags = SMC_LLC_FLAG_RESP;
			a.delete_link.link_num = 1;
			a.delete_link.reason = SMC_LLC_DEL_LOST_PATH;
			if (a.type == SMC_LLC_CONFIRM_RKEY) {
				a.confirm_rkey.num = 1;
				a.confirm_rkey.rt[0].rkey = 0xdeadbeef;
				a.confirm_rkey.rt[0].vaddr = 0x1122334455667788ull;
				a.confirm_rkey.rt[1].link_id = 2;
			}
			if (a.type == SMC_LLC_TEST_LINK)
				memset(a.test_link.data, 0x5a, 16);
			if (a.type == SMC_LLC_ADD_LINK_CONT) {
				if (v == 2)
					continue; /* v1 only */
				a.add_link_cont.link_num = 2;
				a.add_link_cont.num_rkeys = 2;
				a.add_link_cont.rk[1].vaddr_new = 42;
			}
			CU_ASSERT_EQUAL_FATAL(smc_llc_encode(&a, buf, sizeof(buf)), SMC_LLC_LEN);
			CU_ASSERT_EQUAL(buf[0], v == 2 ? 0x20 | a.type : a.type);
			CU_ASSERT_EQUAL_FATAL(smc_llc_decode(buf, SMC_LLC_LEN, &b), 0);
			CU_ASSERT_EQUAL(b.type, a.type);
			CU_ASSERT_EQUAL(b.version, v);
			CU_ASSERT_EQUAL(smc_llc_encode(&b, again, sizeof(again)), SMC_LLC_LEN);
			CU_ASSERT_EQUAL(memcmp(buf, again, SMC_LLC_LEN), 0);
			if (a.type == SMC_LLC_ADD_LINK_CONT)
				CU_ASSERT_EQUAL(b.add_link_cont.rk[1].vaddr_new, 42);
			if (a.type == SMC_LLC_CONFIRM_RKEY)
				CU_ASSERT_EQUAL(b.confirm_rkey.rt[0].vaddr, 0x1122334455667788ull);
		}
	}
}

static void test_llc_malformed(void)
{
	uint8_t in[256];
	struct smc_llc m;
	size_t n = unhex(add_req, in);

	CU_ASSERT_EQUAL(smc_llc_decode(in, 43, &m), -EINVAL);	 /* short */
	CU_ASSERT_EQUAL(smc_llc_decode(in, n - 1, &m), -EINVAL); /* length past the buffer */
	in[1] = 0x59;						 /* claims one byte more */
	CU_ASSERT_EQUAL(smc_llc_decode(in, n + 1, &m), -EINVAL); /* rkey list does not fit */
	unhex(add_req, in);
	in[44 + 26] = 0x02; /* num_rkeys 2, room for 1 */
	CU_ASSERT_EQUAL(smc_llc_decode(in, n, &m), -EINVAL);
	unhex(confirm_req, in);
	in[1] = 0x30; /* v2 CONFIRM_LINK of 48 */
	CU_ASSERT_EQUAL(smc_llc_decode(in, 48, &m), -EINVAL);
	in[0] = 0x11; /* version 1 of what? */
	CU_ASSERT_EQUAL(smc_llc_decode(in, 48, &m), -EPROTONOSUPPORT);
	in[0] = 0x0a; /* unknown type */
	in[1] = 44;
	CU_ASSERT_EQUAL(smc_llc_decode(in, 44, &m), -EPROTONOSUPPORT);
	unhex(delrk_req, in);
	in[4] = 9; /* 9 rkeys in room for 8 */
	CU_ASSERT_EQUAL(smc_llc_decode(in, 44, &m), -EINVAL);
	CU_ASSERT_EQUAL(smc_llc_encode(&m, in, 43), -EMSGSIZE);
}

static void roundtrip_cdc(const char *hex, struct smc_cdc *c)
{
	uint8_t in[64], out[64];
	size_t n = unhex(hex, in);

	CU_ASSERT_EQUAL_FATAL(n, SMC_WR_SIZE);
	CU_ASSERT_EQUAL_FATAL(smc_cdc_decode(in, n, c), 0);
	smc_cdc_encode(c, out);
	CU_ASSERT_EQUAL(memcmp(in, out, n), 0);
}

static void test_cdc(void)
{
	struct smc_cdc c;
	uint8_t b[64];

	roundtrip_cdc(cdc_data, &c);
	CU_ASSERT_EQUAL(c.seq, 1);
	CU_ASSERT_EQUAL(c.token, 1);
	CU_ASSERT_EQUAL(c.prod.wrap, 0);
	CU_ASSERT_EQUAL(c.prod.count, 16384);
	CU_ASSERT_EQUAL(c.cons.count, 0);
	CU_ASSERT_EQUAL(c.conn_flags, 0);
	roundtrip_cdc(cdc_ack, &c);
	CU_ASSERT_EQUAL(c.cons.count, 16384);
	roundtrip_cdc(cdc_close, &c);
	CU_ASSERT_EQUAL(c.seq, 2);
	CU_ASSERT_EQUAL(c.conn_flags, SMC_CDC_CONN_CLOSED);
	unhex(cdc_data, b);
	CU_ASSERT_EQUAL(smc_cdc_decode(b, 43, &c), -EINVAL);
	b[1] = 45;
	CU_ASSERT_EQUAL(smc_cdc_decode(b, 44, &c), -EINVAL);
	b[1] = 44;
	b[0] = 0x21;
	CU_ASSERT_EQUAL(smc_cdc_decode(b, 44, &c), -EINVAL);
}

static void test_cursors(void)
{
	const uint32_t sz = 16384;
	struct smc_curs c;
	uint64_t pos;

	c = smc_curs_from_pos(3 * sz + 100, sz);
	CU_ASSERT_EQUAL(c.wrap, 3);
	CU_ASSERT_EQUAL(c.count, 100);
	CU_ASSERT_EQUAL(smc_curs_to_pos(&c, sz, 2 * sz, &pos), 0);
	CU_ASSERT_EQUAL(pos, 3 * (uint64_t)sz + 100);
	/* backwards is refused */
	CU_ASSERT_EQUAL(smc_curs_to_pos(&c, sz, 4 * (uint64_t)sz, &pos), -ERANGE);
	/* the 16-bit wrap counter itself wraps */
	c = smc_curs_from_pos(65536ull * sz + 5, sz);
	CU_ASSERT_EQUAL(c.wrap, 0);
	CU_ASSERT_EQUAL(smc_curs_to_pos(&c, sz, 65535ull * sz + 9000, &pos), 0);
	CU_ASSERT_EQUAL(pos, 65536ull * sz + 5);
	/* a full ring: count == size with the old wrap */
	c.wrap = 0;
	c.count = sz;
	CU_ASSERT_EQUAL(smc_curs_to_pos(&c, sz, 0, &pos), 0);
	CU_ASSERT_EQUAL(pos, sz);
	c.count = sz + 1;
	CU_ASSERT_EQUAL(smc_curs_to_pos(&c, sz, 0, &pos), -ERANGE);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("smc_wire", NULL, NULL);

	CU_add_test(s, "CONFIRM_LINK v2 from Linux", test_confirm_link);
	CU_add_test(s, "ADD_LINK v2 and its reject from Linux", test_add_link);
	CU_add_test(s, "DELETE_RKEY v2 from Linux", test_delete_rkey);
	CU_add_test(s, "other LLC types in v1 and v2", test_other_types);
	CU_add_test(s, "malformed LLC refused", test_llc_malformed);
	CU_add_test(s, "CDC from Linux", test_cdc);
	CU_add_test(s, "cursors with wraps", test_cursors);
	return ursa_test_main();
}
