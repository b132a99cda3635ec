/* SPDX-License-Identifier: BSD-3-Clause */
/* Protection domains: an MR is reachable through a QP only when both are in the same PD. */
#include <errno.h>
#include <stdlib.h>

#include "roce_priv.h"

int ursa_roce_pd_alloc(struct ursa_lcore *lc, struct ursa_roce_pd **out)
{
	struct ursa_roce_pd *pd;

	if (lc->roce == NULL)
		return -ENODEV;
	pd = calloc(1, sizeof(*pd));
	if (pd == NULL)
		return -ENOMEM;
	pd->ctx = lc->roce;
	pd->id = ++lc->roce->pd_serial;
	*out = pd;
	return 0;
}

int ursa_roce_pd_free(struct ursa_roce_pd *pd)
{
	if (pd->users != 0)
		return -EBUSY;
	free(pd);
	return 0;
}
