// Pieces every page uses: bars, progress, the path of places, the contest
// tabs, status marks, error boxes. Each returns HTML (html.js).
import { html } from './html.js';
import { CONTESTS, format, ancestors } from './route.js';
import { num, pct } from './i18n.js';

const GREY = '#8a8f98';
const PALETTE = ['#2f6db5', '#c0392b', '#2e8b57', '#d68910', '#7d3c98', '#17a2b8', '#b9770e', '#566573'];

// A selection's colour: the party's (partai.json) or pair's (ppwp.json)
// colour when the server gave them, else one of a few distinct ones.
const HEX = /^#[0-9a-fA-F]{3,8}$/;
export function colour(ctx, contest, sel, i) {
  const m = ctx.meta;
  let c = null;
  if (contest === 'ppwp' && m.pairs) c = m.pairs[String(100024 + sel.no)]?.warna;
  else if (contest !== 'ppwp' && contest !== 'dpd' && m.parties) c = m.parties[String(sel.no)]?.warna || GREY;
  return typeof c === 'string' && HEX.test(c) ? c : PALETTE[i % PALETTE.length];
}

// A link the API gave (a photo, a proof): only its own paths, never
// another scheme.
export function apiLink(ctx, path) {
  return typeof path === 'string' && /^\/(photos\/[0-9a-f]{64}|api\/v1\/proof\/\d+)$/.test(path) ? ctx.api.url(path) : '#';
}

// Parties local to Aceh are on every party-list document but only on
// ballots in Aceh (code 11): elsewhere they are left out of charts and tables.
export function visibleSelections(ctx, contest, code, selections) {
  if (contest === 'ppwp' || contest === 'dpd' || !ctx.meta.parties) return selections.map((s, i) => ({ s, i }));
  const aceh = code === '0' || code.startsWith('11');
  return selections.map((s, i) => ({ s, i })).filter(({ s }) => aceh || !ctx.meta.parties[String(s.no)]?.is_aceh || s.votes > 0);
}

export function selLabel(contest, s) {
  if (contest === 'ppwp') return String(s.no).padStart(2, '0') + '. ' + s.name;
  if (contest === 'dpd') return s.no + '. ' + s.name;
  return s.no + '. ' + (s.abbrev || s.name);
}

// Horizontal bars: one row per selection, its votes and share of the valid votes.
export function bars(ctx, contest, rows, whole) {
  const { lang } = ctx;
  const max = Math.max(1, ...rows.map(r => r.s.votes));
  return html`<ol class="bars">${rows.map(({ s, i }) => html`
    <li title="${s.name}">
      <span class="bl">${selLabel(contest, s)}</span>
      <span class="bv">${num(lang, s.votes)} <small>${pct(lang, s.votes, whole)}</small></span>
      <span class="bb"><span style="width:${(100 * s.votes / max).toFixed(2)}%;background:${colour(ctx, contest, s, i)}"></span></span>
    </li>`)}</ol>`;
}

export function progress(ctx, counted, expected) {
  const { t, lang } = ctx;
  const w = expected ? (100 * counted / expected).toFixed(2) : 0;
  return html`<div class="prog">
    <div class="pl"><strong>${t('tps_in', num(lang, counted), num(lang, expected))}</strong> <span>${pct(lang, counted, expected)}</span></div>
    <div class="pb" role="progressbar" aria-valuemin="0" aria-valuemax="${expected}" aria-valuenow="${counted}"><span style="width:${w}%"></span></div>
  </div>`;
}

// Indonesia › Kalimantan Utara › …: each a link to that place in this contest.
export function crumbs(ctx, contest, chain) {
  return html`<nav class="crumbs" aria-label="breadcrumb"><ol>${chain.map((p, i) => i === chain.length - 1
    ? html`<li aria-current="page">${p.name}</li>`
    : html`<li><a href="${format({ name: 'region', contest, code: p.code })}">${p.name}</a></li>`)}</ol></nav>`;
}

export function contestTabs(ctx, current, hrefOf, available = CONTESTS) {
  const { t } = ctx;
  return html`<nav class="tabs" aria-label="contests">${CONTESTS.filter(c => available.includes(c)).map(c =>
    html`<a href="${hrefOf(c)}" class="${c === current ? 'on' : ''}" ${c === current ? html`aria-current="page"` : ''}>${t('contest_' + c)}</a>`)}</nav>`;
}

export const STATUS_ICON = { none: '○', counted: '✓', flagged: '⚠', rejected: '✗' };
export function statusBadge(ctx, status) {
  return html`<span class="st st-${status}">${STATUS_ICON[status] || ''} ${ctx.t('st_' + status)}</span>`;
}

// An error of the API in the reader's language: the server's own message
// (message_id / message_en) when it sent one.
export function errorText(ctx, e) {
  const { t, lang } = ctx;
  if (!e || e.status === undefined) return String(e && e.message || e);
  if (e.status === 0) return t('err_network');
  const b = e.body;
  let s = b ? (lang === 'en' ? b.message_en : b.message_id) || b.message_en || t('err_http', e.status) : t('err_http', e.status);
  if (b && b.code) s += ' (' + b.code + (b.where ? ': ' + b.where : '') + ')';
  if (e.retryAfter) s += ' ' + t('err_retry', e.retryAfter);
  return s;
}
export function errorBox(ctx, e) {
  return html`<div class="err" role="alert">${errorText(ctx, e)}</div>`;
}

// The path of places from national down to a region, named from the
// region lists (regions/<code>.json, which never change while rekapd runs).
export async function chainOf(ctx, code) {
  const codes = [...ancestors(code), code];
  const docs = await Promise.all(codes.map(c => ctx.api.list('/api/v1/regions/' + c + '.json').catch(() => null)));
  docs.forEach(d => d && ctx.learn(d));
  return codes.map((c, i) => ({ code: c, name: docs[i]?.name || ctx.names.get(c)?.name || c }));
}

export function csvLink(ctx, contest) {
  return html`<a class="dl" href="${ctx.api.url('/api/v1/export/' + contest + '.csv')}" download="${'rekap-' + contest + '.csv'}">⤓ ${ctx.t('csv')}</a>`;
}
