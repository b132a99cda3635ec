/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL arguments: hugepages when the machine has them free, --no-huge (said once) when not. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ursa_eal.h"

#define HUGE_SYSFS "/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"

unsigned ursa_eal_huge_free(void)
{
	FILE *f = fopen(HUGE_SYSFS, "r");
	unsigned n = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%u", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

/* Whether hugepages can back mem_mb now; why not in a->why. */
static bool huge_usable(struct ursa_eal_args *a, unsigned mem_mb)
{
	unsigned need = (mem_mb + URSA_EAL_HUGEPAGE_MB - 1) / URSA_EAL_HUGEPAGE_MB;
	unsigned free_pages = ursa_eal_huge_free();

	need += URSA_EAL_HUGE_MARGIN;
	if (free_pages >= need)
		return true;
	if (free_pages == 0)
		snprintf(a->why, sizeof(a->why), "none free; scripts/hugepages reserves them");
	else
		snprintf(a->why, sizeof(a->why), "%u free of the %u needed for -m %u", free_pages,
			 need, mem_mb);
	return false;
}

/* Copy s into dst (len bytes); -EINVAL when it does not fit. */
static int copy_arg(char *dst, size_t len, const char *s)
{
	int n = snprintf(dst, len, "%s", s);

	return n < 0 || (size_t)n >= len ? -EINVAL : 0;
}

int ursa_eal_args_init(struct ursa_eal_args *a, const char *prog, unsigned mem_mb,
		       const char *lcores, const char *log_level)
{
	const char *env = getenv("URSA_HUGE");
	bool forbid = env != NULL && strcmp(env, "0") == 0;
	bool require = env != NULL && strcmp(env, "1") == 0;
	int n;

	memset(a, 0, sizeof(*a));
	if (prog == NULL || lcores == NULL || mem_mb == 0)
		return -EINVAL;
	if (copy_arg(a->prog, sizeof(a->prog), prog) != 0 ||
	    copy_arg(a->lcores, sizeof(a->lcores), lcores) != 0)
		return -EINVAL;
	n = snprintf(a->mem, sizeof(a->mem), "%u", mem_mb);
	if (n < 0 || (size_t)n >= sizeof(a->mem))
		return -EINVAL;
	if (forbid)
		snprintf(a->why, sizeof(a->why), "URSA_HUGE=0");
	else
		a->huge = huge_usable(a, mem_mb);
	if (require && !a->huge)
		return -ENOMEM;

	a->argv[a->argc++] = a->prog;
	a->argv[a->argc++] = a->huge ? "--in-memory" : "--no-huge";
	a->argv[a->argc++] = "-m";
	a->argv[a->argc++] = a->mem;
	a->argv[a->argc++] = "--no-shconf";
	a->argv[a->argc++] = "--no-pci";
	a->argv[a->argc++] = "--no-telemetry";
	a->argv[a->argc++] = strchr(lcores, '@') != NULL ? "--lcores" : "-l";
	a->argv[a->argc++] = a->lcores;
	if (log_level != NULL) {
		n = snprintf(a->log, sizeof(a->log), "--log-level=%s", log_level);
		if (n < 0 || (size_t)n >= sizeof(a->log))
			return -EINVAL;
		a->argv[a->argc++] = a->log;
	}
	a->argv[a->argc] = NULL;
	return 0;
}

void ursa_eal_args_report(const struct ursa_eal_args *a)
{
	const char *env = getenv("URSA_HUGE");

	if (a->huge || (env != NULL && strcmp(env, "0") == 0))
		return;
	fprintf(stderr, "%s: no hugepages (%s): EAL runs with --no-huge\n", a->prog, a->why);
}
