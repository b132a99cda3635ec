/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ursad's app channel, the data path: after every wait of the lcore, ursad_chan_poll() takes
 * each attached application's commands (at most CHAN_CMD_BUDGET a round, and none while its
 * event ring is full: an application that floods commands and reads no replies stalls only
 * itself), runs them on the stack's socket API (stack/sock), then moves bytes between each
 * connection's rings and its TCP socket: the transmit ring into ursa_send(), ursa_recv() into
 * the receive ring while it has room (an application that stops reading closes its own TCP
 * window, nobody else's). A listener takes its connections ahead of accept() (cmd_accept).
 * Everything read from the shared memory is checked before use: a cursor out of range detaches the
 * application.
 *
 * Waking: an application that produces something writes its bell only when ursad armed it
 * (srv_armed); ursad arms every application after a round with nothing to do, then looks at
 * their cursors once more. ursad writes an application's notifier only when it armed itself
 * (app_armed) before sleeping.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "chan_priv.h"
#include "ursa_sock.h"

/* The slot index of a command, or -1 when it names no socket of the application. */
static int cmd_slot(const struct chan_app *a, const struct ursa_app_cmd *c)
{
	if (c->slot < 0 || (uint32_t)c->slot >= CHAN_SLOTS)
		return -1;
	if (a->s[c->slot].h < 0 || a->s[c->slot].closing)
		return -1;
	return c->slot;
}

static void publish(struct chan_app *a, unsigned i)
{
	struct ursa_app_slot *sl = &a->slot[i];
	struct chan_sock *s = &a->s[i];

	sl->error = s->flags & URSA_APP_F_ERR ? sl->error : 0;
	ursa_app_store(&sl->rx_prod, s->rx_prod);
	ursa_app_store(&sl->tx_cons, s->tx_cons);
	ursa_app_store(&sl->flags, s->flags);
	ursa_app_store(&sl->state, s->state);
	a->wake = true;
}

/* Give the application slot i for handle h, the cursors continuing from where the
 * application's own are (it does not touch a slot it closed). */
static void slot_take(struct ursad_chan *ch, struct chan_app *a, unsigned i, int h, uint32_t st)
{
	struct chan_sock *s = &a->s[i];

	s->h = h;
	s->state = st;
	s->flags = 0;
	s->closing = s->shut_wr = false;
	s->nacq = 0;
	s->tx_cons = ursa_app_load(&a->slot[i].tx_prod);
	s->rx_prod = ursa_app_load(&a->slot[i].rx_cons);
	a->slot[i].gen++;
	publish(a, i);
	ch->c[CHAN_C_socks]++;
}

static void slot_free(struct ursad_chan *ch, struct chan_app *a, unsigned i)
{
	a->s[i].h = -1;
	a->s[i].state = URSA_APP_ST_FREE;
	a->s[i].closing = false;
	publish(a, i);
	ch->c[CHAN_C_socks]--;
}

static int free_slot(const struct chan_app *a)
{
	for (unsigned i = 0; i < CHAN_SLOTS; i++)
		if (a->s[i].h < 0)
			return (int)i;
	return -1;
}

static void set_error(struct chan_app *a, unsigned i, int err)
{
	a->slot[i].error = err;
	a->s[i].flags |= URSA_APP_F_ERR;
	a->s[i].state = URSA_APP_ST_CLOSED;
	publish(a, i);
}

/* Reset the connections a listener took but nobody accepted. */
static void drop_queued(struct ursad_chan *ch, struct chan_sock *s)
{
	static const struct linger rst = {.l_onoff = 1, .l_linger = 0};

	for (unsigned k = 0; k < s->nacq; k++) {
		ursa_setsockopt(ch->lc, s->acq[k], SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		ursa_close(ch->lc, s->acq[k]);
		ch->c[CHAN_C_sock_abort]++;
	}
	s->nacq = 0;
}

void chan_abort_socks(struct ursad_chan *ch, struct chan_app *a)
{
	static const struct linger rst = {.l_onoff = 1, .l_linger = 0};

	for (unsigned i = 0; i < CHAN_SLOTS; i++) {
		if (a->s[i].h < 0)
			continue;
		drop_queued(ch, &a->s[i]);
		ursa_setsockopt(ch->lc, a->s[i].h, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		ursa_close(ch->lc, a->s[i].h);
		ch->c[CHAN_C_sock_abort]++;
		a->s[i].h = -1;
		ch->c[CHAN_C_socks]--;
	}
}

static int cmd_socket(struct ursad_chan *ch, struct chan_app *a, const struct ursa_app_cmd *c)
{
	int i = free_slot(a), h;

	if (i < 0)
		return -EMFILE;
	h = ursa_socket(ch->lc, c->a0, c->a1, c->a2);
	if (h < 0)
		return h;
	slot_take(ch, a, (unsigned)i, h, URSA_APP_ST_OPEN);
	return i;
}

static bool step_state(struct ursad_chan *ch, struct chan_app *a, unsigned i);

/* A listener's connections are taken from the stack ahead of accept() (at most
 * CHAN_ACCEPT_Q), so that "a connection waits" is exact when the application polls. */
static int cmd_accept(struct ursad_chan *ch, struct chan_app *a, int i, struct ursa_app_evt *e)
{
	struct chan_sock *l = &a->s[i];
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int n = free_slot(a), h;

	if (n < 0)
		return -EMFILE;
	if (l->nacq == 0)
		return -EAGAIN;
	h = l->acq[0];
	memmove(l->acq, l->acq + 1, --l->nacq * sizeof(l->acq[0]));
	step_state(ch, a, (unsigned)i); /* take more, and publish whether some wait */
	publish(a, (unsigned)i);
	slot_take(ch, a, (unsigned)n, h, URSA_APP_ST_CONNECTED);
	if (ursa_getpeername(ch->lc, h, (struct sockaddr *)&ss, &len) != 0)
		len = 0;
	e->len = len < sizeof(e->data) ? len : sizeof(e->data);
	memcpy(e->data, &ss, e->len);
	return n;
}

static int cmd_connect(struct ursad_chan *ch, struct chan_app *a, int i,
		       const struct ursa_app_cmd *c)
{
	int rc = ursa_connect(ch->lc, a->s[i].h, (const struct sockaddr *)c->data, c->len);

	if (rc == 0 || rc == -EINPROGRESS) {
		a->s[i].state = rc == 0 ? URSA_APP_ST_CONNECTED : URSA_APP_ST_CONNECTING;
		publish(a, i);
	}
	return rc;
}

static int cmd_sockopt(struct ursad_chan *ch, struct chan_app *a, int i,
		       const struct ursa_app_cmd *c, struct ursa_app_evt *e)
{
	socklen_t len;
	int rc;

	if (c->op == URSA_APP_OP_SETSOCKOPT)
		return ursa_setsockopt(ch->lc, a->s[i].h, c->a0, c->a1, c->data, c->len);
	len = c->a2 > 0 && (uint32_t)c->a2 < sizeof(e->data) ? (socklen_t)c->a2 : sizeof(e->data);
	rc = ursa_getsockopt(ch->lc, a->s[i].h, c->a0, c->a1, e->data, &len);
	e->len = rc == 0 ? len : 0;
	return rc;
}

static int cmd_name(struct ursad_chan *ch, struct chan_app *a, int i, const struct ursa_app_cmd *c,
		    struct ursa_app_evt *e)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rc = c->op == URSA_APP_OP_GETSOCKNAME
			 ? ursa_getsockname(ch->lc, a->s[i].h, (struct sockaddr *)&ss, &len)
			 : ursa_getpeername(ch->lc, a->s[i].h, (struct sockaddr *)&ss, &len);

	if (rc == 0) {
		e->len = len < sizeof(e->data) ? len : sizeof(e->data);
		memcpy(e->data, &ss, e->len);
	}
	return rc;
}

static int cmd_shutdown(struct ursad_chan *ch, struct chan_app *a, int i, int how)
{
	int rc = 0;

	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return -EINVAL;
	if (how != SHUT_WR)
		rc = ursa_shutdown(ch->lc, a->s[i].h, SHUT_RD);
	if (how != SHUT_RD && rc == 0)
		a->s[i].shut_wr = true; /* after the transmit ring drained */
	return rc;
}

/* Run one command (already copied out of the shared memory); the reply's result. */
static int run_cmd(struct ursad_chan *ch, struct chan_app *a, const struct ursa_app_cmd *c,
		   struct ursa_app_evt *e)
{
	int i;

	if (c->op == URSA_APP_OP_NOP)
		return 0;
	if (c->op == URSA_APP_OP_SOCKET)
		return cmd_socket(ch, a, c);
	if (c->op >= URSA_APP_OP_MAX || c->len > URSA_APP_DATA_MAX || (i = cmd_slot(a, c)) < 0) {
		ch->c[CHAN_C_cmd_bad]++;
		return c->op >= URSA_APP_OP_MAX ? -EINVAL : -EBADF;
	}
	switch (c->op) {
	case URSA_APP_OP_BIND:
		return ursa_bind(ch->lc, a->s[i].h, (const struct sockaddr *)c->data, c->len);
	case URSA_APP_OP_LISTEN: {
		int rc = ursa_listen(ch->lc, a->s[i].h, c->a0);

		if (rc == 0) {
			a->s[i].state = URSA_APP_ST_LISTEN;
			publish(a, (unsigned)i);
		}
		return rc;
	}
	case URSA_APP_OP_ACCEPT:
		return cmd_accept(ch, a, i, e);
	case URSA_APP_OP_CONNECT:
		return cmd_connect(ch, a, i, c);
	case URSA_APP_OP_SHUTDOWN:
		return cmd_shutdown(ch, a, i, c->a0);
	case URSA_APP_OP_CLOSE:
		a->s[i].closing = true;
		return 0;
	case URSA_APP_OP_SETSOCKOPT:
	case URSA_APP_OP_GETSOCKOPT:
		return cmd_sockopt(ch, a, i, c, e);
	default:
		return cmd_name(ch, a, i, c, e);
	}
}

/* Take the application's commands. Returns the number run, or -EPROTO on a bad cursor. */
static int take_cmds(struct ursad_chan *ch, struct chan_app *a)
{
	uint32_t prod = ursa_app_load(&a->shm->cmd_prod);
	uint32_t evt_cons = ursa_app_load(&a->shm->evt_cons);
	unsigned n = 0;

	if (prod - a->cmd_cons > URSA_APP_CMD_SLOTS || a->evt_prod - evt_cons > URSA_APP_EVT_SLOTS)
		return -EPROTO;
	while (a->cmd_cons != prod && n < CHAN_CMD_BUDGET) {
		struct ursa_app_cmd c;
		struct ursa_app_evt e = {0};

		if (a->evt_prod - evt_cons == URSA_APP_EVT_SLOTS) {
			ch->c[CHAN_C_cmd_stall_evt_full]++;
			break;
		}
		memcpy(&c, &a->cmd[a->cmd_cons % URSA_APP_CMD_SLOTS], sizeof(c));
		e.seq = c.seq;
		e.result = run_cmd(ch, a, &c, &e);
		memcpy(&a->evt[a->evt_prod % URSA_APP_EVT_SLOTS], &e, sizeof(e));
		a->evt_prod++;
		a->cmd_cons++;
		n++;
	}
	if (n) {
		ch->c[CHAN_C_cmd] += n;
		ursa_app_store(&a->shm->evt_prod, a->evt_prod);
		ursa_app_store(&a->shm->cmd_cons, a->cmd_cons);
		a->wake = true;
	}
	return (int)n;
}

static uint8_t *rx_ring(struct chan_app *a, unsigned i)
{
	return a->mem + ursa_app_off_rx(CHAN_SLOTS, CHAN_RING, i);
}

/* Transmit ring -> ursa_send. > 0 when something was sent or changed; -EPROTO on a bad
 * cursor. */
static long step_tx(struct ursad_chan *ch, struct chan_app *a, unsigned i)
{
	struct chan_sock *s = &a->s[i];
	uint8_t *ring = rx_ring(a, i) + CHAN_RING;
	uint32_t prod = ursa_app_load(&a->slot[i].tx_prod), n = prod - s->tx_cons;
	long done = 0;

	if (n > CHAN_RING)
		return -EPROTO;
	while (n > 0) {
		uint32_t off = s->tx_cons % CHAN_RING, chunk = CHAN_RING - off;
		ssize_t r;

		chunk = chunk < n ? chunk : n;
		r = ursa_send(ch->lc, s->h, ring + off, chunk, MSG_NOSIGNAL);
		if (r < 0) {
			if (r != -EAGAIN)
				set_error(a, i, (int)r);
			break;
		}
		s->tx_cons += (uint32_t)r;
		n -= (uint32_t)r;
		done += r;
		if ((uint32_t)r < chunk)
			break;
	}
	if (n == 0 && s->shut_wr && !(s->flags & URSA_APP_F_SHUTWR)) {
		ursa_shutdown(ch->lc, s->h, SHUT_WR);
		s->flags |= URSA_APP_F_SHUTWR;
		done += done == 0; /* a change to publish */
	}
	return done;
}

/* ursa_recv -> receive ring, while it has room. > 0 when something came or changed (EOF,
 * an error); -EPROTO on a bad cursor. */
static long step_rx(struct ursad_chan *ch, struct chan_app *a, unsigned i)
{
	struct chan_sock *s = &a->s[i];
	uint8_t *ring = rx_ring(a, i);
	uint32_t cons = ursa_app_load(&a->slot[i].rx_cons), used = s->rx_prod - cons;
	long done = 0;

	if (used > CHAN_RING)
		return -EPROTO;
	while (used < CHAN_RING && !(s->flags & (URSA_APP_F_EOF | URSA_APP_F_ERR))) {
		uint32_t off = s->rx_prod % CHAN_RING, chunk = CHAN_RING - off;
		ssize_t r;

		chunk = chunk < CHAN_RING - used ? chunk : CHAN_RING - used;
		r = ursa_recv(ch->lc, s->h, ring + off, chunk, 0);
		if (r == -EAGAIN)
			break;
		if (r <= 0) {
			if (r == 0)
				s->flags |= URSA_APP_F_EOF;
			else
				set_error(a, i, (int)r);
			done += done == 0;
			break;
		}
		s->rx_prod += (uint32_t)r;
		used += (uint32_t)r;
		done += r;
	}
	return done;
}

/* A connecting socket: done when writable (connected) or in error (SO_ERROR says why). A
 * listening one: whether a connection waits. True when something changed. */
static bool step_state(struct ursad_chan *ch, struct chan_app *a, unsigned i)
{
	struct chan_sock *s = &a->s[i];
	struct ursa_pollfd p = {.fd = s->h, .events = URSA_POLLIN | URSA_POLLOUT};
	uint32_t old = s->flags;

	ursa_sock_poll(ch->lc, &p, 1);
	if (s->state == URSA_APP_ST_LISTEN) {
		int h;

		while ((p.revents & URSA_POLLIN) && s->nacq < CHAN_ACCEPT_Q &&
		       (h = ursa_accept(ch->lc, s->h, NULL, NULL)) >= 0)
			s->acq[s->nacq++] = h;
		s->flags = s->nacq ? s->flags | URSA_APP_F_ACCEPT : s->flags & ~URSA_APP_F_ACCEPT;
		return s->flags != old;
	}
	if (p.revents & (URSA_POLLERR | URSA_POLLHUP)) {
		int err = 0;
		socklen_t len = sizeof(err);

		ursa_getsockopt(ch->lc, s->h, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0 || s->state == URSA_APP_ST_CONNECTING) {
			set_error(a, i, err ? -err : -ECONNREFUSED);
			return true;
		}
	}
	if (s->state == URSA_APP_ST_CONNECTING && (p.revents & URSA_POLLOUT)) {
		s->state = URSA_APP_ST_CONNECTED;
		return true;
	}
	return false;
}

/* One socket's round. Returns work done (> 0), 0, or -EPROTO. */
static long step_sock(struct ursad_chan *ch, struct chan_app *a, unsigned i)
{
	struct chan_sock *s = &a->s[i];
	long tx = 0, rx = 0;
	bool changed = false;

	if (s->state == URSA_APP_ST_LISTEN || s->state == URSA_APP_ST_CONNECTING ||
	    s->state == URSA_APP_ST_CONNECTED)
		changed = step_state(ch, a, i);
	if (s->state == URSA_APP_ST_CONNECTED) {
		uint32_t tx0 = s->tx_cons, rx0 = s->rx_prod;

		if ((tx = step_tx(ch, a, i)) < 0 || (rx = step_rx(ch, a, i)) < 0)
			return -EPROTO;
		ch->c[CHAN_C_tx_bytes] += s->tx_cons - tx0;
		ch->c[CHAN_C_rx_bytes] += s->rx_prod - rx0;
	}
	if (changed || tx || rx)
		publish(a, i);
	if (s->closing &&
	    (s->state != URSA_APP_ST_CONNECTED ||
	     s->tx_cons == ursa_app_load(&a->slot[i].tx_prod) || (s->flags & URSA_APP_F_ERR))) {
		drop_queued(ch, s);
		ursa_close(ch->lc, s->h);
		slot_free(ch, a, i);
		changed = true;
	}
	return tx + rx + changed;
}

/* The sum of the cursors the application writes: a change means it produced something. */
static uint32_t app_seen(struct chan_app *a)
{
	uint32_t sum = ursa_app_load(&a->shm->cmd_prod) + ursa_app_load(&a->shm->evt_cons);

	for (unsigned i = 0; i < CHAN_SLOTS; i++)
		if (a->s[i].h >= 0)
			sum += ursa_app_load(&a->slot[i].tx_prod) +
			       ursa_app_load(&a->slot[i].rx_cons);
	return sum;
}

/* One application's round: work done, or -EPROTO. */
static long app_round(struct ursad_chan *ch, struct chan_app *a)
{
	long work = take_cmds(ch, a);

	if (work < 0)
		return work;
	for (unsigned i = 0; i < CHAN_SLOTS; i++) {
		long w;

		if (a->s[i].h < 0)
			continue;
		if ((w = step_sock(ch, a, i)) < 0)
			return w;
		work += w;
	}
	if (a->wake && ursa_app_take_armed(&a->shm->app_armed)) {
		uint64_t one = 1;

		if (write(a->notify, &one, sizeof(one)) == sizeof(one))
			ch->c[CHAN_C_notify]++;
	}
	a->wake = false;
	return work;
}

bool ursad_chan_poll(struct ursad_chan *ch)
{
	bool busy = false;

	for (unsigned k = 0; k < CHAN_MAX_APPS; k++) {
		struct chan_app *a = ch->apps[k];
		long w;

		if (a == NULL || !a->attached)
			continue;
		if ((w = app_round(ch, a)) < 0) {
			chan_detach(ch, k, CHAN_C_detach_bad_cursor);
			continue;
		}
		busy |= w > 0;
		a->seen = app_seen(a);
	}
	if (busy)
		return true;
	/* Nothing to do: ask every application to ring, then look once more (either it sees
	 * the flag or this sees its cursors move). */
	for (unsigned k = 0; k < CHAN_MAX_APPS; k++) {
		struct chan_app *a = ch->apps[k];

		if (a == NULL || !a->attached)
			continue;
		ursa_app_arm_flag(&a->shm->srv_armed);
		busy |= app_seen(a) != a->seen;
	}
	return busy;
}
