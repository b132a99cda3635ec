/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp internals: the PCB, the per-lcore context, counters, and the index of cross-file
 * functions (by file, like a table of contents). Never included from another folder.
 */
#ifndef TCP_PRIV_H
#define TCP_PRIV_H

#include <netinet/in.h>
#include <sys/queue.h>

#include "ursa_tcp.h"
#include "tcp_hdr.h"
#include "tcp_seq.h"

#define TCP_COUNTERS(X)                                                                            \
	X(rx_segs)                                                                                 \
	X(tx_segs)                                                                                 \
	X(tx_data_segs)                                                                            \
	X(retransmits)                                                                             \
	X(fast_retransmits)                                                                        \
	X(timeouts)                                                                                \
	X(persist_probes)                                                                          \
	X(keepalive_probes)                                                                        \
	X(conn_active)                                                                             \
	X(conn_passive)                                                                            \
	X(conn_established)                                                                        \
	X(conn_reset_rx)                                                                           \
	X(rst_tx)                                                                                  \
	X(challenge_acks)                                                                          \
	X(challenge_acks_limited_conn)                                                             \
	X(challenge_acks_limited)                                                                  \
	X(delayed_acks)                                                                            \
	X(ooo_segs)                                                                                \
	X(dup_segs)                                                                                \
	X(paws_rejects)                                                                            \
	X(conn_timeout)                                                                            \
	X(time_wait_expired)                                                                       \
	X(time_wait_reopened)                                                                      \
	X(drop_short)                                                                              \
	X(drop_bad_doff)                                                                           \
	X(drop_bad_cksum)                                                                          \
	X(drop_not_unicast)                                                                        \
	X(drop_bad_port)                                                                           \
	X(drop_no_pcb)                                                                             \
	X(drop_listen_rst)                                                                         \
	X(drop_listen_ack)                                                                         \
	X(drop_listen_noflags)                                                                     \
	X(drop_syn_queue_full)                                                                     \
	X(syn_cookies_sent)                                                                        \
	X(syn_cookies_ok)                                                                          \
	X(drop_bad_cookie)                                                                         \
	X(drop_accept_queue_full)                                                                  \
	X(drop_nomem)                                                                              \
	X(drop_conn_quota)                                                                         \
	X(drop_bad_opt)                                                                            \
	X(drop_paws)                                                                               \
	X(drop_unacceptable)                                                                       \
	X(drop_rst_out_of_window)                                                                  \
	X(drop_syn_in_window)                                                                      \
	X(drop_no_ack)                                                                             \
	X(drop_bad_ack)                                                                            \
	X(drop_ack_too_old)                                                                        \
	X(drop_after_close)                                                                        \
	X(drop_ooo_full)                                                                           \
	X(drop_rcvbuf_full)                                                                        \
	X(drop_syn_sent_bad)                                                                       \
	X(drop_tx_nomem)                                                                           \
	X(drop_tx_route)                                                                           \
	X(rxt_lost)                                                                                \
	X(rto_sack_recoveries)                                                                     \
	X(reorder_seen)                                                                            \
	X(dsack_rx)                                                                                \
	X(dsack_tx)                                                                                \
	X(spurious_undo)                                                                           \
	X(pto_fired)                                                                               \
	X(pto_recoveries)                                                                          \
	X(opt_hook_seen)                                                                           \
	X(opt_hook_bad_len)                                                                        \
	X(opt_hook_sent)                                                                           \
	X(opt_hook_bad_write)                                                                      \
	X(icmp_rx)                                                                                 \
	X(icmp_no_conn)                                                                            \
	X(icmp_bad_seq)                                                                            \
	X(icmp_pmtu_lowered)                                                                       \
	X(icmp_pmtu_clamped)                                                                       \
	X(icmp_pmtu_ignored)                                                                       \
	X(icmp_conn_refused)                                                                       \
	X(icmp_soft)

#define TCP_C_ENUM(n) TCP_C_##n,
enum tcp_counter { TCP_COUNTERS(TCP_C_ENUM) TCP_C_MAX };

#define TCP_INC(lc, name) ((lc)->tcp->c[name]++)

/* A byte ring: len bytes starting at head, capacity size. Out-of-order data is written beyond
 * len (at an offset from head) and becomes part of the ring when the hole is filled. */
struct tcp_ring {
	uint8_t *buf;
	uint32_t size, head, len;
};

/* A set of disjoint, non-adjacent sequence ranges [start, end), sorted, bounded. */
#define TCP_RSET_MAX 32
struct tcp_rset {
	uint32_t n;
	struct tcp_sack_block r[TCP_RSET_MAX];
};

/* A retransmission still outstanding (SACK recovery): the range and snd_max and the time
 * when it left, to tell when data sent after it arrived first (it was lost again). */
#define TCP_RXT_MAX 64
struct tcp_rxt {
	uint32_t start, end, mark;
	uint64_t sent_ns;
};

enum tcp_rtx_mode {
	TCP_RTX_NONE,
	TCP_RTX_RTO,
	TCP_RTX_PERSIST,
	TCP_RTX_PTO, /* probe timeout (RFC 8985 §7), the RTO armed after it */
};

struct ursa_tcp_pcb {
	TAILQ_ENTRY(ursa_tcp_pcb) all_link;	  /* ctx->all */
	TAILQ_ENTRY(ursa_tcp_pcb) q_link;	  /* listener's synq/acceptq, or ctx->listeners */
	struct ursa_tcp_pcb *listener;		  /* a child not yet accepted */
	TAILQ_HEAD(, ursa_tcp_pcb) synq, acceptq; /* listener only */
	uint32_t nsyn, naccept, backlog;
	uint64_t cookie_until_ns; /* listener: cookie ACKs are checked until then */
	struct ursa_lcore *lc;

	enum ursa_tcp_state state;
	uint32_t tenant;
	int32_t bound_iface; /* user's binding, -1 = any */
	int32_t iface;	     /* the interface the connection runs on */
	int32_t quota_iface; /* the interface charged for its table entry, -1 = none */
	uint8_t family;
	struct ursa_ipaddr laddr, faddr; /* laddr family 0 = any */
	uint16_t lport, fport;		 /* host order */
	bool in_table, bound, on_listen_list, in_synq, in_acceptq;

	/* user-visible flags */
	bool released; /* close()/abort() called: the stack owns it */
	bool shut_wr, shut_rd;
	bool nodelay, keepalive, linger0, quickack;
	bool ts_want, sack_want, ws_want;
	uint32_t opt_slot[URSA_TCP_OPT_HOOK_MAX]; /* registered options' state (ursa_tcp_opt_*) */
	/* negotiated */
	bool ts_ok, sack_ok, ws_ok;
	/* output state */
	bool ack_now, fin_sent, rcvd_fin, syn_cookie;
	uint8_t delack_segs; /* full segments received since our last ACK */
	int err;
	int soft_err; /* the last soft ICMP error (negative errno), reported on a timeout */

	/* send sequence space (RFC 9293 §3.3.1) */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2, max_sndwnd;
	uint8_t snd_wscale, rcv_wscale;
	uint16_t snd_mss, rcv_mss, user_mss;
	/* receive sequence space */
	uint32_t irs, rcv_nxt, rcv_adv;
	/* timestamps (RFC 7323) */
	uint32_t ts_recent, last_ack_sent, ts_offset;
	uint64_t ts_recent_ns;

	struct tcp_ring sndq, rcvq;
	uint32_t sndbuf, rcvbuf;
	struct tcp_rset ooo;	    /* received out of order, stored in rcvq beyond len */
	uint32_t ooo_last;	    /* start of the latest out-of-order arrival (RFC 2018 §4) */
	struct tcp_rset scoreboard; /* SACKed ranges above snd_una (RFC 6675) */
	uint32_t high_rxt, high_data;
	struct tcp_rxt rxt[TCP_RXT_MAX]; /* outstanding retransmissions (SACK only) */
	uint32_t nrxt;
	bool rto_lost; /* after an RTO: every unSACKed byte below lost_below is lost */
	uint32_t lost_below;
	uint32_t time_lost_below; /* after a probe timeout: holes below it are lost (by time) */
	uint8_t dupthresh;	  /* RFC 6675 DupThresh, raised when reordering is seen */
	/* undo of a fast recovery all of whose retransmissions the receiver reports as
	 * duplicates (D-SACK, RFC 2883; the response of RFC 3708 §3 / RFC 4015) */
	bool undo_valid;
	uint8_t undo_degree; /* SACKed segments above snd_una when it was declared lost */
	uint32_t undo_cwnd, undo_ssthresh, undo_retrans;
	struct tcp_rset undo_set; /* what the recovery retransmitted */
	/* receiver: a D-SACK block for the next ACK (a duplicate segment arrived) */
	bool dsack_pending;
	struct tcp_sack_block dsack;

	/* RTT (RFC 6298) */
	uint32_t srtt_us, rttvar_us, rto_us, min_rtt_us;
	uint8_t backoff;
	bool rtt_timing;
	uint32_t rtt_seq;
	uint64_t rtt_start_ns;

	/* loss recovery */
	uint32_t dupacks, recover;
	bool in_recovery;
	struct ursa_tcp_cc cc;
	const struct ursa_tcp_cc_ops *cc_ops;

	/* timers */
	struct ursa_timer rtx_timer, delack_timer, keep_timer;
	enum tcp_rtx_mode rtx_mode;
	uint8_t nrexmt; /* consecutive expiries of rtx_timer */
	bool tlp_out;	/* the probe timeout fired; the RTO runs until snd_una moves */
	uint8_t keep_probes;
	uint32_t keep_idle_s, keep_intvl_s, keep_cnt;
	uint64_t last_rx_ns;
	uint64_t chack_last_ns; /* our last challenge ACK (0 = none yet) */

	/* statistics */
	uint64_t st_retransmits, st_timeouts, st_fast_rexmt, st_segs_in, st_segs_out;
	uint64_t st_bytes_acked, st_bytes_received;

	bool force;	 /* persist timer: send into a small window despite SWS avoidance */
	bool more;	 /* last send() had URSA_TCP_SEND_MORE: hold a partial segment */
	bool want_write; /* send() ran out of room: report WRITABLE when space frees */
	ursa_tcp_event_cb_t cb;
	void *cb_arg;
	unsigned events; /* pending, delivered by tcp_notify() */
};

#define TCP_HASH_ENTRIES 16384 /* connections per lcore */

struct ursa_tcp_ctx {
	struct ursa_tcp_conf conf;
	uint64_t c[TCP_C_MAX];
	struct rte_hash *conns;
	TAILQ_HEAD(, ursa_tcp_pcb) all;
	TAILQ_HEAD(, ursa_tcp_pcb) listeners;
	uint64_t secret[2];    /* ISN / port keyed-hash secret (RFC 6528, 6056) */
	uint64_t table_key[2]; /* keys the connection hash: peers cannot aim at one bucket */
	uint32_t eph_next;
	const struct ursa_tcp_cc_ops *cc[URSA_TCP_CC_MAX];
	unsigned ncc;
	uint64_t chack_epoch_ns; /* RFC 5961 §7: the current second of the lcore budget */
	uint32_t chack_count;	 /* challenge ACKs sent in it */
	uint32_t chack_budget;	 /* drawn at random for it */
	bool fuzzing;		 /* ursa_tcp_fuzz_input: skip checksum verification */
	unsigned nhooks;
	struct ursa_tcp_opt_hook hooks[URSA_TCP_OPT_HOOK_MAX];
};

/* Hash key: tenant + addresses + ports (zero padded). */
struct tcp_key {
	uint8_t laddr[16], faddr[16];
	uint16_t lport, fport; /* network order */
	uint32_t tenant;
	uint8_t family;
	uint8_t pad[3];
};

/* tcp_subr.c */
uint64_t tcp_siphash(const uint64_t key[2], const void *data, size_t len);
uint32_t tcp_isn(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb);
/* The 24-bit keyed hash of a SYN cookie (tcp_input.c lays the cookie out). */
uint32_t tcp_syn_cookie_hash(struct ursa_lcore *lc, uint32_t tenant,
			     const struct ursa_ipaddr *laddr, uint16_t lport,
			     const struct ursa_ipaddr *faddr, uint16_t fport, uint32_t irs,
			     uint32_t t, uint32_t idx);
int tcp_pcb_alloc(struct ursa_lcore *lc, uint32_t tenant, int32_t iface, uint8_t family,
		  struct ursa_tcp_pcb **out);
int tcp_pcb_buffers(struct ursa_tcp_pcb *pcb);
void tcp_pcb_free(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
int tcp_table_insert(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_table_remove(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
struct ursa_tcp_pcb *tcp_table_lookup(struct ursa_lcore *lc, uint32_t tenant,
				      const struct ursa_ipaddr *laddr, uint16_t lport,
				      const struct ursa_ipaddr *faddr, uint16_t fport);
struct ursa_tcp_pcb *tcp_listen_lookup(struct ursa_lcore *lc, const struct ursa_iface *ifc,
				       const struct ursa_ipaddr *laddr, uint16_t lport);
int tcp_port_pick(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* The shard that owns an ephemeral port (port % nb_shards), or -1 outside the range. */
int tcp_port_owner(const struct ursa_lcore *lc, uint16_t port);
bool tcp_port_in_use(struct ursa_lcore *lc, const struct ursa_tcp_pcb *self,
		     const struct ursa_ipaddr *addr, uint16_t port);
void tcp_set_state(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, enum ursa_tcp_state s);
/* The connection is over (RST, timeout, or orderly end): leave the table, stop the timers,
 * report err (0 for an orderly end) and free it when nobody holds the handle. */
void tcp_drop(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, int err);
void tcp_notify(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
uint32_t tcp_ts_now(const struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb);
uint16_t tcp_mss_for(struct ursa_lcore *lc, const struct ursa_tcp_pcb *pcb);
void tcp_ring_init(struct tcp_ring *r, uint8_t *buf, uint32_t size);
/* Copy n bytes into the ring at off bytes past head (off + n <= size). */
void tcp_ring_put(struct tcp_ring *r, uint32_t off, const void *src, uint32_t n);
/* Same, from an mbuf chain starting at moff. */
void tcp_ring_put_mbuf(struct tcp_ring *r, uint32_t off, const struct rte_mbuf *m, uint32_t moff,
		       uint32_t n);
void tcp_ring_get(const struct tcp_ring *r, uint32_t off, void *dst, uint32_t n);
void tcp_ring_consume(struct tcp_ring *r, uint32_t n);

/* tcp_opt.c */
/* Parse the options area; returns 0, or -EINVAL when the layout is broken (an option running
 * past the header): the RFCs then say to drop. Bad lengths of known options ignore them. */
int tcp_opt_parse(const uint8_t *p, unsigned len, bool syn, struct tcp_opts *o);
/* Registered options of a SYN (hooks == NULL: none): noted in o->found, the ExID and data
 * length checked; one with a bad length is ignored and counted. */
void tcp_opt_parse_hooks(struct ursa_lcore *lc, const uint8_t *p, unsigned len, struct tcp_opts *o);
/* Hand the registered options found on a SYN or SYN-ACK to their owners. */
void tcp_opt_seen(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct tcp_opts *o,
		  bool synack);
/* Write the options of a segment; returns their length (a multiple of 4, <= 40). */
unsigned tcp_opt_write(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint8_t flags, uint8_t *p);

/* tcp_err.c */
/* Register TCP's ICMP error handler with IP. */
int tcp_err_init(struct ursa_lcore *lc);
/* What a connection that timed out reports: its last soft ICMP error, else -ETIMEDOUT. */
int tcp_timeout_err(const struct ursa_tcp_pcb *pcb);

/* tcp_reass.c */
void tcp_rset_clear(struct tcp_rset *s);
/* Add [start, end); merges with neighbours. -ENOSPC when a new disjoint range would exceed
 * TCP_RSET_MAX (the set is unchanged). */
int tcp_rset_add(struct tcp_rset *s, uint32_t start, uint32_t end);
/* Forget everything below seq. */
void tcp_rset_trim(struct tcp_rset *s, uint32_t seq);
uint32_t tcp_rset_bytes(const struct tcp_rset *s);
/* Store an in-window segment [seq, seq+len) of m (at moff) in the receive ring. Returns the
 * number of bytes by which rcv_nxt advanced (in-order data including reassembled ranges), or
 * -ENOSPC when the out-of-order set is full (segment dropped). */
int tcp_reass(struct ursa_tcp_pcb *pcb, uint32_t seq, const struct rte_mbuf *m, uint32_t moff,
	      uint32_t len);

/* tcp_sack.c */
void tcp_sack_update(struct ursa_tcp_pcb *pcb, const struct tcp_opts *o);
/* The D-SACK block of an ACK (RFC 2883 §4), if its first block is one. */
bool tcp_sack_dsack(const struct ursa_tcp_pcb *pcb, const struct tcp_opts *o,
		    struct tcp_sack_block *out);
/* A D-SACK for data a fast recovery retransmitted: when every retransmission of that
 * recovery came back as a duplicate, the loss was reordering: restore cwnd and ssthresh,
 * leave recovery, and raise DupThresh above the reordering seen. Returns true on undo. */
bool tcp_sack_undo_dsack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb,
			 const struct tcp_sack_block *d);
/* A fast recovery begins: remember what to restore if it proves spurious. */
void tcp_sack_undo_arm(struct ursa_tcp_pcb *pcb);
bool tcp_sack_is_lost(const struct ursa_tcp_pcb *pcb, uint32_t seq);
/* DupThresh in segments: 3 (RFC 6675), or more once reordering was measured. */
#define TCP_DUPTHRESH_MAX 16
unsigned tcp_dupthresh(const struct ursa_tcp_pcb *pcb);
/* Before a cumulative ACK up to ack is applied: a hole it fills that was never retransmitted
 * while SACKed data lay above it was reordering, not loss. DupThresh grows to one more than
 * the SACKed segments above the hole (bounded), so the same reordering no longer starts a
 * recovery (an adaptive DupThresh as RFC 6675 §6 and RFC 4653 allow). Returns the degree seen
 * in segments (0 = none). */
unsigned tcp_sack_reorder_check(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t ack);
uint32_t tcp_sack_pipe(const struct ursa_tcp_pcb *pcb);
/* RFC 6675 §4 NextSeg() for retransmissions: rule 1 (lost_only) finds the first unSACKed
 * hole at or above high_rxt that IsLost(); rule 3 (!lost_only) any such hole below the highest
 * SACKed byte. Rule 2 (new data) is the caller's. */
bool tcp_sack_next_seg(const struct ursa_tcp_pcb *pcb, bool lost_only, uint32_t *seq,
		       uint32_t *len);
bool tcp_sack_is_sacked(const struct ursa_tcp_pcb *pcb, uint32_t seq);
/* Note a retransmission of [seq, seq + len) sent now; false when the table is full. */
bool tcp_sack_rxt_note(struct ursa_tcp_pcb *pcb, uint32_t seq, uint32_t len, uint64_t now_ns);
bool tcp_sack_rxt_full(const struct ursa_tcp_pcb *pcb);
void tcp_sack_rxt_clear(struct ursa_tcp_pcb *pcb);
/* After the scoreboard took an ACK: forget retransmissions that arrived, and declare lost
 * those that data sent after them overtook (by DupThresh segments, or by any SACKed byte once
 * 5/4 of the smoothed RTT passed, as RACK does, RFC 8985 §6.2); returns how many were lost. */
unsigned tcp_sack_rxt_check(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* The probe timeout fired in recovery: no ACK for 2 SRTT, so every retransmission sent 5/4
 * SRTT ago or earlier is lost (RFC 8985 §6.2 with the time alone); returns how many. */
unsigned tcp_sack_rxt_expire(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* SACK blocks to send (receiver side, RFC 2018 §4): the most recent first. */
unsigned tcp_sack_blocks(const struct ursa_tcp_pcb *pcb, struct tcp_sack_block *b, unsigned max);

/* tcp_output.c */
/* Send whatever the windows, Nagle and pending flags allow. */
void tcp_output(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* Send one segment of the connection: seq, flags, len payload bytes from the send ring. */
uint32_t tcp_mss_now(const struct ursa_tcp_pcb *pcb);
int tcp_send_seg(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, uint32_t seq, uint8_t flags,
		 uint32_t len);
/* A loss probe (RFC 8985 §7.3): one new segment if the peer's window allows, else the last
 * data segment again. */
void tcp_send_probe(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* Retransmit the first unacknowledged segment (fast retransmit, NewReno partial ACK). */
void tcp_rexmt_una(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
uint32_t tcp_data_end(const struct ursa_tcp_pcb *pcb);
void tcp_send_ack(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_send_rst(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* RST in reply to a segment that has no connection (RFC 9293 §3.10.7.1). */
void tcp_respond_rst(struct ursa_lcore *lc, const struct ursa_iface *ifc,
		     const struct ursa_ip_info *info, const struct rte_tcp_hdr *th,
		     uint32_t seglen);
uint32_t tcp_rcv_window(const struct ursa_tcp_pcb *pcb);

/* tcp_timer.c */
void tcp_timers_init(struct ursa_tcp_pcb *pcb);
void tcp_timers_stop(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_rtx_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* Would tcp_rtx_arm() arm the probe timeout rather than the RTO now? */
bool tcp_pto_eligible(const struct ursa_tcp_pcb *pcb);
void tcp_rtx_stop(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_persist_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_delack_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_keep_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_timewait_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_finwait2_arm(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/* RFC 6298 §2: fold one RTT sample (microseconds) into srtt/rttvar and recompute rto. */
void tcp_rtt_sample(const struct ursa_tcp_conf *conf, struct ursa_tcp_pcb *pcb, uint32_t rtt_us);
/* The RTO with back-off applied and clamped to rto_max. */
uint32_t tcp_rto_backed_off(const struct ursa_tcp_conf *conf, const struct ursa_tcp_pcb *pcb);

/* tcp_input.c */
/* Fast retransmit and enter loss recovery (RFC 6675 §5 step 4 / RFC 6582 §3.2 step 2). */
void tcp_enter_recovery(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
void tcp_input(struct ursa_lcore *lc, struct ursa_iface *ifc, struct rte_mbuf *m,
	       const struct ursa_ip_info *info);

/* tcp_cc.c */
void tcp_cc_register_builtin(struct ursa_lcore *lc);
void tcp_cc_init(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
uint32_t tcp_cc_initial_window(uint32_t smss);

/* cc_cubic.c (exposed for the unit tests) */
#define TCP_CUBIC_C    0.4
#define TCP_CUBIC_BETA 0.7
double tcp_cubic_w(double t_s, double k_s, double w_max);
double tcp_cubic_k(double w_max, double cwnd_epoch);

#endif /* TCP_PRIV_H */
