/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Interfaces: a (port, VLAN) pair with its MAC, addresses and tenant.
 *
 * Ingress resolves the interface from the unique (port, VLAN) tuple before anything else;
 * a frame whose tuple names no interface is dropped by the eth layer. Two tenants may hold
 * the same address on different VLANs of one port: they are different interfaces.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "core_priv.h"

int ursa_iface_add(struct ursa_lcore *lc, const struct ursa_iface_conf *conf, uint16_t *out_index)
{
	struct ursa_iface *ifc;
	struct ursa_port *p;

	if (conf->port >= lc->nb_ports || conf->vlan > 4094)
		return -EINVAL;
	if (ursa_iface_by_port_vlan(lc, conf->port, conf->vlan) != NULL)
		return -EEXIST;
	if (lc->nb_ifaces == URSA_MAX_IFACES)
		return -ENOSPC;
	p = &lc->ports[conf->port];
	ifc = &lc->ifaces[lc->nb_ifaces];
	memset(ifc, 0, sizeof(*ifc));
	ifc->index = lc->nb_ifaces;
	ifc->port = conf->port;
	ifc->vlan = conf->vlan;
	ifc->tenant = conf->tenant;
	ifc->mac = conf->mac ? *conf->mac : p->mac;
	ifc->mtu = conf->mtu ? conf->mtu : (uint16_t)(p->mtu - (conf->vlan ? 4 : 0));
	if (rte_is_zero_ether_addr(&ifc->mac) || rte_is_multicast_ether_addr(&ifc->mac))
		return -EINVAL;
	if (quota_iface_init(lc, ifc, &conf->quota) != 0)
		return -ENOSPC;
	lc->nb_ifaces++;
	if (!conf->no_linklocal) {
		/* fe80::/64 with a modified EUI-64 interface identifier (RFC 4291 2.5.1). */
		struct ursa_ipaddr ll = {.family = AF_INET6};
		const uint8_t *m = ifc->mac.addr_bytes;

		ll.v6[0] = 0xfe;
		ll.v6[1] = 0x80;
		ll.v6[8] = m[0] ^ 0x02;
		ll.v6[9] = m[1];
		ll.v6[10] = m[2];
		ll.v6[11] = 0xff;
		ll.v6[12] = 0xfe;
		ll.v6[13] = m[3];
		ll.v6[14] = m[4];
		ll.v6[15] = m[5];
		ifc->v6[0] = (struct ursa_iface_addr){
			.addr = ll, .plen = 64, .flags = URSA_ADDR_LINKLOCAL};
		ifc->n6 = 1;
	}
	if (out_index)
		*out_index = ifc->index;
	return 0;
}

int ursa_iface_addr_add(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *a,
			uint8_t plen)
{
	struct ursa_iface *ifc = ursa_iface_get(lc, iface);

	if (ifc == NULL || ifc->removed || (a->family != AF_INET && a->family != AF_INET6))
		return -EINVAL;
	if (plen > (a->family == AF_INET ? 32 : 128))
		return -EINVAL;
	if (ursa_iface_has_addr(ifc, a))
		return -EEXIST;
	if (a->family == AF_INET) {
		if (ifc->n4 == URSA_IFACE_MAX_V4)
			return -ENOSPC;
		ifc->v4[ifc->n4++] = (struct ursa_iface_addr){.addr = *a, .plen = plen};
	} else {
		if (ifc->n6 == URSA_IFACE_MAX_V6)
			return -ENOSPC;
		ifc->v6[ifc->n6++] = (struct ursa_iface_addr){.addr = *a, .plen = plen};
	}
	return 0;
}

int ursa_iface_addr_del(struct ursa_lcore *lc, uint16_t iface, const struct ursa_ipaddr *a)
{
	struct ursa_iface *ifc = ursa_iface_get(lc, iface);
	struct ursa_iface_addr *v;
	uint8_t *n;

	if (ifc == NULL || (a->family != AF_INET && a->family != AF_INET6))
		return -EINVAL;
	v = a->family == AF_INET ? ifc->v4 : ifc->v6;
	n = a->family == AF_INET ? &ifc->n4 : &ifc->n6;
	for (unsigned i = 0; i < *n; i++) {
		if (!ursa_ipaddr_eq(&v[i].addr, a))
			continue;
		/* Keep the order: the first address is the default source. */
		memmove(&v[i], &v[i + 1], (size_t)(*n - i - 1) * sizeof(v[0]));
		(*n)--;
		return 0;
	}
	return -ENOENT;
}

int ursa_iface_del(struct ursa_lcore *lc, uint16_t iface)
{
	struct ursa_iface *ifc = ursa_iface_get(lc, iface);

	if (ifc == NULL || ifc->removed)
		return -ENOENT;
	ifc->removed = true;
	ifc->n4 = 0;
	ifc->n6 = 0;
	return 0;
}

struct ursa_iface *ursa_iface_by_port_vlan(struct ursa_lcore *lc, uint16_t port, uint16_t vlan)
{
	/* A handful of interfaces per lcore: a scan is cheaper than hashing. */
	for (uint16_t i = 0; i < lc->nb_ifaces; i++)
		if (lc->ifaces[i].port == port && lc->ifaces[i].vlan == vlan &&
		    !lc->ifaces[i].removed)
			return &lc->ifaces[i];
	return NULL;
}

const struct ursa_iface_addr *ursa_iface_has_addr(const struct ursa_iface *ifc,
						  const struct ursa_ipaddr *a)
{
	const struct ursa_iface_addr *v = a->family == AF_INET ? ifc->v4 : ifc->v6;
	unsigned n = a->family == AF_INET ? ifc->n4 : ifc->n6;

	for (unsigned i = 0; i < n; i++)
		if (!(v[i].flags & URSA_ADDR_TENTATIVE) && ursa_ipaddr_eq(&v[i].addr, a))
			return &v[i];
	return NULL;
}

static bool is_linklocal6(const struct ursa_ipaddr *a)
{
	return a->family == AF_INET6 && a->v6[0] == 0xfe && (a->v6[1] & 0xc0) == 0x80;
}

int ursa_iface_pick_src(const struct ursa_iface *ifc, const struct ursa_ipaddr *dst,
			struct ursa_ipaddr *src)
{
	const struct ursa_iface_addr *v = dst->family == AF_INET ? ifc->v4 : ifc->v6;
	unsigned n = dst->family == AF_INET ? ifc->n4 : ifc->n6;
	/* Link-local destinations, and multicast of link-local scope or smaller (ff01::/16,
	 * ff02::/16), are reached from a link-local source (RFC 6724 5, rule 2; as Linux). */
	bool want_ll = is_linklocal6(dst) ||
		       (dst->family == AF_INET6 && dst->v6[0] == 0xff && (dst->v6[1] & 0x0f) <= 2);
	const struct ursa_iface_addr *fallback = NULL;

	for (unsigned i = 0; i < n; i++) {
		if (v[i].flags & URSA_ADDR_TENTATIVE)
			continue;
		if (dst->family == AF_INET6 && is_linklocal6(&v[i].addr) != want_ll)
			continue;
		if (ursa_ipaddr_prefix_match(&v[i].addr, dst, v[i].plen)) {
			*src = v[i].addr;
			return 0;
		}
		if (fallback == NULL)
			fallback = &v[i];
	}
	if (fallback == NULL)
		return -EADDRNOTAVAIL;
	*src = fallback->addr;
	return 0;
}
