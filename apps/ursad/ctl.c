/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket (protocol and effect classes: ctl.h). The listening socket and every
 * client are wait sources of the main lcore, so requests run on its thread between polls;
 * a poll hook answers deferred requests once the stack has applied them and ends captures.
 * A client gets at most CTL_MAX_CLIENTS peers beside it, lines of at most CTL_LINE_MAX bytes,
 * and is dropped when it does not read its answers (an answer that does not fit the socket
 * buffer): every refusal and drop is counted in the "ctl" block.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl.h"

#define CTL_SNDBUF (1u << 20)

#define CTL_COUNTERS(X)                                                                            \
	X(accepted)                                                                                \
	X(requests)                                                                                \
	X(read)                                                                                    \
	X(write)                                                                                   \
	X(destructive)                                                                             \
	X(failed)                                                                                  \
	X(refused_not_root)                                                                        \
	X(refused_locked)                                                                          \
	X(drop_unknown_command)                                                                    \
	X(drop_line_too_long)                                                                      \
	X(drop_too_many_clients)                                                                   \
	X(drop_slow_reader)                                                                        \
	X(drop_bad_fd)

#define CTL_C_ENUM(n) CTL_C_##n,
enum ctl_counter { CTL_COUNTERS(CTL_C_ENUM) CTL_C_MAX };
static const char *const ctl_counter_names[] = {CTL_COUNTERS(URSA_COUNTER_NAME)};

const char *const ctl_class_names[CTL_CLASS_MAX] = {"read", "write", "destructive"};

struct ursad_ctl {
	struct ursad_ctl_env env;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int lfd;
	struct ctl_client clients[CTL_MAX_CLIENTS];
	uint64_t c[CTL_C_MAX];
	struct ctl_capture *retired; /* ended captures (ctl_capture.c) */
};

struct ctl_capture **ctl_retired(struct ursad_ctl *ctl)
{
	return &ctl->retired;
}

const struct ursad_ctl_env *ctl_env(const struct ursad_ctl *ctl)
{
	return &ctl->env;
}

uint16_t ctl_nb_shards(const struct ursad_ctl *ctl)
{
	return ctl->env.st ? ursa_stack_nb_shards(ctl->env.st) : 1;
}

struct ursa_lcore *ctl_shard(const struct ursad_ctl *ctl, uint16_t i)
{
	return ctl->env.st ? ursa_stack_shard(ctl->env.st, i) : (i == 0 ? ctl->env.lc : NULL);
}

int ctl_err(struct ctl_req *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void on_client(struct ursa_lcore *lc, int fd, uint32_t events, void *arg);

static void client_close(struct ursad_ctl *ctl, struct ctl_client *cl)
{
	if (cl->fd < 0)
		return;
	ctl_capture_abort(cl);
	ursa_lcore_del_wait_fd(ctl->env.lc, cl->fd);
	close(cl->fd);
	if (cl->passed_fd >= 0)
		close(cl->passed_fd);
	/* A deferred change still lands on the shards; only its answer has nobody to go to. */
	*cl = (struct ctl_client){.fd = -1, .passed_fd = -1, .ctl = ctl};
}

/* JSON string body: quotes, backslashes and control characters escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Send one whole answer line, or drop a client that lets its socket buffer fill. */
static void send_line(struct ursad_ctl *ctl, struct ctl_client *cl, const char *buf, size_t len)
{
	ssize_t n = send(cl->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n != (ssize_t)len) {
		ctl->c[CTL_C_drop_slow_reader] += n >= 0 || errno == EAGAIN;
		client_close(ctl, cl);
	}
}

static void answer(struct ursad_ctl *ctl, struct ctl_client *cl, const struct ctl_cmd *cmd, int rc,
		   const char *err, const char *data, size_t dlen)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		client_close(ctl, cl);
		return;
	}
	if (rc == 0) {
		fprintf(f,
			"{\"ok\": true, \"class\": \"%s\", \"data\": ", ctl_class_names[cmd->cls]);
		if (dlen)
			fwrite(data, 1, dlen, f);
		else
			fputs("null", f);
	} else {
		fprintf(f, "{\"ok\": false, \"errno\": %d, \"error\": ", -rc);
		json_str(f, err && *err ? err : strerror(-rc));
	}
	fputs("}\n", f);
	ctl->c[CTL_C_failed] += rc != 0;
	if (fclose(f) == 0)
		send_line(ctl, cl, buf, len);
	else
		client_close(ctl, cl);
	free(buf);
}

void ctl_finish(struct ursad_ctl *ctl, struct ctl_client *cl, int rc, const char *data)
{
	if (rc == 0 && cl->need_found && cl->found == 0)
		rc = -ENOENT;
	cl->pending = false;
	cl->ticket = 0;
	cl->need_found = false;
	if (data == NULL)
		data = "{\"applied\": true}";
	answer(ctl, cl, cl->cmd, rc, rc ? strerror(-rc) : NULL, data, strlen(data));
	if (cl->fd >= 0 && ursa_lcore_add_wait_fd(ctl->env.lc, cl->fd, on_client, cl) != 0)
		client_close(ctl, cl);
}

static const struct ctl_cmd *find_cmd(const char *name)
{
	for (unsigned i = 0; i < ctl_nb_cmds; i++)
		if (strcmp(ctl_cmds[i].name, name) == 0)
			return &ctl_cmds[i];
	return NULL;
}

/* The effect class against the peer and the lock. */
static int admit(struct ursad_ctl *ctl, const struct ctl_client *cl, const struct ctl_cmd *cmd,
		 struct ctl_req *r)
{
	if (cmd->cls != CTL_READ && cl->uid != 0) {
		ctl->c[CTL_C_refused_not_root]++;
		snprintf(r->err, sizeof(r->err), "%s is a %s command: only root may run it",
			 cmd->name, ctl_class_names[cmd->cls]);
		return -EPERM;
	}
	if (cmd->cls == CTL_DESTRUCTIVE && !ctl->env.conf->ctl_unlock_destructive) {
		ctl->c[CTL_C_refused_locked]++;
		snprintf(r->err, sizeof(r->err),
			 "%s is destructive: refused unless ursad runs with "
			 "--ctl-unlock-destructive",
			 cmd->name);
		return -EACCES;
	}
	return 0;
}

static void log_request(const struct ctl_client *cl, const struct ctl_req *r, int rc)
{
	fprintf(stderr, "ursad: ctl: pid %ld uid %lu:", (long)cl->pid, (unsigned long)cl->uid);
	for (int i = 0; i < r->argc; i++)
		fprintf(stderr, " %s", r->argv[i]);
	fprintf(stderr, ": %s\n", rc == CTL_DEFER ? "posted" : rc ? strerror(-rc) : "done");
}

static void run_line(struct ursad_ctl *ctl, struct ctl_client *cl, char *line)
{
	struct ctl_req r = {.ctl = ctl, .cl = cl};
	const struct ctl_cmd *cmd;
	char *save = NULL, *data = NULL;
	size_t dlen = 0;
	int rc;

	for (char *w = strtok_r(line, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save))
		if (r.argc < CTL_MAX_ARGS)
			r.argv[r.argc++] = w;
	if (r.argc == 0)
		return;
	ctl->c[CTL_C_requests]++;
	cmd = find_cmd(r.argv[0]);
	if (cmd == NULL) {
		static const struct ctl_cmd unknown = {.name = "?", .cls = CTL_READ};

		ctl->c[CTL_C_drop_unknown_command]++;
		snprintf(r.err, sizeof(r.err), "unknown command '%.64s' (try help)", r.argv[0]);
		answer(ctl, cl, &unknown, -EINVAL, r.err, NULL, 0);
		return;
	}
	if ((rc = admit(ctl, cl, cmd, &r)) == 0) {
		ctl->c[CTL_C_read + cmd->cls]++;
		r.out = open_memstream(&data, &dlen);
		if (r.out == NULL)
			rc = -ENOMEM;
		cl->cmd = cmd;
		if (rc == 0)
			rc = cmd->fn(&r);
		if (r.out && fclose(r.out) != 0 && rc == 0)
			rc = -ENOMEM;
	}
	if (cmd->cls != CTL_READ)
		log_request(cl, &r, rc);
	/* A deferred request holds the client's next lines back: its socket leaves the wait
	 * sources (it would stay readable and wake every nap) until the answer is sent. */
	if (rc == CTL_DEFER)
		ursa_lcore_del_wait_fd(ctl->env.lc, cl->fd);
	else
		cl->need_found = false;
	if (rc != CTL_DEFER)
		answer(ctl, cl, cmd, rc, r.err, data, rc == 0 ? dlen : 0);
	free(data);
}

/* Take a passed fd from the ancillary data (one at most; others are closed). */
static void take_fds(struct ursad_ctl *ctl, struct ctl_client *cl, struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		int fds[4];
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (size_t i = 0; i < n; i++) {
			if (i == 0 && cl->passed_fd < 0) {
				cl->passed_fd = fds[i];
				continue;
			}
			ctl->c[CTL_C_drop_bad_fd]++;
			close(fds[i]);
		}
	}
}

/* Run the complete lines received, one at a time: a deferred one holds the rest back. */
static void drain_lines(struct ursad_ctl *ctl, struct ctl_client *cl)
{
	char *nl;

	while (!cl->pending && cl->fd >= 0 && (nl = memchr(cl->in, '\n', cl->nin)) != NULL) {
		size_t used = (size_t)(nl - cl->in) + 1;

		*nl = '\0';
		run_line(ctl, cl, cl->in);
		if (cl->fd < 0)
			return;
		memmove(cl->in, cl->in + used, cl->nin - used);
		cl->nin -= used;
	}
	if (cl->fd >= 0 && cl->nin == sizeof(cl->in)) {
		ctl->c[CTL_C_drop_line_too_long]++;
		client_close(ctl, cl);
	}
}

static void on_client(struct ursa_lcore *lc, int fd, uint32_t events, void *arg)
{
	struct ctl_client *cl = arg;
	struct ursad_ctl *ctl = cl->ctl;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} cbuf;
	struct iovec iov = {cl->in + cl->nin, sizeof(cl->in) - cl->nin};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cbuf.buf,
			    .msg_controllen = sizeof(cbuf.buf)};
	ssize_t n;

	(void)lc;
	(void)events;
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		take_fds(ctl, cl, &mh);
	if (n <= 0) {
		client_close(ctl, cl);
		return;
	}
	cl->nin += (size_t)n;
	drain_lines(ctl, cl);
}

static void on_listen(struct ursa_lcore *lc, int fd, uint32_t events, void *arg)
{
	struct ursad_ctl *ctl = arg;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_client *cl = NULL;
	int cfd, sndbuf = CTL_SNDBUF;

	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS && cl == NULL; i++)
		if (ctl->clients[i].fd < 0)
			cl = &ctl->clients[i];
	if (cl == NULL || getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    ursa_lcore_add_wait_fd(lc, cfd, on_client, cl) != 0) {
		ctl->c[CTL_C_drop_too_many_clients]++;
		close(cfd);
		return;
	}
	setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	ctl->c[CTL_C_accepted]++;
	cl->fd = cfd;
	cl->pid = cred.pid;
	cl->uid = cred.uid;
}

/* Poll hook: answer deferred requests the shards have applied, end finished captures. */
static unsigned ctl_poll(struct ursa_lcore *lc, void *arg)
{
	struct ursad_ctl *ctl = arg;
	unsigned work = 0;

	(void)lc;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++) {
		struct ctl_client *cl = &ctl->clients[i];

		if (cl->fd < 0 || !cl->pending)
			continue;
		if (cl->capture) {
			ctl_capture_check(ctl, cl);
		} else if (ctl->env.st && ursa_stack_applied(ctl->env.st, cl->ticket)) {
			ctl_finish(ctl, cl, ursa_stack_result(ctl->env.st, cl->ticket), NULL);
			work++;
		}
		if (cl->fd >= 0 && !cl->pending)
			drain_lines(ctl, cl);
	}
	return work;
}

/* A socket file left by an ursad that is gone is removed; a live one is left alone. */
static int bind_path(int fd, const struct sockaddr_un *sa)
{
	int probe;

	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	if (errno != EADDRINUSE)
		return -errno;
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	if (connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ||
	    errno != ECONNREFUSED) {
		close(probe);
		return -EADDRINUSE;
	}
	close(probe);
	if (unlink(sa->sun_path) != 0 || bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0)
		return -errno;
	return 0;
}

/* Listen on path (its directory made when missing), readable and writable by everyone:
 * anyone may read; what more a peer may do is decided per command from its credentials. */
static int ctl_listen(struct ursad_ctl *ctl, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return -errno;
	}
	ctl->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->lfd < 0)
		return -errno;
	if ((rc = bind_path(ctl->lfd, &sa)) != 0)
		return rc;
	strcpy(ctl->path, path);
	if (chmod(path, 0666) != 0 || listen(ctl->lfd, CTL_MAX_CLIENTS) != 0)
		return -errno;
	return 0;
}

int ursad_ctl_create(const struct ursad_ctl_env *env, const char *path, struct ursad_ctl **out)
{
	struct ursad_ctl *ctl = calloc(1, sizeof(*ctl));
	int rc;

	if (ctl == NULL)
		return -ENOMEM;
	ctl->env = *env;
	ctl->lfd = -1;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		ctl->clients[i] = (struct ctl_client){.fd = -1, .passed_fd = -1, .ctl = ctl};
	if ((rc = ctl_listen(ctl, path)) != 0 ||
	    (rc = ursa_stats_register(env->lc, "ctl", ctl_counter_names, ctl->c, CTL_C_MAX)) != 0 ||
	    (rc = ursa_lcore_add_poll_hook(env->lc, ctl_poll, ctl)) != 0 ||
	    (rc = ursa_lcore_add_wait_fd(env->lc, ctl->lfd, on_listen, ctl)) != 0) {
		ursad_ctl_destroy(ctl);
		return rc;
	}
	*out = ctl;
	return 0;
}

/* Close every client and the socket (the lcore's poll hook stays: call before the lcore is
 * destroyed and after it last polls). */
void ursad_ctl_destroy(struct ursad_ctl *ctl)
{
	if (ctl == NULL)
		return;
	for (unsigned i = 0; i < CTL_MAX_CLIENTS; i++)
		client_close(ctl, &ctl->clients[i]);
	if (ctl->lfd >= 0) {
		ursa_lcore_del_wait_fd(ctl->env.lc, ctl->lfd);
		close(ctl->lfd);
	}
	if (ctl->path[0])
		unlink(ctl->path);
	ctl_capture_free_retired(ctl->retired);
	free(ctl);
}
