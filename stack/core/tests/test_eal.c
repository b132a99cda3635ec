/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the EAL arguments (ursa_eal.h): the vector for each memory choice, URSA_HUGE
 * forcing either, the --lcores form, the limits; then EAL really started by the test kit runs
 * on the memory the environment asked for. meson runs this binary twice: URSA_HUGE=0
 * (test 'eal') and URSA_HUGE=1 (test 'eal-huge', skipped with 77 when too few hugepages are
 * free: scripts/hugepages reserves them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>

#include "ursa_eal.h"
#include "ursa_test.h"

static char *saved_env; /* URSA_HUGE as the harness set it */

/* The argument following opt in a, or NULL. */
static const char *arg_after(const struct ursa_eal_args *a, const char *opt)
{
	for (int i = 0; i + 1 < a->argc; i++)
		if (strcmp(a->argv[i], opt) == 0)
			return a->argv[i + 1];
	return NULL;
}

static bool has_arg(const struct ursa_eal_args *a, const char *opt)
{
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], opt) == 0)
			return true;
	return false;
}

static void test_no_huge_forced(void)
{
	struct ursa_eal_args a;

	setenv("URSA_HUGE", "0", 1);
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 128, "3", "error"), 0);
	CU_ASSERT_FALSE(a.huge);
	CU_ASSERT_STRING_EQUAL(a.argv[0], "prog");
	CU_ASSERT(has_arg(&a, "--no-huge"));
	CU_ASSERT_FALSE(has_arg(&a, "--in-memory"));
	CU_ASSERT_STRING_EQUAL(arg_after(&a, "-m"), "128");
	CU_ASSERT_STRING_EQUAL(arg_after(&a, "-l"), "3");
	CU_ASSERT(has_arg(&a, "--no-shconf"));
	CU_ASSERT(has_arg(&a, "--log-level=error"));
	CU_ASSERT_EQUAL(a.argc, 10);
	CU_ASSERT_PTR_NULL(a.argv[a.argc]);
}

static void test_huge_required(void)
{
	struct ursa_eal_args a;
	unsigned free_pages = ursa_eal_huge_free();

	setenv("URSA_HUGE", "1", 1);
	/* 1 TiB of hugepages is never free: refused, and why says how many there are. */
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 1u << 20, "0", NULL), -ENOMEM);
	CU_ASSERT_FALSE(a.huge);
	CU_ASSERT(strlen(a.why) > 0);
	if (free_pages >= 2 + URSA_EAL_HUGE_MARGIN) {
		CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 4, "0", NULL), 0);
		CU_ASSERT(a.huge);
		CU_ASSERT(has_arg(&a, "--in-memory"));
		CU_ASSERT_FALSE(has_arg(&a, "--no-huge"));
		CU_ASSERT_EQUAL(a.argc, 9); /* no --log-level */
	}
}

static void test_huge_chosen_by_free_pages(void)
{
	struct ursa_eal_args a;

	unsetenv("URSA_HUGE");
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 1u << 20, "0", NULL), 0);
	CU_ASSERT_FALSE(a.huge); /* falls back instead of failing */
	CU_ASSERT(has_arg(&a, "--no-huge"));
	CU_ASSERT(strstr(a.why, "free of the") != NULL || strstr(a.why, "none free") != NULL);
}

static void test_lcores_and_limits(void)
{
	struct ursa_eal_args a;
	char long_lcores[200];

	setenv("URSA_HUGE", "0", 1);
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 64, "0@(0,1)", NULL), 0);
	CU_ASSERT_STRING_EQUAL(arg_after(&a, "--lcores"), "0@(0,1)");
	CU_ASSERT_PTR_NULL(arg_after(&a, "-l"));
	memset(long_lcores, '1', sizeof(long_lcores) - 1);
	long_lcores[sizeof(long_lcores) - 1] = '\0';
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 64, long_lcores, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, "prog", 0, "0", NULL), -EINVAL);
	CU_ASSERT_EQUAL(ursa_eal_args_init(&a, NULL, 64, "0", NULL), -EINVAL);
}

/* EAL, started by the kit under the harness's URSA_HUGE, runs on that memory. */
static void test_eal_memory(void)
{
	if (saved_env != NULL)
		setenv("URSA_HUGE", saved_env, 1);
	else
		unsetenv("URSA_HUGE");
	ursa_test_eal();
	if (saved_env != NULL && strcmp(saved_env, "0") == 0)
		CU_ASSERT_EQUAL(rte_eal_has_hugepages(), 0);
	if (saved_env != NULL && strcmp(saved_env, "1") == 0)
		CU_ASSERT_EQUAL(rte_eal_has_hugepages(), 1);
}

int main(void)
{
	const char *env = getenv("URSA_HUGE");
	CU_pSuite s;

	if (env != NULL && strcmp(env, "1") == 0 &&
	    ursa_eal_huge_free() < 128 + URSA_EAL_HUGE_MARGIN) {
		fprintf(stderr, "SKIP: %u 2 MiB hugepages free, %u needed (scripts/hugepages)\n",
			ursa_eal_huge_free(), 128 + URSA_EAL_HUGE_MARGIN);
		return 77;
	}
	saved_env = env != NULL ? strdup(env) : NULL;
	s = ursa_test_suite("eal", NULL, NULL);
	CU_add_test(s, "URSA_HUGE=0", test_no_huge_forced);
	CU_add_test(s, "URSA_HUGE=1", test_huge_required);
	CU_add_test(s, "fallback", test_huge_chosen_by_free_pages);
	CU_add_test(s, "lcores, limits", test_lcores_and_limits);
	CU_add_test(s, "EAL memory", test_eal_memory);
	return ursa_test_main();
}
