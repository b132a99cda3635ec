/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals of ursad's app channel, shared by chan.c (commands and rings) and chan_attach.c
 * (the Unix socket, attach, memory, detach).
 */
#ifndef URSAD_CHAN_PRIV_H
#define URSAD_CHAN_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "chan.h"
#include "ursa_app_abi.h"

#define CHAN_MAX_APPS	64u
#define CHAN_SLOTS	URSA_APP_NB_SLOTS
#define CHAN_RING	URSA_APP_RING_SIZE
#define CHAN_CMD_BUDGET 64u /* commands taken from one application per round */
#define CHAN_ACCEPT_Q	8u  /* connections a listener takes ahead of accept() */

/* Counters of block "chan". apps, socks and mem_bytes are gauges: they return to their
 * baseline when applications detach, however they leave. */
#define CHAN_COUNTERS(X)                                                                           \
	X(apps)                                                                                    \
	X(socks)                                                                                   \
	X(mem_bytes)                                                                               \
	X(attach)                                                                                  \
	X(detach)                                                                                  \
	X(detach_hangup)                                                                           \
	X(detach_bad_cursor)                                                                       \
	X(detach_protocol)                                                                         \
	X(refuse_version)                                                                          \
	X(refuse_unsealed)                                                                         \
	X(refuse_bad_mem)                                                                          \
	X(refuse_full)                                                                             \
	X(refuse_nomem)                                                                            \
	X(cmd)                                                                                     \
	X(cmd_bad)                                                                                 \
	X(cmd_stall_evt_full)                                                                      \
	X(sock_abort)                                                                              \
	X(tx_bytes)                                                                                \
	X(rx_bytes)                                                                                \
	X(bell)                                                                                    \
	X(notify)

#define CHAN_C_ENUM(n) CHAN_C_##n,
enum chan_counter { CHAN_COUNTERS(CHAN_C_ENUM) CHAN_C_MAX };

/* ursad's side of one socket slot: its own copies of the cursors it produces. */
struct chan_sock {
	int h; /* ursa socket handle; -1: the slot is free */
	uint32_t state;
	uint32_t flags;
	uint32_t rx_prod, tx_cons;
	bool closing;		/* CLOSE came: drain the transmit ring, then close */
	bool shut_wr;		/* SHUT_WR came: drain the transmit ring, then shut down */
	unsigned nacq;		/* listener: connections taken, not yet accepted */
	int acq[CHAN_ACCEPT_Q]; /* their handles, oldest first */
};

struct chan_app {
	int fd;	    /* the application's SEQPACKET connection */
	int bell;   /* eventfd: the application wakes ursad */
	int notify; /* eventfd: ursad wakes the application */
	pid_t pid;
	bool attached;
	uint8_t *mem;
	size_t size;
	struct ursa_app_shm *shm;
	struct ursa_app_cmd *cmd;
	struct ursa_app_evt *evt;
	struct ursa_app_slot *slot;
	uint32_t cmd_cons, evt_prod; /* own copies */
	uint32_t seen;		     /* sum of the application's cursors at the last round */
	bool wake;		     /* something changed for it this round */
	struct chan_sock s[CHAN_SLOTS];
};

struct ursad_chan {
	struct ursa_lcore *lc;
	int lsock; /* the listening Unix socket */
	int ep;	   /* epoll over lsock, the applications' sockets and bells */
	char path[108];
	struct chan_app *apps[CHAN_MAX_APPS];
	uint64_t c[CHAN_C_MAX];
};

/* chan_attach.c */
void chan_detach(struct ursad_chan *ch, unsigned idx, enum chan_counter why);
void chan_on_fd(struct ursa_lcore *lc, int fd, uint32_t events, void *arg);

/* chan.c */
/* Abort every connection of the application (RST), free its slots. */
void chan_abort_socks(struct ursad_chan *ch, struct chan_app *a);

#endif /* URSAD_CHAN_PRIV_H */
