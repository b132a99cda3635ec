/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the whole receive path, eth -> arp | ip -> icmp | udp | (upper layers
 * present in the stack). One stack instance on a virtual clock with two interfaces (untagged
 * and VLAN 10, IPv4 + IPv6) lives for the whole run; each input is one frame. The clock
 * moves a little per input so timers (neighbour retries, reassembly expiry) also run.
 *
 * Input format: byte 0 selects how much virtual time passes before the frame (0..255 ms);
 * the rest is the Ethernet frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "ursa.h"
#include "fuzz.h"

struct fuzz_state {
	struct ursa_lcore *lc;
};

static struct fuzz_state *state(void)
{
	static struct fuzz_state st; /* libFuzzer gives no context pointer */
	return &st;
}

static void must(int rc, const char *what)
{
	if (rc != 0) {
		fprintf(stderr, "fuzz_rx: %s failed: %d\n", what, rc);
		abort();
	}
}

static void add_addr(struct ursa_lcore *lc, uint16_t ifc, const char *s)
{
	struct ursa_ipaddr a;
	uint8_t plen;

	must(ursa_ipaddr_parse(s, &a, &plen), s);
	must(ursa_iface_addr_add(lc, ifc, &a, plen), s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct ursa_eal_args eal;
	struct ursa_lcore_conf conf = {.nb_mbufs = 4095,
				       .seeded = true,
				       .seed = 1,
				       .virtual_clock = true,
				       .virtual_start_ns = URSA_NS_PER_S,
				       .name = "fuzz"};
	struct rte_ether_addr mac = {{0x02, 0, 0, 0, 0, 0x01}};
	struct ursa_iface_conf c0 = {.port = 0, .tenant = 1};
	struct ursa_iface_conf c10 = {.port = 0, .vlan = 10, .tenant = 2};
	struct ursa_lcore *lc;
	uint16_t port, i0, i10;

	(void)argc;
	(void)argv;
	if (ursa_eal_args_init(&eal, "fuzz_rx", 256, "0", "crit") != 0 ||
	    rte_eal_init(eal.argc, eal.argv) < 0) {
		fprintf(stderr, "fuzz_rx: EAL cannot start: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	must(ursa_lcore_create(&conf, &lc), "lcore");
	must(ursa_port_open_mem(lc, &mac, 1500, &port), "port");
	must(ursa_iface_add(lc, &c0, &i0), "iface0");
	must(ursa_iface_add(lc, &c10, &i10), "iface10");
	add_addr(lc, i0, "10.0.0.2/24");
	add_addr(lc, i0, "fd00::2/64");
	add_addr(lc, i10, "10.0.0.2/24");
	add_addr(lc, i10, "fd00:10::2/64");
	must(ursa_stack_init(lc), "stack");
	fuzz_bind_extras(lc);
	state()->lc = lc;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ursa_lcore *lc = state()->lc;
	struct rte_mbuf *m, *out[URSA_BURST];
	unsigned n;

	if (size < 1 || size > 9000)
		return 0;
	ursa_clock_advance(&lc->clock, (uint64_t)data[0] * URSA_NS_PER_MS);
	m = ursa_pkt_alloc(lc);
	if (m == NULL)
		abort(); /* a leak upstream would exhaust the pool: that is a bug */
	if (size - 1 > rte_pktmbuf_tailroom(m)) {
		rte_pktmbuf_free(m);
		return 0;
	}
	memcpy(rte_pktmbuf_append(m, (uint16_t)(size - 1)), data + 1, size - 1);
	ursa_port_mem_inject(&lc->ports[0], &m, 1);
	ursa_lcore_poll(lc);
	while ((n = ursa_port_mem_take(&lc->ports[0], out, URSA_BURST)) > 0)
		rte_pktmbuf_free_bulk(out, n);
	return 0;
}
