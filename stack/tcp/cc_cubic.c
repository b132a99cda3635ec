/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUBIC congestion control (RFC 9438): after a congestion event the window follows
 * W_cubic(t) = C (t - K)^3 + W_max (§4.2, C = 0.4, K = cbrt((W_max - cwnd_epoch) / C)),
 * is multiplied by beta = 0.7 on loss (§4.6), uses fast convergence (§4.7), and never grows
 * slower than the Reno-friendly estimate W_est (§4.3, alpha = 3 (1 - beta) / (1 + beta) until
 * W_est reaches W_max, then 1). Windows are computed in segments as doubles.
 */
#include <math.h>

#include "tcp_priv.h"

/* priv.d[] slots */
enum { CU_WMAX, CU_K, CU_WEST, CU_CWND_EPOCH, CU_ACC, CU_T_EPOCH };
/* priv.u64[] slots (disjoint from the doubles) */
enum { CU_EPOCH_VALID = 8 };

double tcp_cubic_w(double t_s, double k_s, double w_max)
{
	double d = t_s - k_s;

	return TCP_CUBIC_C * d * d * d + w_max;
}

double tcp_cubic_k(double w_max, double cwnd_epoch)
{
	return w_max > cwnd_epoch ? cbrt((w_max - cwnd_epoch) / TCP_CUBIC_C) : 0.0;
}

static void cu_init(struct ursa_tcp_cc *cc, uint64_t now_ns)
{
	(void)now_ns;
	cc->cwnd = tcp_cc_initial_window(cc->smss);
	cc->ssthresh = UINT32_MAX / 2;
	cc->priv.d[CU_WMAX] = 0;
	cc->priv.d[CU_ACC] = 0;
	cc->priv.u64[CU_EPOCH_VALID] = 0;
}

static void cu_ack(struct ursa_tcp_cc *cc, const struct ursa_tcp_cc_ack *a)
{
	double *d = cc->priv.d;
	double smss = cc->smss, cwnd, t, rtt, target, w_cubic, alpha, inc;

	if (cc->cwnd < cc->ssthresh) { /* slow start (§4.10) */
		cc->cwnd += a->acked < cc->smss ? a->acked : cc->smss;
		return;
	}
	cwnd = cc->cwnd / smss;
	if (!cc->priv.u64[CU_EPOCH_VALID]) {
		/* §4.2: a new congestion-avoidance epoch starts with this ACK. */
		cc->priv.u64[CU_EPOCH_VALID] = 1;
		d[CU_T_EPOCH] = (double)a->now_ns / 1e9;
		d[CU_CWND_EPOCH] = cwnd;
		if (d[CU_WMAX] < cwnd)
			d[CU_WMAX] = cwnd;
		d[CU_K] = tcp_cubic_k(d[CU_WMAX], cwnd);
		d[CU_WEST] = cwnd;
	}
	t = (double)a->now_ns / 1e9 - d[CU_T_EPOCH];
	rtt = a->srtt_us ? a->srtt_us / 1e6 : 0.1;
	/* §4.3 Reno-friendly estimate. */
	alpha = d[CU_WEST] >= d[CU_WMAX] ? 1.0
					 : 3.0 * (1.0 - TCP_CUBIC_BETA) / (1.0 + TCP_CUBIC_BETA);
	d[CU_WEST] += alpha * ((double)a->acked / smss) / cwnd;
	w_cubic = tcp_cubic_w(t, d[CU_K], d[CU_WMAX]);
	if (w_cubic < d[CU_WEST]) {
		/* Reno-friendly region: follow W_est. */
		target = d[CU_WEST];
		inc = target > cwnd ? target - cwnd : 0;
	} else {
		/* §4.4/4.5: target = W_cubic(t + RTT), clamped to [cwnd, 1.5 cwnd]. */
		target = tcp_cubic_w(t + rtt, d[CU_K], d[CU_WMAX]);
		if (target < cwnd)
			target = cwnd;
		if (target > 1.5 * cwnd)
			target = 1.5 * cwnd;
		inc = (target - cwnd) / cwnd * ((double)a->acked / smss);
	}
	d[CU_ACC] += inc * smss;
	if (d[CU_ACC] >= 1.0) {
		double whole = floor(d[CU_ACC]);

		cc->cwnd += (uint32_t)whole;
		d[CU_ACC] -= whole;
	}
}

static void cu_event(struct ursa_tcp_cc *cc)
{
	double *d = cc->priv.d;
	double cwnd = cc->cwnd / (double)cc->smss;
	double ss = cwnd * TCP_CUBIC_BETA;

	/* §4.7 fast convergence */
	if (cwnd < d[CU_WMAX])
		d[CU_WMAX] = cwnd * (1.0 + TCP_CUBIC_BETA) / 2.0;
	else
		d[CU_WMAX] = cwnd;
	if (ss < 2.0)
		ss = 2.0;
	cc->ssthresh = (uint32_t)(ss * cc->smss);
	cc->priv.u64[CU_EPOCH_VALID] = 0;
	d[CU_ACC] = 0;
}

static void cu_loss(struct ursa_tcp_cc *cc, uint32_t flight, uint64_t now_ns)
{
	(void)flight;
	(void)now_ns;
	cu_event(cc);
	cc->cwnd = cc->ssthresh; /* §4.6 */
}

static void cu_recovery_end(struct ursa_tcp_cc *cc, uint64_t now_ns)
{
	(void)cc;
	(void)now_ns;
}

static void cu_rto(struct ursa_tcp_cc *cc, uint32_t flight, uint64_t now_ns)
{
	(void)flight;
	(void)now_ns;
	cu_event(cc); /* §4.8: the transport then sets cwnd to one segment */
}

const struct ursa_tcp_cc_ops ursa_tcp_cc_cubic = {
	.name = "cubic",
	.init = cu_init,
	.ack = cu_ack,
	.loss = cu_loss,
	.recovery_end = cu_recovery_end,
	.rto = cu_rto,
};
