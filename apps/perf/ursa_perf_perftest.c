/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursa-perf as a peer of perftest's bandwidth tools: the out-of-band dialogue around a run
 * (see ursa_perf_perftest.h). Formats learnt from linux-rdma/perftest; no code taken.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>

#include "ursa_perf_peer.h"
#include "ursa_perf_perftest.h"

#define PT_VERSION_LEN 16
#define PT_CYCLE_BUF   4096 /* perftest's default cycle buffer: the page size */
#define PT_CACHE_LINE  64
#define PT_OUT_READS   16 /* the engine's RD_ATOMIC in ursa_perf_ep.c */
#define PT_STEP_NS     (30 * URSA_NS_PER_S)
#define PT_RUN_NS      (300 * URSA_NS_PER_S)

int ursa_perf_pt_keys_fmt(const struct ursa_perf_info *in, unsigned out_reads,
			  char out[URSA_PERF_PT_KEYS_LEN])
{
	int n = snprintf(out, URSA_PERF_PT_KEYS_LEN, "%04x:%04x:%06x:%06x:%08x:%016" PRIx64 ":", 0u,
			 out_reads & 0xffff, in->qpn & 0xffffff, in->psn & 0xffffff, in->rkey,
			 in->vaddr);

	for (int i = 0; i < 16 && n > 0 && n < URSA_PERF_PT_KEYS_LEN; i++)
		n += snprintf(out + n, (size_t)(URSA_PERF_PT_KEYS_LEN - n),
			      "%02x:", in->gid.raw[i]);
	if (n > 0 && n < URSA_PERF_PT_KEYS_LEN)
		n += snprintf(out + n, (size_t)(URSA_PERF_PT_KEYS_LEN - n), "%08x:", 0u);
	return n == URSA_PERF_PT_KEYS_LEN - 1 ? 0 : -ENOSPC;
}

/* One hex field of exactly digits digits and its ':' at *p; advances *p. */
static int pt_field(const char **p, unsigned digits, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < digits; i++) {
		char c = (*p)[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
						    : 16u;

		if (d > 15)
			return -EINVAL;
		v = v << 4 | d;
	}
	if ((*p)[digits] != ':')
		return -EINVAL;
	*p += digits + 1;
	*out = v;
	return 0;
}

int ursa_perf_pt_keys_parse(const char *msg, size_t len, struct ursa_perf_info *out,
			    unsigned *out_reads)
{
	static const unsigned w[6] = {4, 4, 6, 6, 8, 16};
	const char *p = msg;
	uint64_t v[6], b, srqn;

	memset(out, 0, sizeof(*out));
	if (len != URSA_PERF_PT_KEYS_LEN || msg[len - 1] != 0)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		if (pt_field(&p, w[i], &v[i]) != 0)
			return -EINVAL;
	for (int i = 0; i < 16; i++) {
		if (pt_field(&p, 2, &b) != 0)
			return -EINVAL;
		out->gid.raw[i] = (uint8_t)b;
	}
	if (pt_field(&p, 8, &srqn) != 0)
		return -EINVAL;
	*out_reads = (unsigned)v[1];
	out->qpn = (uint32_t)v[2];
	out->psn = (uint32_t)v[3];
	out->rkey = (uint32_t)v[4];
	out->vaddr = v[5];
	if (out->qpn < 2 || memcmp(out->gid.raw, (uint8_t[16]){0}, 16) == 0)
		return -EINVAL;
	return 0;
}

/* One exchange of len bytes: the client writes first, the server reads first. */
static int pt_xchg(struct ursa_perf_ep *ep, int fd, bool client, const void *mine, void *theirs,
		   size_t len, uint64_t timeout_ns, ursa_perf_pump_t pump, void *arg)
{
	int rc;

	if (client && (rc = ursa_perf_oob_write(fd, mine, len)) != 0)
		return rc;
	if ((rc = ursa_perf_oob_read(ep->lc, fd, theirs, len, timeout_ns, pump, arg)) != 0)
		return rc;
	return client ? 0 : ursa_perf_oob_write(fd, mine, len);
}

/* The key message both ways; what comes back is parsed into ep->remote when remote is set. */
static int pt_keys(struct ursa_perf_ep *ep, int fd, bool client, bool remote, uint64_t timeout_ns,
		   ursa_perf_pump_t pump, void *arg)
{
	char mine[URSA_PERF_PT_KEYS_LEN], theirs[URSA_PERF_PT_KEYS_LEN];
	struct ursa_perf_info peer;
	unsigned reads;
	int rc;

	if ((rc = ursa_perf_pt_keys_fmt(&ep->local, PT_OUT_READS, mine)) != 0 ||
	    (rc = pt_xchg(ep, fd, client, mine, theirs, sizeof(mine), timeout_ns, pump, arg)) != 0)
		return rc;
	if (ursa_perf_pt_keys_parse(theirs, sizeof(theirs), &peer, &reads) != 0)
		return -EPROTO;
	if (remote)
		ep->remote = peer;
	return 0;
}

static uint16_t mtu_enum(uint16_t mtu)
{
	return mtu >= 4096 ? 5 : mtu >= 2048 ? 4 : mtu >= 1024 ? 3 : mtu >= 512 ? 2 : 1;
}

int ursa_perf_pt_begin(struct ursa_perf_ep *ep, int fd, bool client, uint16_t mtu,
		       uint64_t remote_len, ursa_perf_pump_t pump, void *arg)
{
	char ver[PT_VERSION_LEN] = URSA_PERF_PT_VERSION, rver[PT_VERSION_LEN];
	uint32_t sys[2] = {rte_cpu_to_be_32(PT_CYCLE_BUF), rte_cpu_to_be_32(PT_CACHE_LINE)}, rsys;
	char m[2] = {(char)('0' + mtu_enum(mtu)), 0}, rm[2];
	uint16_t path;
	int rc;

	if ((rc = pt_xchg(ep, fd, client, ver, rver, sizeof(ver), PT_STEP_NS, pump, arg)) != 0)
		return rc;
	rver[PT_VERSION_LEN - 1] = 0;
	/* what perftest itself refuses; older ones also speak another dialogue */
	if (strtod(rver, NULL) < 5.70)
		return -EPROTONOSUPPORT;
	for (int i = 0; i < 2; i++)
		if ((rc = pt_xchg(ep, fd, client, &sys[i], &rsys, 4, PT_STEP_NS, pump, arg)) != 0)
			return rc;
	if ((rc = pt_xchg(ep, fd, client, m, rm, sizeof(m), PT_STEP_NS, pump, arg)) != 0)
		return rc;
	path = rm[0] >= '1' && rm[0] < m[0] ? (uint16_t)(128u << (rm[0] - '0')) : mtu;
	if ((rc = pt_keys(ep, fd, client, true, PT_STEP_NS, pump, arg)) != 0)
		return rc;
	/* ursa-perf's loops use the upper half of [vaddr, vaddr + len) of the peer; perftest's
	 * buffer holds one message at the address it sends (the rest is its cycle buffer) */
	ep->remote.len = 2 * remote_len;
	ep->remote.vaddr -= remote_len;
	if ((rc = ursa_perf_ep_connect(ep, path)) != 0)
		return rc;
	/* the keys again once connected, then the barrier after RTR */
	if ((rc = pt_keys(ep, fd, client, false, PT_STEP_NS, pump, arg)) != 0)
		return rc;
	return pt_keys(ep, fd, client, false, PT_STEP_NS, pump, arg);
}

static uint64_t be_double(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof(u));
	return rte_cpu_to_be_64(u);
}

static double from_be_double(uint64_t u)
{
	double d;

	u = rte_be_to_cpu_64(u);
	memcpy(&d, &u, sizeof(d));
	return d;
}

int ursa_perf_pt_barrier(struct ursa_perf_ep *ep, int fd, bool client, uint64_t timeout_ns,
			 ursa_perf_pump_t pump, void *arg)
{
	return pt_keys(ep, fd, client, false, timeout_ns, pump, arg);
}

int ursa_perf_pt_close(struct ursa_perf_ep *ep, int fd, bool client, ursa_perf_pump_t pump,
		       void *arg)
{
	int rc = pt_keys(ep, fd, client, false, PT_STEP_NS, pump, arg);

	return rc ? rc : ursa_perf_oob_write(fd, "done", sizeof("done"));
}

int ursa_perf_pt_end(struct ursa_perf_ep *ep, int fd, bool client,
		     const struct ursa_perf_pt_report *mine, struct ursa_perf_pt_report *theirs,
		     ursa_perf_pump_t pump, void *arg)
{
	uint64_t out[5] = {rte_cpu_to_be_64(mine->size), rte_cpu_to_be_64(mine->iters),
			   be_double(mine->bw_peak), be_double(mine->bw_avg),
			   be_double(mine->msg_rate)},
		 in[5];
	int rc;

	/* the server waits here while the client runs */
	if ((rc = pt_keys(ep, fd, client, false, client ? PT_STEP_NS : PT_RUN_NS, pump, arg)) != 0)
		return rc;
	for (int i = 0; i < 5; i++)
		if ((rc = pt_xchg(ep, fd, client, &out[i], &in[i], 8, PT_STEP_NS, pump, arg)) != 0)
			return rc;
	if (theirs != NULL)
		*theirs = (struct ursa_perf_pt_report){
			.size = rte_be_to_cpu_64(in[0]),
			.iters = rte_be_to_cpu_64(in[1]),
			.bw_peak = from_be_double(in[2]),
			.bw_avg = from_be_double(in[3]),
			.msg_rate = from_be_double(in[4]),
		};
	return ursa_perf_pt_close(ep, fd, client, pump, arg);
}
