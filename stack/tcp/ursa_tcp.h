/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * tcp: the public API of ursa's TCP (RFC 9293), socket-shaped and event-driven.
 *
 * A protocol control block (PCB) is what a socket is to the kernel: create one for a tenant
 * (optionally bound to one interface) and an address family, then bind/listen/accept or
 * connect, send/recv bytes through its buffers, shutdown/close/abort. Nothing blocks: calls
 * return -EAGAIN when they would, and a readiness callback registered per PCB says when to
 * retry (URSA_TCP_EV_*). Callbacks run from the lcore's receive and timer processing at points
 * where every API call (including close and abort of that same PCB) is allowed.
 *
 * Ownership: a PCB returned by ursa_tcp_create() or ursa_tcp_accept() belongs to the caller
 * until ursa_tcp_close() or ursa_tcp_abort(); after either call the handle must not be used
 * again (the stack finishes the close — FIN exchange, TIME_WAIT — on its own and frees the PCB
 * itself). A connection that fails (RST, timeout) is never freed under the caller: it moves to
 * CLOSED, reports URSA_TCP_EV_ERROR with ursa_tcp_error(), and waits for close().
 *
 * A child PCB reports nothing before it is accepted (the listener gets URSA_TCP_EV_ACCEPT);
 * after ursa_tcp_accept() check ursa_tcp_readable() for data that arrived meanwhile.
 *
 * Behaviour worth knowing: RTO initial 1 s, minimum 200 ms (Linux; RFC 6298 says 1 s),
 * maximum 120 s; delayed ACK 40 ms or every second full segment; Nagle unless NODELAY;
 * SYN cookies when a SYN queue is full (the connection then has no wscale/TS/SACK or hooked
 * options);
 * a segment without timestamps on a timestamp connection is accepted (as Linux does).
 * Loss recovery with SACK: RFC 6675 plus limited transmit (RFC 3042), lost retransmissions
 * found again without an RTO, the scoreboard kept across an RTO, D-SACK sent and used to
 * undo a spurious recovery (RFC 2883, 3708) with a DupThresh that adapts to reordering, and
 * a probe timeout of 2 SRTT + 2 ms (as Linux) before the RTO (RFC 8985 §7).
 *
 * Everything runs on one lcore (struct ursa_lcore); nothing is locked.
 */
#ifndef URSA_TCP_H
#define URSA_TCP_H

#include <sys/types.h>

#include "ursa_ip.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ursa_tcp_pcb; /* opaque */

/** RFC 9293 §3.3.2 connection states. */
enum ursa_tcp_state {
	URSA_TCP_CLOSED,
	URSA_TCP_LISTEN,
	URSA_TCP_SYN_SENT,
	URSA_TCP_SYN_RCVD,
	URSA_TCP_ESTABLISHED,
	URSA_TCP_FIN_WAIT_1,
	URSA_TCP_FIN_WAIT_2,
	URSA_TCP_CLOSE_WAIT,
	URSA_TCP_CLOSING,
	URSA_TCP_LAST_ACK,
	URSA_TCP_TIME_WAIT,
	URSA_TCP_STATE_MAX,
};

/** "ESTABLISHED", ... */
const char *ursa_tcp_state_name(enum ursa_tcp_state s);

/* ---------------------------------------------------------------------------------------- */
/* Readiness events                                                                           */

#define URSA_TCP_EV_READABLE  0x01 /**< bytes to recv, or the peer's FIN (recv returns 0) */
#define URSA_TCP_EV_WRITABLE  0x02 /**< send buffer has room again */
#define URSA_TCP_EV_CONNECTED 0x04 /**< active open reached ESTABLISHED */
#define URSA_TCP_EV_ACCEPT    0x08 /**< listener: an established child waits in accept() */
#define URSA_TCP_EV_ERROR     0x10 /**< reset/timeout/refused: see ursa_tcp_error() */
#define URSA_TCP_EV_CLOSED    0x20 /**< both directions are finished (or the PCB failed) */

/** Readiness callback: events is a mask of URSA_TCP_EV_*. May call any API function on any
 *  PCB, including close/abort of pcb itself (pcb must not be used after that). */
typedef void (*ursa_tcp_event_cb_t)(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb,
				    unsigned events, void *arg);

/* ---------------------------------------------------------------------------------------- */
/* Per-lcore configuration                                                                    */

struct ursa_tcp_conf {
	uint32_t msl_ms;	/**< maximum segment lifetime; TIME_WAIT = 2 MSL (60 000) */
	uint32_t rto_init_ms;	/**< initial RTO (1000, RFC 6298 §2.1) */
	uint32_t rto_min_ms;	/**< lower bound of the RTO (200, as Linux; RFC 6298 says 1000) */
	uint32_t rto_max_ms;	/**< upper bound of the backed-off RTO (120 000) */
	uint32_t delack_ms;	/**< delayed-ACK timeout (40) */
	uint8_t syn_retries;	/**< SYN retransmissions before ETIMEDOUT (6) */
	uint8_t synack_retries; /**< SYN-ACK retransmissions before the child is dropped (5) */
	uint8_t retries2;	/**< data retransmissions before ETIMEDOUT (15) */
	uint8_t orphan_retries; /**< retries for a closed-by-user PCB (8) */
	uint32_t fin_wait2_ms;	/**< FIN_WAIT_2 of a closed-by-user PCB times out (60 000) */
	uint32_t sndbuf;	/**< default send buffer bytes (256 KiB) */
	uint32_t rcvbuf;	/**< default receive buffer bytes (256 KiB) */
	uint32_t syn_queue_max; /**< per-listener cap on half-open children (256) */
	uint32_t keep_idle_s;	/**< keepalive defaults (7200 / 75 / 9) */
	uint32_t keep_intvl_s;
	uint32_t keep_cnt;
	uint16_t port_lo, port_hi; /**< ephemeral range (32768..60999) */
	/** RFC 5961 §7 challenge ACKs: at most one per connection per invalid_ratelimit_ms
	 *  (500, Linux's tcp_invalid_ratelimit; 0 = no per-connection limit), and per lcore
	 *  a budget per second drawn at random from [limit/2, limit*3/2) (limit 1000), so an
	 *  off-path host cannot use the shared count to probe other connections
	 *  (CVE-2016-5696). */
	uint32_t invalid_ratelimit_ms;
	uint32_t challenge_ack_limit;
	char cc[16]; /**< default congestion control ("cubic") */
	/** Answer SYNs with SYN cookies when a listener's SYN queue is full (true). A cookie
	 *  keeps only the MSS (one of 8 values): no window scaling, timestamps, SACK or
	 *  peer's hooked options for such connections (their seen() is not called). */
	bool syn_cookies;
};

/** Fill conf with the defaults above. */
void ursa_tcp_conf_default(struct ursa_tcp_conf *conf);
/** Replace the lcore's configuration (new connections use it). -EINVAL on nonsense values
 *  (zero MSL, rto_min > rto_max, empty port range, unknown cc). */
int ursa_tcp_set_conf(struct ursa_lcore *lc, const struct ursa_tcp_conf *conf);
const struct ursa_tcp_conf *ursa_tcp_get_conf(const struct ursa_lcore *lc);

/** Bring the TCP layer up: context, connection table, counters (block "tcp"), IP protocol
 *  handler for IPPROTO_TCP, the built-in congestion controls. Requires ursa_ip_init(). */
int ursa_tcp_init(struct ursa_lcore *lc);

/* ---------------------------------------------------------------------------------------- */
/* Sockets                                                                                    */

/** A fresh PCB in CLOSED. iface >= 0 binds it to that interface (its segments leave and are
 *  only accepted there), -1 = any interface of the tenant. family: AF_INET or AF_INET6. */
int ursa_tcp_create(struct ursa_lcore *lc, uint32_t tenant, int32_t iface, uint8_t family,
		    struct ursa_tcp_pcb **out);
/** Register the readiness callback (NULL to remove). Children returned by accept() start
 *  with the listener's callback and arg. */
void ursa_tcp_set_callback(struct ursa_tcp_pcb *pcb, ursa_tcp_event_cb_t cb, void *arg);
void *ursa_tcp_get_arg(const struct ursa_tcp_pcb *pcb);
/** addr NULL (or family 0) = any local address; port 0 = an ephemeral port.
 *  -EADDRINUSE, -EADDRNOTAVAIL (not an address of the tenant/interface), -EINVAL (already
 *  bound or not CLOSED), -EAFNOSUPPORT (family mismatch). */
int ursa_tcp_bind(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct ursa_ipaddr *addr,
		  uint16_t port);
/** Enter LISTEN (binds an ephemeral port first if unbound). backlog caps the established
 *  children waiting in accept() (>= 1). */
int ursa_tcp_listen(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, int backlog);
/** Start an active open; returns 0 (SYN sent, URSA_TCP_EV_CONNECTED or _ERROR follows),
 *  -EHOSTUNREACH, -EADDRNOTAVAIL (no ephemeral port), -EISCONN, -EALREADY, -EINVAL. */
int ursa_tcp_connect(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const struct ursa_ipaddr *dst,
		     uint16_t port);
/** Pop one established child; -EAGAIN when none, -EINVAL when not listening. */
int ursa_tcp_accept(struct ursa_lcore *lc, struct ursa_tcp_pcb *listener,
		    struct ursa_tcp_pcb **out);

/** send flag: more data follows at once; hold a partial segment (like MSG_MORE). */
#define URSA_TCP_SEND_MORE 0x1
/** Copy up to len bytes into the send buffer. Returns bytes accepted (> 0), -EAGAIN when the
 *  buffer is full, -ENOTCONN before the connection is synchronised, -EPIPE after shutdown
 *  (SHUT_WR) or close by the peer's RST (then ursa_tcp_error() tells why). */
ssize_t ursa_tcp_send(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const void *buf, size_t len,
		      unsigned flags);
/** recv flag: copy without consuming. */
#define URSA_TCP_RECV_PEEK 0x1
/** Copy out up to len in-order bytes. Returns bytes (> 0), 0 at EOF (peer's FIN consumed),
 *  -EAGAIN when nothing yet, -ENOTCONN before synchronisation, or the pending error. */
ssize_t ursa_tcp_recv(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, void *buf, size_t len,
		      unsigned flags);
/** Bytes ready to recv / room in the send buffer. */
size_t ursa_tcp_readable(const struct ursa_tcp_pcb *pcb);
size_t ursa_tcp_writable(const struct ursa_tcp_pcb *pcb);
/** how: SHUT_WR (send FIN after the queued data), SHUT_RD (discard further input), SHUT_RDWR.*/
int ursa_tcp_shutdown(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, int how);
/** Graceful close: FIN after the queued data (RST if unread data is pending, RFC 2525 §2.17,
 *  or when LINGER 0 is set). The handle is released: do not use pcb afterwards. */
int ursa_tcp_close(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/** Send RST (when synchronised) and free at once. The handle is released. */
void ursa_tcp_abort(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);
/** Reset a connection from outside its owner (an operator's abort): a RST to the peer when
 *  synchronised, then CLOSED with error -ECONNRESET. The owner is told (URSA_TCP_EV_ERROR |
 *  URSA_TCP_EV_CLOSED) and still closes its handle; a PCB nobody holds (closed by its owner,
 *  or a child not yet accepted) is freed. Listeners and closed PCBs are left alone. */
void ursa_tcp_reset(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb);

/** The connection's error (negative errno: -ECONNRESET, -ECONNREFUSED, -ETIMEDOUT, -EPIPE),
 *  or 0. Reading does not clear it. */
int ursa_tcp_error(const struct ursa_tcp_pcb *pcb);
enum ursa_tcp_state ursa_tcp_get_state(const struct ursa_tcp_pcb *pcb);
/** Local / remote address and port (host order); -ENOTCONN when not set yet. */
int ursa_tcp_local(const struct ursa_tcp_pcb *pcb, struct ursa_ipaddr *addr, uint16_t *port);
int ursa_tcp_peer(const struct ursa_tcp_pcb *pcb, struct ursa_ipaddr *addr, uint16_t *port);
/** Interface index the connection runs on (-1 while unknown). */
int32_t ursa_tcp_iface(const struct ursa_tcp_pcb *pcb);
uint32_t ursa_tcp_tenant(const struct ursa_tcp_pcb *pcb);

/* ---------------------------------------------------------------------------------------- */
/* Options                                                                                    */

enum ursa_tcp_opt {
	URSA_TCP_OPT_NODELAY,	 /**< 0/1: disable Nagle */
	URSA_TCP_OPT_SNDBUF,	 /**< bytes; before connect/listen (children inherit) */
	URSA_TCP_OPT_RCVBUF,	 /**< bytes; before connect/listen (sets the window scale) */
	URSA_TCP_OPT_KEEPALIVE,	 /**< 0/1 */
	URSA_TCP_OPT_KEEPIDLE,	 /**< seconds */
	URSA_TCP_OPT_KEEPINTVL,	 /**< seconds */
	URSA_TCP_OPT_KEEPCNT,	 /**< probes */
	URSA_TCP_OPT_LINGER0,	 /**< 0/1: close() aborts with RST (SO_LINGER with l_linger 0) */
	URSA_TCP_OPT_MAXSEG,	 /**< cap on the MSS we announce and use (88..65495) */
	URSA_TCP_OPT_QUICKACK,	 /**< 0/1: ACK every segment at once (no delayed ACK) */
	URSA_TCP_OPT_TIMESTAMPS, /**< 0/1: offer RFC 7323 timestamps (1) */
	URSA_TCP_OPT_SACK,	 /**< 0/1: offer SACK-permitted (1) */
	URSA_TCP_OPT_WSCALE,	 /**< 0/1: offer window scaling (1) */
	URSA_TCP_OPT_MAX,
};

/** -EINVAL for a bad value, -EISCONN when the option can no longer change. */
int ursa_tcp_setopt(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, enum ursa_tcp_opt opt,
		    int64_t val);
int ursa_tcp_getopt(const struct ursa_tcp_pcb *pcb, enum ursa_tcp_opt opt, int64_t *val);
/** Choose the congestion control by name ("cubic", "newreno"); -ENOENT when unknown. */
int ursa_tcp_set_cc(struct ursa_lcore *lc, struct ursa_tcp_pcb *pcb, const char *name);

/* ---------------------------------------------------------------------------------------- */
/* Option hook: an upper layer's TCP option on SYN and SYN-ACK                                */

#define URSA_TCP_OPT_HOOK_MAX 4

/** An option an upper layer owns. TCP parses and frames it, and keeps one opaque 32-bit slot
 *  per connection for it (zero on a new connection; a listener's children start with the
 *  listener's value; a SYN-ACK sent as a SYN cookie is built with zero, and the connection a
 *  cookie makes starts with the listener's value and never sees the peer's SYN options). */
struct ursa_tcp_opt_hook {
	const char *name;
	uint8_t kind;	  /**< not one TCP handles itself (0..5, 8) */
	uint8_t exid_len; /**< kinds 253/254: 2 or 4, the RFC 6994 ExID; other kinds: 0 */
	uint32_t exid;	  /**< the ExID (host order; the low 16 bits when exid_len is 2) */
	uint8_t data_min, data_max; /**< bytes after kind, length and ExID that are accepted */
	/** Write the whole option (kind, length, ExID, data) for our SYN (synack false) or
	 *  SYN-ACK into p, at most room bytes; return its length, or 0 to send nothing. TCP
	 *  adds the NOPs that align it. */
	unsigned (*write)(struct ursa_lcore *lc, void *arg, struct ursa_tcp_pcb *pcb, bool synack,
			  uint8_t *p, unsigned room);
	/** The option was on the peer's SYN (synack false, pcb is the new child) or SYN-ACK:
	 *  data and len are the bytes after the ExID (length checked against data_min/max). */
	void (*seen)(struct ursa_lcore *lc, void *arg, struct ursa_tcp_pcb *pcb, bool synack,
		     const uint8_t *data, unsigned len);
	void *arg;
};

/** Register an option on this lcore. Returns its slot index (>= 0), -EEXIST when the kind
 *  (with that ExID) is registered already, -EINVAL for a kind TCP owns or a bad ExID or
 *  length range, -ENOSPC when URSA_TCP_OPT_HOOK_MAX are registered. Unknown ExIDs and
 *  unregistered kinds stay ignored. */
int ursa_tcp_opt_register(struct ursa_lcore *lc, const struct ursa_tcp_opt_hook *hook);
/** The connection's slot of option slot (0 for a slot not registered). */
uint32_t ursa_tcp_opt_get(const struct ursa_tcp_pcb *pcb, unsigned slot);
/** Set it; -EINVAL for a slot out of range. */
int ursa_tcp_opt_set(struct ursa_tcp_pcb *pcb, unsigned slot, uint32_t val);

/** A snapshot of the connection's variables (like Linux's struct tcp_info). */
struct ursa_tcp_info {
	enum ursa_tcp_state state;
	uint32_t snd_una, snd_nxt, snd_max, snd_wnd; /**< snd_wnd in bytes, scaled */
	uint32_t rcv_nxt, rcv_wnd;
	uint32_t snd_mss, rcv_mss;
	uint8_t snd_wscale, rcv_wscale; /**< 0xff = window scaling not in use */
	bool ts_ok, sack_ok, in_recovery;
	uint32_t cwnd, ssthresh; /**< bytes */
	uint32_t srtt_us, rttvar_us, rto_us;
	uint32_t backoff; /**< current RTO back-off shift */
	uint32_t dupacks;
	uint64_t retransmits;	   /**< segments retransmitted over the lifetime */
	uint64_t timeouts;	   /**< RTO expiries */
	uint64_t fast_retransmits; /**< recovery episodes entered */
	uint64_t segs_in, segs_out;
	uint64_t bytes_acked, bytes_received;
	uint32_t unacked; /**< snd_max - snd_una */
	uint32_t sndbuf_used, rcvbuf_used, ooo_bytes;
	char cc[16];
};
int ursa_tcp_get_info(const struct ursa_tcp_pcb *pcb, struct ursa_tcp_info *info);

/** Called for each PCB of an lcore (ursa_tcp_walk); it must not close, abort or change any. */
typedef void (*ursa_tcp_walk_t)(const struct ursa_tcp_pcb *pcb, void *arg);
/** Visit the lcore's listeners, then its connections (those in the connection table: SYN
 *  received and after). For listings (ursactl); a visit may not change the table. */
void ursa_tcp_walk(struct ursa_lcore *lc, ursa_tcp_walk_t fn, void *arg);

/* ---------------------------------------------------------------------------------------- */
/* Congestion control modules                                                                 */

/** The state a congestion control algorithm owns: the window it sets and private storage. */
struct ursa_tcp_cc {
	uint32_t cwnd;	   /**< bytes */
	uint32_t ssthresh; /**< bytes */
	uint32_t smss;	   /**< sender MSS, bytes */
	union {
		uint64_t u64[16];
		double d[16];
	} priv;
};

/** Per-ACK facts handed to the algorithm. */
struct ursa_tcp_cc_ack {
	uint32_t acked;	 /**< bytes newly acknowledged by this ACK */
	uint32_t flight; /**< bytes in flight before this ACK */
	uint64_t now_ns;
	uint32_t srtt_us; /**< 0 while unknown */
	uint32_t min_rtt_us;
};

/** A congestion control algorithm (RFC 5681 roles). Every hook is required. The transport
 *  does recovery itself (RFC 6675 / RFC 6582); the algorithm only decides window sizes. */
struct ursa_tcp_cc_ops {
	const char *name;
	/** New connection (or after a restart): set cwnd (initial window) and ssthresh. */
	void (*init)(struct ursa_tcp_cc *cc, uint64_t now_ns);
	/** New data acknowledged outside loss recovery, or in the slow start of the recovery
	 *  that follows an RTO: grow cwnd. */
	void (*ack)(struct ursa_tcp_cc *cc, const struct ursa_tcp_cc_ack *a);
	/** Loss detected by duplicate ACKs/SACK (entering fast recovery): set ssthresh and cwnd
	 *  (the transport may temporarily inflate cwnd during NewReno recovery). */
	void (*loss)(struct ursa_tcp_cc *cc, uint32_t flight, uint64_t now_ns);
	/** Recovery ended by a full ACK: the transport sets cwnd to ssthresh after this hook.
	 *  When D-SACKs show a recovery was spurious, the transport restores the cwnd and
	 *  ssthresh it had before loss() without calling the algorithm. */
	void (*recovery_end)(struct ursa_tcp_cc *cc, uint64_t now_ns);
	/** Retransmission timeout: set ssthresh; the transport sets cwnd to one segment after. */
	void (*rto)(struct ursa_tcp_cc *cc, uint32_t flight, uint64_t now_ns);
};

#define URSA_TCP_CC_MAX 8
/** Make an algorithm available by name on this lcore (-EEXIST, -ENOSPC, -EINVAL). */
int ursa_tcp_cc_register(struct ursa_lcore *lc, const struct ursa_tcp_cc_ops *ops);
const struct ursa_tcp_cc_ops *ursa_tcp_cc_find(const struct ursa_lcore *lc, const char *name);
/** The built-in algorithms (also usable alone in tests). */
extern const struct ursa_tcp_cc_ops ursa_tcp_cc_newreno;
extern const struct ursa_tcp_cc_ops ursa_tcp_cc_cubic;

/* ---------------------------------------------------------------------------------------- */
/* Fuzzing                                                                                    */

/** Feed one TCP segment to TCP input as if it arrived on interface 0. The first input byte
 *  selects the family (even = IPv4 from 192.0.2.2, odd = IPv6 from 2001:db8::2) and is
 *  skipped; the rest starts at the TCP header and goes to the first address of that family on
 *  interface 0. The checksum is not verified (so the fuzzer reaches the state machine).
 *  Requires ursa_tcp_init() and such an address; returns 0, or -EINVAL when unusable. */
int ursa_tcp_fuzz_input(struct ursa_lcore *lc, const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* URSA_TCP_H */
