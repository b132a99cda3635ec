/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of stack/rdma: registry, -EOPNOTSUPP stubs, GID helpers, name tables. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "ursa_rdma.h"
#include "ursa_test.h"

static struct ursa_lcore *lc;

static int setup(void)
{
	lc = ursa_test_lcore(3);
	return lc == NULL || ursa_rdma_init(lc) != 0;
}

static int teardown(void)
{
	ursa_lcore_destroy(lc);
	return 0;
}

static int opened, closed;
static struct ursa_rdma_pd the_pd;

static int fake_open(struct ursa_lcore *l, struct ursa_rdma_device *dev, const void *conf)
{
	RTE_SET_USED(l);
	dev->priv = (void *)(uintptr_t)conf;
	opened++;
	return 0;
}

static int fake_alloc_pd(struct ursa_rdma_device *dev, struct ursa_rdma_pd **out)
{
	the_pd.dev = dev;
	*out = &the_pd;
	return 0;
}

static void fake_close(struct ursa_rdma_device *dev)
{
	RTE_SET_USED(dev);
	closed++;
}

static const struct ursa_rdma_ops fake_ops = {
	.alloc_pd = fake_alloc_pd,
	.close = fake_close,
};

static const struct ursa_rdma_provider fake = {
	.name = "fake",
	.ops = &fake_ops,
	.fp = NULL,
	.open = fake_open,
};

static void test_registry_and_stubs(void)
{
	struct ursa_rdma_device *dev, *dev2;
	struct ursa_rdma_pd *pd = NULL;
	struct ursa_rdma_mr *mr = NULL;
	struct ursa_rdma_qp qp = {0};
	struct ursa_rdma_cq cq = {0};
	struct ursa_rdma_wc wc;
	struct ursa_rdma_device_attr da;
	static int conf_token;

	CU_ASSERT_EQUAL(ursa_rdma_device_open(lc, &fake, "fake0", &conf_token, &dev), 0);
	CU_ASSERT_EQUAL(opened, 1);
	CU_ASSERT_PTR_EQUAL(dev->priv, &conf_token);
	CU_ASSERT_PTR_EQUAL(ursa_rdma_device_get(lc, "fake0"), dev);
	CU_ASSERT_PTR_NULL(ursa_rdma_device_get(lc, "nope"));
	CU_ASSERT_EQUAL(ursa_rdma_device_open(lc, &fake, "fake0", NULL, &dev2), -EEXIST);
	CU_ASSERT_EQUAL(
		ursa_rdma_device_open(lc, &fake, "a-name-that-is-far-too-long-for-it", NULL, &dev2),
		-EINVAL);
	/* provided op */
	CU_ASSERT_EQUAL(ursa_rdma_alloc_pd(dev, &pd), 0);
	CU_ASSERT_PTR_EQUAL(pd, &the_pd);
	/* missing ops: stubs, no NULL checks at the call sites */
	CU_ASSERT_EQUAL(ursa_rdma_query_device(dev, &da), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ursa_rdma_reg_mr(pd, &da, sizeof(da), 0, &mr), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ursa_rdma_dealloc_pd(pd), -EOPNOTSUPP);
	qp.dev = dev;
	qp.fp = dev->fp;
	cq.dev = dev;
	cq.fp = dev->fp;
	CU_ASSERT_EQUAL(ursa_rdma_post_send(&qp, NULL, 0), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ursa_rdma_post_recv(&qp, NULL, 0), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ursa_rdma_poll_cq(&cq, &wc, 1), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ursa_rdma_modify_qp(&qp, NULL, 0), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(ursa_rdma_req_notify_cq(&cq, false), -EOPNOTSUPP);
	ursa_rdma_device_close(dev);
	CU_ASSERT_EQUAL(closed, 1);
	CU_ASSERT_PTR_NULL(ursa_rdma_device_get(lc, "fake0"));
	ursa_rdma_device_close(dev); /* twice is harmless */
	CU_ASSERT_EQUAL(closed, 1);
}

static void test_gid(void)
{
	struct ursa_ipaddr a, b;
	union ursa_rdma_gid g;
	static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 77, 0, 2};

	CU_ASSERT_EQUAL(ursa_ipaddr_parse("10.77.0.2", &a, NULL), 0);
	ursa_rdma_gid_from_addr(&g, &a);
	CU_ASSERT_EQUAL(memcmp(g.raw, mapped, 16), 0);
	ursa_rdma_gid_to_addr(&g, &b);
	CU_ASSERT_EQUAL(b.family, AF_INET);
	CU_ASSERT(ursa_ipaddr_eq(&a, &b));
	CU_ASSERT_EQUAL(ursa_ipaddr_parse("fd00::1:2", &a, NULL), 0);
	ursa_rdma_gid_from_addr(&g, &a);
	CU_ASSERT_EQUAL(g.raw[0], 0xfd);
	CU_ASSERT_EQUAL(g.raw[15], 2);
	ursa_rdma_gid_to_addr(&g, &b);
	CU_ASSERT_EQUAL(b.family, AF_INET6);
	CU_ASSERT(ursa_ipaddr_eq(&a, &b));
}

static void test_names(void)
{
	CU_ASSERT_STRING_EQUAL(ursa_rdma_wc_status_str(URSA_RDMA_WC_SUCCESS), "success");
	CU_ASSERT_STRING_EQUAL(ursa_rdma_wc_status_str(URSA_RDMA_WC_REM_ACCESS_ERR),
			       "remote access error");
	CU_ASSERT_STRING_EQUAL(ursa_rdma_wc_status_str((enum ursa_rdma_wc_status)99), "unknown");
	for (int s = 0; s < URSA_RDMA_WC_STATUS_MAX; s++)
		CU_ASSERT_PTR_NOT_NULL(ursa_rdma_wc_status_str((enum ursa_rdma_wc_status)s));
	CU_ASSERT_STRING_EQUAL(ursa_rdma_qp_state_str(URSA_RDMA_QPS_RTS), "RTS");
	CU_ASSERT_STRING_EQUAL(ursa_rdma_qp_state_str((enum ursa_rdma_qp_state)42), "unknown");
}

/* Providers found by name in a stack's registry, from any shard; a lone lcore has none. */
static void test_provider_by_name(void)
{
	struct ursa_lcore_conf confs[2];
	struct ursa_stack_conf sc = {.nb_shards = 2, .shard = confs};
	struct ursa_rdma_device *dev = NULL;
	struct ursa_stack *st;
	struct ursa_lcore *s1;

	for (int i = 0; i < 2; i++)
		confs[i] = (struct ursa_lcore_conf){.nb_mbufs = 511,
						    .seeded = true,
						    .seed = 5,
						    .virtual_clock = true,
						    .max_timers = 64,
						    .name = "rdmast"};
	CU_ASSERT_FATAL(ursa_stack_create(&sc, &st) == 0);
	s1 = ursa_stack_shard(st, 1);
	CU_ASSERT_FATAL(ursa_rdma_init(s1) == 0);
	CU_ASSERT_EQUAL(ursa_rdma_device_open_by_name(s1, "fake", "f0", NULL, &dev), -ENOENT);
	CU_ASSERT_EQUAL(ursa_rdma_provider_register(st, &fake), 0);
	CU_ASSERT_EQUAL(ursa_rdma_provider_register(st, &fake), -EEXIST);
	CU_ASSERT_PTR_EQUAL(ursa_rdma_provider_find(s1, "fake"), &fake);
	CU_ASSERT_PTR_NULL(ursa_rdma_provider_find(s1, "softroce"));
	opened = 0;
	CU_ASSERT_EQUAL(ursa_rdma_device_open_by_name(s1, "fake", "f0", NULL, &dev), 0);
	CU_ASSERT_EQUAL(opened, 1);
	CU_ASSERT_PTR_EQUAL(ursa_rdma_device_get(s1, "f0"), dev);
	/* a lone lcore has no registry */
	CU_ASSERT_PTR_NULL(ursa_rdma_provider_find(lc, "fake"));
	CU_ASSERT_EQUAL(ursa_rdma_device_open_by_name(lc, "fake", "f1", NULL, &dev), -ENOENT);
	ursa_stack_destroy(st);
}

int main(void)
{
	CU_pSuite s = ursa_test_suite("rdma", setup, teardown);

	CU_add_test(s, "registry and -EOPNOTSUPP stubs", test_registry_and_stubs);
	CU_add_test(s, "GIDs", test_gid);
	CU_add_test(s, "name tables", test_names);
	CU_add_test(s, "providers by name", test_provider_by_name);
	return ursa_test_main();
}
