/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The app channel's ABI: what ursad and an application in another process share.
 *
 * An application connects to ursad's Unix socket (SOCK_SEQPACKET, ursad --app-socket PATH)
 * and sends a struct ursa_app_hello, optionally with a memfd of its own (SCM_RIGHTS). ursad
 * answers with a struct ursa_app_welcome and, when it accepts, three fds (SCM_RIGHTS):
 *   - the shared memory: a memfd sealed with F_SEAL_SHRINK | F_SEAL_GROW, so neither side can
 *     pull memory from under the other (a memfd handed in by the application must carry both
 *     seals, and must not be write-sealed, or ursad refuses it and says why);
 *   - the bell: an eventfd the application writes to wake ursad (only when ursad asked for
 *     it by setting srv_armed);
 *   - the notifier: an eventfd ursad writes to wake the application (only when the
 *     application set app_armed before it sleeps in poll/epoll on it).
 * The hello's version must equal URSA_APP_ABI_VERSION, or ursad refuses the attach.
 *
 * The shared memory holds, in order: the header (struct ursa_app_shm), the command ring
 * (URSA_APP_CMD_SLOTS struct ursa_app_cmd, the application produces), the event ring
 * (URSA_APP_EVT_SLOTS struct ursa_app_evt, ursad produces: one reply per command, in order),
 * nb_slots socket slots (struct ursa_app_slot) and, per slot, a receive and a transmit byte
 * ring of ring_size bytes each (receive first). Each ring is single-producer single-consumer
 * with free-running 32-bit cursors: bytes in a ring = prod - cons, position = cursor % size.
 * This is the shape of an SMC RMB (producer and consumer cursors over a byte ring).
 *
 * Who writes what: the application writes cmd_prod, evt_cons, app_armed, and per slot
 * tx_prod and rx_cons (and the bytes of the transmit ring); ursad writes everything else.
 * ursad keeps its own copy of every cursor it produces and checks every cursor it reads
 * (a consumer may not pass its producer, a producer may not lap its consumer): a broken
 * cursor detaches the application, whose connections are then aborted.
 */
#ifndef URSA_APP_ABI_H
#define URSA_APP_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define URSA_APP_ABI_MAGIC   0x75727361u /**< "ursa" */
#define URSA_APP_ABI_VERSION 1u

#define URSA_APP_CMD_SLOTS 256u /**< commands in the command ring (a power of two) */
#define URSA_APP_EVT_SLOTS 256u /**< replies in the event ring (a power of two) */
#ifdef __cplusplus
#define URSA_APP_ABI_ASSERT(c, m) static_assert(c, m)
#else
#define URSA_APP_ABI_ASSERT(c, m) _Static_assert(c, m)
#endif

#define URSA_APP_NB_SLOTS  64u		/**< sockets per attach */
#define URSA_APP_RING_SIZE (256u << 10) /**< bytes per receive and per transmit ring */
#define URSA_APP_ERR_MAX   120u		/**< bytes of the reason in a refusal */

/** hello.flags: the application hands in its own memfd (sealed; see above). */
#define URSA_APP_HELLO_OWN_MEM 0x1u

/** The first message, application to ursad. */
struct ursa_app_hello {
	uint32_t magic;	  /**< URSA_APP_ABI_MAGIC */
	uint32_t version; /**< URSA_APP_ABI_VERSION */
	uint32_t flags;	  /**< URSA_APP_HELLO_* */
	uint32_t pad;
	uint64_t mem_size; /**< with URSA_APP_HELLO_OWN_MEM: the memfd's size */
};

/** ursad's answer. status 0: the fds follow (memory unless handed in, bell, notifier). */
struct ursa_app_welcome {
	uint32_t magic;
	uint32_t version;
	int32_t status;	    /**< 0, or a negative errno: the attach is refused */
	uint32_t nb_slots;  /**< sockets this application may hold at once */
	uint32_t ring_size; /**< bytes of each receive and transmit ring */
	uint32_t pad;
	uint64_t mem_size;	       /**< bytes of shared memory needed (or mapped) */
	char reason[URSA_APP_ERR_MAX]; /**< why it was refused (NUL-terminated) */
};

/** Commands (struct ursa_app_cmd.op). Replies carry the same seq, in order. */
enum ursa_app_op {
	URSA_APP_OP_NOP,	 /**< result 0 */
	URSA_APP_OP_SOCKET,	 /**< a0 family, a1 type, a2 proto -> slot */
	URSA_APP_OP_BIND,	 /**< data: sockaddr (len) */
	URSA_APP_OP_LISTEN,	 /**< a0 backlog */
	URSA_APP_OP_ACCEPT,	 /**< -> new slot, data: the peer's sockaddr; or -EAGAIN */
	URSA_APP_OP_CONNECT,	 /**< data: sockaddr -> 0, -EINPROGRESS, or an error */
	URSA_APP_OP_SHUTDOWN,	 /**< a0 how; SHUT_WR after the transmit ring drained */
	URSA_APP_OP_CLOSE,	 /**< the slot is free after its transmit ring drained */
	URSA_APP_OP_SETSOCKOPT,	 /**< a0 level, a1 name, data: value (len) */
	URSA_APP_OP_GETSOCKOPT,	 /**< a0 level, a1 name, a2 room -> data: value (len) */
	URSA_APP_OP_GETSOCKNAME, /**< -> data: sockaddr */
	URSA_APP_OP_GETPEERNAME, /**< -> data: sockaddr */
	URSA_APP_OP_MAX
};

#define URSA_APP_DATA_MAX 36u

/** One command, 64 bytes. */
struct ursa_app_cmd {
	uint32_t op;  /**< enum ursa_app_op */
	uint32_t seq; /**< echoed in the reply */
	int32_t slot; /**< the socket (unused by SOCKET) */
	int32_t a0, a1, a2;
	uint32_t len; /**< bytes of data */
	uint8_t data[URSA_APP_DATA_MAX];
};
URSA_APP_ABI_ASSERT(sizeof(struct ursa_app_cmd) == 64, "ursa_app_cmd");

/** One reply, 64 bytes. */
struct ursa_app_evt {
	uint32_t seq;
	int32_t result; /**< >= 0, or a negative errno */
	uint32_t len;	/**< bytes of data */
	uint32_t pad;
	uint8_t data[48];
};
URSA_APP_ABI_ASSERT(sizeof(struct ursa_app_evt) == 64, "ursa_app_evt");

/** Slot states (ursad writes them). */
enum ursa_app_state {
	URSA_APP_ST_FREE,
	URSA_APP_ST_OPEN,	/**< created, not connected */
	URSA_APP_ST_LISTEN,	/**< listening: revents POLLIN when a connection waits */
	URSA_APP_ST_CONNECTING, /**< connect() in progress */
	URSA_APP_ST_CONNECTED,	/**< data flows through the rings */
	URSA_APP_ST_CLOSED,	/**< aborted or failed: error says why */
};

/** Slot flags (ursad writes them). */
#define URSA_APP_F_EOF	  0x1u /**< the peer sent FIN: no byte after rx_prod will come */
#define URSA_APP_F_ERR	  0x2u /**< error holds a negative errno (reset, refused, ...) */
#define URSA_APP_F_SHUTWR 0x4u /**< our FIN is queued (SHUT_WR done) */
#define URSA_APP_F_ACCEPT 0x8u /**< listening socket: a connection waits to be accepted */

/** One socket. The two sides' halves sit on cache lines of their own. */
struct ursa_app_slot {
	/* written by the application */
	uint32_t tx_prod;
	uint32_t rx_cons;
	uint32_t pad0[14];
	/* written by ursad */
	uint32_t rx_prod;
	uint32_t tx_cons;
	uint32_t state; /**< enum ursa_app_state */
	uint32_t flags; /**< URSA_APP_F_* */
	int32_t error;	/**< with URSA_APP_F_ERR */
	uint32_t gen;	/**< bumped each time the slot is handed out */
	uint32_t pad1[10];
};
URSA_APP_ABI_ASSERT(sizeof(struct ursa_app_slot) == 128, "ursa_app_slot");

/** The header at offset 0 of the shared memory. */
struct ursa_app_shm {
	uint32_t magic;
	uint32_t version;
	uint32_t nb_slots;
	uint32_t ring_size;
	uint64_t size;
	uint32_t pad0[10];
	/* written by the application */
	uint32_t cmd_prod;
	uint32_t evt_cons;
	uint32_t app_armed; /**< 1: the application sleeps, write the notifier */
	uint32_t pad1[13];
	/* written by ursad */
	uint32_t cmd_cons;
	uint32_t evt_prod;
	uint32_t srv_armed; /**< 1: ursad may sleep, write the bell after producing */
	uint32_t pad2[13];
};
URSA_APP_ABI_ASSERT(sizeof(struct ursa_app_shm) == 192, "ursa_app_shm");

/** Offsets into the shared memory. */
#define URSA_APP_OFF_CMD   4096u
#define URSA_APP_OFF_EVT   (URSA_APP_OFF_CMD + URSA_APP_CMD_SLOTS * sizeof(struct ursa_app_cmd))
#define URSA_APP_OFF_SLOTS (URSA_APP_OFF_EVT + URSA_APP_EVT_SLOTS * sizeof(struct ursa_app_evt))

/** Where the rings start, for nb_slots slots (4 KiB aligned). */
static inline uint64_t ursa_app_off_rings(uint32_t nb_slots)
{
	uint64_t end = URSA_APP_OFF_SLOTS + (uint64_t)nb_slots * sizeof(struct ursa_app_slot);

	return (end + 4095u) & ~(uint64_t)4095u;
}

/** Bytes of shared memory for nb_slots slots with rings of ring_size bytes. */
static inline uint64_t ursa_app_mem_size(uint32_t nb_slots, uint32_t ring_size)
{
	return ursa_app_off_rings(nb_slots) + (uint64_t)nb_slots * 2u * ring_size;
}

/** The receive ring of a slot (the transmit ring follows it). */
static inline uint64_t ursa_app_off_rx(uint32_t nb_slots, uint32_t ring_size, uint32_t slot)
{
	return ursa_app_off_rings(nb_slots) + (uint64_t)slot * 2u * ring_size;
}

/** Read a cursor or flag the other side writes (acquire: what it wrote before is visible). */
static inline uint32_t ursa_app_load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/** Publish a cursor or flag (release: what was written before it is visible first). */
static inline void ursa_app_store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/** Set an armed flag before sleeping; re-check the rings after it. */
static inline void ursa_app_arm_flag(uint32_t *p)
{
	__atomic_store_n(p, 1u, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/** Take an armed flag (1 -> 0) after producing: true when the other side asked to be woken.
 *  The fence pairs with the sleeper's ursa_app_arm_flag() followed by its re-check of the rings:
 *  either the sleeper sees what was produced, or the producer sees the flag. */
static inline int ursa_app_take_armed(uint32_t *p)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(p, __ATOMIC_SEQ_CST) == 0)
		return 0;
	return __atomic_exchange_n(p, 0u, __ATOMIC_SEQ_CST) != 0;
}

#ifdef __cplusplus
}
#endif

#endif /* URSA_APP_ABI_H */
