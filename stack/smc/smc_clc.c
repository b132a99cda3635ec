/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CLC encode and decode (smc_clc_hdr.h for the layouts). One function per message computes
 * where each part sits from the message's own counts and flags; the decoder refuses any
 * message whose length, offsets or counts disagree with that, so nothing is read past what
 * was checked, and the encoder writes the parts at the same places.
 */
#include <errno.h>
#include <string.h>

#include "smc_clc.h"

#define SMC_CLC_ERR_NAME(n) #n,
const char *const smc_clc_error_names[SMC_CLC_E_MAX] = {SMC_CLC_ERRORS(SMC_CLC_ERR_NAME)};

#define HDR_LEN	 sizeof(struct smc_clc_hdr)
#define TRL_LEN	 sizeof(struct smc_clc_trailer)
#define BASE_END (HDR_LEN + sizeof(struct smc_clc_prop_base))  /* 40 */
#define SMCD_END (BASE_END + sizeof(struct smc_clc_prop_smcd)) /* 80 */
/* v2_ext_offset counts from the end of its own field */
#define V2OFF_END (BASE_END + offsetof(struct smc_clc_prop_smcd, vendor_oui)) /* 52 */

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

static bool eye_ok(uint32_t e)
{
	return e == SMC_CLC_EYE_R || e == SMC_CLC_EYE_D;
}

uint16_t smc_clc_peek_len(const uint8_t *p)
{
	struct smc_clc_hdr h;
	uint16_t len;
	unsigned ver;

	memcpy(&h, p, sizeof(h));
	len = rte_be_to_cpu_16(h.length);
	ver = h.vbits >> SMC_CLC_VERSION_SHIFT;
	if (!eye_ok(rte_be_to_cpu_32(h.eyecatcher)) || ver < 1 || ver > 2 ||
	    h.type < SMC_CLC_PROPOSAL || h.type > SMC_CLC_DECLINE || len < SMC_CLC_LEN_DECLINE_V1 ||
	    len > SMC_CLC_MAX_LEN)
		return 0;
	return len;
}

/* ---- Proposal ---- */

/* Where the parts of a Proposal sit; 0 for a part that is absent. */
struct prop_layout {
	size_t smcd, prefix, v2ext, smcd_v2ext, total;
};

static bool smcd_indicated(uint8_t t)
{
	return t == SMC_CLC_PATH_D || t == SMC_CLC_PATH_B;
}

static enum smc_clc_error prop_layout(const struct smc_clc_msg *m, struct prop_layout *l)
{
	const struct smc_clc_proposal *p = &m->prop;
	size_t at;

	memset(l, 0, sizeof(*l));
	if (p->iparea_offset != 0 && p->iparea_offset != sizeof(struct smc_clc_prop_smcd))
		return SMC_CLC_E_offset;
	if (m->version == 1 && m->typev1 == SMC_CLC_PATH_N)
		return SMC_CLC_E_type; /* a v1 Proposal offering nothing */
	if (m->version == 2 && m->typev1 != SMC_CLC_PATH_N && p->iparea_offset == 0)
		return SMC_CLC_E_offset; /* the prefix area would overlap the v2 area */
	/* v2 always carries the SMC-D/v2 area; v1 when iparea_offset says so */
	at = BASE_END;
	if (m->version == 2 || p->iparea_offset != 0) {
		l->smcd = at;
		at = SMCD_END;
	}
	if (m->typev1 != SMC_CLC_PATH_N) {
		if (p->v6_count > SMC_CLC_MAX_V6_PREFIX)
			return SMC_CLC_E_count;
		l->prefix = at;
		at += sizeof(struct smc_clc_prop_prefix) +
		      p->v6_count * sizeof(struct smc_clc_v6_prefix);
	}
	if (m->version == 2 && m->typev2 != SMC_CLC_PATH_N) {
		if (p->eid_cnt > SMC_CLC_MAX_UEID || p->ism_cnt > SMC_CLC_MAX_ISM ||
		    (p->ism_cnt != 0 && !smcd_indicated(m->typev2)))
			return SMC_CLC_E_count;
		l->v2ext = at;
		at += sizeof(struct smc_clc_v2_ext) + p->eid_cnt * (size_t)SMC_CLC_EID_LEN;
		if (smcd_indicated(m->typev2)) {
			l->smcd_v2ext = at;
			at += sizeof(struct smc_clc_smcd_v2_ext) +
			      p->ism_cnt * sizeof(struct smc_clc_gid_chid);
		}
	}
	l->total = at + TRL_LEN;
	return SMC_CLC_E_ok;
}

static uint16_t v2ext_offset(const struct prop_layout *l)
{
	return l->v2ext ? (uint16_t)(l->v2ext - V2OFF_END) : 0;
}

static uint16_t smcd_v2ext_offset(const struct prop_layout *l)
{
	return l->smcd_v2ext ? (uint16_t)(l->smcd_v2ext - l->v2ext -
					  offsetof(struct smc_clc_v2_ext, v2_gid))
			     : 0;
}

/* The counts the layout depends on, read before the layout is known (each read is within
 * len: checked here). */
static enum smc_clc_error prop_counts(const uint8_t *p, size_t len, struct smc_clc_msg *m,
				      uint16_t *v2off)
{
	struct smc_clc_proposal *q = &m->prop;
	struct smc_clc_prop_base b;
	struct smc_clc_prop_smcd d;
	struct smc_clc_prop_prefix x;
	struct smc_clc_v2_ext e;
	size_t at;

	if (len < BASE_END + TRL_LEN)
		return SMC_CLC_E_length;
	memcpy(&b, p + HDR_LEN, sizeof(b));
	q->iparea_offset = rte_be_to_cpu_16(b.iparea_offset);
	*v2off = 0;
	at = BASE_END;
	if (m->version == 2 || q->iparea_offset != 0) {
		if (len < SMCD_END + TRL_LEN)
			return SMC_CLC_E_length;
		memcpy(&d, p + BASE_END, sizeof(d));
		*v2off = rte_be_to_cpu_16(d.v2_ext_offset);
		at = SMCD_END;
	}
	if (m->typev1 != SMC_CLC_PATH_N) {
		if (len < at + sizeof(x) + TRL_LEN)
			return SMC_CLC_E_length;
		memcpy(&x, p + at, sizeof(x));
		q->v6_count = x.v6_count;
	}
	if (m->version == 2 && m->typev2 != SMC_CLC_PATH_N) {
		at = V2OFF_END + (size_t)*v2off;
		if (len < at + sizeof(e) + TRL_LEN)
			return SMC_CLC_E_offset;
		memcpy(&e, p + at, sizeof(e));
		q->eid_cnt = e.eid_cnt;
		q->ism_cnt = e.ism_gid_cnt;
	}
	return SMC_CLC_E_ok;
}

static void prop_read_smcd(const uint8_t *p, struct smc_clc_proposal *q)
{
	struct smc_clc_prop_smcd d;

	memcpy(&d, p, sizeof(d));
	q->ism_gid = rte_be_to_cpu_64(d.ism_gid);
	q->ism_chid = rte_be_to_cpu_16(d.ism_chid);
	memcpy(q->vendor_oui, d.vendor_oui, sizeof(q->vendor_oui));
	memcpy(q->vendor_opts, d.vendor_opts, sizeof(q->vendor_opts));
}

static void prop_read_v2(const uint8_t *p, const struct prop_layout *l, struct smc_clc_msg *m)
{
	struct smc_clc_proposal *q = &m->prop;
	struct smc_clc_v2_ext e;

	memcpy(&e, p + l->v2ext, sizeof(e));
	q->release = e.release_seid >> 4;
	q->seid = (e.release_seid & 1) != 0;
	memcpy(q->v2_gid, e.v2_gid, sizeof(q->v2_gid));
	q->max_conns = e.max_conns;
	q->max_links = e.max_links;
	q->feature_mask = rte_be_to_cpu_16(e.feature_mask);
	memcpy(q->eid, p + l->v2ext + sizeof(e), q->eid_cnt * (size_t)SMC_CLC_EID_LEN);
	if (l->smcd_v2ext) {
		const uint8_t *g = p + l->smcd_v2ext + sizeof(struct smc_clc_smcd_v2_ext);

		memcpy(q->system_eid, p + l->smcd_v2ext, SMC_CLC_EID_LEN);
		for (unsigned i = 0; i < q->ism_cnt; i++) {
			struct smc_clc_gid_chid gc;

			memcpy(&gc, g + i * sizeof(gc), sizeof(gc));
			q->ism[i].gid = rte_be_to_cpu_64(gc.gid);
			q->ism[i].chid = rte_be_to_cpu_16(gc.chid);
		}
	}
}

static enum smc_clc_error prop_decode(const uint8_t *p, size_t len, struct smc_clc_msg *m)
{
	struct smc_clc_proposal *q = &m->prop;
	struct smc_clc_prop_base b;
	struct prop_layout l;
	enum smc_clc_error e;
	uint16_t v2off;

	if ((e = prop_counts(p, len, m, &v2off)) != SMC_CLC_E_ok ||
	    (e = prop_layout(m, &l)) != SMC_CLC_E_ok)
		return e;
	if (l.total != len)
		return SMC_CLC_E_length;
	if (v2off != v2ext_offset(&l))
		return SMC_CLC_E_offset;
	memcpy(&b, p + HDR_LEN, sizeof(b));
	memcpy(q->peer_id, b.peer_id, sizeof(q->peer_id));
	memcpy(q->gid, b.gid, sizeof(q->gid));
	memcpy(q->mac, b.mac, sizeof(q->mac));
	if (l.smcd)
		prop_read_smcd(p + l.smcd, q);
	if (l.prefix) {
		struct smc_clc_prop_prefix x;

		memcpy(&x, p + l.prefix, sizeof(x));
		q->subnet = rte_be_to_cpu_32(x.subnet);
		q->prefix_len = x.prefix_len;
		memcpy(q->v6, p + l.prefix + sizeof(x), q->v6_count * sizeof(q->v6[0]));
	}
	if (l.v2ext) {
		struct smc_clc_v2_ext x;

		memcpy(&x, p + l.v2ext, sizeof(x));
		if (rte_be_to_cpu_16(x.smcd_v2_ext_offset) != smcd_v2ext_offset(&l))
			return SMC_CLC_E_offset;
		prop_read_v2(p, &l, m);
	}
	return SMC_CLC_E_ok;
}

static void prop_write_v2(const struct smc_clc_msg *m, const struct prop_layout *l, uint8_t *buf)
{
	const struct smc_clc_proposal *q = &m->prop;
	struct smc_clc_v2_ext e = {
		.eid_cnt = q->eid_cnt,
		.ism_gid_cnt = q->ism_cnt,
		.release_seid = (uint8_t)(q->release << 4 | (q->seid ? 1 : 0)),
		.smcd_v2_ext_offset = rte_cpu_to_be_16(smcd_v2ext_offset(l)),
		.max_conns = q->max_conns,
		.max_links = q->max_links,
		.feature_mask = rte_cpu_to_be_16(q->feature_mask),
	};

	memcpy(e.v2_gid, q->v2_gid, sizeof(e.v2_gid));
	memcpy(buf + l->v2ext, &e, sizeof(e));
	memcpy(buf + l->v2ext + sizeof(e), q->eid, q->eid_cnt * (size_t)SMC_CLC_EID_LEN);
	if (l->smcd_v2ext) {
		uint8_t *g = buf + l->smcd_v2ext + sizeof(struct smc_clc_smcd_v2_ext);

		memcpy(buf + l->smcd_v2ext, q->system_eid, SMC_CLC_EID_LEN);
		for (unsigned i = 0; i < q->ism_cnt; i++) {
			struct smc_clc_gid_chid gc = {.gid = rte_cpu_to_be_64(q->ism[i].gid),
						      .chid = rte_cpu_to_be_16(q->ism[i].chid)};

			memcpy(g + i * sizeof(gc), &gc, sizeof(gc));
		}
	}
}

static int prop_encode(const struct smc_clc_msg *m, uint8_t *buf, size_t room)
{
	const struct smc_clc_proposal *q = &m->prop;
	struct smc_clc_prop_base b = {.iparea_offset = rte_cpu_to_be_16(q->iparea_offset)};
	struct prop_layout l;

	if (prop_layout(m, &l) != SMC_CLC_E_ok)
		return -EINVAL;
	if (l.total > room)
		return -ENOSPC;
	memset(buf, 0, l.total);
	memcpy(b.peer_id, q->peer_id, sizeof(b.peer_id));
	memcpy(b.gid, q->gid, sizeof(b.gid));
	memcpy(b.mac, q->mac, sizeof(b.mac));
	memcpy(buf + HDR_LEN, &b, sizeof(b));
	if (l.smcd) {
		struct smc_clc_prop_smcd d = {.ism_gid = rte_cpu_to_be_64(q->ism_gid),
					      .ism_chid = rte_cpu_to_be_16(q->ism_chid),
					      .v2_ext_offset = rte_cpu_to_be_16(v2ext_offset(&l))};

		memcpy(d.vendor_oui, q->vendor_oui, sizeof(d.vendor_oui));
		memcpy(d.vendor_opts, q->vendor_opts, sizeof(d.vendor_opts));
		memcpy(buf + l.smcd, &d, sizeof(d));
	}
	if (l.prefix) {
		struct smc_clc_prop_prefix x = {.subnet = rte_cpu_to_be_32(q->subnet),
						.prefix_len = q->prefix_len,
						.v6_count = q->v6_count};

		memcpy(buf + l.prefix, &x, sizeof(x));
		memcpy(buf + l.prefix + sizeof(x), q->v6, q->v6_count * sizeof(q->v6[0]));
	}
	if (l.v2ext)
		prop_write_v2(m, &l, buf);
	return (int)l.total;
}

/* ---- Accept / Confirm (SMC-R) ---- */

struct acc_layout {
	size_t v2, fce, fce21, gidl, total;
};

static enum smc_clc_error acc_layout(const struct smc_clc_msg *m, struct acc_layout *l)
{
	size_t at = HDR_LEN + sizeof(struct smc_clc_acc_r);

	memset(l, 0, sizeof(*l));
	if (m->typev1 != SMC_CLC_PATH_R)
		return SMC_CLC_E_type; /* SMC-D is not spoken */
	if (m->version == 2) {
		l->v2 = at;
		at += sizeof(struct smc_clc_acc_v2);
		if (m->first_contact) {
			l->fce = at;
			at += sizeof(struct smc_clc_fce);
			if (m->acc.fce_release >= 1) {
				l->fce21 = at;
				at += sizeof(struct smc_clc_fce_v21);
			}
			if (m->type == SMC_CLC_CONFIRM) {
				if (m->acc.gid_cnt > SMC_CLC_MAX_GIDS)
					return SMC_CLC_E_count;
				l->gidl = at;
				at += sizeof(struct smc_clc_gid_list) + m->acc.gid_cnt * 16u;
			}
		}
	}
	l->total = at + TRL_LEN;
	return SMC_CLC_E_ok;
}

static enum smc_clc_error acc_values(const struct smc_clc_accept *a)
{
	if (a->qpn < 2 || a->qpn > 0xffffff || a->mtu < 1 || a->mtu > 5 || a->rmbe_idx < 1 ||
	    a->psn > 0xffffff || a->rmbe_size > 15)
		return SMC_CLC_E_value;
	return SMC_CLC_E_ok;
}

static void acc_read_fce(const uint8_t *p, const struct acc_layout *l, struct smc_clc_accept *a)
{
	struct smc_clc_fce f;

	memcpy(&f, p + l->fce, sizeof(f));
	a->direct = (f.direct & SMC_CLC_FCE_DIRECT) != 0;
	a->os_type = f.os_release >> 4;
	memcpy(a->hostname, f.hostname, sizeof(a->hostname));
	if (l->fce21) {
		struct smc_clc_fce_v21 g;

		memcpy(&g, p + l->fce21, sizeof(g));
		a->max_conns = g.max_conns;
		a->max_links = g.max_links;
		a->feature_mask = rte_be_to_cpu_16(g.feature_mask);
		memcpy(a->vendor_opts, g.vendor_opts, sizeof(a->vendor_opts));
	}
}

static enum smc_clc_error acc_decode(const uint8_t *p, size_t len, struct smc_clc_msg *m)
{
	struct smc_clc_accept *a = &m->acc;
	size_t fce = HDR_LEN + sizeof(struct smc_clc_acc_r) + sizeof(struct smc_clc_acc_v2);
	struct smc_clc_acc_r r;
	struct acc_layout l;
	enum smc_clc_error e;

	/* the counts the layout depends on: the FCE's release, the GID list's count */
	if (m->version == 2 && m->first_contact) {
		size_t gl = fce + sizeof(struct smc_clc_fce);

		if (len < fce + sizeof(struct smc_clc_fce) + TRL_LEN)
			return SMC_CLC_E_length;
		a->fce_release = p[fce + offsetof(struct smc_clc_fce, os_release)] & 0xf;
		gl += a->fce_release >= 1 ? sizeof(struct smc_clc_fce_v21) : 0;
		if (m->type == SMC_CLC_CONFIRM) {
			if (len < gl + sizeof(struct smc_clc_gid_list) + TRL_LEN)
				return SMC_CLC_E_length;
			a->gid_cnt = p[gl];
		}
	}
	if ((e = acc_layout(m, &l)) != SMC_CLC_E_ok)
		return e;
	if (l.total != len)
		return SMC_CLC_E_length;
	memcpy(&r, p + HDR_LEN, sizeof(r));
	memcpy(a->peer_id, r.peer_id, sizeof(a->peer_id));
	memcpy(a->gid, r.gid, sizeof(a->gid));
	memcpy(a->mac, r.mac, sizeof(a->mac));
	a->qpn = get24(r.qpn);
	a->rkey = rte_be_to_cpu_32(r.rkey);
	a->rmbe_idx = r.rmbe_idx;
	a->token = rte_be_to_cpu_32(r.token);
	a->rmbe_size = r.size_mtu >> 4;
	a->mtu = r.size_mtu & 0xf;
	a->vaddr = rte_be_to_cpu_64(r.vaddr);
	a->psn = get24(r.psn);
	if (l.v2)
		memcpy(a->eid, p + l.v2, sizeof(a->eid));
	if (l.fce)
		acc_read_fce(p, &l, a);
	if (l.gidl)
		memcpy(a->gids, p + l.gidl + sizeof(struct smc_clc_gid_list), a->gid_cnt * 16u);
	return acc_values(a);
}

static void acc_write_fce(const struct smc_clc_accept *a, const struct acc_layout *l, uint8_t *buf)
{
	struct smc_clc_fce f = {.direct = a->direct ? SMC_CLC_FCE_DIRECT : 0,
				.os_release = (uint8_t)(a->os_type << 4 | (a->fce_release & 0xf))};

	memcpy(f.hostname, a->hostname, sizeof(f.hostname));
	memcpy(buf + l->fce, &f, sizeof(f));
	if (l->fce21) {
		struct smc_clc_fce_v21 g = {.max_conns = a->max_conns,
					    .max_links = a->max_links,
					    .feature_mask = rte_cpu_to_be_16(a->feature_mask)};

		memcpy(g.vendor_opts, a->vendor_opts, sizeof(g.vendor_opts));
		memcpy(buf + l->fce21, &g, sizeof(g));
	}
}

static int acc_encode(const struct smc_clc_msg *m, uint8_t *buf, size_t room)
{
	const struct smc_clc_accept *a = &m->acc;
	struct smc_clc_acc_r r = {
		.rkey = rte_cpu_to_be_32(a->rkey),
		.rmbe_idx = a->rmbe_idx,
		.token = rte_cpu_to_be_32(a->token),
		.size_mtu = (uint8_t)(a->rmbe_size << 4 | a->mtu),
		.vaddr = rte_cpu_to_be_64(a->vaddr),
	};
	struct acc_layout l;

	if (acc_layout(m, &l) != SMC_CLC_E_ok || acc_values(a) != SMC_CLC_E_ok)
		return -EINVAL;
	if (l.total > room)
		return -ENOSPC;
	memset(buf, 0, l.total);
	memcpy(r.peer_id, a->peer_id, sizeof(r.peer_id));
	memcpy(r.gid, a->gid, sizeof(r.gid));
	memcpy(r.mac, a->mac, sizeof(r.mac));
	put24(r.qpn, a->qpn);
	put24(r.psn, a->psn);
	memcpy(buf + HDR_LEN, &r, sizeof(r));
	if (l.v2)
		memcpy(buf + l.v2, a->eid, sizeof(a->eid));
	if (l.fce)
		acc_write_fce(a, &l, buf);
	if (l.gidl) {
		buf[l.gidl] = a->gid_cnt;
		memcpy(buf + l.gidl + sizeof(struct smc_clc_gid_list), a->gids, a->gid_cnt * 16u);
	}
	return (int)l.total;
}

/* ---- Decline ---- */

static size_t decl_len(const struct smc_clc_msg *m)
{
	return m->version == 1 ? SMC_CLC_LEN_DECLINE_V1 : SMC_CLC_LEN_DECLINE_V2;
}

static enum smc_clc_error decl_decode(const uint8_t *p, size_t len, struct smc_clc_msg *m)
{
	struct smc_clc_decline d;

	if (len != decl_len(m))
		return SMC_CLC_E_length;
	memcpy(&d, p + HDR_LEN, sizeof(d));
	memcpy(m->decl.peer_id, d.peer_id, sizeof(d.peer_id));
	m->decl.diag = rte_be_to_cpu_32(d.diag);
	m->decl.os_type = m->version == 2 ? d.os_type >> 4 : 0;
	for (unsigned i = 0; m->version == 2 && i < 4; i++) {
		rte_be32_t v;

		memcpy(&v, p + HDR_LEN + sizeof(d) + 4 * i, 4);
		m->decl.diag_v2[i] = rte_be_to_cpu_32(v);
	}
	return SMC_CLC_E_ok;
}

static int decl_encode(const struct smc_clc_msg *m, uint8_t *buf, size_t room)
{
	struct smc_clc_decline d = {.diag = rte_cpu_to_be_32(m->decl.diag)};
	size_t len = decl_len(m);

	if (len > room)
		return -ENOSPC;
	memset(buf, 0, len);
	memcpy(d.peer_id, m->decl.peer_id, sizeof(d.peer_id));
	if (m->version == 2)
		d.os_type = (uint8_t)(m->decl.os_type << 4);
	memcpy(buf + HDR_LEN, &d, sizeof(d));
	for (unsigned i = 0; m->version == 2 && i < 4; i++) {
		rte_be32_t v = rte_cpu_to_be_32(m->decl.diag_v2[i]);

		memcpy(buf + HDR_LEN + sizeof(d) + 4 * i, &v, 4);
	}
	return (int)len;
}

/* ---- the message ---- */

enum smc_clc_error smc_clc_decode(const uint8_t *p, size_t len, struct smc_clc_msg *m)
{
	struct smc_clc_hdr h;
	rte_be32_t trl;

	memset(m, 0, sizeof(*m));
	if (len < SMC_CLC_LEN_DECLINE_V1)
		return SMC_CLC_E_short;
	memcpy(&h, p, sizeof(h));
	memcpy(&trl, p + len - TRL_LEN, sizeof(trl));
	if (!eye_ok(rte_be_to_cpu_32(h.eyecatcher)) || !eye_ok(rte_be_to_cpu_32(trl)))
		return SMC_CLC_E_eyecatcher;
	m->version = h.vbits >> SMC_CLC_VERSION_SHIFT;
	if (m->version < 1 || m->version > 2)
		return SMC_CLC_E_version;
	if (rte_be_to_cpu_16(h.length) != len)
		return SMC_CLC_E_length;
	m->type = h.type;
	m->eye_d = rte_be_to_cpu_32(h.eyecatcher) == SMC_CLC_EYE_D;
	m->trl_d = rte_be_to_cpu_32(trl) == SMC_CLC_EYE_D;
	m->typev1 = h.vbits & SMC_CLC_TYPE_MASK;
	m->typev2 = (h.vbits >> SMC_CLC_TYPEV2_SHIFT) & SMC_CLC_TYPE_MASK;
	switch (m->type) {
	case SMC_CLC_PROPOSAL:
		return prop_decode(p, len, m);
	case SMC_CLC_ACCEPT:
	case SMC_CLC_CONFIRM:
		m->first_contact = (h.vbits & SMC_CLC_FIRST_CONTACT) != 0;
		m->typev2 = 0;
		return acc_decode(p, len, m);
	case SMC_CLC_DECLINE:
		m->first_contact = (h.vbits & SMC_CLC_FIRST_CONTACT) != 0;
		m->typev2 = 0;
		return decl_decode(p, len, m);
	default:
		return SMC_CLC_E_type;
	}
}

int smc_clc_encode(const struct smc_clc_msg *m, uint8_t *buf, size_t room)
{
	struct smc_clc_hdr h;
	rte_be32_t trl;
	int len;

	if (m->version < 1 || m->version > 2)
		return -EINVAL;
	switch (m->type) {
	case SMC_CLC_PROPOSAL:
		len = prop_encode(m, buf, room);
		break;
	case SMC_CLC_ACCEPT:
	case SMC_CLC_CONFIRM:
		len = acc_encode(m, buf, room);
		break;
	case SMC_CLC_DECLINE:
		len = decl_encode(m, buf, room);
		break;
	default:
		return -EINVAL;
	}
	if (len < 0)
		return len;
	h.eyecatcher = rte_cpu_to_be_32(m->eye_d ? SMC_CLC_EYE_D : SMC_CLC_EYE_R);
	h.type = m->type;
	h.length = rte_cpu_to_be_16((uint16_t)len);
	h.vbits = (uint8_t)(m->version << SMC_CLC_VERSION_SHIFT |
			    (m->typev2 & SMC_CLC_TYPE_MASK) << SMC_CLC_TYPEV2_SHIFT |
			    (m->first_contact ? SMC_CLC_FIRST_CONTACT : 0) |
			    (m->typev1 & SMC_CLC_TYPE_MASK));
	trl = rte_cpu_to_be_32(m->trl_d ? SMC_CLC_EYE_D : SMC_CLC_EYE_R);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + len - TRL_LEN, &trl, sizeof(trl));
	return len;
}
