/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad's control channel (ctl.c): a Unix stream socket that ursactl talks to, one of the main
 * lcore's wait sources, so an idle ursad with clients attached still naps.
 *
 * Protocol (docs/ctl.md): the client sends one request per line, words separated by blanks
 * ("route-add tenant=0,dst=10.9.0.0/24,via=10.0.0.1"); ursad answers each with one line of
 * JSON: {"ok": true, "class": "read", "data": ...} or {"ok": false, "errno": 13,
 * "error": "..."}. A request may carry one fd (SCM_RIGHTS): capture writes to it.
 *
 * Every command declares its effect class (enum ctl_class). Write and destructive commands
 * need a root peer (SO_PEERCRED at accept); destructive ones are refused unless ursad runs
 * with --ctl-unlock-destructive; both are logged with the peer's pid and uid. Changes reach
 * every shard through the stack's command rings (ursa_stack.h); the answer to such a request
 * waits until every shard has applied it.
 */
#ifndef URSAD_CTL_H
#define URSAD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "ursad.h"

#define URSAD_CTL_DEFAULT_SOCKET "/run/ursa/ursad.sock"
#define CTL_MAX_CLIENTS		 8
#define CTL_LINE_MAX		 1024
#define CTL_MAX_ARGS		 8
#define CTL_ERR_LEN		 192
/* A handler's answer comes later (ctl_finish), once every shard has applied the change. */
#define CTL_DEFER 1

enum ctl_class {
	CTL_READ,	 /* always allowed */
	CTL_WRITE,	 /* a root peer */
	CTL_DESTRUCTIVE, /* a root peer, and ursad started with --ctl-unlock-destructive */
	CTL_CLASS_MAX
};

extern const char *const ctl_class_names[CTL_CLASS_MAX];

struct ursad_ctl;
struct ctl_capture;

struct ctl_client {
	struct ursad_ctl *ctl;
	int fd;	       /* -1: a free slot */
	int passed_fd; /* the fd the last request carried, or -1 */
	pid_t pid;
	uid_t uid;
	size_t nin;
	char in[CTL_LINE_MAX];
	/* a deferred answer */
	bool pending;
	const struct ctl_cmd *cmd;
	uint64_t ticket;	     /* the stack's ticket to wait for (0: none) */
	uint32_t found;		     /* shards that found the target (destructive commands) */
	bool need_found;	     /* -ENOENT when no shard found it */
	struct ctl_capture *capture; /* a capture in progress answers when it ends */
};

struct ctl_req {
	struct ursad_ctl *ctl;
	struct ctl_client *cl;
	int argc;
	char *argv[CTL_MAX_ARGS];
	FILE *out; /* the answer's "data" value, as JSON */
	char err[CTL_ERR_LEN];
};

struct ctl_cmd {
	const char *name;
	enum ctl_class cls;
	const char *args; /* usage, for help */
	const char *help;
	int (*fn)(struct ctl_req *r);
};

/* What the control channel works on: a lone lcore (st NULL) or the shards of st (lc is shard
 * 0, whose thread runs the channel). */
struct ursad_ctl_env {
	struct ursa_lcore *lc;
	struct ursa_stack *st;
	struct ursad_conf *conf;
};

int ursad_ctl_create(const struct ursad_ctl_env *env, const char *path, struct ursad_ctl **out);
void ursad_ctl_destroy(struct ursad_ctl *ctl);

/* ctl.c, for the handlers */
const struct ursad_ctl_env *ctl_env(const struct ursad_ctl *ctl);
uint16_t ctl_nb_shards(const struct ursad_ctl *ctl);
struct ursa_lcore *ctl_shard(const struct ursad_ctl *ctl, uint16_t i);
/* Answer a deferred request now (rc: 0 or -errno; data: the JSON answer, NULL for
 * {"applied": true}). */
void ctl_finish(struct ursad_ctl *ctl, struct ctl_client *cl, int rc, const char *data);
__attribute__((format(printf, 2, 3))) int ctl_err(struct ctl_req *r, const char *fmt, ...);

/* ctl_cmds.c: the command table */
extern const struct ctl_cmd ctl_cmds[];
extern const unsigned ctl_nb_cmds;
/* ctl_cmds.c: run fn on every shard (directly on a lone lcore); CTL_DEFER or 0 or -errno */
int ctl_apply(struct ctl_req *r, int (*fn)(struct ursa_lcore *lc, const void *arg), const void *arg,
	      size_t len);
int ctl_write_ipaddr(FILE *f, const struct ursa_ipaddr *a);

/* ctl_capture.c */
int ctl_capture_start(struct ctl_req *r, uint16_t port, uint64_t count, uint64_t seconds);
/* Poll hook work: end the client's capture when it is done, and answer. */
void ctl_capture_check(struct ursad_ctl *ctl, struct ctl_client *cl);
void ctl_capture_abort(struct ctl_client *cl);
/* The captures that have ended (ctl.c keeps the list, ctl_capture.c frees it). */
struct ctl_capture **ctl_retired(struct ursad_ctl *ctl);
void ctl_capture_free_retired(struct ctl_capture *list);

/* ctl_telemetry.c: /ursa/... commands of rte_telemetry over the shards. */
int ursad_telemetry_register(struct ursa_lcore *lc, struct ursa_stack *st);

#endif /* URSAD_CTL_H */
