/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What ursa-tcp's two source files share: the seeded stream and the "load" subcommand.
 */
#ifndef TCPAPPS_H
#define TCPAPPS_H

#include <stddef.h>
#include <stdint.h>

/* Bytes [off, off + len) of the seeded stream (ursa_tcp.c). */
void tcpapps_stream_fill(uint64_t seed, uint64_t off, uint8_t *p, size_t len);

/* ursa-tcp load ...: many connections of request/response over N shards or N kernel threads
 * (load.c); argv[0] is "load". Returns the exit status. */
int tcpapps_load_main(int argc, char **argv);

#endif
