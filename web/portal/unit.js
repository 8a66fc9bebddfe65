// One unit of the tiered recap (D.Hasil), #/rekap/<contest>/<code>/<d>,
// from /api/v1/recap/<contest>/<code>/<d>.json (docs/API.md "A recap
// unit"): the recap as signed (version, time, officer's key, reason),
// every difference per field with the children where it arises — a TPS
// links to its page, a child region to its own unit of the same district,
// so a difference can be followed down to the TPS — the children and how
// each stands in the recap, the version history and the plenary records
// (objections, special events). Loaded only when such a page is opened
// (app.js imports it on demand). The helpers above render() are pure (the
// node tests import them).
import { html } from './html.js';
import { format, ancestors } from './route.js';
import { num, wib } from './i18n.js';
import { crumbs, chainOf, errorBox, apiLink, selLabel } from './ui.js';
import { recapAt, unitPath, signed } from './recap.js';

const PARTY_LISTS = ['dpr', 'dprd_prov', 'dprd_kab'];

export async function load(ctx, route) {
  const { contest, code, d } = route;
  const [res, chain, names] = await Promise.all([
    ctx.api.get(unitPath(contest, code, d)).catch(e => ({ error: e, changed: true })),
    chainOf(ctx, code),
    // the parties' short names for the fields of a party list
    PARTY_LISTS.includes(contest)
      ? ctx.api.get('/api/v1/results/' + contest + '/' + code + '.json').catch(() => ({ data: null, changed: false }))
      : { data: null, changed: false },
  ]);
  if (res.data?.children) for (const k of res.data.children) if (k.code && k.name && !ctx.names.has(k.code)) ctx.names.set(k.code, { name: k.name, parent: code });
  return { route, res, chain, selections: names.data?.selections || [], changed: res.changed || names.changed };
}

// ------------------------------------------------------------ the fields

const SEX = { male: 'male', female: 'female', total: 'sum' };

// A field's name in the reader's language: fields[] of the unit document
// ({key, party?, no?, candidate?}); sels: the region's selections (the
// parties' numbers and short names, for a party list).
export function fieldLabel(t, contest, f, sels = []) {
  const key = f && f.key || '';
  let m;
  if ((m = /^voters\.(\w+)\.(male|female|total)$/.exec(key))) return t('row_' + m[1]) + ' · ' + t(SEX[m[2]]);
  if ((m = /^ballots\.(\w+)$/.exec(key))) return t('ballots') + ': ' + t('ballots_' + m[1]).toLowerCase();
  if (key === 'valid' || key === 'invalid' || key === 'total') return t(key);
  const party = Number.isInteger(f.party) ? f.party : null;
  const p = party === null ? '' : partyLabel(t, contest, party, sels);
  if (/^party_only\[/.test(key)) return p + ' · ' + t('party_only').toLowerCase();
  if (/^votes\[/.test(key)) {
    const who = f.candidate ? (contest === 'ppwp' ? selLabel('ppwp', { no: f.no, name: f.candidate }) : (f.no ?? '?') + '. ' + f.candidate) : key;
    return p ? p + ' · ' + who : who;
  }
  return key;
}

export function partyLabel(t, contest, no, sels = []) {
  const s = sels.find(x => x.no === no);
  return s ? selLabel(contest, s) : t('party_no', no);
}

// The few numbers a reader looks at first, each {label, idx: [field
// indexes summed]}: DPT, voters, valid, invalid, total, and the votes of
// each pair/candidate (or of each party: its candidates and its party-only
// votes together, as the region page shows a party).
export function summaryFields(t, contest, fields, sels = []) {
  const at = k => fields.findIndex(f => f.key === k);
  const one = (label, k) => ({ key: k, label, idx: [at(k)].filter(i => i >= 0) });
  const out = [
    { key: 'dpt', label: t('stat_dpt'), idx: ['voters.dpt.total', 'voters.dptb.total', 'voters.dpk.total'].map(at).filter(i => i >= 0) },
    one(t('stat_voters'), 'voters.b4.total'), one(t('stat_valid'), 'valid'), one(t('stat_invalid'), 'invalid'), one(t('total'), 'total'),
  ];
  const votes = fields.map((f, i) => ({ f, i })).filter(({ f }) => /^(votes|party_only)\[/.test(f.key));
  const parties = [...new Set(votes.map(({ f }) => f.party).filter(Number.isInteger))];
  if (parties.length) {
    for (const p of parties) out.push({ key: 'party-' + p, label: partyLabel(t, contest, p, sels), idx: votes.filter(({ f }) => f.party === p).map(({ i }) => i) });
  } else {
    for (const { f, i } of votes) out.push({ key: f.key, label: fieldLabel(t, contest, f, sels), idx: [i] });
  }
  return out.filter(r => r.idx.length);
}

export const sum = (v, idx) => (v ? idx.reduce((s, i) => s + (v[i] || 0), 0) : null);

// Where a child leads: a TPS to its page, a child region to its own unit
// of the same district (so a difference is followed down to the TPS).
export function childHref(doc, code) {
  const contest = doc.contest;
  return doc.child_level === 'tps'
    ? format({ name: 'tps', contest, code })
    : format({ name: 'recap', contest, code, d: doc.district.index });
}

// Every difference of the signed totals against the level below, per
// field, with the children where it arises and their two values:
// [{field, label, recap, below, delta, children: [{code, name, href, recap, now}]}].
export function differenceRows(t, doc, sels = []) {
  const kids = new Map((doc.children || []).map(k => [k.code, k]));
  return (doc.differences || []).map(x => {
    const children = (x.children || []).map(code => {
      const k = kids.get(code) || { code, name: code, diff: [] };
      const dv = (k.diff || []).find(e => e[0] === x.field);
      return { code, name: k.name, href: childHref(doc, code), recap: dv ? dv[1] : null, now: dv ? dv[2] : null };
    });
    return { field: x.field, label: fieldLabel(t, doc.contest, doc.fields?.[x.field] || { key: 'field ' + x.field }, sels),
      recap: x.recap, below: x.below, delta: x.recap - x.below, children };
  });
}

// How a child's row stands in the recap, in plain words.
export function rowText(t, k) {
  const r = k.row;
  if (!r) return t('recap_row_none');
  if (r.how === 'adopt') return t('recap_row_adopt', r.version);
  if (r.how === 'mark') return t('recap_row_mark', t('recap_why_' + r.why)) + (r.reason ? ': “' + r.reason + '”' : '');
  if (r.how === 'correct') return t('recap_row_correct') + (r.reason ? ': “' + r.reason + '”' : '');
  return r.how;
}

// What a child says now: a TPS's counted version, a region's recap.
export function childStatus(t, doc, k) {
  const tps = doc.child_level === 'tps';
  if (k.status === 'counted') return { cls: 'st-counted', text: t('recap_child_counted', k.version) };
  if (k.status === 'signed') return { cls: 'st-counted', text: t('recap_child_signed', k.version) };
  if (k.status === 'rejected') return { cls: 'st-rejected', text: k.version ? t('recap_child_rejected_v', k.version) : t('recap_child_rejected') };
  return { cls: 'st-none', text: t(tps ? 'recap_child_none_tps' : 'recap_child_none') };
}

// The unit's status, as the region page says it: from the unit document.
export function docStatus(doc) {
  const r = doc.recap, l = doc.latest;
  if (!r && !l) return 'none';
  if (l && l.status === 'rejected') return 'rejected';
  if ((doc.children || []).some(k => k.row?.how === 'adopt' && k.version !== k.row.version)) return 'stale';
  return 'signed';
}

// ------------------------------------------------------------ pieces

function officer(ctx, key) {
  return key ? html`<span class="who">${ctx.t('recap_officer')}: <code class="key" title="Ed25519">${key}</code></span>` : '';
}

function statusBox(ctx, doc) {
  const { t, lang } = ctx;
  const r = doc.recap, l = doc.latest;
  const s = docStatus(doc);
  const cls = { signed: 'st-counted', stale: 'st-flagged', rejected: 'st-rejected', none: 'st-none' }[s];
  const stale = (doc.children || []).filter(k => k.row?.how === 'adopt' && k.version !== k.row.version).length;
  let head;
  if (s === 'none') head = t('recap_none');
  else if (s === 'rejected') head = t('recap_rejected', l.version, (l.codes || []).join(', ') || '?') + (r ? ' ' + t('recap_still', r.version) : '');
  else if (s === 'stale') head = t('recap_stale', r.version, stale);
  else head = t('recap_signed', r.version, wib(lang, r.signed_at));
  return html`<div class="status ${cls}" id="u-status" data-status="${s}">
    <p><strong>${head}</strong></p>
    ${s === 'none' ? html`<p>${t('recap_none_long')}</p>` : ''}
    ${r ? html`<p>${t('version', r.version)} · <a href="${apiLink(ctx, '/api/v1/proof/' + r.index)}" target="_blank" rel="noopener">${t('log_index', r.index)}</a></p>
      ${r.reason ? html`<p>${t('reason')}: “${r.reason}”</p>` : ''}
      <p>${officer(ctx, r.officer)}</p>` : ''}
    ${s === 'stale' ? html`<p>${t('recap_stale_long')}</p>` : ''}
  </div>`;
}

function totalsTable(ctx, doc, sels) {
  const { t, lang } = ctx;
  const rows = summaryFields(t, doc.contest, doc.fields || [], sels);
  const rec = doc.recap?.totals;
  return html`<div class="tw" tabindex="0"><table class="nt cmp" id="u-totals">
    <thead><tr><th></th><th class="n">${t('recap_col_recap')}</th><th class="n">${t('recap_col_below')}</th><th class="n">${t('recap_delta')}</th></tr></thead>
    <tbody>${rows.map(r => {
      const a = sum(rec, r.idx), b = sum(doc.below, r.idx);
      const dl = a === null ? 0 : a - b;
      return html`<tr data-key="${r.key}" class="${dl ? 'dif' : ''}"><th>${r.label}</th><td class="n">${num(lang, a)}</td><td class="n">${num(lang, b)}</td><td class="n">${dl ? html`<strong>${signed(lang, dl)}</strong>` : '·'}</td></tr>`;
    })}</tbody></table></div>`;
}

function differences(ctx, doc, sels) {
  const { t, lang } = ctx;
  if (!doc.recap) return html`<p class="note">${t('recap_no_recap')}</p>`;
  const rows = differenceRows(t, doc, sels);
  if (!rows.length) return html`<p class="ok" id="u-nodiff">✓ ${t('recap_no_diff')}</p>`;
  return html`<p class="hint">${t('recap_diff_intro')}</p>
    <ul class="diffs" id="u-diffs">${rows.map(x => html`<li data-field="${x.field}">
      <strong>${x.label}</strong>
      <span class="dv">${t('recap_col_recap')} ${num(lang, x.recap)} · ${t('recap_col_below')} ${num(lang, x.below)} · <b>${signed(lang, x.delta)}</b></span>
      ${x.children.length ? html`<span class="dk">${t('recap_arises_at')} ${x.children.map((k, i) => html`${i ? ', ' : ''}<a href="${k.href}" data-code="${k.code}">${k.name}</a> <small class="code">${k.code}</small>${k.recap !== null ? html` <small>(${t('recap_col_recap').toLowerCase()} ${num(lang, k.recap)}, ${t('recap_now')} ${num(lang, k.now)})</small>` : ''}`)}</span>` : ''}
    </li>`)}</ul>`;
}

// A child worth a look: nothing there, or not simply adopted as it stands
// (marked, corrected, moved on since, a difference).
export function notable(k) {
  if (k.status === 'none' || k.status === 'rejected') return true;
  return !!k.row && (k.row.how !== 'adopt' || k.version !== k.row.version || (k.diff || []).length > 0);
}
// More children than this: the notable ones in a table, all of them folded.
export const KIDS_OPEN = 12;

function childrenTable(ctx, doc, kids, id) {
  const { t, lang } = ctx;
  if (!kids.length) return '';
  const tps = doc.child_level === 'tps';
  return html`<div class="tw" tabindex="0"><table class="ct kids" id="${id}">
    <thead><tr><th class="sticky">${t(tps ? 'level_5' : 'col_region')}</th><th>${t('recap_col_row')}</th><th>${t('recap_col_now')}</th><th class="n">${t('recap_delta')}</th></tr></thead>
    <tbody>${kids.map(k => {
      const st = childStatus(t, doc, k);
      const moved = k.row?.how === 'adopt' && k.version !== k.row.version;
      const nd = (k.diff || []).length;
      return html`<tr data-code="${k.code}" class="${nd || moved ? 'dif' : ''} how-${k.row?.how || 'none'}">
        <td class="sticky"><a href="${childHref(doc, k.code)}">${k.name}</a> <small class="code">${k.code}</small></td>
        <td class="why">${rowText(t, k)}${moved ? html` <span class="warn">${t('recap_moved', k.version)}</span>` : ''}</td>
        <td><span class="st ${st.cls}">${st.text}</span></td>
        <td class="n">${nd ? html`<strong>${t('recap_n_fields', num(lang, nd))}</strong>` : '·'}</td></tr>`;
    })}</tbody></table></div>`;
}

function children(ctx, doc, lvl) {
  const { t, lang } = ctx;
  const kids = doc.children || [];
  if (kids.length <= KIDS_OPEN) return html`${kids.length > 3 ? html`<p class="hint">${t('table_scroll')}</p>` : ''}${childrenTable(ctx, doc, kids, 'u-kids')}`;
  const note = kids.filter(notable);
  const hint = doc.recap
    ? (note.length ? t('recap_kids_notable', num(lang, note.length)) : t('recap_kids_plain', lvl))
    : (note.length ? t('recap_kids_missing', num(lang, note.length)) : t('recap_kids_all_in', lvl));
  return html`<p class="hint">${hint}</p>
    ${childrenTable(ctx, doc, note, 'u-kids-note')}
    <details class="kids" data-key="u-kids-${doc.contest}-${doc.region.code}-${doc.district.index}"><summary>${t('recap_kids_all', num(lang, kids.length), lvl)}</summary>
      ${childrenTable(ctx, doc, kids, 'u-kids')}</details>`;
}

function versions(ctx, doc) {
  const { t, lang } = ctx;
  const vs = doc.versions || [];
  if (!vs.length) return html`<p class="note">${t('recap_no_recap')}</p>`;
  return html`<ol class="hist" reversed id="u-versions">${[...vs].reverse().map(v => html`
    <li class="${v.status === 'accepted' ? 'acc' : 'rej'}" data-version="${v.version}">
      <div><strong>${t('version', v.version)}</strong> — ${v.status === 'accepted' ? t('accepted') : html`<span class="bad">${t('rejected')}</span>`}${doc.recap && v.version === doc.recap.version ? html` <span class="tag">✓ ${t('recap_in_force')}</span>` : ''}</div>
      ${v.codes && v.codes.length ? html`<div class="codes">${v.codes.map(c => html`<code>${c}</code> `)}</div>` : ''}
      ${v.reason ? html`<div>${t('reason')}: “${v.reason}”</div>` : ''}
      <div class="meta">${t('received_at')}: ${wib(lang, v.signed_at)} · <a href="${apiLink(ctx, '/api/v1/proof/' + v.index)}" target="_blank" rel="noopener">${t('log_index', v.index)}</a></div>
      <div class="meta">${officer(ctx, v.officer)}</div>
    </li>`)}</ol>`;
}

function records(ctx, doc) {
  const { t, lang } = ctx;
  const rs = doc.records || [];
  if (!rs.length) return html`<p class="note">${t('recap_no_records')}</p>`;
  return html`<ol class="recs" id="u-records">${rs.map(r => html`<li data-number="${r.number}" data-kind="${r.kind}">
    <div><span class="tag kind-${r.kind}">${t('recap_kind_' + r.kind)}</span> <strong>${t('recap_record_no', r.number)}</strong> <small>${r.recap ? t('recap_about', r.recap) : t('recap_about_none')}</small></div>
    <div class="by">${t('recap_by')}: ${r.by}</div>
    <blockquote>${r.text}</blockquote>
    <div class="meta">${r.signed_at ? wib(lang, r.signed_at) + ' · ' : ''}<a href="${apiLink(ctx, '/api/v1/proof/' + r.index)}" target="_blank" rel="noopener">${t('log_index', r.index)}</a></div>
  </li>`)}</ol>`;
}

// -------------------------------------------------------------- the page

export function render(ctx, m) {
  const { t, lang } = ctx;
  const { contest, code, d } = m.route;
  const chain = m.chain || [{ code, name: code }];
  const regionHref = format({ name: 'region', contest, code });
  const top = crumbs(ctx, contest, [...chain, { code: '', name: 'D.Hasil' }]);
  if (m.res.error) {
    return html`${top}<h1 class="h">${t('recap_unit_title')}</h1>${errorBox(ctx, m.res.error)}
      <p><a href="${regionHref}">${t('recap_back_region')}</a></p>`;
  }
  const doc = m.res.data;
  const sels = m.selections || [];
  const parent = ancestors(code).pop();
  const up = parent !== undefined && recapAt(contest, parent)
    ? html`<a href="${format({ name: 'recap', contest, code: parent, d })}">↑ ${t('recap_up', ctx.names.get(parent)?.name || parent)}</a>` : '';
  const kids = doc.children || [];
  const lvl = t('level_' + (doc.child_level === 'tps' ? 5 : Math.min(5, (doc.region?.tingkat ?? 0) + 1)));
  return html`${top}
    <h1 class="h">${t('recap_unit_title')}: ${doc.region.name} <small>${t('level_' + doc.region.tingkat)} · ${t('contest_' + contest)}${contest !== 'ppwp' ? ' · ' + t('district_short', doc.district.name) : ''}</small></h1>
    <section class="card" id="u-head">
      ${statusBox(ctx, doc)}
      <p class="links"><a href="${regionHref}">${t('recap_back_region')}</a> ${up}</p>
    </section>
    <section class="card" id="u-diff"><h2>${t('recap_diff_title')}</h2>${differences(ctx, doc, sels)}</section>
    <section class="card" id="u-sum"><h2>${t('recap_totals_title')}</h2>${totalsTable(ctx, doc, sels)}</section>
    <section class="card" id="u-children"><h2>${t('recap_children_title', lvl, num(lang, kids.length))}</h2>${children(ctx, doc, lvl)}</section>
    <section class="card" id="u-hist"><h2>${t('history')}</h2>${versions(ctx, doc)}</section>
    <section class="card" id="u-recs"><h2>${t('recap_records_title')} (${num(lang, (doc.records || []).length)})</h2>${records(ctx, doc)}</section>`;
}
