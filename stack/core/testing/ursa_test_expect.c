/* SPDX-License-Identifier: BSD-3-Clause */
/* Frames received from hex, and transmitted frames checked byte for byte. */
#include <stdio.h>
#include <string.h>

#include "ursa_test.h"

void ursa_test_rx_hex(struct ursa_lcore *lc, const char *hex)
{
	struct rte_mbuf *m = ursa_test_mbuf_hex(lc, hex);

	CU_ASSERT_FATAL(m != NULL);
	ursa_test_rx(lc, m);
}

void ursa_test_expect_tx(struct ursa_lcore *lc, const void *want, size_t n)
{
	struct rte_mbuf *got = ursa_test_tx(lc);
	const uint8_t *w = want, *g;
	uint8_t buf[9216];

	CU_ASSERT_FATAL(got != NULL);
	CU_ASSERT_FATAL(n <= sizeof(buf));
	CU_ASSERT_EQUAL(rte_pktmbuf_pkt_len(got), n);
	if (rte_pktmbuf_pkt_len(got) == n) {
		g = rte_pktmbuf_read(got, 0, (uint32_t)n, buf);
		CU_ASSERT_EQUAL(memcmp(g, w, n), 0);
		for (size_t i = 0; i < n; i++)
			if (g[i] != w[i])
				fprintf(stderr, "  byte %zu: got %02x want %02x\n", i, g[i], w[i]);
	}
	rte_pktmbuf_free(got);
}

void ursa_test_expect_tx_hex(struct ursa_lcore *lc, const char *hex)
{
	uint8_t b[9216];

	ursa_test_expect_tx(lc, b, ursa_test_unhex(hex, b, sizeof(b)));
}
