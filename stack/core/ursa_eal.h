/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The EAL arguments every ursa program starts DPDK with, hugepages or not.
 *
 * ursa_eal_args_init() builds one argument vector: the program name, the memory options, then
 * `--no-shconf --no-pci --no-telemetry -l <lcores> --log-level=<level>` (`--lcores` instead of
 * `-l` for a mapping like `0@(0,1)`). The memory options
 * depend on the machine:
 *   - hugepages: when enough 2 MiB pages are free for the memory asked (`-m`, plus a margin),
 *     EAL runs with `--in-memory -m <mb>`: the pages are pinned, back memif's shared regions
 *     (so memif can run zero-copy), and several ursa processes can run at once (in-memory mode
 *     keeps no files in hugetlbfs and no shared configuration);
 *   - otherwise `--no-huge -m <mb>` (ordinary pages), and one line on stderr says so and why.
 * The environment variable URSA_HUGE overrides the choice: `0` always takes `--no-huge`
 * (silently: it was asked for), `1` requires hugepages (ursa_eal_args_init fails without them).
 * scripts/hugepages reserves the pages and mounts hugetlbfs.
 */
#ifndef URSA_EAL_H
#define URSA_EAL_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size of the hugepages ursa asks EAL for (the kernel's default on x86-64). */
#define URSA_EAL_HUGEPAGE_MB 2
/** Pages left free beyond the -m amount (EAL takes a few for its own tables). */
#define URSA_EAL_HUGE_MARGIN 16
/** Most arguments ursa_eal_args_init() writes (before the NULL that ends argv). */
#define URSA_EAL_MAX_ARGS 12

/** One EAL argument vector; argv points into the struct, so do not copy it. */
struct ursa_eal_args {
	int argc;
	char *argv[URSA_EAL_MAX_ARGS + 1]; /**< NULL-terminated */
	bool huge;			   /**< hugepages chosen */
	char why[96];			   /**< why not, when !huge */
	char prog[32];
	char mem[16];
	char lcores[64];
	char log[32];
};

/**
 * How many 2 MiB hugepages are free now (from sysfs), 0 when there are none or the kernel
 * has no hugetlb support.
 */
unsigned ursa_eal_huge_free(void);

/**
 * Fill @p a for rte_eal_init(a->argc, a->argv).
 *
 * @param prog      program name (argv[0])
 * @param mem_mb    memory for EAL, in MiB (-m)
 * @param lcores    the -l argument ("0", "0-3"), or a --lcores one when it holds an '@'
 *                  ("0@(0,1)")
 * @param log_level the --log-level argument ("error", "notice", "8"), or NULL for EAL's own
 * @return 0; -EINVAL on a bad argument or one too long; -ENOMEM when URSA_HUGE=1 and the
 *         hugepages are not there (a->why says why).
 */
int ursa_eal_args_init(struct ursa_eal_args *a, const char *prog, unsigned mem_mb,
		       const char *lcores, const char *log_level);

/**
 * Print, once, on stderr, which memory EAL got: nothing with hugepages or when URSA_HUGE=0
 * asked for ordinary pages; otherwise `<prog>: no hugepages (<why>): EAL runs with --no-huge`.
 */
void ursa_eal_args_report(const struct ursa_eal_args *a);

#ifdef __cplusplus
}
#endif

#endif /* URSA_EAL_H */
