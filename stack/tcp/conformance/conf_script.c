/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Script parser of the TCP conformance runner: a packetdrill-shaped subset.
 *
 *   // comment          /+ block comment +/ (with '*')     //! key=value  (runner setting)
 *   +0.1 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
 *   +0   setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0
 *   +0   < S 0:0(0) win 65535 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>
 *   +0   > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK>
 *   +1~+1.2 > S. 0:0(0) ack 1          (a time range)     * > R 1:1(0)   (any time)
 *   +0   read(4, ..., 1000) = -1 EAGAIN (Resource temporarily unavailable)
 *
 * Times are seconds, absolute or relative ('+') to the previous line. Each line becomes one
 * struct conf_event; nothing is executed here.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"

struct named {
	const char *name;
	int64_t v;
};

static const struct named consts[] = {
	{"AF_INET", AF_INET},		{"AF_INET6", AF_INET6},
	{"AF_UNIX", AF_UNIX},		{"SOCK_STREAM", SOCK_STREAM},
	{"SOCK_DGRAM", SOCK_DGRAM},	{"SOCK_NONBLOCK", SOCK_NONBLOCK},
	{"IPPROTO_TCP", IPPROTO_TCP},	{"IPPROTO_UDP", IPPROTO_UDP},
	{"IPPROTO_SMC", 256},		{"SOL_SOCKET", SOL_SOCKET},
	{"SOL_TCP", IPPROTO_TCP},	{"SOL_SMC", 286},
	{"SO_SNDBUF", SO_SNDBUF},	{"SO_RCVBUF", SO_RCVBUF},
	{"SO_KEEPALIVE", SO_KEEPALIVE}, {"SO_LINGER", SO_LINGER},
	{"SO_ERROR", SO_ERROR},		{"SO_REUSEADDR", SO_REUSEADDR},
	{"TCP_NODELAY", TCP_NODELAY},	{"TCP_MAXSEG", TCP_MAXSEG},
	{"TCP_KEEPIDLE", TCP_KEEPIDLE}, {"TCP_KEEPINTVL", TCP_KEEPINTVL},
	{"TCP_KEEPCNT", TCP_KEEPCNT},	{"SHUT_RD", SHUT_RD},
	{"SHUT_WR", SHUT_WR},		{"SHUT_RDWR", SHUT_RDWR},
	{"MSG_PEEK", MSG_PEEK},		{"MSG_NOSIGNAL", MSG_NOSIGNAL},
	{"MSG_DONTWAIT", MSG_DONTWAIT}, {"F_GETFL", F_GETFL},
	{"F_SETFL", F_SETFL},		{"O_RDWR", O_RDWR},
	{"O_NONBLOCK", O_NONBLOCK},	{"POLLIN", POLLIN},
	{"POLLOUT", POLLOUT},		{"POLLERR", POLLERR},
	{"POLLHUP", POLLHUP},		{"POLLRDHUP", POLLRDHUP},
};

static const struct named errnos[] = {
	{"EAGAIN", EAGAIN},
	{"EINPROGRESS", EINPROGRESS},
	{"EALREADY", EALREADY},
	{"EISCONN", EISCONN},
	{"ENOTCONN", ENOTCONN},
	{"ECONNREFUSED", ECONNREFUSED},
	{"ECONNRESET", ECONNRESET},
	{"ECONNABORTED", ECONNABORTED},
	{"ETIMEDOUT", ETIMEDOUT},
	{"EPIPE", EPIPE},
	{"EBADF", EBADF},
	{"EINVAL", EINVAL},
	{"EADDRINUSE", EADDRINUSE},
	{"EADDRNOTAVAIL", EADDRNOTAVAIL},
	{"EOPNOTSUPP", EOPNOTSUPP},
	{"ENOPROTOOPT", ENOPROTOOPT},
	{"EAFNOSUPPORT", EAFNOSUPPORT},
	{"EPROTONOSUPPORT", EPROTONOSUPPORT},
	{"EMFILE", EMFILE},
	{"ENOBUFS", ENOBUFS},
	{"EHOSTUNREACH", EHOSTUNREACH},
	{"ENETUNREACH", ENETUNREACH},
	{"EMSGSIZE", EMSGSIZE},
	{"EDESTADDRREQ", EDESTADDRREQ},
	{"ESOCKTNOSUPPORT", ESOCKTNOSUPPORT},
};

bool conf_const(const char *name, int64_t *v)
{
	for (size_t i = 0; i < sizeof(consts) / sizeof(consts[0]); i++)
		if (strcmp(consts[i].name, name) == 0) {
			*v = consts[i].v;
			return true;
		}
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(errnos[i].name, name) == 0) {
			*v = errnos[i].v;
			return true;
		}
	return false;
}

const char *conf_errno_name(int e)
{
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].v == e)
			return errnos[i].name;
	return "E?";
}

/* ---- a cursor over one line ---- */

struct cur {
	const char *p;
	char *err;
	size_t errlen;
	unsigned line;
	bool failed;
};

static void fail(struct cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct cur *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return;
	c->failed = true;
	n = snprintf(c->err, c->errlen, "line %u: ", c->line);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void skip_ws(struct cur *c)
{
	while (*c->p == ' ' || *c->p == '\t')
		c->p++;
}

static bool eat(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	skip_ws(c);
	if (strncmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool eat_word(struct cur *c, const char *w)
{
	size_t n = strlen(w);

	skip_ws(c);
	if (strncmp(c->p, w, n) != 0 || isalnum((unsigned char)c->p[n]) || c->p[n] == '_')
		return false;
	c->p += n;
	return true;
}

static uint64_t parse_u(struct cur *c, bool allow_any)
{
	char *end;
	unsigned long long v;

	skip_ws(c);
	if (allow_any && *c->p == '*') {
		c->p++;
		return CONF_ANY;
	}
	if (!isdigit((unsigned char)*c->p)) {
		fail(c, "number expected at '%.20s'", c->p);
		return 0;
	}
	errno = 0;
	v = strtoull(c->p, &end, 0);
	if (errno != 0) {
		fail(c, "bad number at '%.20s'", c->p);
		return 0;
	}
	c->p = end;
	return v;
}

/* Seconds as a decimal ("1", "0.040", "1e-3" is not accepted) into ns. */
static int64_t parse_secs(struct cur *c)
{
	int64_t ns = 0, scale = 1000000000;
	bool digits = false;

	while (isdigit((unsigned char)*c->p)) {
		ns = ns * 10 + (*c->p++ - '0');
		digits = true;
	}
	ns *= 1000000000;
	if (*c->p == '.') {
		c->p++;
		while (isdigit((unsigned char)*c->p)) {
			scale /= 10;
			ns += (*c->p++ - '0') * scale;
			digits = true;
		}
	}
	if (!digits)
		fail(c, "time expected at '%.20s'", c->p);
	return ns;
}

/* "+0.1" (relative to base), "0.1" (absolute). */
static int64_t parse_time(struct cur *c, int64_t base)
{
	skip_ws(c);
	if (*c->p == '+') {
		c->p++;
		return base + parse_secs(c);
	}
	return parse_secs(c);
}

/* ---- segments ---- */

static void parse_opts(struct cur *c, struct conf_seg *seg)
{
	skip_ws(c);
	if (eat(c, "...>")) {
		seg->opts_any = true;
		return;
	}
	seg->has_opts = true;
	if (eat(c, ">"))
		return;
	for (;;) {
		struct conf_opt *o;

		if (seg->nopt == sizeof(seg->opt) / sizeof(seg->opt[0])) {
			fail(c, "too many options");
			return;
		}
		o = &seg->opt[seg->nopt++];
		memset(o, 0, sizeof(*o));
		if (eat_word(c, "nop")) {
			o->kind = CONF_OPT_NOP;
		} else if (eat_word(c, "eol")) {
			o->kind = CONF_OPT_EOL;
		} else if (eat_word(c, "mss")) {
			o->kind = CONF_OPT_MSS;
			o->v1 = parse_u(c, true);
		} else if (eat_word(c, "wscale")) {
			o->kind = CONF_OPT_WSCALE;
			o->v1 = parse_u(c, true);
		} else if (eat_word(c, "sackOK")) {
			o->kind = CONF_OPT_SACKOK;
		} else if (eat_word(c, "TS")) {
			o->kind = CONF_OPT_TS;
			if (!eat_word(c, "val"))
				fail(c, "TS needs 'val'");
			o->v1 = parse_u(c, true);
			if (!eat_word(c, "ecr"))
				fail(c, "TS needs 'ecr'");
			o->v2 = parse_u(c, true);
		} else if (eat_word(c, "sack")) {
			o->kind = CONF_OPT_SACK;
			skip_ws(c);
			while (isdigit((unsigned char)*c->p) && o->nsack < CONF_MAX_SACK) {
				o->sack[o->nsack][0] = (uint32_t)parse_u(c, false);
				if (!eat(c, ":"))
					fail(c, "sack block needs a:b");
				o->sack[o->nsack][1] = (uint32_t)parse_u(c, false);
				o->nsack++;
				skip_ws(c);
			}
		} else if (eat_word(c, "smc")) {
			o->kind = CONF_OPT_SMC;
		} else if (eat_word(c, "exp")) {
			/* exp <kind> <hex bytes>: an experimental option with raw data */
			o->kind = CONF_OPT_EXP;
			o->raw_kind = (uint8_t)parse_u(c, false);
			skip_ws(c);
			while (isxdigit((unsigned char)c->p[0]) &&
			       isxdigit((unsigned char)c->p[1]) && o->raw_len < sizeof(o->raw)) {
				char hx[3] = {c->p[0], c->p[1], 0};

				o->raw[o->raw_len++] = (uint8_t)strtoul(hx, NULL, 16);
				c->p += 2;
			}
		} else {
			fail(c, "unknown TCP option at '%.20s'", c->p);
			return;
		}
		if (c->failed)
			return;
		if (eat(c, ","))
			continue;
		if (eat(c, ">"))
			return;
		fail(c, "',' or '>' expected in options at '%.20s'", c->p);
		return;
	}
}

static void parse_seg(struct cur *c, struct conf_seg *seg)
{
	memset(seg, 0, sizeof(*seg));
	seg->win = CONF_ANY;
	skip_ws(c);
	for (; *c->p && *c->p != ' ' && *c->p != '\t'; c->p++) {
		switch (*c->p) {
		case 'S':
			seg->flags |= CONF_F_SYN;
			break;
		case 'F':
			seg->flags |= CONF_F_FIN;
			break;
		case 'R':
			seg->flags |= CONF_F_RST;
			break;
		case 'P':
			seg->flags |= CONF_F_PSH;
			break;
		case '.':
			seg->flags |= CONF_F_ACK;
			break;
		case 'E':
			seg->flags |= CONF_F_ECE;
			break;
		case 'W':
			seg->flags |= CONF_F_CWR;
			break;
		case 'U':
			seg->flags |= CONF_F_URG;
			break;
		default:
			fail(c, "unknown TCP flag '%c'", *c->p);
			return;
		}
	}
	seg->seq = (uint32_t)parse_u(c, false);
	if (!eat(c, ":"))
		fail(c, "seq must be start:end(len)");
	seg->end = (uint32_t)parse_u(c, false);
	if (!eat(c, "("))
		fail(c, "seq must be start:end(len)");
	seg->len = (uint32_t)parse_u(c, false);
	if (!eat(c, ")"))
		fail(c, "seq must be start:end(len)");
	if (!c->failed && seg->end - seg->seq != seg->len)
		fail(c, "%u:%u is not %u bytes", seg->seq, seg->end, seg->len);
	while (!c->failed) {
		skip_ws(c);
		if (*c->p == 0)
			break;
		if (eat_word(c, "ack")) {
			seg->has_ack = true;
			seg->ack = (uint32_t)parse_u(c, false);
		} else if (eat_word(c, "win")) {
			seg->win = parse_u(c, true);
		} else if (eat(c, "<")) {
			parse_opts(c, seg);
		} else {
			fail(c, "unexpected '%.20s' in a segment", c->p);
		}
	}
}

/* "icmp <kind> [mtu N] [seq:end(len)]" after '<' (packetdrill's shape: "icmp unreachable
 * frag_needed mtu 1200 [1:1461(1460)]"; "unreachable" may be left out). */
static void parse_icmp(struct cur *c, struct conf_seg *seg)
{
	static const char *const kinds[] = {
		"frag_needed",	    "packet_too_big",  "port_unreachable", "protocol_unreachable",
		"host_unreachable", "net_unreachable", "time_exceeded"};
	unsigned k;

	memset(seg, 0, sizeof(*seg));
	seg->icmp = true;
	skip_ws(c);
	(void)eat_word(c, "unreachable");
	skip_ws(c);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (eat_word(c, kinds[k]))
			break;
	if (k == sizeof(kinds) / sizeof(kinds[0])) {
		fail(c, "unknown ICMP error '%.20s'", c->p);
		return;
	}
	snprintf(seg->icmp_kind, sizeof(seg->icmp_kind), "%s", kinds[k]);
	skip_ws(c);
	if (eat_word(c, "mtu"))
		seg->icmp_mtu = (uint32_t)parse_u(c, false);
	skip_ws(c);
	if (!eat(c, "["))
		fail(c, "ICMP errors quote a segment: [seq:end(len)]");
	seg->seq = (uint32_t)parse_u(c, false);
	if (!eat(c, ":"))
		fail(c, "seq must be start:end(len)");
	seg->end = (uint32_t)parse_u(c, false);
	if (!eat(c, "("))
		fail(c, "seq must be start:end(len)");
	seg->len = (uint32_t)parse_u(c, false);
	if (!eat(c, ")") || !eat(c, "]"))
		fail(c, "seq must be [start:end(len)]");
	if (!c->failed && seg->end - seg->seq != seg->len)
		fail(c, "%u:%u is not %u bytes", seg->seq, seg->end, seg->len);
}

/* ---- calls ---- */

static void parse_arg(struct cur *c, const char *s, struct conf_arg *a)
{
	char tmp[128];
	char *end;

	memset(a, 0, sizeof(*a));
	while (*s == ' ' || *s == '\t')
		s++;
	snprintf(tmp, sizeof(tmp), "%s", s);
	for (size_t n = strlen(tmp); n > 0 && (tmp[n - 1] == ' ' || tmp[n - 1] == '\t'); n--)
		tmp[n - 1] = 0;
	if (strcmp(tmp, "...") == 0) {
		a->kind = CONF_ARG_ELLIPSIS;
		return;
	}
	if (tmp[0] == '{') {
		/* {l_onoff=1, l_linger=0} */
		char *on = strstr(tmp, "l_onoff="), *lg = strstr(tmp, "l_linger=");

		if (on == NULL || lg == NULL) {
			fail(c, "only {l_onoff=N, l_linger=N} structs are understood: %s", tmp);
			return;
		}
		a->kind = CONF_ARG_LINGER;
		a->onoff = strtoll(on + 8, NULL, 0);
		a->linger = strtoll(lg + 9, NULL, 0);
		return;
	}
	if (tmp[0] == '[') {
		memmove(tmp, tmp + 1, strlen(tmp));
		end = strchr(tmp, ']');
		if (end == NULL) {
			fail(c, "']' missing in %s", s);
			return;
		}
		*end = 0;
	}
	a->kind = CONF_ARG_INT;
	if (tmp[0] == '-' || isdigit((unsigned char)tmp[0])) {
		a->i = strtoll(tmp, &end, 0);
		if (*end != 0)
			fail(c, "bad number '%s'", tmp);
		return;
	}
	/* NAME or NAME|NAME */
	a->i = 0;
	for (char *tok = strtok_r(tmp, "|", &end); tok != NULL; tok = strtok_r(NULL, "|", &end)) {
		int64_t v;

		while (*tok == ' ')
			tok++;
		for (size_t n = strlen(tok); n > 0 && tok[n - 1] == ' '; n--)
			tok[n - 1] = 0;
		if (!conf_const(tok, &v)) {
			a->kind = CONF_ARG_STR;
			snprintf(a->str, sizeof(a->str), "%s", tok);
			return;
		}
		a->i |= v;
	}
}

static void parse_call(struct cur *c, struct conf_call *call)
{
	const char *start;
	char argbuf[512];
	int depth = 0;
	size_t n = 0;

	memset(call, 0, sizeof(*call));
	skip_ws(c);
	start = c->p;
	while (isalnum((unsigned char)*c->p) || *c->p == '_')
		c->p++;
	if (c->p == start || (size_t)(c->p - start) >= sizeof(call->name)) {
		fail(c, "call name expected");
		return;
	}
	memcpy(call->name, start, (size_t)(c->p - start));
	if (!eat(c, "(")) {
		fail(c, "'(' expected after %s", call->name);
		return;
	}
	/* split the arguments at top-level commas */
	for (;; c->p++) {
		char ch = *c->p;

		if (ch == 0) {
			fail(c, "')' missing");
			return;
		}
		if ((ch == ',' || ch == ')') && depth == 0) {
			argbuf[n] = 0;
			if (n > 0 || ch == ',') {
				if (call->nargs == CONF_MAX_ARGS) {
					fail(c, "too many arguments");
					return;
				}
				parse_arg(c, argbuf, &call->args[call->nargs++]);
			}
			n = 0;
			if (ch == ')') {
				c->p++;
				break;
			}
			continue;
		}
		if (ch == '{' || ch == '[' || ch == '(')
			depth++;
		if (ch == '}' || ch == ']' || ch == ')')
			depth--;
		if (n + 1 < sizeof(argbuf))
			argbuf[n++] = ch;
	}
	if (!eat(c, "=")) {
		fail(c, "'= result' expected after the call");
		return;
	}
	skip_ws(c);
	if (eat(c, "...")) {
		call->ret_any = true;
		return;
	}
	{
		char *end;

		call->ret = strtoll(c->p, &end, 0);
		if (end == c->p) {
			/* a constant expression: POLLIN|POLLOUT */
			char expr[64];
			struct conf_arg a;
			size_t k = 0;

			while ((isalnum((unsigned char)*c->p) || *c->p == '_' || *c->p == '|') &&
			       k + 1 < sizeof(expr))
				expr[k++] = *c->p++;
			expr[k] = 0;
			parse_arg(c, expr, &a);
			if (k == 0 || a.kind != CONF_ARG_INT) {
				fail(c, "result expected at '%.20s'", c->p);
				return;
			}
			call->ret = a.i;
			return;
		}
		c->p = end;
	}
	if (call->ret == -1) {
		char name[32];
		size_t k = 0;
		int64_t v;

		skip_ws(c);
		while ((isalnum((unsigned char)*c->p) || *c->p == '_') && k + 1 < sizeof(name))
			name[k++] = *c->p++;
		name[k] = 0;
		if (k == 0 || !conf_const(name, &v)) {
			fail(c, "errno name expected after -1, got '%s'", name);
			return;
		}
		call->err = (int)v;
	}
	/* anything after it is a comment, e.g. "(Resource temporarily unavailable)" */
}

/* ---- lines ---- */

static void parse_setting(struct cur *c, struct conf_script *s, const char *kv, bool header,
			  struct conf_event *ev)
{
	char key[32];
	const char *eq = strchr(kv, '=');
	size_t kl;
	int64_t v;

	while (*kv == ' ')
		kv++;
	if (eq == NULL || (kl = (size_t)(eq - kv)) >= sizeof(key)) {
		fail(c, "//! key=value expected");
		return;
	}
	memcpy(key, kv, kl);
	key[kl] = 0;
	if (strcmp(key, "family") == 0) {
		if (!header)
			fail(c, "family can only be set in the header");
		else if (strncmp(eq + 1, "ipv6", 4) == 0)
			s->ipv6 = true;
		else if (strncmp(eq + 1, "ipv4", 4) == 0)
			s->ipv6 = false;
		else
			fail(c, "family=ipv4|ipv6");
		return;
	}
	v = strtoll(eq + 1, NULL, 0);
	if (strcmp(key, "tolerance_usecs") == 0 && header) {
		s->tolerance_ns = v * 1000;
	} else if (strcmp(key, "mtu") == 0 && header) {
		s->mtu = (uint16_t)v;
	} else if (strcmp(key, "challenge_ack_limit") == 0 && header) {
		if (v < 0 || v > UINT32_MAX)
			fail(c, "challenge_ack_limit=0..4294967295");
		s->challenge_ack_limit = v;
	} else if (strcmp(key, "remote_port") == 0 || strcmp(key, "local_port") == 0) {
		if (header && key[0] == 'r') {
			s->remote_port = (uint16_t)v;
		} else {
			ev->kind = CONF_EV_SET;
			snprintf(ev->key, sizeof(ev->key), "%s", key);
			ev->val = v;
		}
	} else {
		fail(c, "unknown setting '%s'%s", key, header ? "" : " (or only in the header)");
	}
}

int conf_script_load(const char *path, struct conf_script *s, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;
	int64_t last_t = 0;
	bool in_block = false;
	struct cur c = {.err = err, .errlen = errlen};

	memset(s, 0, sizeof(*s));
	s->path = path;
	s->tolerance_ns = 4000000; /* packetdrill's default: 4 ms */
	s->remote_port = 40000;
	s->mtu = 1500;
	s->challenge_ack_limit = -1;
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f) != NULL && !c.failed) {
		char *p = line, *cm;
		struct conf_event *ev;

		lineno++;
		c.line = lineno;
		line[strcspn(line, "\r\n")] = 0;
		if (in_block) {
			cm = strstr(p, "*/");
			if (cm == NULL)
				continue;
			in_block = false;
			p = cm + 2;
		}
		if ((cm = strstr(p, "/*")) != NULL) {
			char *e = strstr(cm + 2, "*/");

			if (e == NULL) {
				in_block = true;
				*cm = 0;
			} else {
				memset(cm, ' ', (size_t)(e + 2 - cm));
			}
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "//!", 3) == 0) {
			if (s->nev == CONF_MAX_EVENTS) {
				fail(&c, "too many events");
				break;
			}
			ev = &s->ev[s->nev];
			memset(ev, 0, sizeof(*ev));
			ev->kind = CONF_EV_IN; /* replaced by parse_setting when it is an event */
			parse_setting(&c, s, p + 3, s->nev == 0, ev);
			if (ev->kind == CONF_EV_SET) {
				ev->line = lineno;
				ev->t_ns = ev->t_end_ns = last_t;
				s->nev++;
			}
			continue;
		}
		if ((cm = strstr(p, "//")) != NULL)
			*cm = 0;
		if (*p == 0)
			continue;
		if (s->nev == CONF_MAX_EVENTS) {
			fail(&c, "too many events");
			break;
		}
		ev = &s->ev[s->nev];
		memset(ev, 0, sizeof(*ev));
		ev->line = lineno;
		c.p = p;
		if (eat(&c, "*")) {
			ev->t_any = true;
			ev->t_ns = ev->t_end_ns = last_t;
		} else {
			ev->t_ns = parse_time(&c, last_t);
			ev->t_end_ns = ev->t_ns;
			if (eat(&c, "~"))
				ev->t_end_ns = parse_time(&c, last_t);
			if (!c.failed && ev->t_end_ns < ev->t_ns)
				fail(&c, "time range ends before it starts");
			if (!c.failed && ev->t_ns < last_t)
				fail(&c, "time goes backwards");
		}
		if (c.failed)
			break;
		skip_ws(&c);
		if (*c.p == '<' || *c.p == '>') {
			ev->kind = *c.p == '<' ? CONF_EV_IN : CONF_EV_OUT;
			c.p++;
			if (ev->kind == CONF_EV_IN && (ev->t_any || ev->t_end_ns != ev->t_ns))
				fail(&c, "inbound segments need one exact time");
			skip_ws(&c);
			if (ev->kind == CONF_EV_IN && eat_word(&c, "icmp"))
				parse_icmp(&c, &ev->seg);
			else
				parse_seg(&c, &ev->seg);
		} else {
			ev->kind = CONF_EV_CALL;
			if (ev->t_any)
				fail(&c, "calls need a time");
			parse_call(&c, &ev->call);
		}
		last_t = ev->t_ns;
		s->nev++;
	}
	fclose(f);
	if (!c.failed && in_block)
		fail(&c, "unterminated /* comment");
	return c.failed ? -EINVAL : 0;
}

static const char *num(uint64_t v, char *buf, size_t len)
{
	if (v == CONF_ANY)
		return "*";
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

void conf_seg_fmt(const struct conf_seg *seg, char *buf, size_t len)
{
	char na[24], nb[24];

	static const char letters[] = "FSRP.UEW";
	char fl[9];
	size_t n = 0, k = 0;

	for (int b = 0; b < 8; b++)
		if (seg->flags & (1u << b))
			fl[k++] = letters[b];
	fl[k] = 0;
	n += (size_t)snprintf(buf + n, len - n, "%s %u:%u(%u)", fl, seg->seq, seg->end, seg->len);
	if (seg->has_ack && n < len)
		n += (size_t)snprintf(buf + n, len - n, " ack %u", seg->ack);
	if (seg->win != CONF_ANY && n < len) /* outbound "win *" prints nothing */
		n += (size_t)snprintf(buf + n, len - n, " win %" PRIu64, seg->win);
	if (seg->opts_any && n < len)
		n += (size_t)snprintf(buf + n, len - n, " <...>");
	if (seg->has_opts && n < len) {
		n += (size_t)snprintf(buf + n, len - n, " <");
		for (unsigned i = 0; i < seg->nopt && n < len; i++) {
			const struct conf_opt *o = &seg->opt[i];
			const char *sep = i ? "," : "";

			switch (o->kind) {
			case CONF_OPT_NOP:
				n += (size_t)snprintf(buf + n, len - n, "%snop", sep);
				break;
			case CONF_OPT_EOL:
				n += (size_t)snprintf(buf + n, len - n, "%seol", sep);
				break;
			case CONF_OPT_MSS:
				n += (size_t)snprintf(buf + n, len - n, "%smss %s", sep,
						      num(o->v1, na, sizeof(na)));
				break;
			case CONF_OPT_WSCALE:
				n += (size_t)snprintf(buf + n, len - n, "%swscale %s", sep,
						      num(o->v1, na, sizeof(na)));
				break;
			case CONF_OPT_SACKOK:
				n += (size_t)snprintf(buf + n, len - n, "%ssackOK", sep);
				break;
			case CONF_OPT_TS:
				n += (size_t)snprintf(buf + n, len - n, "%sTS val %s ecr %s", sep,
						      num(o->v1, na, sizeof(na)),
						      num(o->v2, nb, sizeof(nb)));
				break;
			case CONF_OPT_SACK:
				n += (size_t)snprintf(buf + n, len - n, "%ssack", sep);
				for (unsigned j = 0; j < o->nsack && n < len; j++)
					n += (size_t)snprintf(buf + n, len - n, " %u:%u",
							      o->sack[j][0], o->sack[j][1]);
				break;
			case CONF_OPT_SMC:
				n += (size_t)snprintf(buf + n, len - n, "%ssmc", sep);
				break;
			case CONF_OPT_EXP:
				n += (size_t)snprintf(buf + n, len - n, "%sexp %u (%u bytes)", sep,
						      o->raw_kind, o->raw_len);
				break;
			}
		}
		if (n < len)
			snprintf(buf + n, len - n, ">");
	}
}
