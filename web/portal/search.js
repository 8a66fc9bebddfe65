// Search: a TPS code opens the TPS, a region code the region; a name is
// asked of the server (/api/v1/search?q=, every region of the election,
// each hit with its parents) and looked up in the region lists this page
// has already read, which also serve when the server cannot be reached.
import { html } from './html.js';
import { classify, fold, format } from './route.js';

export async function load(ctx, route) {
  const c = classify(route.q);
  if (c.kind === 'tps') { ctx.replaceRoute({ name: 'tps', code: c.code, contest: ctx.contest }, true); return null; }
  if (c.kind === 'region') { ctx.replaceRoute({ name: 'region', contest: ctx.contest, code: c.code }, true); return null; }
  // every province's name, at least, and what the server finds
  await Promise.all([
    ctx.api.list('/api/v1/regions/0.json').then(d => ctx.learn(d), () => null),
    c.q && c.q.length >= 2
      ? ctx.api.list('/api/v1/search?q=' + encodeURIComponent(c.q)).then(d => learnHits(ctx, d), () => null)
      : null,
  ]);
  return { route, c, changed: true };
}

// Each hit and its parents (nearest first) into the names this page knows.
function learnHits(ctx, d) {
  for (const h of (d && d.regions) || []) {
    const chain = [h, ...(h.parents || [])];
    chain.forEach((r, i) => {
      if (r.code && r.name) ctx.names.set(r.code, { name: r.name, parent: chain[i + 1] ? chain[i + 1].code : '0' });
    });
  }
}

export function find(names, q, max = 50) {
  const f = fold(q);
  if (!f) return [];
  const hits = [];
  for (const [code, r] of names) {
    if (code === '0' || code.length === 13) continue;
    const n = fold(r.name);
    const at = n.indexOf(f);
    if (at < 0) continue;
    // whole-word starts first, then shorter codes (higher levels) first
    const word = at === 0 || n[at - 1] === ' ' ? 0 : 1;
    hits.push({ code, r, rank: word * 100 + code.length });
  }
  hits.sort((a, b) => a.rank - b.rank || a.r.name.localeCompare(b.r.name) || a.code.localeCompare(b.code));
  return hits.slice(0, max);
}

function pathOf(names, code) {
  const out = [];
  for (const n of [10, 6, 4, 2]) if (n < code.length) { const r = names.get(code.slice(0, n)); if (r) out.push(r.name); }
  return out.join(', ');
}

export function render(ctx, m) {
  const { t } = ctx;
  if (m.c.kind === 'badcode') return html`<h1 class="h">${t('search_title')}</h1><p class="err">${t('search_badcode')}</p>`;
  const hits = find(ctx.names, m.c.q);
  return html`<h1 class="h">${t('search_title')}</h1>
    ${hits.length ? html`<p>${t('search_results', hits.length, m.c.q)}</p>
      <ul class="hits">${hits.map(h => html`<li><a href="${format({ name: 'region', contest: ctx.contest, code: h.code })}">${h.r.name}</a>
        <small>${t('level_' + [0, 1, 0, 2, 0, 0, 3, 0, 0, 0, 4][h.code.length])} · ${h.code}${pathOf(ctx.names, h.code) ? ' · ' + pathOf(ctx.names, h.code) : ''}</small></li>`)}</ul>`
      : html`<p class="note">${t('search_none', m.c.q)}</p>`}
    <p class="hint">${t('search_hint')}</p>`;
}
