/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: CDC messages into a live SMC connection (fuzz_smc_pair.c). Every CDC that
 * decodes must encode to the same bytes (a mismatch is a crash). The input is a sequence of
 *   byte 0: bit 0 the side that receives (0 client, 1 server); bit 1: token := that side's
 *           connection token; bit 2: sequence number := the next one expected; bit 3: send
 *           some data both ways first; bits 4-7: virtual ms that pass after
 *   44 bytes: the CDC (fewer when the input ends: zeros)
 * then data both ways and a close. Random cursors and flags reach the window checks, the
 * close states and the violation path (the connection aborts, the link lives on).
 * Seeds (corpus/cdc/): the CDCs of pcap-tests/fixtures/rxe/smc_ueid-linux6.12.pcap (data,
 * consumer update, close), with fix-ups.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_smc_pair.h"
#include "smc_lgr.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_smc_init("fuzz_cdc");
	return 0;
}

static void fixup(uint8_t *b, uint8_t f, const struct smc_link_conn *c)
{
	struct smc_cdc_wire *w = (void *)b;

	if (f & 2)
		w->token = rte_cpu_to_be_32(c->token);
	if (f & 4)
		w->seq = rte_cpu_to_be_16((uint16_t)(c->rx_seq + 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i = 0;

	while (i < size) {
		uint8_t f = data[i], b[SMC_WR_SIZE] = {0}, again[SMC_WR_SIZE];
		size_t len = RTE_MIN((size_t)SMC_WR_SIZE, size - i - 1);
		struct fuzz_smc_side *s = fuzz_smc_side(f & 1);
		struct smc_cdc m;

		memcpy(b, data + i + 1, len);
		if (smc_cdc_decode(b, sizeof(b), &m) == 0) {
			smc_cdc_encode(&m, again);
			if (memcmp(b, again, 26) != 0) /* the reserved tail is not kept */
				abort();
		}
		if (f & 8)
			fuzz_smc_traffic(1000);
		s = fuzz_smc_side(f & 1);
		fixup(b, f, s->c);
		if (s->c->lgr->lnk.state != SMC_LNK_FAILED)
			smc_cdc_rx(&s->c->lgr->lnk, b, sizeof(b));
		fuzz_smc_run(50, f >> 4);
		i += 1 + len;
	}
	fuzz_smc_traffic(3000);
	fuzz_smc_end(false);
	return 0;
}
