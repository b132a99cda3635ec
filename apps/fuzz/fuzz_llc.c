/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: LLC messages into a live SMC link (fuzz_smc_pair.c). Every input first
 * goes through the codec alone: a message that decodes must encode to the same fields and
 * decode again to the same bytes (a mismatch is a crash). Then it is a sequence of
 * operations on the link:
 *   byte 0 bit 0: the side whose link receives (0 client, 1 server); bits 1-7: virtual ms
 *   byte 1: length L, then L bytes received as one SEND (fewer when the input ends)
 *   ... repeated; after the last, data both ways and a close (an abort when byte 0 bit 1).
 * Seeds (corpus/llc/): the v2 LLC messages of pcap-tests/fixtures/rxe/smc_ueid-linux6.12.pcap
 * (CONFIRM_LINK, ADD_LINK and its reject, DELETE_RKEY) and the other types in v1 and v2.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_smc_pair.h"
#include "smc_lgr.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_smc_init("fuzz_llc");
	return 0;
}

static void codec_check(const uint8_t *b, size_t n)
{
	static struct smc_llc m, m2;
	static uint8_t out[SMC_LLC_V2_MAX], again[SMC_LLC_V2_MAX];
	int len;

	if (smc_llc_decode(b, n, &m) != 0)
		return;
	len = smc_llc_encode(&m, out, sizeof(out));
	if (len < SMC_LLC_LEN || smc_llc_decode(out, (size_t)len, &m2) != 0 ||
	    smc_llc_encode(&m2, again, sizeof(again)) != len || memcmp(out, again, (size_t)len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[SMC_RX_BUF];
	size_t i = 0;
	bool abort_at_end = size > 0 && (data[0] & 2);

	while (i + 2 <= size) {
		int side = data[i] & 1;
		unsigned ms = data[i] >> 1;
		size_t len = RTE_MIN((size_t)data[i + 1], size - i - 2);
		struct smc_link *l;

		memset(msg, 0, SMC_LLC_LEN);
		memcpy(msg, data + i + 2, len);
		codec_check(msg, RTE_MAX(len, (size_t)SMC_LLC_LEN));
		l = fuzz_smc_link(side);
		if (l->state != SMC_LNK_FAILED && len > 0)
			smc_llc_rx(l, msg, (uint32_t)RTE_MAX(len, (size_t)SMC_LLC_LEN));
		fuzz_smc_run(50, ms);
		i += 2 + len;
	}
	fuzz_smc_traffic((unsigned)size * 37);
	fuzz_smc_end(abort_at_end);
	return 0;
}
