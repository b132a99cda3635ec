/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the CLC parser (stack/smc/smc_clc.c). The input is a TCP byte stream
 * as the handshake reads it: each message's header is peeked for its length, then exactly
 * that many bytes are decoded. Whatever decodes must encode to a message of the same
 * length that decodes to the same fields (a difference aborts); nothing may be read beyond
 * the message (ASan). Seeds (corpus/clc/): the Proposal, Accept and Confirm Linux 6.12 sent
 * in pcap-tests/fixtures/rxe/smc_ueid-linux6.12.pcap, the Decline of smc_pnet-linux6.1.pcap,
 * and the client's Proposal and Confirm back to back.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "smc_clc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

static void one(const uint8_t *p, size_t len)
{
	static uint8_t out[SMC_CLC_MAX_LEN];
	struct smc_clc_msg m, m2;
	int n;

	if (smc_clc_decode(p, len, &m) != SMC_CLC_E_ok)
		return;
	n = smc_clc_encode(&m, out, sizeof(out));
	if (n != (int)len || smc_clc_decode(out, len, &m2) != SMC_CLC_E_ok ||
	    memcmp(&m, &m2, sizeof(m)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size >= sizeof(struct smc_clc_hdr)) {
		size_t len = smc_clc_peek_len(data);
		uint8_t *copy;

		if (len == 0 || len > size)
			break;
		/* a copy of exactly len bytes, so ASan sees any read past the message */
		copy = malloc(len);
		if (copy == NULL)
			return 0;
		memcpy(copy, data, len);
		one(copy, len);
		free(copy);
		data += len;
		size -= len;
	}
	return 0;
}
