/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NewReno congestion control (RFC 5681 window rules; the recovery of RFC 6582 is in the
 * transport): slow start by at most one SMSS per ACK, congestion avoidance by appropriate
 * byte counting (one SMSS per cwnd of bytes acknowledged, RFC 3465 §2.1), halving on loss.
 */
#include "tcp_priv.h"

enum { NR_ACC }; /* priv.u64[]: bytes acknowledged during congestion avoidance */

static void nr_init(struct ursa_tcp_cc *cc, uint64_t now_ns)
{
	(void)now_ns;
	cc->cwnd = tcp_cc_initial_window(cc->smss);
	cc->ssthresh = UINT32_MAX / 2;
	cc->priv.u64[NR_ACC] = 0;
}

static void nr_ack(struct ursa_tcp_cc *cc, const struct ursa_tcp_cc_ack *a)
{
	if (cc->cwnd < cc->ssthresh) {
		/* RFC 5681 eq. (2) */
		cc->cwnd += a->acked < cc->smss ? a->acked : cc->smss;
		return;
	}
	cc->priv.u64[NR_ACC] += a->acked;
	if (cc->priv.u64[NR_ACC] >= cc->cwnd) {
		cc->priv.u64[NR_ACC] -= cc->cwnd;
		cc->cwnd += cc->smss;
	}
}

static uint32_t half_flight(const struct ursa_tcp_cc *cc, uint32_t flight)
{
	/* RFC 5681 eq. (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
	uint32_t h = flight / 2;

	return h > 2 * cc->smss ? h : 2 * cc->smss;
}

static void nr_loss(struct ursa_tcp_cc *cc, uint32_t flight, uint64_t now_ns)
{
	(void)now_ns;
	cc->ssthresh = half_flight(cc, flight);
	cc->cwnd = cc->ssthresh;
	cc->priv.u64[NR_ACC] = 0;
}

static void nr_recovery_end(struct ursa_tcp_cc *cc, uint64_t now_ns)
{
	(void)cc;
	(void)now_ns;
}

static void nr_rto(struct ursa_tcp_cc *cc, uint32_t flight, uint64_t now_ns)
{
	(void)now_ns;
	cc->ssthresh = half_flight(cc, flight);
	cc->priv.u64[NR_ACC] = 0;
}

const struct ursa_tcp_cc_ops ursa_tcp_cc_newreno = {
	.name = "newreno",
	.init = nr_init,
	.ack = nr_ack,
	.loss = nr_loss,
	.recovery_end = nr_recovery_end,
	.rto = nr_rto,
};
