/* SPDX-License-Identifier: BSD-3-Clause */
/* LLC messages: strict decode and encode of the v1 and v2 forms Linux sends. */
#include <errno.h>
#include <string.h>

#include "smc_llc_hdr.h"

static uint32_t get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void put24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void dec_confirm_link(const void *buf, struct smc_llc *m)
{
	const struct smc_llc_confirm_link_wire *w = buf;

	memcpy(m->confirm_link.mac, w->mac, 6);
	memcpy(m->confirm_link.gid, w->gid, 16);
	m->confirm_link.qpn = get24(w->qpn);
	m->confirm_link.link_num = w->link_num;
	m->confirm_link.link_uid = rte_be_to_cpu_32(w->link_uid);
	m->confirm_link.max_links = w->max_links;
	m->confirm_link.max_conns = w->max_conns;
}

static int dec_add_link(const uint8_t *buf, size_t len, struct smc_llc *m)
{
	const struct smc_llc_add_link_wire *w = (const void *)buf;
	const struct smc_llc_add_link_v2_ext_wire *x;
	const struct smc_llc_rkey_chg_wire *rk;

	memcpy(m->add_link.mac, w->mac, 6);
	memcpy(m->add_link.gid, w->gid, 16);
	m->add_link.qpn = get24(w->qpn);
	m->add_link.link_num = w->link_num;
	m->add_link.mtu = w->mtu & 0x0f;
	m->add_link.psn = get24(w->psn);
	m->add_link.num_rkeys = 0;
	if (m->version == 1 || len == SMC_LLC_LEN)
		return 0;
	if (len < SMC_LLC_LEN + sizeof(*x))
		return -EINVAL;
	x = (const void *)(buf + SMC_LLC_LEN);
	m->add_link.v2_direct = (x->v2_direct & 0x80) != 0;
	memcpy(m->add_link.target_gid, x->target_gid, 16);
	m->add_link.num_rkeys = get_le16(x->num_rkeys);
	if (m->add_link.num_rkeys > SMC_LLC_RKEYS_MAX ||
	    len != SMC_LLC_LEN + sizeof(*x) + m->add_link.num_rkeys * sizeof(*rk))
		return -EINVAL;
	rk = (const void *)(x + 1);
	for (unsigned i = 0; i < m->add_link.num_rkeys; i++) {
		m->add_link.rk[i].rkey = rte_be_to_cpu_32(rk[i].rkey);
		m->add_link.rk[i].rkey_new = rte_be_to_cpu_32(rk[i].rkey_new);
		m->add_link.rk[i].vaddr_new = rte_be_to_cpu_64(rk[i].vaddr_new);
	}
	return 0;
}

static int dec_add_link_cont(const void *buf, struct smc_llc *m)
{
	const struct smc_llc_add_link_cont_wire *w = buf;

	if (w->num_rkeys > 2 || m->version != 1)
		return -EINVAL;
	m->add_link_cont.link_num = w->link_num;
	m->add_link_cont.num_rkeys = w->num_rkeys;
	for (unsigned i = 0; i < 2; i++) {
		m->add_link_cont.rk[i].rkey = rte_be_to_cpu_32(w->rt[i].rkey);
		m->add_link_cont.rk[i].rkey_new = rte_be_to_cpu_32(w->rt[i].rkey_new);
		m->add_link_cont.rk[i].vaddr_new = rte_be_to_cpu_64(w->rt[i].vaddr_new);
	}
	return 0;
}

static int dec_confirm_rkey(const void *buf, struct smc_llc *m)
{
	const struct smc_llc_confirm_rkey_wire *w = buf;

	m->confirm_rkey.num = w->rt[0].num_or_link;
	if (m->confirm_rkey.num > 2)
		return -EINVAL;
	for (unsigned i = 0; i < 3; i++) {
		m->confirm_rkey.rt[i].link_id = i == 0 ? 0 : w->rt[i].num_or_link;
		m->confirm_rkey.rt[i].rkey = rte_be_to_cpu_32(w->rt[i].rkey);
		m->confirm_rkey.rt[i].vaddr = rte_be_to_cpu_64(w->rt[i].vaddr);
	}
	return 0;
}

static int dec_delete_rkey(const void *buf, struct smc_llc *m)
{
	const struct smc_llc_delete_rkey_wire *w = buf;

	if (w->num_rkeys == 0 || w->num_rkeys > 8)
		return -EINVAL;
	m->delete_rkey.num_rkeys = w->num_rkeys;
	m->delete_rkey.err_mask = w->err_mask;
	for (unsigned i = 0; i < 8; i++)
		m->delete_rkey.rkey[i] = rte_be_to_cpu_32(w->rkey[i]);
	return 0;
}

/* The header: type, version and length, each checked against what was received. */
static int dec_hdr(const uint8_t *b, size_t len, struct smc_llc *m)
{
	if (len < SMC_LLC_LEN)
		return -EINVAL;
	memset(m, 0, offsetof(struct smc_llc, add_link.rk));
	m->version = b[0] >> 4 == 2 ? 2 : 1;
	if (b[0] >> 4 != 0 && b[0] >> 4 != 2)
		return -EPROTONOSUPPORT;
	m->type = b[0] & 0x0f;
	m->flags = b[3];
	if (m->version == 1) {
		m->len = b[1];
		m->rej_reason = b[2] & 0x0f;
		return m->len == SMC_LLC_LEN ? 0 : -EINVAL;
	}
	m->len = get_le16(b + 1);
	if (m->len < SMC_LLC_LEN || m->len > SMC_LLC_V2_MAX || m->len > len)
		return -EINVAL;
	/* only ADD_LINK is longer than 44 bytes in what ursa accepts */
	if (m->type != SMC_LLC_ADD_LINK && m->len != SMC_LLC_LEN)
		return -EINVAL;
	return 0;
}

int smc_llc_decode(const void *buf, size_t len, struct smc_llc *m)
{
	int rc = dec_hdr(buf, len, m);

	if (rc != 0)
		return rc;
	switch (m->type) {
	case SMC_LLC_CONFIRM_LINK:
		dec_confirm_link(buf, m);
		return 0;
	case SMC_LLC_ADD_LINK:
		return dec_add_link(buf, m->len, m);
	case SMC_LLC_ADD_LINK_CONT:
		return dec_add_link_cont(buf, m);
	case SMC_LLC_DELETE_LINK: {
		const struct smc_llc_delete_link_wire *w = buf;

		m->delete_link.link_num = w->link_num;
		m->delete_link.reason = rte_be_to_cpu_32(w->reason);
		return 0;
	}
	case SMC_LLC_CONFIRM_RKEY:
		return dec_confirm_rkey(buf, m);
	case SMC_LLC_TEST_LINK:
		memcpy(m->test_link.data, ((const struct smc_llc_test_link_wire *)buf)->data, 16);
		return 0;
	case SMC_LLC_DELETE_RKEY:
		return dec_delete_rkey(buf, m);
	default:
		return -EPROTONOSUPPORT;
	}
}

static size_t enc_add_link(const struct smc_llc *m, uint8_t *buf, size_t cap)
{
	struct smc_llc_add_link_wire *w = (void *)buf;
	struct smc_llc_add_link_v2_ext_wire *x = (void *)(buf + SMC_LLC_LEN);
	struct smc_llc_rkey_chg_wire *rk = (void *)(x + 1);
	size_t len = SMC_LLC_LEN + sizeof(*x) + m->add_link.num_rkeys * sizeof(*rk);

	memcpy(w->mac, m->add_link.mac, 6);
	memcpy(w->gid, m->add_link.gid, 16);
	put24(w->qpn, m->add_link.qpn);
	w->link_num = m->add_link.link_num;
	w->mtu = m->add_link.mtu & 0x0f;
	put24(w->psn, m->add_link.psn);
	/* v1, and a v2 reject, are the 44 bytes alone */
	if (m->version == 1 || (m->flags & SMC_LLC_FLAG_ADD_LNK_REJ))
		return SMC_LLC_LEN;
	if (len > cap || m->add_link.num_rkeys > SMC_LLC_RKEYS_MAX)
		return 0;
	memset(x, 0, sizeof(*x));
	x->v2_direct = m->add_link.v2_direct ? 0x80 : 0;
	memcpy(x->target_gid, m->add_link.target_gid, 16);
	put_le16(x->num_rkeys, m->add_link.num_rkeys);
	for (unsigned i = 0; i < m->add_link.num_rkeys; i++) {
		rk[i].rkey = rte_cpu_to_be_32(m->add_link.rk[i].rkey);
		rk[i].rkey_new = rte_cpu_to_be_32(m->add_link.rk[i].rkey_new);
		rk[i].vaddr_new = rte_cpu_to_be_64(m->add_link.rk[i].vaddr_new);
	}
	return len;
}

static void enc_confirm_link(const struct smc_llc *m, void *buf)
{
	struct smc_llc_confirm_link_wire *w = buf;

	memcpy(w->mac, m->confirm_link.mac, 6);
	memcpy(w->gid, m->confirm_link.gid, 16);
	put24(w->qpn, m->confirm_link.qpn);
	w->link_num = m->confirm_link.link_num;
	w->link_uid = rte_cpu_to_be_32(m->confirm_link.link_uid);
	w->max_links = m->confirm_link.max_links;
	w->max_conns = m->confirm_link.max_conns;
}

static void enc_small(const struct smc_llc *m, void *buf)
{
	switch (m->type) {
	case SMC_LLC_ADD_LINK_CONT: {
		struct smc_llc_add_link_cont_wire *w = buf;

		w->link_num = m->add_link_cont.link_num;
		w->num_rkeys = m->add_link_cont.num_rkeys;
		for (unsigned i = 0; i < 2; i++) {
			w->rt[i].rkey = rte_cpu_to_be_32(m->add_link_cont.rk[i].rkey);
			w->rt[i].rkey_new = rte_cpu_to_be_32(m->add_link_cont.rk[i].rkey_new);
			w->rt[i].vaddr_new = rte_cpu_to_be_64(m->add_link_cont.rk[i].vaddr_new);
		}
		break;
	}
	case SMC_LLC_DELETE_LINK: {
		struct smc_llc_delete_link_wire *w = buf;

		w->link_num = m->delete_link.link_num;
		w->reason = rte_cpu_to_be_32(m->delete_link.reason);
		break;
	}
	case SMC_LLC_CONFIRM_RKEY: {
		struct smc_llc_confirm_rkey_wire *w = buf;

		for (unsigned i = 0; i < 3; i++) {
			w->rt[i].num_or_link =
				i == 0 ? m->confirm_rkey.num : m->confirm_rkey.rt[i].link_id;
			w->rt[i].rkey = rte_cpu_to_be_32(m->confirm_rkey.rt[i].rkey);
			w->rt[i].vaddr = rte_cpu_to_be_64(m->confirm_rkey.rt[i].vaddr);
		}
		break;
	}
	case SMC_LLC_TEST_LINK:
		memcpy(((struct smc_llc_test_link_wire *)buf)->data, m->test_link.data, 16);
		break;
	case SMC_LLC_DELETE_RKEY: {
		struct smc_llc_delete_rkey_wire *w = buf;

		w->num_rkeys = m->delete_rkey.num_rkeys;
		w->err_mask = m->delete_rkey.err_mask;
		for (unsigned i = 0; i < 8; i++)
			w->rkey[i] = rte_cpu_to_be_32(m->delete_rkey.rkey[i]);
		break;
	}
	default:
		break;
	}
}

int smc_llc_encode(const struct smc_llc *m, void *buf, size_t cap)
{
	uint8_t *b = buf;
	size_t len = SMC_LLC_LEN;

	if (cap < SMC_LLC_LEN)
		return -EMSGSIZE;
	memset(b, 0, SMC_LLC_LEN);
	if (m->type == SMC_LLC_CONFIRM_LINK)
		enc_confirm_link(m, b);
	else if (m->type == SMC_LLC_ADD_LINK && (len = enc_add_link(m, b, cap)) == 0)
		return -EMSGSIZE;
	else
		enc_small(m, b);
	b[0] = (uint8_t)(m->version == 2 ? 0x20 | m->type : m->type);
	if (m->version == 2) {
		put_le16(b + 1, (uint16_t)len);
	} else {
		b[1] = SMC_LLC_LEN;
		b[2] = m->rej_reason & 0x0f;
	}
	b[3] = m->flags;
	return (int)len;
}
