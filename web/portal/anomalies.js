// The anomaly list of one contest: TPS counted with flags, and rejected
// entries; filtered by kind and by region (a code prefix).
import { html } from './html.js';
import { CONTESTS, KINDS, format } from './route.js';
import { num } from './i18n.js';
import { contestTabs, errorBox } from './ui.js';

const PAGE = 100;
let limit = { key: '', n: PAGE };

export async function load(ctx, route) {
  const [res, provinces] = await Promise.all([
    ctx.api.get('/api/v1/anomalies/' + route.contest + '.json').catch(e => ({ error: e, changed: true })),
    ctx.api.list('/api/v1/regions/0.json').then(d => { ctx.learn(d); return d.children; }, () => []),
  ]);
  // name the kabupaten/kota of the rows shown: the lists of their provinces
  // (at most 8, each read once)
  if (res.data) {
    const provs = new Set();
    for (const x of [...res.data.flagged.tps.map(x => x.code), ...res.data.rejected.entries.map(x => x.tps)]) {
      if (x.startsWith(route.prefix)) provs.add(x.slice(0, 2));
      if (provs.size >= 8) break;
    }
    await Promise.all([...provs].map(p => ctx.api.list('/api/v1/regions/' + p + '.json').then(d => ctx.learn(d), () => null)));
  }
  return { route, res, provinces, changed: res.changed };
}

function place(ctx, code) {
  // the nearest regions above the TPS whose names this page already knows
  const out = [];
  for (const n of [10, 6, 4]) {
    const r = ctx.names.get(code.slice(0, n));
    if (r) { out.push(r.name); if (out.length === 2) break; }
  }
  if (!out.length && ctx.names.get(code.slice(0, 2))) out.push(ctx.names.get(code.slice(0, 2)).name);
  return out.join(', ');
}

function list(ctx, m) {
  const { t, lang } = ctx;
  const { contest, kind, prefix } = m.route;
  const d = m.res.data;
  const key = contest + '/' + kind + '/' + prefix;
  if (limit.key !== key) limit = { key, n: PAGE };
  const flagged = d.flagged.tps.filter(x => x.code.startsWith(prefix));
  const rejected = d.rejected.entries.filter(x => x.tps.startsWith(prefix));
  const out = [];
  if (kind !== 'ditolak') {
    out.push(html`<section class="card" id="flagged"><h2>⚠ ${t('flagged_title', num(lang, d.flagged.total), d.flagged.shown)}</h2>
      ${prefix ? html`<p class="meta">${t('shown_filtered', num(lang, flagged.length))}</p>` : ''}
      ${flagged.length ? html`<table class="tl"><thead><tr><th>${t('col_code')}</th><th>${t('col_region')}</th></tr></thead><tbody>
        ${flagged.slice(0, limit.n).map(x => html`<tr><td><a href="${format({ name: 'tps', contest, code: x.code })}">${x.code}</a></td><td>${place(ctx, x.code)}</td></tr>`)}
      </tbody></table>${flagged.length > limit.n ? html`<button type="button" data-more>${t('more', Math.min(PAGE, flagged.length - limit.n))}</button>` : ''}`
      : html`<p class="note">${t('none_found')}</p>`}</section>`);
  }
  if (kind !== 'ditandai') {
    out.push(html`<section class="card" id="rejected"><h2>✗ ${t('rejected_title', num(lang, d.rejected.total), d.rejected.shown)}</h2>
      ${prefix ? html`<p class="meta">${t('shown_filtered', num(lang, rejected.length))}</p>` : ''}
      ${rejected.length ? html`<div class="tw"><table class="tl"><thead><tr><th>${t('col_code')}</th><th>${t('col_version')}</th><th>${t('col_codes')}</th></tr></thead><tbody>
        ${rejected.slice(0, limit.n).map(x => html`<tr><td><a href="${format({ name: 'tps', contest, code: x.tps })}">${x.tps}</a><br><small>${place(ctx, x.tps)}</small></td><td class="n">${x.version}<br><small>#${x.log_index}</small></td><td class="codes">${x.codes.map(c => html`<code>${c}</code> `)}</td></tr>`)}
      </tbody></table></div>${rejected.length > limit.n ? html`<button type="button" data-more>${t('more', Math.min(PAGE, rejected.length - limit.n))}</button>` : ''}`
      : html`<p class="note">${t('none_found')}</p>`}</section>`);
  }
  return html`${out}<p class="meta">${t('scanned', num(lang, d.log_entries_scanned))} · ${t('data_as_of', d.ts)}</p>`;
}

export function render(ctx, m) {
  const { t } = ctx;
  const { contest, kind, prefix } = m.route;
  const prov = prefix.slice(0, 2);
  return html`<h1 class="h">${t('anomalies_title')}</h1>
    ${contestTabs(ctx, contest, c => format({ ...m.route, contest: c }), CONTESTS)}
    <p>${t('anomalies_intro')}</p>
    <form class="filters card" data-filters>
      <fieldset><legend>${t('filter_kind')}</legend>${KINDS.map(k => html`<label><input type="radio" name="jenis" value="${k}" ${k === kind ? 'checked' : ''}> ${t('kind_' + k)}</label>`)}</fieldset>
      <label>${t('filter_province')} <select name="prov" id="f-prov"><option value="">${t('all_provinces')}</option>${m.provinces.map(p => html`<option value="${p.code}" ${p.code === prov ? 'selected' : ''}>${p.name}</option>`)}</select></label>
      <label>${t('filter_region')} <input name="wilayah" id="f-wilayah" inputmode="numeric" autocomplete="off" value="${prefix}" placeholder="6501"></label>
    </form>
    <div id="alist">${m.res.error ? errorBox(ctx, m.res.error) : list(ctx, m)}</div>`;
}

export function bind(ctx, root, m) {
  const form = root.querySelector('[data-filters]');
  if (!form) return;
  form.addEventListener('submit', e => e.preventDefault());
  const apply = prefix => {
    const kind = form.querySelector('input[name=jenis]:checked')?.value || 'semua';
    ctx.replaceRoute({ ...m.route, kind, prefix: prefix.replace(/\D/g, '').slice(0, 13) });
  };
  form.addEventListener('change', e => {
    if (e.target.name === 'prov') { form.wilayah.value = e.target.value; apply(e.target.value); }
    else if (e.target.name === 'jenis') apply(form.wilayah.value);
  });
  form.wilayah.addEventListener('input', () => apply(form.wilayah.value));
  root.querySelectorAll('[data-more]').forEach(b => b.addEventListener('click', () => { limit.n += PAGE; ctx.rerender(); }));
}
