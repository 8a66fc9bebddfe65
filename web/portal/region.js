// A region's page for one contest: its totals, a chart of the selections,
// the tiered recap where the contest is recapitulated at this level
// (recap.js), and a table of its children (for a desa: its TPS with their
// marks).
import { html } from './html.js';
import { format } from './route.js';
import { num, pct } from './i18n.js';
import { bars, progress, crumbs, contestTabs, visibleSelections, errorBox, chainOf, csvLink, STATUS_ICON } from './ui.js';
import { loadRegion, panel } from './recap.js';

export async function load(ctx, route) {
  const { contest, code } = route;
  const [res, chain, reg, recap] = await Promise.all([
    ctx.api.get('/api/v1/results/' + contest + '/' + code + '.json').catch(e => ({ error: e, changed: true })),
    chainOf(ctx, code),
    ctx.api.list('/api/v1/regions/' + code + '.json').catch(() => null),
    loadRegion(ctx, contest, code),
  ]);
  if (res.data) ctx.learn(res.data);
  return { route, res, chain, contests: reg?.contests || null, recap: recap.data, changed: res.changed || recap.changed };
}

function head(ctx, d) {
  const { t, lang } = ctx;
  return html`<dl class="stats">
    <div><dt>${t('stat_dpt')}</dt><dd>${num(lang, d.dpt)}</dd></div>
    <div><dt>${t('stat_voters')}</dt><dd>${num(lang, d.voters)}</dd></div>
    <div><dt>${t('stat_valid')}</dt><dd>${num(lang, d.valid)}</dd></div>
    <div><dt>${t('stat_invalid')}</dt><dd>${num(lang, d.invalid)}</dd></div>
  </dl>`;
}

function colHead(contest, s) {
  if (contest === 'ppwp') return String(s.no).padStart(2, '0');
  if (contest === 'dpd') return String(s.no);
  return s.abbrev || String(s.no);
}

function childTable(ctx, contest, d, rows) {
  const { t, lang } = ctx;
  const kids = d.children || [];
  if (!kids.length) return '';
  const lvl = t('level_' + Math.min(5, d.tingkat + 1));
  if (d.tingkat >= 4) {
    // a desa: its TPS, each with its mark for this contest
    return html`<section class="card"><h2>${t('tps_list')}</h2>
      <table class="tl"><thead><tr><th>${t('level_5')}</th><th>${t('col_status')}</th></tr></thead><tbody>${kids.map(k => {
        const st = k.flagged ? 'flagged' : k.counted ? 'counted' : 'none';
        return html`<tr class="r-${st}"><td><a href="${format({ name: 'tps', contest, code: k.code })}">${k.name}</a> <small class="code">${k.code}</small></td>
          <td><span class="st st-${st}">${STATUS_ICON[st]} ${t('mark_' + st)}</span></td></tr>`;
      })}</tbody></table></section>`;
  }
  const cols = rows;
  return html`<section class="card"><h2>${t('children_of', lvl)}</h2>
    ${cols.length > 2 ? html`<p class="hint">${t('table_scroll')}</p>` : ''}
    <div class="tw" tabindex="0"><table class="ct">
      <thead><tr><th class="sticky">${t('col_region')}</th><th>${t('col_tps')}</th>${cols.map(({ s }) =>
        html`<th class="n" title="${s.name}">${colHead(contest, s)}</th>`)}</tr></thead>
      <tbody>${kids.map(k => {
        const best = cols.length ? Math.max(...cols.map(({ i }) => k.votes[i] || 0)) : 0;
        return html`<tr><td class="sticky"><a href="${format({ name: 'region', contest, code: k.code })}">${k.name}</a>${k.tps_flagged ? html` <span class="fl" title="${t('tps_flagged', k.tps_flagged)}">⚠${k.tps_flagged}</span>` : ''}</td>
          <td class="n">${num(lang, k.tps_counted)}/${num(lang, k.tps_expected)}<br><small>${pct(lang, k.tps_counted, k.tps_expected)}</small></td>
          ${cols.map(({ i }) => html`<td class="n${best && k.votes[i] === best ? ' best' : ''}">${num(lang, k.votes[i])}</td>`)}</tr>`;
      })}</tbody></table></div></section>`;
}

export function render(ctx, m) {
  const { t, lang } = ctx;
  const { contest, code } = m.route;
  const tabs = contestTabs(ctx, contest, c => format({ name: 'region', contest: c, code }), m.contests || undefined);
  const top = html`${crumbs(ctx, contest, m.chain)}${tabs}`;
  if (m.res.error) return html`${top}${errorBox(ctx, m.res.error)}`;
  const d = m.res.data;
  const rows = visibleSelections(ctx, contest, code, d.selections);
  const whole = d.valid || rows.reduce((a, r) => a + r.s.votes, 0);
  let chart;
  if (!d.selections.length) chart = html`<p class="note">${t('dpd_national')}</p>`;
  else if (!d.tps_counted) chart = html`<p class="note">${t('no_votes_yet')}</p>`;
  else chart = bars(ctx, contest, rows, whole);
  return html`${top}
    <h1 class="h">${d.name} <small>${t('level_' + d.tingkat)}${code !== '0' ? ' · ' + code : ''}</small></h1>
    <section class="card" id="summary">
      <h2>${t('contest_long_' + contest)}</h2>
      ${progress(ctx, d.tps_counted, d.tps_expected)}
      ${chart}
      ${head(ctx, d)}
      <p class="meta">${d.tps_flagged ? html`<a href="${format({ name: 'anomalies', contest, kind: 'ditandai', prefix: code === '0' ? '' : code })}">⚠ ${t('tps_flagged', num(lang, d.tps_flagged))}</a> · ` : ''}${t('data_as_of', d.ts)}</p>
      <p class="links"><a href="${format({ name: 'anomalies', contest, kind: 'semua', prefix: code === '0' ? '' : code })}">${t('anomalies')}</a> ${csvLink(ctx, contest)}</p>
    </section>
    ${panel(ctx, contest, code, m.recap, rows)}
    ${childTable(ctx, contest, d, rows)}`;
}
