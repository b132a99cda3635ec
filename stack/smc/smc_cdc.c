/* SPDX-License-Identifier: BSD-3-Clause */
/* CDC messages: encode, strict decode, and cursors <-> stream positions. */
#include <errno.h>
#include <string.h>

#include "smc_cdc_hdr.h"

int smc_cdc_decode(const void *buf, size_t len, struct smc_cdc *out)
{
	const struct smc_cdc_wire *w = buf;

	if (len < SMC_WR_SIZE || w->type != SMC_CDC_TYPE || w->len != SMC_WR_SIZE)
		return -EINVAL;
	out->seq = rte_be_to_cpu_16(w->seq);
	out->token = rte_be_to_cpu_32(w->token);
	out->prod.wrap = rte_be_to_cpu_16(w->prod.wrap);
	out->prod.count = rte_be_to_cpu_32(w->prod.count);
	out->cons.wrap = rte_be_to_cpu_16(w->cons.wrap);
	out->cons.count = rte_be_to_cpu_32(w->cons.count);
	out->prod_flags = w->prod_flags;
	out->conn_flags = w->conn_flags;
	/* ring sizes are at most 2^29 here: a larger offset is no cursor of ours */
	if (out->prod.count > (1u << 30) || out->cons.count > (1u << 30))
		return -EINVAL;
	return 0;
}

void smc_cdc_encode(const struct smc_cdc *c, void *buf)
{
	struct smc_cdc_wire *w = buf;

	memset(w, 0, sizeof(*w));
	w->type = SMC_CDC_TYPE;
	w->len = SMC_WR_SIZE;
	w->seq = rte_cpu_to_be_16(c->seq);
	w->token = rte_cpu_to_be_32(c->token);
	w->prod.wrap = rte_cpu_to_be_16(c->prod.wrap);
	w->prod.count = rte_cpu_to_be_32(c->prod.count);
	w->cons.wrap = rte_cpu_to_be_16(c->cons.wrap);
	w->cons.count = rte_cpu_to_be_32(c->cons.count);
	w->prod_flags = c->prod_flags;
	w->conn_flags = c->conn_flags;
}

struct smc_curs smc_curs_from_pos(uint64_t pos, uint32_t size)
{
	struct smc_curs c = {.wrap = (uint16_t)(pos / size), .count = (uint32_t)(pos % size)};

	return c;
}

int smc_curs_to_pos(const struct smc_curs *c, uint32_t size, uint64_t base, uint64_t *pos)
{
	uint64_t bw = base / size;
	int16_t dw = (int16_t)(uint16_t)(c->wrap - (uint16_t)bw);
	int64_t w = (int64_t)bw + dw;

	/* Linux sends count == size with the old wrap for a full ring: accept it as the end */
	if (c->count > size || w < 0)
		return -ERANGE;
	*pos = (uint64_t)w * size + c->count;
	if (*pos < base)
		return -ERANGE;
	return 0;
}
