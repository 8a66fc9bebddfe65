// A TPS's page: per contest its status in plain words, the counted form's
// numbers, the photos by page, every version with its reason, and the
// in-browser verification of the counted version (verify.js).
import { html } from './html.js';
import { num, wib } from './i18n.js';
import { crumbs, statusBadge, errorBox, errorText, apiLink } from './ui.js';

export async function load(ctx, route) {
  const [res] = await Promise.all([
    ctx.api.get('/api/v1/tps/' + route.code + '.json').catch(e => ({ error: e, changed: true })),
    fetchKey(ctx),
  ]);
  if (res.data) ctx.learn(res.data);
  return { route, res, changed: res.changed };
}

const ROWS = ['dpt', 'dptb', 'dpk', 'b1', 'b2', 'b3', 'b4', 'disabled'];

function votersTable(ctx, v) {
  const { t, lang } = ctx;
  return html`<table class="nt"><caption>${t('voters')}</caption>
    <thead><tr><th></th><th class="n">${t('male')}</th><th class="n">${t('female')}</th><th class="n">${t('sum')}</th></tr></thead>
    <tbody>${ROWS.filter(r => v[r]).map(r => html`<tr><th>${t('row_' + r)}</th><td class="n">${num(lang, v[r].male)}</td><td class="n">${num(lang, v[r].female)}</td><td class="n">${num(lang, v[r].total)}</td></tr>`)}</tbody></table>`;
}

function ballotsTable(ctx, b) {
  const { t, lang } = ctx;
  return html`<table class="nt"><caption>${t('ballots')}</caption><tbody>
    ${['received', 'used', 'damaged', 'unused'].map(k => html`<tr><th>${t('ballots_' + k)}</th><td class="n">${num(lang, b[k])}</td></tr>`)}
  </tbody></table>`;
}

function votesTable(ctx, c) {
  const { t, lang } = ctx;
  const f = c.form;
  const totals = html`<tr class="tot"><th>${t('valid')}</th><td class="n">${num(lang, f.valid)}</td></tr>
    <tr class="tot"><th>${t('invalid')}</th><td class="n">${num(lang, f.invalid)}</td></tr>
    <tr class="tot"><th>${t('total')}</th><td class="n">${num(lang, f.total)}</td></tr>`;
  if (f.selections) {
    return html`<table class="nt votes"><caption>${t('form_votes')}</caption><tbody>
      ${f.selections.map(s => html`<tr><th>${c.contest === 'ppwp' ? String(s.no).padStart(2, '0') : s.no}. ${s.name}</th><td class="n">${num(lang, s.votes)}</td></tr>`)}
      ${totals}</tbody></table>`;
  }
  return html`<table class="nt votes"><caption>${t('form_votes')}</caption><tbody>
    ${(f.parties || []).map(p => html`<tr class="party"><th>${p.no}. ${p.abbrev}</th><td class="n">${num(lang, p.total)}</td></tr>
      <tr class="sub"><td colspan="2"><details data-key="party-${c.contest}-${p.no}"><summary>${t('party_only')}: ${num(lang, p.party_only)} · ${t('candidates')}: ${p.candidates.length}</summary>
        <table class="nt"><tbody>${p.candidates.map(k => html`<tr><th>${k.no}. ${k.name}</th><td class="n">${num(lang, k.votes)}</td></tr>`)}</tbody></table>
      </details></td></tr>`)}
    ${totals}</tbody></table>`;
}

function photos(ctx, list) {
  const { t } = ctx;
  if (!list || !list.length) return html`<p class="note">${t('no_photos')}</p>`;
  return html`<ol class="photos">${list.map((p, i) => {
    const u = apiLink(ctx, p);
    return html`<li><a href="${u}" target="_blank" rel="noopener"><img src="${u}" loading="lazy" alt="${t('photo_page', i + 1)}" width="96" height="128"><span>${t('photo_page', i + 1)}</span></a></li>`;
  })}</ol>`;
}

function history(ctx, c) {
  const { t, lang } = ctx;
  if (!c.versions.length) return '';
  return html`<h4>${t('history')}</h4><ol class="hist" reversed>${[...c.versions].reverse().map(v => html`
    <li class="${v.accepted ? 'acc' : 'rej'}">
      <div><strong>${t('version', v.version)}</strong> — ${v.accepted ? t('accepted') : html`<span class="bad">${t('rejected')}</span>`}${v.accepted && v.version === c.counted_version ? html` <span class="tag">✓ ${t('counted_mark')}</span>` : ''}${v.psu ? html` <span class="tag psu">${t('psu_' + v.psu)}</span>` : ''}</div>
      ${v.rejected_codes && v.rejected_codes.length ? html`<div class="codes">${(v.rejected_rules || v.rejected_codes.map(code => ({ code }))).map(r => html`<div><code>${r.code}</code> ${lang === 'en' ? (r.message_en || '') : (r.message_id || '')}</div>`)}</div>` : ''}
      ${v.reason ? html`<div>${t('reason')}: “${v.reason}”</div>` : ''}
      <div class="meta">${t('received_at')}: ${wib(lang, v.received)} · ${t('log_index', v.log_index)} · <a href="${apiLink(ctx, v.proof)}" target="_blank" rel="noopener">${t('proof')}</a>${v.photos && v.photos.length ? html` · ${t('photos')}: ${v.photos.map((p, i) => html`<a href="${apiLink(ctx, p)}" target="_blank" rel="noopener">${i + 1}</a> `)}` : ''}</div>
    </li>`)}</ol>`;
}

// ---- verification (verify.js, written beside this file; until it exists
// the block says that verification is unavailable)

const vstate = new Map();     // "<tps>/<contest>/<index>" -> {state, result, error}
const vkey = { text: null, error: null, user: null, loading: null };
let verifyModule = null;      // a promise of the module (or of null)

function loadVerify() {
  if (!verifyModule) verifyModule = import('./verify.js').catch(() => null);
  return verifyModule;
}

function fetchKey(ctx) {
  if (!vkey.loading) {
    vkey.loading = ctx.api.text('/log/vkey').then(k => { vkey.text = k; }, e => { vkey.error = e; });
  }
  return vkey.loading;
}

// What the log entry says against what the page shows: names of the fields
// that differ (empty when all agree).
export function compareEntry(entry, code, c) {
  const diff = [];
  const lines = String(entry.text || '').split('\n');
  const line = name => lines.filter(l => l.startsWith(name + ' ')).map(l => l.slice(name.length + 1));
  if (String(entry.tps) !== code) diff.push('tps');
  if (String(entry.contest) !== c.contest) diff.push('contest');
  if (Number(entry.version) !== c.counted_version) diff.push('version');
  let f = null;
  try { f = JSON.parse(line('form')[0]); } catch { diff.push('form'); return diff; }
  const shown = c.form;
  for (const k of ['valid', 'invalid', 'total']) if (f[k] !== shown[k]) diff.push(k);
  for (const r of ROWS) {
    const a = f.voters?.[r], b = shown.voters?.[r];
    if (!a || !b || a[0] !== b.male || a[1] !== b.female || a[2] !== b.total) diff.push('voters.' + r);
  }
  for (const k of ['received', 'used', 'damaged', 'unused']) if (f.ballots?.[k] !== shown.ballots?.[k]) diff.push('ballots.' + k);
  if (shown.selections) {
    if (!Array.isArray(f.votes) || f.votes.length !== shown.selections.length ||
        shown.selections.some((s, i) => f.votes[i] !== s.votes)) diff.push('votes');
  } else {
    const ps = f.parties || [];
    if (ps.length !== (shown.parties || []).length) diff.push('parties');
    else shown.parties.forEach((p, i) => {
      const q = ps[i];
      if (q.no !== p.no || q.total !== p.total || q.party_only !== p.party_only ||
          q.candidates.length !== p.candidates.length || p.candidates.some((k, j) => q.candidates[j] !== k.votes)) diff.push('party ' + p.no);
    });
  }
  const ver = c.versions.find(v => v.version === c.counted_version);
  const signed = line('photo').join(',');
  const listed = (ver?.photos || []).map(p => p.replace(/^.*\//, '')).join(',');
  if (signed !== listed) diff.push('photos');
  return diff;
}

function verifyBlock(ctx, code, c) {
  const { t } = ctx;
  const ver = c.versions.find(v => v.version === c.counted_version);
  if (!ver) return '';
  const key = code + '/' + c.contest + '/' + ver.log_index;
  const s = vstate.get(key) || { state: 'idle' };
  const keyText = vkey.user ?? vkey.text ?? '';
  let out = '';
  if (s.state === 'running') out = html`<p class="note" aria-live="polite">${t('verify_running')}</p>`;
  else if (s.state === 'unavailable') out = html`<p class="warn" role="status">${t('verify_unavailable')}</p>`;
  else if (s.state === 'error') out = html`<p class="bad" role="status">${t('verify_error')} ${errorText(ctx, s.error)}</p>`;
  else if (s.state === 'done') {
    const r = s.result;
    const checks = [...(r.checks || []).map(k => ({ id: k.id, ok: !!k.ok, msg: ctx.lang === 'en' ? k.message_en : k.message_id, detail: k.detail })),
      { id: 'match', ok: s.diff.length === 0, msg: s.diff.length ? t('match_bad', s.diff.join(', ')) : t('match_ok'), detail: '' }];
    const failed = checks.filter(k => !k.ok);
    const good = r.ok && !failed.length;
    out = html`<div class="vres ${good ? 'good' : 'fail'}" role="status">
      <p class="vsum">${good ? '✓ ' + t('verify_ok', r.size) : '✗ ' + t('verify_failed', failed.map(k => t('check_' + k.id)).join(', ') || '?')}</p>
      <ul class="checks">${checks.map(k => html`<li class="${k.ok ? 'ok' : 'no'}" data-check="${k.id}">
        <strong>${k.ok ? '✓' : '✗'} ${t('check_' + k.id)}: ${k.ok ? t('check_ok') : t('check_bad')}</strong>
        ${k.msg ? html`<br><span>${k.msg}</span>` : ''}${k.detail ? html`<details data-key="vd-${key}-${k.id}"><summary>${t('technical')}</summary><small class="code">${k.detail}</small></details>` : ''}</li>`)}</ul></div>`;
  }
  return html`<section class="verify" data-verify="${key}">
    <h4>${t('verify')}</h4>
    <p>${t('verify_intro', ver.log_index)}</p>
    <label for="vkey-${c.contest}">${t('verify_key')}</label>
    <input id="vkey-${c.contest}" class="vkey" type="text" spellcheck="false" autocomplete="off" value="${keyText}" data-vkey>
    <p class="hint">${vkey.error && !vkey.user ? t('verify_key_missing') : t('verify_key_help')}</p>
    <button type="button" data-run="${key}" data-index="${ver.log_index}" ${s.state === 'running' ? 'disabled' : ''}>${t('verify_run')}</button>
    ${out}
  </section>`;
}

async function runVerify(ctx, key, index, code, contest) {
  vstate.set(key, { state: 'running' });
  ctx.rerender();
  const mod = await loadVerify();
  if (!mod || typeof mod.verifyEntry !== 'function') { vstate.set(key, { state: 'unavailable' }); ctx.rerender(); return; }
  try {
    const result = await mod.verifyEntry({ base: ctx.api.base, index, vkey: (vkey.user ?? vkey.text ?? '').trim() });
    const c = ctx.api.kept('/api/v1/tps/' + code + '.json')?.contests.find(x => x.contest === contest);
    const diff = result.entry && c ? compareEntry(result.entry, code, c) : ['entry'];
    vstate.set(key, { state: 'done', result, diff });
  } catch (e) {
    vstate.set(key, { state: 'error', error: e });
  }
  ctx.rerender();
}

// ---- the page

function contestCard(ctx, d, c, open) {
  const { t } = ctx;
  const latest = c.versions[c.versions.length - 1];
  let words;
  if (c.status === 'none') words = html`<p>${t('st_none_long')}</p>`;
  else if (c.status === 'rejected') words = html`<p>${t('st_rejected_long')}</p>`;
  else if (c.status === 'counted') words = html`<p>${t('st_counted_long', c.counted_version)}</p>`;
  else words = html`<p>${t('st_flagged_long', c.counted_version)}</p><ul class="flags">${c.flags.map(f => html`<li><strong>${ctx.lang === 'en' ? f.message_en : f.message_id}</strong> <code>${f.code}</code>${f.detail ? html`<br><small class="code">${f.detail}</small>` : ''}</li>`)}</ul>`;
  const note = latest && !latest.accepted && c.counted_version ? html`<p class="warn">${t('st_latest_rejected', latest.version, c.counted_version)}</p>` : '';
  const counted = c.versions.find(v => v.version === c.counted_version);
  return html`<details class="card contest" id="c-${c.contest}" data-key="tps-${d.code}-${c.contest}" ${open ? 'open' : ''}>
    <summary><span class="cn">${t('contest_' + c.contest)}</span> ${statusBadge(ctx, c.status)}</summary>
    <div class="body">
      <p class="meta">${t('district')}: ${c.district?.name || ''}</p>
      <div class="status st-${c.status}">${words}${note}</div>
      ${c.form ? html`<div class="grid">${votesTable(ctx, c)}<div>${votersTable(ctx, c.form.voters)}${ballotsTable(ctx, c.form.ballots)}</div></div>` : ''}
      ${c.form ? html`<h4>${t('photos')}</h4>${photos(ctx, counted?.photos)}` : ''}
      ${history(ctx, c)}
      ${c.form ? verifyBlock(ctx, d.code, c) : ''}
    </div>
  </details>`;
}

export function render(ctx, m) {
  const { t, lang } = ctx;
  const { code, contest } = m.route;
  const c0 = contest || 'ppwp';
  if (m.res.error) return html`${errorBox(ctx, m.res.error)}`;
  const d = m.res.data;
  const chain = [...d.regions].reverse();
  const focus = d.contests.some(c => c.contest === contest) ? contest : d.contests[0]?.contest;
  return html`${crumbs(ctx, c0, [...chain, { code, name: d.name }])}
    <h1 class="h">${d.name} <small>${t('level_5')} · ${code}</small></h1>
    <p class="meta">${chain.slice(1).reverse().map(r => r.name).join(', ')} · ${t('dpt_registered', num(lang, d.dpt.male), num(lang, d.dpt.female))}</p>
    ${d.contests.map(c => contestCard(ctx, d, c, c.contest === focus))}`;
}

export function bind(ctx, root, m) {
  if (!m.res.data) return;
  root.querySelectorAll('[data-vkey]').forEach(inp => inp.addEventListener('input', () => {
    vkey.user = inp.value;
    root.querySelectorAll('[data-vkey]').forEach(o => { if (o !== inp) o.value = inp.value; });
  }));
  root.querySelectorAll('button[data-run]').forEach(b => b.addEventListener('click', () => {
    const [code, contest] = b.dataset.run.split('/');
    runVerify(ctx, b.dataset.run, Number(b.dataset.index), code, contest);
  }));
}
