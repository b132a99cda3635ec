/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame lists and pcap files (libpcap): reading a case's input and expected captures with
 * nanosecond timestamps, and writing what ursa sent for inspection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "runner.h"

int frames_add(struct frame_list *fl, uint64_t t_ns, const void *data, uint32_t len)
{
	struct frame *f;

	if (fl->n == fl->cap) {
		unsigned cap = fl->cap ? fl->cap * 2 : 64;
		struct frame *v = realloc(fl->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		fl->v = v;
		fl->cap = cap;
	}
	f = &fl->v[fl->n];
	f->data = malloc(len ? len : 1);
	if (f->data == NULL)
		return -ENOMEM;
	memcpy(f->data, data, len);
	f->len = len;
	f->t_ns = t_ns;
	fl->n++;
	return 0;
}

void frames_free(struct frame_list *fl)
{
	for (unsigned i = 0; i < fl->n; i++)
		free(fl->v[i].data);
	free(fl->v);
	memset(fl, 0, sizeof(*fl));
}

int frames_load(const char *path, struct frame_list *fl, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *p;
	int rc;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -EINVAL;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		snprintf(err, errlen, "%s: link type %s, not Ethernet", path,
			 pcap_datalink_val_to_name(pcap_datalink(p)));
		rc = -EINVAL;
		goto out_close;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		if (h->caplen != h->len) {
			snprintf(err, errlen, "%s: packet %u was cut to %u of %u bytes (snaplen)",
				 path, fl->n + 1, h->caplen, h->len);
			rc = -EINVAL;
			goto out_close;
		}
		rc = frames_add(fl,
				(uint64_t)h->ts.tv_sec * URSA_NS_PER_S + (uint64_t)h->ts.tv_usec,
				data, h->caplen);
		if (rc != 0) {
			snprintf(err, errlen, "%s: out of memory", path);
			goto out_close;
		}
	}
	if (rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		rc = -EIO;
		goto out_close;
	}
	rc = 0;
out_close:
	pcap_close(p);
	return rc;
}

int frames_save(const char *path, const struct frame_list *fl, char *err, size_t errlen)
{
	pcap_t *p =
		pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d;
	int rc = 0;

	if (p == NULL) {
		snprintf(err, errlen, "%s: cannot open a pcap handle", path);
		return -ENOMEM;
	}
	d = pcap_dump_open(p, path);
	if (d == NULL) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		rc = -EIO;
		goto out_close;
	}
	for (unsigned i = 0; i < fl->n; i++) {
		struct pcap_pkthdr h = {
			.ts = {.tv_sec = (time_t)(fl->v[i].t_ns / URSA_NS_PER_S),
			       .tv_usec = (suseconds_t)(fl->v[i].t_ns % URSA_NS_PER_S)},
			.caplen = fl->v[i].len,
			.len = fl->v[i].len,
		};

		pcap_dump((u_char *)d, &h, fl->v[i].data);
	}
	if (pcap_dump_flush(d) != 0) {
		snprintf(err, errlen, "%s: write failed", path);
		rc = -EIO;
	}
	pcap_dump_close(d);
out_close:
	pcap_close(p);
	return rc;
}
