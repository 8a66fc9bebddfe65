// The home page: every contest's national summary.
import { html } from './html.js';
import { CONTESTS, format } from './route.js';
import { num } from './i18n.js';
import { bars, progress, visibleSelections, errorBox, csvLink } from './ui.js';

const TOP = 8;

export async function load(ctx) {
  const got = await Promise.all(CONTESTS.map(c =>
    ctx.api.get('/api/v1/results/' + c + '/0.json').then(r => ({ c, ...r }), e => ({ c, error: e, changed: true }))));
  return { docs: got, changed: got.some(g => g.changed) };
}

function card(ctx, { c, data: d, error }) {
  const { t, lang } = ctx;
  const region = { name: 'region', contest: c, code: '0' };
  if (error) return html`<section class="card" id="sum-${c}"><h2>${t('contest_long_' + c)}</h2>${errorBox(ctx, error)}</section>`;
  const rows = visibleSelections(ctx, c, '0', d.selections);
  const whole = d.valid || rows.reduce((a, r) => a + r.s.votes, 0);
  const sorted = c === 'ppwp' ? rows : [...rows].sort((a, b) => b.s.votes - a.s.votes || a.s.no - b.s.no);
  let chart;
  if (!d.selections.length) chart = html`<p class="note">${t('dpd_national')}</p>`;
  else if (!d.tps_counted) chart = html`<p class="note">${t('no_votes_yet')}</p>`;
  else if (sorted.length <= TOP + 2) chart = bars(ctx, c, sorted, whole);
  else chart = html`${bars(ctx, c, sorted.slice(0, TOP), whole)}
    <details data-key="more-${c}"><summary>${t('more_n', sorted.length - TOP)}</summary>${bars(ctx, c, sorted.slice(TOP), whole)}</details>`;
  return html`<section class="card" id="sum-${c}">
    <h2><a href="${format(region)}">${t('contest_long_' + c)}</a></h2>
    ${progress(ctx, d.tps_counted, d.tps_expected)}
    ${chart}
    <p class="meta">${d.tps_flagged ? html`<a href="${format({ name: 'anomalies', contest: c, kind: 'ditandai', prefix: '' })}">⚠ ${t('tps_flagged', num(lang, d.tps_flagged))}</a> · ` : ''}${t('data_as_of', d.ts)}</p>
    <p class="links"><a href="${format(region)}">${t('details')} →</a> <a href="${format({ name: 'determination', contest: c, prov: '' })}" data-det>${t('det_title')}</a> <a href="${format({ name: 'anomalies', contest: c, kind: 'semua', prefix: '' })}">${t('anomalies')}</a> ${csvLink(ctx, c)}</p>
  </section>`;
}

export function render(ctx, m) {
  return html`<h1 class="h">${ctx.t('national_summary')}</h1>
    <p class="lead"><a href="${format({ name: 'determination', contest: 'ppwp', prov: '' })}" id="det-link">${ctx.t('det_link')} →</a></p>
    <div class="cards">${m.docs.map(g => card(ctx, g))}</div>`;
}
