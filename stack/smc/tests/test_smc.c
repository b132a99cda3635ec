/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the smc layer's bring-up: the layers it needs, once only, its counters. */
#include <errno.h>

#include "ursa_arp.h"
#include "ursa_eth.h"
#include "ursa_ip.h"
#include "ursa_rdma.h"
#include "ursa_smc.h"
#include "ursa_tcp.h"
#include "ursa_test.h"

static void test_init_needs_tcp(void)
{
	struct ursa_lcore *lc = ursa_test_lcore(1);
	uint64_t v;

	CU_ASSERT_EQUAL(ursa_smc_init(lc), -EINVAL);
	CU_ASSERT_EQUAL(ursa_eth_init(lc), 0);
	CU_ASSERT_EQUAL(ursa_arp_init(lc), 0);
	CU_ASSERT_EQUAL(ursa_ip_init(lc), 0);
	CU_ASSERT_EQUAL(ursa_tcp_init(lc), 0);
	/* RDMA is looked for per connection: without it SMC declines (no SMC-R device) */
	CU_ASSERT_EQUAL(ursa_smc_init(lc), 0);
	CU_ASSERT_EQUAL(ursa_rdma_init(lc), 0);
	CU_ASSERT_EQUAL(ursa_smc_init(lc), -EEXIST);
	CU_ASSERT_EQUAL(ursa_stats_get(lc, "smc", "conn_created", &v), 0);
	CU_ASSERT_EQUAL(v, 0);
	ursa_lcore_destroy(lc);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("smc", NULL, NULL);

	CU_add_test(s, "init needs tcp", test_init_needs_tcp);
	return ursa_test_main();
}
