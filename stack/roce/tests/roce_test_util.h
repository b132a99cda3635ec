/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers of the roce test suites: the rxe fixture pcaps, read with the replay harness. */
#ifndef ROCE_TEST_UTIL_H
#define ROCE_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "ursa_test.h"

#ifndef ROCE_FIXTURES
#error "ROCE_FIXTURES must name the fixture folder"
#endif

/* All frames of a fixture, read with the replay harness (runner.h: pcapio.c); fails the test
 * (fatal) when the file cannot be read. Free with frames_free. */
static inline void fixture_load(const char *name, struct frame_list *fl)
{
	char path[512], err[512];

	snprintf(path, sizeof(path), "%s/%s", ROCE_FIXTURES, name);
	memset(fl, 0, sizeof(*fl));
	if (frames_load(path, fl, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		CU_FAIL_FATAL("fixture cannot be read");
	}
}

/* Offset of the IP header in an Ethernet frame (VLAN tags skipped), or -1. */
static inline int fixture_l3_off(const struct frame *f, uint16_t *ethertype)
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
static inline bool fixture_is_roce(const struct frame *f, int *l3, int *iplen)
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
