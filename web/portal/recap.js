// The tiered recap (D.Hasil, docs/RECAP.md) on a region's page: a compact
// panel from /api/v1/recap/<contest>/<code>.json — per unit (district) its
// status in plain words, how its children stand in the signed recap, its
// plenary records and a link to the unit's page (unit.js) — and the
// region's sum of the TPS forms beside the sum of its signed recaps.
// Nothing is shown where the contest is not recapitulated (404).
// The helpers above panel() are pure (the node tests import them).
import { html } from './html.js';
import { format, isRecapCode } from './route.js';
import { num, wib } from './i18n.js';
import { selLabel } from './ui.js';

// The levels where each contest is recapitulated, by the length of the
// region's code ('0' the nation: 1): docs/RECAP.md "Units".
const LEVELS = {
  ppwp: [1, 2, 4, 6], dpr: [1, 2, 4, 6], dpd: [2, 4, 6], dprd_prov: [2, 4, 6], dprd_kab: [4, 6],
};
export function recapAt(contest, code) {
  return isRecapCode(code) && (LEVELS[contest] || []).includes(code.length);
}

// A unit's (or a child region's) document path.
export const regionPath = (contest, code) => '/api/v1/recap/' + contest + '/' + code + '.json';
export const unitPath = (contest, code, d) => '/api/v1/recap/' + contest + '/' + code + '/' + d + '.json';

// The region's recap document, or null where there is none (404, or a
// level that is not recapitulated: not even asked). Any other failure is
// null too: the panel is an addition to the page, never its error.
export async function loadRegion(ctx, contest, code) {
  if (!recapAt(contest, code)) return { data: null, changed: false };
  try {
    return await ctx.api.get(regionPath(contest, code));
  } catch {
    return { data: null, changed: false };
  }
}

// A unit's status in plain words: { cls, text } (cls one of the status
// marks' classes). u: a unit of the region document.
export function unitStatus(t, lang, u) {
  const codes = (u.codes || []).join(', ');
  switch (u.status) {
    case 'signed':
      return { cls: 'st-counted', text: t('recap_signed', u.version, wib(lang, u.signed_at)) };
    case 'stale':
      return { cls: 'st-flagged', text: t('recap_stale', u.version, u.children?.stale || 0) };
    case 'rejected':
      return { cls: 'st-rejected', text: t('recap_rejected', u.latest, codes || '?') + (u.version ? ' ' + t('recap_still', u.version) : '') };
    default:
      return { cls: 'st-none', text: t('recap_none') };
  }
}

// The children of a unit at a region of this code: TPS under a
// kecamatan, else the level below.
export function childLevel(code) {
  return code === '0' ? 1 : code.length === 2 ? 2 : code.length === 4 ? 3 : 5;
}

// "77 TPS: 70 diambil · 6 ditandai · 1 dikoreksi" and what moved since.
export function childCounts(t, lang, code, c) {
  if (!c) return '';
  const parts = [];
  if (c.adopted) parts.push(t('recap_n_adopted', num(lang, c.adopted)));
  if (c.marked) parts.push(t('recap_n_marked', num(lang, c.marked)));
  if (c.corrected) parts.push(t('recap_n_corrected', num(lang, c.corrected)));
  if (c.unsigned) parts.push(t('recap_n_unsigned', num(lang, c.unsigned)));
  if (c.stale) parts.push(t('recap_n_stale', num(lang, c.stale)));
  return num(lang, c.total) + ' ' + t('level_' + childLevel(code)) + (parts.length ? ': ' + parts.join(' · ') : '');
}

// The comparison rows: the region's sum of the TPS forms (tps_sum) beside
// the sum of its signed recaps (signed_sum), under the labels the region
// page gives them. sels: the region page's visible selections
// [{s, i}] (i: the index in the documents' votes).
export function compareRows(t, contest, sels, doc) {
  const a = doc.tps_sum || {}, b = doc.signed_sum || {};
  const rows = [
    { key: 'voters', label: t('stat_voters'), tps: a.voters, signed: b.voters },
    { key: 'valid', label: t('stat_valid'), tps: a.valid, signed: b.valid },
    { key: 'invalid', label: t('stat_invalid'), tps: a.invalid, signed: b.invalid },
    ...sels.filter(({ i }) => i < (a.votes || []).length || i < (b.votes || []).length)
      .map(({ s, i }) => ({ key: 'sel-' + s.no, label: selLabel(contest, s), title: s.name, tps: a.votes?.[i] ?? 0, signed: b.votes?.[i] ?? 0 })),
  ];
  for (const r of rows) r.delta = (r.signed ?? 0) - (r.tps ?? 0);
  return rows;
}

// A difference with its sign: +7, −7 (a real minus), '' when there is none.
export function signed(lang, n) {
  if (!n) return '';
  return (n > 0 ? '+' : '−') + num(lang, Math.abs(n));
}

// -------------------------------------------------------------- the panel

function unitItem(ctx, contest, code, u, many) {
  const { t, lang } = ctx;
  const st = unitStatus(t, lang, u);
  const href = format({ name: 'recap', contest, code, d: u.district.index });
  return html`<li class="unit" data-d="${u.district.index}" data-status="${u.status}">
    ${many || contest !== 'ppwp' ? html`<a class="un" href="${href}">${contest === 'ppwp' ? u.district.name : t('district_short', u.district.name)}</a>` : ''}
    <span class="st ${st.cls} rs">${st.text}</span>
    <small class="rc">${childCounts(t, lang, code, u.status === 'none' && u.children ? { total: u.children.total } : u.children)}${u.records ? ' · ' + t('recap_records_n', num(lang, u.records)) : ''}</small>
    <a class="go" href="${href}">${t('recap_open')} →</a></li>`;
}

function compareTable(ctx, contest, doc, sels) {
  const { t, lang } = ctx;
  const units = doc.units || [];
  if (!doc.signed_units) return html`<p class="hint">${t('recap_nothing_signed')}</p>`;
  const rows = compareRows(t, contest, sels, doc);
  const diffs = rows.filter(r => r.delta).length;
  return html`${doc.signed_units < units.length ? html`<p class="hint">${t('recap_partial', num(lang, doc.signed_units), num(lang, units.length))}</p>` : ''}
    <details class="cmp" data-key="recap-cmp-${contest}" ${diffs ? 'open' : ''}><summary id="recap-cmp-sum" class="${diffs ? 'warn' : ''}">${diffs ? t('recap_cmp_diff', num(lang, diffs)) : t('recap_cmp_same')}</summary>
    <div class="tw" tabindex="0"><table class="nt cmp" id="recap-cmp">
      <thead><tr><th></th><th class="n">${t('recap_tps_sum')}<br><small>${t('tps_in', num(lang, doc.tps?.counted), num(lang, doc.tps?.expected))}</small></th><th class="n">${t('recap_signed_sum')}</th><th class="n">${t('recap_delta')}</th></tr></thead>
      <tbody>${rows.map(r => html`<tr data-key="${r.key}" class="${r.delta ? 'dif' : ''}"><th title="${r.title || ''}">${r.label}</th>
        <td class="n">${num(lang, r.tps)}</td><td class="n">${num(lang, r.signed)}</td><td class="n">${r.delta ? html`<strong>${signed(lang, r.delta)}</strong>` : '·'}</td></tr>`)}</tbody>
    </table></div></details>`;
}

// The region page's recap panel ('' when there is no recap document).
// sels: the region page's visible selections.
export function panel(ctx, contest, code, doc, sels) {
  if (!doc || !Array.isArray(doc.units)) return '';
  const { t, lang } = ctx;
  const units = doc.units;
  const many = units.length > 1;
  const list = html`<ul class="units">${units.map(u => unitItem(ctx, contest, code, u, many))}</ul>`;
  const by = s => units.filter(u => u.status === s).length;
  const tally = ['signed', 'stale', 'rejected', 'none'].filter(by).map(s => t('recap_units_' + s, num(lang, by(s)))).join(' · ');
  return html`<section class="card" id="recap">
    <h2>${t('recap_title')}</h2>
    ${units.length > 6
      ? html`<details data-key="recap-units-${contest}-${code}"><summary>${t('recap_units', num(lang, units.length))}: ${tally}</summary>${list}</details>`
      : list}
    ${compareTable(ctx, contest, doc, sels)}
  </section>`;
}
