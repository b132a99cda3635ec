/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the interface and route specification parser (ursa_spec.h): good specs,
 * white space, limits and every error message, and applying a spec to a fake lcore.
 */
#include <string.h>
#include <sys/socket.h>

#include "ursa_spec.h"
#include "ursa_test.h"

static struct ursa_iface_spec is;
static struct ursa_route_spec rs;
static char err[256];

static int iface(const char *spec, unsigned flags)
{
	err[0] = '\0';
	return ursa_iface_spec_parse(spec, flags, &is, err, sizeof(err));
}

static int route(const char *spec)
{
	err[0] = '\0';
	return ursa_route_spec_parse(spec, &rs, err, sizeof(err));
}

/* The spec is refused with exactly this message. */
#define IFACE_BAD(spec, flags, msg)                                                                \
	do {                                                                                       \
		CU_ASSERT_EQUAL(iface(spec, flags), -EINVAL);                                      \
		CU_ASSERT_STRING_EQUAL(err, msg);                                                  \
	} while (0)
#define ROUTE_BAD(spec, msg)                                                                       \
	do {                                                                                       \
		CU_ASSERT_EQUAL(route(spec), -EINVAL);                                             \
		CU_ASSERT_STRING_EQUAL(err, msg);                                                  \
	} while (0)

static void test_iface_good(void)
{
	const struct rte_ether_addr mac = {{0x02, 0x00, 0x00, 0x00, 0x00, 0x0b}};
	char ip[64];

	CU_ASSERT_EQUAL(iface("port=2,vlan=11,tenant=7,mac=02:00:00:00:00:0b,mtu=1400,"
			      "ip=10.0.0.2/24,ip6=fd00::2/64,ip=10.1.0.2,ll=no",
			      0),
			0);
	CU_ASSERT_STRING_EQUAL(err, "");
	CU_ASSERT(is.has_port);
	CU_ASSERT_EQUAL(is.port, 2);
	CU_ASSERT_EQUAL(is.vlan, 11);
	CU_ASSERT_EQUAL(is.tenant, 7);
	CU_ASSERT_EQUAL(is.mtu, 1400);
	CU_ASSERT(is.has_mac);
	CU_ASSERT(rte_is_same_ether_addr(&is.mac, &mac));
	CU_ASSERT(is.no_linklocal);
	CU_ASSERT_EQUAL(is.naddr, 3);
	CU_ASSERT_EQUAL(is.addr[0].family, AF_INET);
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&is.addr[0], ip, sizeof(ip)), "10.0.0.2");
	CU_ASSERT_EQUAL(is.plen[0], 24);
	CU_ASSERT_EQUAL(is.addr[1].family, AF_INET6);
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&is.addr[1], ip, sizeof(ip)), "fd00::2");
	CU_ASSERT_EQUAL(is.plen[1], 64);
	/* Without /LEN a host address. */
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&is.addr[2], ip, sizeof(ip)), "10.1.0.2");
	CU_ASSERT_EQUAL(is.plen[2], 32);
	CU_ASSERT_EQUAL(iface("ip6=fd00::9", 0), 0);
	CU_ASSERT_EQUAL(is.plen[0], 128);

	/* Defaults: nothing given, nothing set; ll=yes keeps the link-local address. */
	CU_ASSERT_EQUAL(iface("ll=yes", 0), 0);
	CU_ASSERT_FALSE(is.has_port);
	CU_ASSERT_FALSE(is.has_mac);
	CU_ASSERT_FALSE(is.no_linklocal);
	CU_ASSERT_EQUAL(is.vlan, 0);
	CU_ASSERT_EQUAL(is.tenant, 0);
	CU_ASSERT_EQUAL(is.mtu, 0);
	CU_ASSERT_EQUAL(is.naddr, 0);
	CU_ASSERT_EQUAL(iface("", 0), 0);
	CU_ASSERT_EQUAL(is.naddr, 0);
	/* Bounds that are allowed; empty items are skipped; hex numbers. */
	CU_ASSERT_EQUAL(iface(",vlan=4094,,mtu=68,tenant=4294967295,port=0x3,", 0), 0);
	CU_ASSERT_EQUAL(is.vlan, 4094);
	CU_ASSERT_EQUAL(is.mtu, 68);
	CU_ASSERT_EQUAL(is.tenant, UINT32_MAX);
	CU_ASSERT_EQUAL(is.port, 3);
	CU_ASSERT_EQUAL(iface("mtu=9000,port=7", 0), 0);
	CU_ASSERT_EQUAL(is.mtu, 9000);
	CU_ASSERT_EQUAL(is.port, URSA_MAX_PORTS - 1);
	/* ll takes the runner's spellings. */
	CU_ASSERT_EQUAL(iface("ll=false", 0), 0);
	CU_ASSERT(is.no_linklocal);
	CU_ASSERT_EQUAL(iface("ll=0", 0), 0);
	CU_ASSERT(is.no_linklocal);
	CU_ASSERT_EQUAL(iface("ll=true", 0), 0);
	CU_ASSERT_FALSE(is.no_linklocal);
	CU_ASSERT_EQUAL(iface("ll=1", 0), 0);
	CU_ASSERT_FALSE(is.no_linklocal);
}

static void test_iface_whitespace(void)
{
	char ip[64];

	CU_ASSERT_EQUAL(
		iface(" vlan = 10 , tenant=\t1 ,ip = 10.0.0.2/24 , ll = no ", URSA_SPEC_NEED_PLEN),
		0);
	CU_ASSERT_EQUAL(is.vlan, 10);
	CU_ASSERT_EQUAL(is.tenant, 1);
	CU_ASSERT(is.no_linklocal);
	CU_ASSERT_EQUAL(is.naddr, 1);
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&is.addr[0], ip, sizeof(ip)), "10.0.0.2");
	CU_ASSERT_EQUAL(is.plen[0], 24);
	/* Messages show the trimmed value. */
	IFACE_BAD(" vlan = 5000 ", 0, "bad vlan '5000' (0 = untagged, 1..4094)");
	IFACE_BAD("vlan=1, colour = red", 0,
		  "unknown key 'colour' (port, vlan, tenant, mac, mtu, ip, ip6, ll, "
		  "max_neigh, max_neigh_bytes, max_reasm, max_tcp_conn)");
	IFACE_BAD("vlan=1,  junk  ", 0, "'junk' is not key=value");
}

static void test_iface_errors(void)
{
	char big[URSA_SPEC_MAX_LEN + 2];

	IFACE_BAD("port=8", 0, "bad port '8' (0..7)");
	IFACE_BAD("port=-1", 0, "bad port '-1' (0..7)");
	IFACE_BAD("port=", 0, "bad port '' (0..7)");
	IFACE_BAD("vlan=4095", 0, "bad vlan '4095' (0 = untagged, 1..4094)");
	IFACE_BAD("vlan=+1", 0, "bad vlan '+1' (0 = untagged, 1..4094)");
	IFACE_BAD("vlan=1x", 0, "bad vlan '1x' (0 = untagged, 1..4094)");
	IFACE_BAD("tenant=4294967296", 0, "bad tenant '4294967296'");
	IFACE_BAD("tenant=99999999999999999999999", 0, "bad tenant '99999999999999999999999'");
	IFACE_BAD("mtu=67", 0, "bad mtu '67' (68..9000)");
	IFACE_BAD("mtu=9001", 0, "bad mtu '9001' (68..9000)");
	IFACE_BAD("mac=02:00:00:00:00", 0, "bad mac '02:00:00:00:00'");
	IFACE_BAD("mac=02:00:00:00:00:0g", 0, "bad mac '02:00:00:00:00:0g'");
	IFACE_BAD("mac=01:00:5e:00:00:01", 0, "mac '01:00:5e:00:00:01' is not a unicast address");
	IFACE_BAD("mac=ff:ff:ff:ff:ff:ff", 0, "mac 'ff:ff:ff:ff:ff:ff' is not a unicast address");
	IFACE_BAD("mac=00:00:00:00:00:00", 0, "mac '00:00:00:00:00:00' is not a unicast address");
	IFACE_BAD("ll=maybe", 0, "ll must be yes or no, not 'maybe'");
	IFACE_BAD("ip=10.0.0.500/24", 0, "bad address '10.0.0.500/24'");
	IFACE_BAD("ip=10.0.0.5/33", 0, "bad address '10.0.0.5/33'");
	IFACE_BAD("ip=10.0.0.5/", 0, "bad address '10.0.0.5/'");
	IFACE_BAD("ip6=fd00::zz/64", 0, "bad address 'fd00::zz/64'");
	/* An address of the other family is an error. */
	IFACE_BAD("ip=fd00::2/64", 0, "bad address 'fd00::2/64'");
	IFACE_BAD("ip6=10.0.0.2/24", 0, "bad address '10.0.0.2/24'");
	/* The runner requires /LEN, ursad does not. */
	IFACE_BAD("ip=10.0.0.2", URSA_SPEC_NEED_PLEN, "ip '10.0.0.2' needs a prefix length (/n)");
	IFACE_BAD("ip6=fd00::2", URSA_SPEC_NEED_PLEN, "ip6 'fd00::2' needs a prefix length (/n)");
	IFACE_BAD("colour=red", 0,
		  "unknown key 'colour' (port, vlan, tenant, mac, mtu, ip, ip6, ll, "
		  "max_neigh, max_neigh_bytes, max_reasm, max_tcp_conn)");
	IFACE_BAD("port", 0, "'port' is not key=value");
	IFACE_BAD("vlan=1,=5", 0, "'=5' is not key=value");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	IFACE_BAD(big, 0, "specification too long");
	/* The first error wins, and out holds no half-parsed address count from before. */
	CU_ASSERT_EQUAL(iface("ip=10.0.0.1/8", 0), 0);
	IFACE_BAD("vlan=4095,mtu=1", 0, "bad vlan '4095' (0 = untagged, 1..4094)");
	CU_ASSERT_EQUAL(is.naddr, 0);
	/* NULL err is allowed. */
	CU_ASSERT_EQUAL(ursa_iface_spec_parse("vlan=4095", 0, &is, NULL, 0), -EINVAL);
}

/* Build "k=a1,k=a2,..." with n addresses of one family. */
static void addr_list(char *buf, size_t len, bool v6, unsigned n, const char *tail)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s=%s%u/%u", i ? "," : "",
				      v6 ? "ip6" : "ip", v6 ? "fd00::" : "10.0.0.", i + 1,
				      v6 ? 64 : 24);
	snprintf(buf + o, len - o, "%s", tail);
}

static void test_iface_limits(void)
{
	char buf[URSA_SPEC_MAX_LEN + 1];

	addr_list(buf, sizeof(buf), false, URSA_IFACE_MAX_V4, "");
	CU_ASSERT_EQUAL(iface(buf, 0), 0);
	CU_ASSERT_EQUAL(is.naddr, URSA_IFACE_MAX_V4);
	addr_list(buf, sizeof(buf), false, URSA_IFACE_MAX_V4 + 1, "");
	IFACE_BAD(buf, 0, "too many ip addresses");
	/* One IPv6 place is the link-local address's unless ll=no, wherever ll= stands. */
	addr_list(buf, sizeof(buf), true, URSA_IFACE_MAX_V6 - 1, "");
	CU_ASSERT_EQUAL(iface(buf, 0), 0);
	CU_ASSERT_EQUAL(is.naddr, URSA_IFACE_MAX_V6 - 1);
	addr_list(buf, sizeof(buf), true, URSA_IFACE_MAX_V6, "");
	IFACE_BAD(buf, 0, "too many ip6 addresses");
	addr_list(buf, sizeof(buf), true, URSA_IFACE_MAX_V6, ",ll=no");
	CU_ASSERT_EQUAL(iface(buf, 0), 0);
	CU_ASSERT_EQUAL(is.naddr, URSA_IFACE_MAX_V6);
	addr_list(buf, sizeof(buf), true, URSA_IFACE_MAX_V6 + 1, ",ll=no");
	IFACE_BAD(buf, 0, "too many ip6 addresses");
	/* Both families full at once. */
	{
		char v4[512];

		addr_list(v4, sizeof(v4), false, URSA_IFACE_MAX_V4, ",ll=no,");
		addr_list(buf, sizeof(buf), true, URSA_IFACE_MAX_V6, "");
		CU_ASSERT_FATAL(strlen(v4) + strlen(buf) < sizeof(buf));
		memmove(buf + strlen(v4), buf, strlen(buf) + 1);
		memcpy(buf, v4, strlen(v4));
		CU_ASSERT_EQUAL(iface(buf, 0), 0);
		CU_ASSERT_EQUAL(is.naddr, URSA_SPEC_MAX_ADDRS);
	}
	/* More than 40 items is refused before any is looked at. */
	buf[0] = '\0';
	for (unsigned i = 0; i < 41; i++)
		strcat(buf, "vlan=1,");
	IFACE_BAD(buf, 0, "'vlan=1' is not key=value");
}

static void test_helpers(void)
{
	char s1[] = " \t a b \n", s2[] = "   ", s3[] = "x";
	uint64_t u = 5;
	bool b = false;

	CU_ASSERT_STRING_EQUAL(ursa_spec_trim(s1), "a b");
	CU_ASSERT_STRING_EQUAL(ursa_spec_trim(s2), "");
	CU_ASSERT_STRING_EQUAL(ursa_spec_trim(s3), "x");
	CU_ASSERT_EQUAL(ursa_spec_bool("yes", &b), 0);
	CU_ASSERT(b);
	CU_ASSERT_EQUAL(ursa_spec_bool("no", &b), 0);
	CU_ASSERT_FALSE(b);
	CU_ASSERT_EQUAL(ursa_spec_bool("Yes", &b), -EINVAL);
	CU_ASSERT_EQUAL(ursa_spec_bool("", &b), -EINVAL);
	CU_ASSERT_EQUAL(ursa_spec_u64("18446744073709551615", UINT64_MAX, &u), 0);
	CU_ASSERT_EQUAL(u, UINT64_MAX);
	CU_ASSERT_EQUAL(ursa_spec_u64("18446744073709551616", UINT64_MAX, &u), -EINVAL);
	CU_ASSERT_EQUAL(ursa_spec_u64("010", 100, &u), 0);
	CU_ASSERT_EQUAL(u, 8);
	CU_ASSERT_EQUAL(ursa_spec_u64("11", 10, &u), -EINVAL);
	CU_ASSERT_EQUAL(ursa_spec_u64(NULL, 10, &u), -EINVAL);
	CU_ASSERT_EQUAL(u, 8);
}

static void test_route_good(void)
{
	char ip[64];

	CU_ASSERT_EQUAL(route("tenant=3,dst=10.9.0.0/16,via=10.0.0.1,iface=2"), 0);
	CU_ASSERT_EQUAL(rs.tenant, 3);
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&rs.dst, ip, sizeof(ip)), "10.9.0.0");
	CU_ASSERT_EQUAL(rs.plen, 16);
	CU_ASSERT_STRING_EQUAL(ursa_ipaddr_fmt(&rs.via, ip, sizeof(ip)), "10.0.0.1");
	CU_ASSERT(rs.has_iface);
	CU_ASSERT_EQUAL(rs.iface, 2);
	/* prefix= is dst=; white space; via without iface. */
	CU_ASSERT_EQUAL(route(" prefix = fd00:9::/48 , via = fd00::1 "), 0);
	CU_ASSERT_EQUAL(rs.tenant, 0);
	CU_ASSERT_EQUAL(rs.dst.family, AF_INET6);
	CU_ASSERT_EQUAL(rs.plen, 48);
	CU_ASSERT_EQUAL(rs.via.family, AF_INET6);
	CU_ASSERT_FALSE(rs.has_iface);
	/* On-link with iface; dst without /LEN is a host route. */
	CU_ASSERT_EQUAL(route("dst=10.9.9.9,iface=0"), 0);
	CU_ASSERT_EQUAL(rs.plen, 32);
	CU_ASSERT_EQUAL(rs.via.family, 0);
	CU_ASSERT(rs.has_iface);
	CU_ASSERT_EQUAL(rs.iface, 0);
	CU_ASSERT_EQUAL(route("dst=0.0.0.0/0,iface=63"), 0);
	CU_ASSERT_EQUAL(rs.iface, URSA_MAX_IFACES - 1);
}

static void test_route_errors(void)
{
	ROUTE_BAD("tenant=x,dst=10.0.0.0/8,iface=0", "bad tenant 'x'");
	ROUTE_BAD("dst=10.0.0.0/33,via=10.252.0.1", "bad destination '10.0.0.0/33'");
	ROUTE_BAD("prefix=10.0.0,iface=0", "bad destination '10.0.0'");
	ROUTE_BAD("dst=10.0.0.0/8,via=10.0.0.1/24", "bad gateway '10.0.0.1/24'");
	ROUTE_BAD("dst=10.0.0.0/8,via=nowhere", "bad gateway 'nowhere'");
	ROUTE_BAD("dst=10.0.0.0/8,iface=64", "bad iface '64'");
	ROUTE_BAD("dst=10.0.0.0/8,iface=-1", "bad iface '-1'");
	ROUTE_BAD("dst=10.0.0.0/8,metric=5", "unknown key 'metric' (tenant, dst, via, iface)");
	ROUTE_BAD("dst=10.0.0.0/8,iface", "'iface' is not key=value");
	ROUTE_BAD("tenant=1,via=10.0.0.1", "'tenant=1,via=10.0.0.1' has no dst=");
	ROUTE_BAD("", "'' has no dst=");
	ROUTE_BAD("dst=10.0.0.0/8,via=fd00::1",
		  "gateway and destination of 'dst=10.0.0.0/8,via=fd00::1' are of different "
		  "families");
	ROUTE_BAD("dst=10.0.0.0/8", "on-link route 'dst=10.0.0.0/8' needs iface=");
}

static void test_apply(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	const struct ursa_iface *ifc;
	struct ursa_ipaddr a;
	uint16_t idx = 99;
	unsigned bad = 99;

	CU_ASSERT_FATAL(lc != NULL);
	CU_ASSERT_EQUAL_FATAL(iface("port=0,vlan=10,tenant=2,mtu=1400,mac=02:00:00:00:00:0b,"
				    "ip=10.0.0.2/24,ip6=fd00::2/64,ip=10.1.0.2",
				    0),
			      0);
	CU_ASSERT_EQUAL(ursa_iface_spec_apply(lc, &is, &idx, &bad), 0);
	CU_ASSERT_EQUAL(bad, 99);
	ifc = ursa_iface_get(lc, idx);
	CU_ASSERT_FATAL(ifc != NULL);
	CU_ASSERT_EQUAL(ifc->port, 0);
	CU_ASSERT_EQUAL(ifc->vlan, 10);
	CU_ASSERT_EQUAL(ifc->tenant, 2);
	CU_ASSERT_EQUAL(ifc->mtu, 1400);
	CU_ASSERT_EQUAL(ifc->mac.addr_bytes[5], 0x0b);
	CU_ASSERT_EQUAL(ifc->n4, 2);
	CU_ASSERT_EQUAL(ifc->n6, 2); /* fe80:: and fd00::2 */
	CU_ASSERT_EQUAL(ifc->v4[0].plen, 24);
	CU_ASSERT_EQUAL(ifc->v4[1].plen, 32);
	a = ursa_test_ip("fd00::2");
	CU_ASSERT(ursa_iface_has_addr(ifc, &a) != NULL);

	/* ll=no: no derived address. */
	CU_ASSERT_EQUAL_FATAL(iface("port=0,vlan=11,ll=no,ip6=fd00:1::2/64", 0), 0);
	CU_ASSERT_EQUAL(ursa_iface_spec_apply(lc, &is, &idx, NULL), 0);
	ifc = ursa_iface_get(lc, idx);
	CU_ASSERT_EQUAL(ifc->n6, 1);
	CU_ASSERT_EQUAL(ifc->quota.max[URSA_RES_neigh], 512); /* the defaults */
	CU_ASSERT_EQUAL(ifc->quota.max[URSA_RES_tcp_conn], 4096);

	/* Quotas: the ones given, the defaults for the rest. */
	CU_ASSERT_EQUAL_FATAL(iface("port=0,vlan=13,ip=10.4.0.2/24,max_neigh=32,"
				    "max_neigh_bytes=65536,max_reasm=0,max_tcp_conn=10",
				    0),
			      0);
	CU_ASSERT_EQUAL(ursa_iface_spec_apply(lc, &is, &idx, NULL), 0);
	ifc = ursa_iface_get(lc, idx);
	CU_ASSERT_EQUAL(ifc->quota.max[URSA_RES_neigh], 32);
	CU_ASSERT_EQUAL(ifc->quota.max[URSA_RES_neigh_bytes], 65536);
	CU_ASSERT_EQUAL(ifc->quota.max[URSA_RES_reasm], 256);
	CU_ASSERT_EQUAL(ifc->quota.max[URSA_RES_tcp_conn], 10);
	IFACE_BAD("max_neigh=x", 0, "bad max_neigh 'x'");
	IFACE_BAD("max_tcp_conn=4294967296", 0, "bad max_tcp_conn '4294967296'");

	/* The same (port, vlan) again: the interface is refused. */
	CU_ASSERT_EQUAL_FATAL(iface("port=0,vlan=10,ip=10.2.0.2/24", 0), 0);
	CU_ASSERT_EQUAL(ursa_iface_spec_apply(lc, &is, &idx, &bad), -EEXIST);
	CU_ASSERT_EQUAL(bad, 1);
	/* A repeated address: the second is refused and named by its index. */
	CU_ASSERT_EQUAL_FATAL(iface("port=0,vlan=12,ip=10.3.0.2/24,ip=10.3.0.2/24", 0), 0);
	CU_ASSERT_EQUAL(ursa_iface_spec_apply(lc, &is, &idx, &bad), -EEXIST);
	CU_ASSERT_EQUAL(bad, 1);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("spec", NULL, NULL);

	CU_add_test(s, "iface good", test_iface_good);
	CU_add_test(s, "iface white space", test_iface_whitespace);
	CU_add_test(s, "iface errors", test_iface_errors);
	CU_add_test(s, "iface limits", test_iface_limits);
	CU_add_test(s, "trim, bool, u64", test_helpers);
	CU_add_test(s, "route good", test_route_good);
	CU_add_test(s, "route errors", test_route_errors);
	CU_add_test(s, "apply to an lcore", test_apply);
	return ursa_test_main();
}
