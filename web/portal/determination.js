// The determination of results (penetapan hasil): who is elected from the
// votes counted so far, per contest (/api/v1/determination/<c>.json,
// docs/API.md): the PPWP pair elected or the second round; the parties'
// seats (nationally, and per dapil in a compact table) and the candidates
// who take them; the DPD members. The source is always said: provisional
// from the TPS forms, determined from the tiered recap, or mixed — and per
// district, whose seats are determined from its recap or still provisional.
//
// A contest with many dapil (DPRD nationally: thousands) is shown one
// province at a time (?wilayah=<province>), so a phone never draws them all.
// The helpers above render() are pure (the node tests import them).
import { html } from './html.js';
import { CONTESTS, format } from './route.js';
import { num, pct } from './i18n.js';
import { progress, contestTabs, errorBox, colour } from './ui.js';

// More dapil than this: one province at a time.
export const ALL_MAX = 100;

export async function load(ctx, route) {
  const [res, provinces] = await Promise.all([
    ctx.api.get('/api/v1/determination/' + route.contest + '.json').catch(e => ({ error: e, changed: true })),
    ctx.api.list('/api/v1/regions/0.json').then(d => { ctx.learn(d); return d.children; }, () => []),
  ]);
  return { route, res, provinces, changed: res.changed };
}

// The province (2 digits) of a dapil from its id ("dprd_kab-6501-02",
// "dpd-65"), or null when the id does not say.
export function provinceOf(d) {
  const m = /-(\d{2})\d*(-|$)/.exec(d.id || '');
  return m ? m[1] : null;
}

// The provinces the districts lie in, in their order, each once.
export function provincesOf(districts) {
  return [...new Set(districts.map(provinceOf).filter(Boolean))];
}

// The districts shown for the chosen province ('' : all, or the first
// province when there are more than ALL_MAX), and the province in force.
export function shownDistricts(districts, prov) {
  const provs = provincesOf(districts);
  let p = provs.includes(prov) ? prov : '';
  if (!p && districts.length > ALL_MAX && provs.length) p = provs[0];
  return { prov: p, provs, list: p ? districts.filter(d => provinceOf(d) === p || !provinceOf(d)) : districts };
}

// Each party's national row: its votes, whether it passes the threshold,
// and its seats summed over every dapil. Parties with neither a vote nor
// a seat are left out; most seats first, then most votes, then ballot number.
export function partyRows(doc) {
  const seats = new Map();
  for (const d of doc.districts) for (const p of d.parties) seats.set(p.no, (seats.get(p.no) || 0) + p.seats);
  return doc.parties.map(p => ({ ...p, seats: seats.get(p.no) || 0 }))
    .filter(p => p.votes > 0 || p.seats > 0)
    .sort((a, b) => b.seats - a.seats || b.votes - a.votes || a.no - b.no);
}

// The seats table of a list of dapil: a column per party with a seat in
// any of them (in partyRows' order), a row per dapil, the totals.
export function seatMatrix(doc, districts) {
  const won = new Set();
  for (const d of districts) for (const p of d.parties) if (p.seats) won.add(p.no);
  const cols = partyRows(doc).filter(p => won.has(p.no)).map(p => p.no);
  const rows = districts.map(d => {
    const by = new Map(d.parties.map(p => [p.no, p.seats]));
    return { index: d.index, name: d.name, seats: d.seats, allocated: d.allocated, source: d.source, cells: cols.map(no => by.get(no) || 0) };
  });
  const totals = cols.map((_, i) => rows.reduce((s, r) => s + r.cells[i], 0));
  return { cols, rows, totals };
}

function partyOf(doc, no) {
  return doc.parties.find(p => p.no === no) || { no, abbrev: String(no), name: '' };
}

// -------------------------------------------------------------- pieces

// The document's source: 'recap' (every district from its signed recap),
// 'mixed' (some), 'tps' (provisional, from the TPS forms).
export function sourceOf(d) {
  return d.source === 'recap' || d.source === 'mixed' ? d.source : 'tps';
}
// A district's source (a document without one per district: the whole's).
export function districtSource(doc, x) {
  if (x.source === 'recap' || x.source === 'tps') return x.source;
  return sourceOf(doc) === 'recap' ? 'recap' : 'tps';
}

// Where the numbers come from, said first and plainly.
function source(ctx, d) {
  const { t, lang } = ctx;
  const src = sourceOf(d);
  const cls = { recap: 'st-counted', mixed: 'st-flagged', tps: 'st-flagged' }[src];
  const ds = d.districts || [];
  const fromRecap = ds.filter(x => districtSource(d, x) === 'recap').length;
  return html`<div class="status src ${cls}" id="det-source" data-source="${src}">
    <p><strong>${t('det_source_' + src)}</strong></p>
    <p>${t('det_source_' + src + '_long')} ${src === 'mixed' && ds.length ? t('det_src_count', num(lang, fromRecap), num(lang, ds.length)) + ' ' : ''}${t(d.complete ? 'det_complete' : 'det_incomplete')}</p>
  </div>
  ${progress(ctx, d.tps.counted, d.tps.expected)}`;
}

// A district's source as a small label.
function srcTag(ctx, doc, x) {
  const s = districtSource(doc, x);
  return html`<span class="src-d src-${s}" data-src="${s}">${ctx.t(s === 'recap' ? 'det_src_recap' : 'det_src_tps')}</span>`;
}

function pairName(p) {
  return String(p.no).padStart(2, '0') + '. ' + p.name;
}

function ppwpOutcome(ctx, p) {
  const { t } = ctx;
  if (p.outcome === 'elected') {
    return html`<div class="outcome won" id="det-outcome" data-outcome="elected"><small>${t('det_elected_pair')}</small>
      <strong>${pairName(p.winner)}</strong></div>`;
  }
  if (p.outcome === 'runoff') {
    return html`<div class="outcome" id="det-outcome" data-outcome="runoff"><small>${t('det_runoff')}</small>
      <strong>${pairName(p.runoff[0])}</strong><strong>${pairName(p.runoff[1])}</strong>
      <p>${t('det_runoff_long')}</p></div>`;
  }
  return html`<div class="outcome" id="det-outcome" data-outcome="no_votes"><p class="note">${t('det_no_votes')}</p></div>`;
}

function ppwp(ctx, d) {
  const { t, lang } = ctx;
  const p = d.ppwp;
  return html`<section class="card" id="det-ppwp"><h2>${t('det_outcome_title')}</h2>
    ${ppwpOutcome(ctx, p)}
    <table class="tl det-pairs"><thead><tr><th>${t('col_pair')}</th><th class="n">${t('votes')}</th><th class="n">${t('col_prov20')}</th></tr></thead>
    <tbody>${p.pairs.map((x, i) => html`<tr data-no="${x.no}"><td><span class="sw" style="background:${colour(ctx, 'ppwp', x, i)}"></span>${pairName(x)}</td>
      <td class="n">${num(lang, x.votes)}<br><small>${pct(lang, x.pct, 100)}</small></td>
      <td class="n">${t('det_of', num(lang, x.provinces_20), num(lang, p.provinces))}</td></tr>`)}</tbody></table>
    <p class="meta">${t('det_rule_ppwp')} ${t('det_valid', num(lang, p.total))}</p>
  </section>`;
}

function parties(ctx, d) {
  const { t, lang } = ctx;
  const rows = partyRows(d);
  const total = d.parties.reduce((s, p) => s + p.votes, 0);
  const th = d.threshold_bp > 0;
  return html`<section class="card" id="det-parties"><h2>${t('det_parties')}</h2>
    <p class="hint">${th ? t('det_threshold', pct(lang, d.threshold_bp, 10000)) : t('det_no_threshold')}</p>
    <table class="tl"><thead><tr><th>${t('col_party')}</th><th class="n">${t('votes')}</th><th class="n">${t('col_seats')}</th></tr></thead>
    <tbody>${rows.map((p, i) => html`<tr data-no="${p.no}" class="${th && !p.eligible ? 'out' : ''}">
      <td><span class="sw" style="background:${colour(ctx, d.contest, p, i)}"></span>${p.no}. ${p.abbrev}${th && !p.eligible ? html` <small>${t('det_below')}</small>` : ''}</td>
      <td class="n">${num(lang, p.votes)}<br><small>${pct(lang, p.votes, total)}</small></td>
      <td class="n"><strong>${num(lang, p.seats)}</strong></td></tr>`)}</tbody></table>
  </section>`;
}

function provinceFilter(ctx, m, shown) {
  const { t } = ctx;
  if (shown.provs.length < 2) return '';
  const name = code => (m.provinces.find(p => p.code === code) || {}).name || code;
  const many = m.res.data.districts.length > ALL_MAX;
  return html`<form class="filters card" data-filters><label>${t('filter_province')}
    <select name="prov" id="det-prov">${many ? '' : html`<option value="">${t('all_provinces')}</option>`}${shown.provs.map(c =>
      html`<option value="${c}" ${c === shown.prov ? 'selected' : ''}>${name(c)}</option>`)}</select></label></form>`;
}

function seatTable(ctx, m, d, list) {
  const { t, lang } = ctx;
  const mx = seatMatrix(d, list);
  const abbrev = no => partyOf(d, no).abbrev;
  const mixed = sourceOf(d) === 'mixed';
  return html`<section class="card" id="det-seats"><h2>${t('det_seats_title')}</h2>
    ${mixed ? html`<p class="hint">${t('det_src_legend')}</p>` : ''}
    ${mx.cols.length > 3 ? html`<p class="hint">${t('table_scroll')}</p>` : ''}
    <div class="tw" tabindex="0"><table class="ct">
      <thead><tr><th class="sticky">${t('col_dapil')}</th>${mx.cols.map(no => html`<th class="n" title="${partyOf(d, no).name}">${abbrev(no)}</th>`)}<th class="n">${t('col_total')}</th></tr></thead>
      <tbody>${mx.rows.map(r => html`<tr data-index="${r.index}" data-src="${districtSource(d, r)}"><td class="sticky"><a href="${format(m.route)}" data-open="det-d${r.index}">${r.name}</a>${mixed && districtSource(d, r) === 'recap' ? html` <span class="src-d src-recap" title="${t('det_src_recap')}">✓ ${t('det_src_recap_short')}</span>` : ''}</td>
        ${r.cells.map(s => html`<td class="n${s ? ' best' : ' z'}">${s ? num(lang, s) : '·'}</td>`)}
        <td class="n">${r.allocated ? num(lang, r.allocated) : html`<small>${t('det_no_seat')}</small>`}</td></tr>`)}</tbody>
      ${mx.rows.length > 1 ? html`<tfoot><tr><th class="sticky">${t('col_total')}</th>${mx.totals.map(s => html`<th class="n">${num(lang, s)}</th>`)}<th class="n">${num(lang, mx.rows.reduce((s, r) => s + r.allocated, 0))}</th></tr></tfoot>` : ''}
    </table></div></section>`;
}

// A dapil's elected, in order of election; seats its lists could not fill.
function electedList(ctx, d, x) {
  const { t, lang } = ctx;
  const unfilled = (x.allocated ?? x.elected.length) - x.elected.length;
  if (!x.elected.length && !unfilled) return html`<p class="note">${t('det_none_elected')}</p>`;
  return html`<ol class="elected">${x.elected.map(c => html`<li>
      <span class="en">${c.name}</span>
      <span class="ed">${c.party ? html`<span class="sw" style="background:${colour(ctx, d.contest, partyOf(d, c.party), 0)}"></span>${partyOf(d, c.party).abbrev} · ` : ''}${t('det_ballot_no', c.no)}${c.sex ? ' · ' + t(c.sex === 'P' ? 'female' : 'male') : ''} · ${num(lang, c.votes)} ${t('votes').toLowerCase()}</span></li>`)}</ol>
    ${unfilled > 0 ? html`<p class="note">${t('det_unfilled', unfilled)}</p>` : ''}`;
}

function electedByDapil(ctx, d, list) {
  const { t, lang } = ctx;
  const one = list.length === 1;
  return html`<section class="card" id="det-elected"><h2>${t(d.contest === 'dpd' ? 'det_dpd_title' : 'det_elected_title')}</h2>
    ${list.map(x => html`<details class="dapil" id="det-d${x.index}" data-key="det-${d.contest}-${x.index}" ${one ? 'open' : ''}>
      <summary><span class="dn">${x.name}</span> <small>${t('det_seats_n', x.seats)} · ${t('det_valid', num(lang, x.valid))}</small> ${srcTag(ctx, d, x)}</summary>
      ${electedList(ctx, d, x)}</details>`)}
  </section>`;
}

// -------------------------------------------------------------- the page

export function render(ctx, m) {
  const { t } = ctx;
  const { contest } = m.route;
  const top = html`<h1 class="h">${t('det_title')}</h1>
    ${contestTabs(ctx, contest, c => format({ name: 'determination', contest: c, prov: '' }), CONTESTS)}
    <p>${t('det_intro')}</p>`;
  if (m.res.error) return html`${top}${errorBox(ctx, m.res.error)}`;
  const d = m.res.data;
  const head = html`${top}<section class="card" id="det-head"><h2>${t('contest_long_' + contest)}</h2>${source(ctx, d)}</section>`;
  if (d.ppwp) return html`${head}${ppwp(ctx, d)}`;
  const shown = shownDistricts(d.districts, m.route.prov);
  return html`${head}
    ${d.parties ? parties(ctx, d) : ''}
    ${provinceFilter(ctx, m, shown)}
    ${d.parties ? seatTable(ctx, m, d, shown.list) : ''}
    ${electedByDapil(ctx, d, shown.list)}`;
}

export function bind(ctx, root, m) {
  const sel = root.querySelector('#det-prov');
  if (sel) {
    root.querySelector('[data-filters]').addEventListener('submit', e => e.preventDefault());
    sel.addEventListener('change', () => ctx.replaceRoute({ ...m.route, prov: sel.value }));
  }
  // the seats table's dapil names open that dapil's elected
  root.querySelectorAll('#det-seats a[data-open]').forEach(a => a.addEventListener('click', e => {
    e.preventDefault();
    const box = root.querySelector('#' + a.dataset.open);
    if (box) { box.open = true; box.scrollIntoView({ block: 'start' }); }
  }));
}
