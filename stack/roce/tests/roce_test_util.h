/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the roce test suites: reading the rxe fixture pcaps. */
#ifndef ROCE_TEST_UTIL_H
#define ROCE_TEST_UTIL_H

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ursa_test.h"

#ifndef ROCE_FIXTURES
#error "ROCE_FIXTURES must name the fixture folder"
#endif

struct fixture_pkt {
	uint8_t data[9216];
	uint32_t len;
	uint64_t ts_ns;
};

/* All frames of a fixture (max n); returns the count, or -1 when the file cannot be read. */
static inline int fixture_load(const char *name, struct fixture_pkt *out, int n)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int i = 0;

	snprintf(path, sizeof(path), "%s/%s", ROCE_FIXTURES, name);
	p = pcap_open_offline(path, err);
	if (p == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, err);
		return -1;
	}
	while (i < n && pcap_next_ex(p, &h, &d) == 1) {
		out[i].len = RTE_MIN(h->caplen, (uint32_t)sizeof(out[i].data));
		memcpy(out[i].data, d, out[i].len);
		out[i].ts_ns =
			(uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * 1000;
		i++;
	}
	pcap_close(p);
	return i;
}

/* Offset of the IP header in an Ethernet frame (VLAN tags skipped), or -1. */
static inline int fixture_l3_off(const struct fixture_pkt *f, uint16_t *ethertype)
{
	int off = 12;

	while (off + 2 <= (int)f->len) {
		uint16_t t = (uint16_t)(f->data[off] << 8 | f->data[off + 1]);

		if (t == 0x8100 || t == 0x88a8) {
			off += 4;
			continue;
		}
		*ethertype = t;
		return off + 2;
	}
	return -1;
}

/* True when the frame is IPv4/IPv6 UDP to port 4791; sets the L3 offset and IP header length. */
static inline bool fixture_is_roce(const struct fixture_pkt *f, int *l3, int *iplen)
{
	uint16_t et = 0;
	int o = fixture_l3_off(f, &et);
	int proto;

	if (o < 0)
		return false;
	if (et == 0x0800) {
		*iplen = (f->data[o] & 0xf) * 4;
		proto = f->data[o + 9];
	} else if (et == 0x86dd) {
		*iplen = 40;
		proto = f->data[o + 6];
	} else {
		return false;
	}
	*l3 = o;
	if (proto != 17 || o + *iplen + 8 > (int)f->len)
		return false;
	return (f->data[o + *iplen + 2] << 8 | f->data[o + *iplen + 3]) == 4791;
}

#endif /* ROCE_TEST_UTIL_H */
