/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad's app channel (chan.c, chan_attach.c): applications in other processes attach over a
 * Unix socket (--app-socket) and use the stack's sockets through shared-memory rings (the
 * ABI is apps/app/ursa_app_abi.h). It runs on ursad's lone lcore, between its waits.
 */
#ifndef URSAD_CHAN_H
#define URSAD_CHAN_H

#include <stdbool.h>

struct ursa_lcore;
struct ursad_chan;

/* Listen on the Unix socket path (an old socket file there is replaced), register the
 * channel's epoll fd as a wait source of lc and the counter block "chan". 0 or -errno. */
int ursad_chan_open(struct ursa_lcore *lc, const char *path, struct ursad_chan **out);
/* One round over every attached application: commands, then each socket's rings. Returns
 * true when it did work (call again without napping); false after it armed every
 * application's bell, so that an application that produces something wakes ursad. */
bool ursad_chan_poll(struct ursad_chan *ch);
/* Detach every application (aborting its connections), remove the socket file, free. */
void ursad_chan_close(struct ursad_chan *ch);

#endif /* URSAD_CHAN_H */
