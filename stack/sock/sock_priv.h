/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sock internals: the handle table and the transport-neutral connection object.
 *
 * sock.c owns handles, addresses and the option dispatch; a transport (sock_tcp.c today,
 * SMC later) fills struct sock_ops. Each socket carries its ops pointer, so an SMC socket that
 * falls back to TCP only swaps ops and conn. Never included from another folder.
 */
#ifndef URSA_SOCK_PRIV_H
#define URSA_SOCK_PRIV_H

#include "ursa_smc.h"
#include "ursa_sock.h"
#include "ursa_tcp.h"

struct ursa_sock;
struct sock_smc_child;

/* Socket options kept by sock itself, applied to the transport when it exists. */
enum sock_opt {
	SOCK_OPT_NODELAY,
	SOCK_OPT_SNDBUF,
	SOCK_OPT_RCVBUF,
	SOCK_OPT_KEEPALIVE,
	SOCK_OPT_KEEPIDLE,
	SOCK_OPT_KEEPINTVL,
	SOCK_OPT_KEEPCNT,
	SOCK_OPT_LINGER0,
	SOCK_OPT_MAXSEG,
	SOCK_OPT_QUICKACK,
	SOCK_OPT_SMC,
	SOCK_OPT_TIMESTAMPS,
	SOCK_OPT_SACK,
	SOCK_OPT_WSCALE,
	SOCK_OPT_MAX,
};

/* What a transport provides. Every hook is required; sock checks handles and states it
 * owns (bound, listening, shut) before calling. */
struct sock_ops {
	const char *name;
	/* Create the connection object of s (family, tenant, iface from s). */
	int (*open)(struct ursa_lcore *lc, struct ursa_sock *s);
	int (*bind)(struct ursa_lcore *lc, struct ursa_sock *s, const struct ursa_ipaddr *a,
		    uint16_t port);
	int (*listen)(struct ursa_lcore *lc, struct ursa_sock *s, int backlog);
	/* Fill child (a fresh slot) with the next established connection, or -EAGAIN. */
	int (*accept)(struct ursa_lcore *lc, struct ursa_sock *s, struct ursa_sock *child);
	int (*connect)(struct ursa_lcore *lc, struct ursa_sock *s, const struct ursa_ipaddr *a,
		       uint16_t port);
	ssize_t (*send)(struct ursa_lcore *lc, struct ursa_sock *s, const void *buf, size_t len);
	ssize_t (*recv)(struct ursa_lcore *lc, struct ursa_sock *s, void *buf, size_t len,
			bool peek);
	int (*shutdown)(struct ursa_lcore *lc, struct ursa_sock *s, int how);
	/* Release the connection (graceful or, with LINGER0, abortive); conn is gone after. */
	int (*close)(struct ursa_lcore *lc, struct ursa_sock *s);
	/* Current readiness, URSA_POLL* bits. */
	short (*poll)(struct ursa_lcore *lc, struct ursa_sock *s);
	int (*setopt)(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t v);
	int (*getopt)(struct ursa_lcore *lc, struct ursa_sock *s, enum sock_opt o, int64_t *v);
	/* The transport's error (negative errno) or 0; it stays until the connection goes. */
	int (*error)(struct ursa_sock *s);
	int (*local)(struct ursa_sock *s, struct ursa_ipaddr *a, uint16_t *port);
	int (*peer)(struct ursa_sock *s, struct ursa_ipaddr *a, uint16_t *port);
	/* True once the transport has left its initial state (options that must be set early
	 * are refused after this). */
	bool (*started)(struct ursa_sock *s);
};

/* Linux-visible state of the socket on top of the transport's (SS_* of struct socket). */
enum sock_state {
	SOCK_FREE,
	SOCK_UNCONNECTED,
	SOCK_CONNECTING,
	SOCK_CONNECTED,
	SOCK_LISTENING,
};

struct ursa_sock {
	enum sock_state state;
	uint8_t family;
	int proto;
	uint32_t tenant;
	int32_t iface;
	bool bound;
	bool shut_rd, shut_wr;
	bool accept_ready; /* the transport said a child waits */
	int err_seen;	   /* the transport error already reported (SO_ERROR clears) */
	uint32_t opt_set;  /* bit per sock_opt given by the user */
	int64_t opt[SOCK_OPT_MAX];
	int64_t linger_s;
	/* SOL_SMC options, kept for the SMC transport (opaque here). */
	unsigned nsmcopt;
	struct {
		int name;
		int64_t val;
	} smcopt[8];
	const struct sock_ops *ops;
	void *conn; /* the transport's object (struct ursa_tcp_pcb *) */
	/* IPPROTO_SMC (sock_smc.c): the handshake / SMC connection, why it fell back, and a
	 * listener's children in their handshake */
	struct ursa_smc_conn *smc;
	uint32_t smc_fallback, smc_peer_diag;
	struct sock_smc_child *smc_children;
	unsigned smc_nb_children;
};

struct ursa_sock_ctx {
	unsigned nb_open;
	int next_hint;
	struct ursa_sock s[URSA_SOCK_MAX];
};

/* sock_tcp.c */
extern const struct sock_ops sock_tcp_ops;
/* Take over s->conn's TCP events (after an SMC socket fell back to TCP). */
void sock_tcp_adopt(struct ursa_sock *s);

/* sock_smc.c */
extern const struct sock_ops sock_smc_ops;

#endif /* URSA_SOCK_PRIV_H */
