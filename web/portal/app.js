// The public portal: hash routing, the language switch, the search box,
// and live updates by polling (conditional requests: a 304 costs nothing).
// Each page is a module with load(ctx, route) -> model (model.changed says
// whether any document changed since it was last read), render(ctx, model)
// -> HTML, and optionally bind(ctx, root, model) for its controls.
import { html } from './html.js';
import { makeApi, apiBase } from './api.js';
import { parse, format, CONTESTS } from './route.js';
import { translator, storedLang, storeLang, clock } from './i18n.js';
import { errorBox } from './ui.js';
import * as home from './home.js';
import * as region from './region.js';
import * as tps from './tps.js';
import * as anomalies from './anomalies.js';
import * as search from './search.js';
import * as determination from './determination.js';

const POLL_MS = 5000;

const notfound = {
  async load(ctx, route) { return { route, changed: true }; },
  render(ctx) { return html`<h1 class="h">${ctx.t('notfound')}</h1><p><a href="#/">${ctx.t('back_home')}</a></p>`; },
};
// A page loaded only when it is first opened, so that it weighs nothing
// on a first view of the others.
function lazy(importer) {
  let mod = null;
  return {
    async load(ctx, route) { mod ||= await importer(); return mod.load(ctx, route); },
    render: (ctx, model) => mod.render(ctx, model),
    bind: (ctx, el, model) => mod.bind && mod.bind(ctx, el, model),
  };
}
const recap = lazy(() => import('./unit.js'));
const VIEWS = { home, region, tps, anomalies, search, determination, recap, notfound };

const $ = s => document.querySelector(s);
const root = $('#view');

const ctx = {
  api: makeApi(apiBase(location.search)),
  lang: 'id',
  t: translator('id'),
  names: new Map(),          // region code -> {name, parent}: every region list and result read so far
  meta: {},                  // parties (partai.json) and pairs (ppwp.json): colours, Aceh parties
  contest: 'ppwp',           // the contest last looked at (search opens regions in it)
  route: { name: 'home' },
  learn(doc) {
    if (!doc) return;
    if (doc.code !== undefined && doc.name) ctx.names.set(doc.code, { name: doc.name, parent: doc.parent ?? null });
    for (const k of doc.children || []) if (k.code && k.name) ctx.names.set(k.code, { name: k.name, parent: doc.code });
    for (const r of doc.regions || []) if (r.code && r.name && !ctx.names.has(r.code)) ctx.names.set(r.code, { name: r.name, parent: null });
  },
  rerender() { if (current.model) paint(true); },
  // Put another place in the address bar without a new history entry:
  // with reload, go there; else the page's model takes the new route.
  replaceRoute(route, reload) {
    history.replaceState(null, '', location.pathname + location.search + format(route));
    if (reload) { queueMicrotask(navigate); return; }
    ctx.route = route;
    if (current.model) { current.model.route = route; paint(true); }
  },
};

let current = { view: null, model: null, key: '' };
let navSeq = 0;
let lastStamp = 0;
let offline = false;
let pollBusy = false;
let pauseUntil = 0;

// Meta documents (colours, Aceh parties), read once; a page never waits
// for them longer than for its own documents.
const meta = Promise.all([
  ctx.api.list('/pemilu/partai.json').then(d => { ctx.meta.parties = d; }, () => null),
  ctx.api.list('/pemilu/ppwp.json').then(d => { ctx.meta.pairs = d; }, () => null),
]);

function hasError(m) {
  return !!(m && (m.res?.error || m.docs?.some(d => d.error)));
}

function stamp() {
  const el = $('#stamp');
  if (!lastStamp) el.textContent = ctx.t('updated_never');
  else el.textContent = ctx.t('updated') + ' ' + clock(ctx.lang, new Date(lastStamp)) + (offline ? ' · ' + ctx.t('offline') : '');
  el.dataset.time = String(lastStamp);
  el.classList.toggle('off', offline);
}

// Draw the current page. keep: a redraw of the same place (a live update,
// the language switch): open <details>, the focused control with its text
// and caret, and the scroll position stay as they were.
function paint(keep) {
  const { view, model } = current;
  let open = null, focus = null;
  if (keep) {
    open = new Map([...root.querySelectorAll('details[data-key]')].map(d => [d.dataset.key, d.open]));
    const a = document.activeElement;
    if (a && a.id && root.contains(a)) focus = { id: a.id, value: a.value, s: a.selectionStart, e: a.selectionEnd };
  }
  const x = window.scrollX, y = window.scrollY;
  root.innerHTML = String(view.render(ctx, model));
  if (open) for (const d of root.querySelectorAll('details[data-key]')) if (open.has(d.dataset.key)) d.open = open.get(d.dataset.key);
  if (view.bind) view.bind(ctx, root, model);
  if (focus) {
    const el = document.getElementById(focus.id);
    if (el) {
      if (typeof focus.value === 'string' && el.value !== focus.value) el.value = focus.value;
      el.focus({ preventScroll: true });
      try { if (focus.s !== null && focus.s !== undefined) el.setSelectionRange(focus.s, focus.e); } catch { /* not a text field */ }
    }
  }
  if (keep) window.scrollTo(x, y);
  const h = root.querySelector('h1');
  document.title = (h ? h.textContent.replace(/\s+/g, ' ').trim() + ' · ' : '') + ctx.t('title');
}

async function navigate() {
  const seq = ++navSeq;
  const route = parse(location.hash);
  const view = VIEWS[route.name] || notfound;
  ctx.route = route;
  if (route.contest) ctx.contest = route.contest;
  if (route.name === 'search') $('#q').value = route.q;
  else if (document.activeElement !== $('#q')) $('#q').value = '';
  const busy = setTimeout(() => { $('#busy').hidden = false; root.setAttribute('aria-busy', 'true'); }, 150);
  let model;
  try {
    [model] = await Promise.all([view.load(ctx, route), meta]);
  } catch (e) {
    model = { error: e };
  }
  clearTimeout(busy);
  if (seq !== navSeq || !model) return;
  $('#busy').hidden = true;
  root.removeAttribute('aria-busy');
  const key = location.hash;
  const same = current.key === key && current.view === view;
  current = { view: model.error ? { render: c => errorBox(c, model.error) } : view, model, key };
  offline = hasError(model) && model.res?.error?.status === 0;
  if (!hasError(model)) lastStamp = Date.now();
  paint(same);
  stamp();
  if (!same) { window.scrollTo(0, 0); }
}

async function poll() {
  if (pollBusy || document.hidden || !current.model || Date.now() < pauseUntil) return;
  const { view, key } = current;
  if (!view.load) return;
  pollBusy = true;
  const seq = navSeq;
  try {
    const model = await view.load(ctx, current.model.route);
    if (seq !== navSeq || key !== current.key || !model) return;
    if (hasError(model)) {
      const e = model.res?.error || model.docs?.find(d => d.error)?.error;
      if (e?.retryAfter) pauseUntil = Date.now() + e.retryAfter * 1000;
      if (!hasError(current.model)) { offline = true; stamp(); return; }
    } else {
      offline = false;
      lastStamp = Date.now();
    }
    if (model.changed) { current.model = model; paint(true); }
    stamp();
  } catch {
    offline = true; stamp();
  } finally {
    pollBusy = false;
  }
}

function chrome() {
  const { t } = ctx;
  document.documentElement.lang = ctx.lang;
  $('#brand-title').textContent = t('title');
  $('#brand-sub').textContent = t('subtitle');
  const b = $('#lang');
  b.textContent = t('lang_switch');
  b.setAttribute('aria-label', t('lang_switch_label'));
  b.setAttribute('title', t('lang_switch_label'));
  $('#q').placeholder = t('search_placeholder');
  $('#q').setAttribute('aria-label', t('search_placeholder'));
  $('#search-go').textContent = t('search_button');
  $('#busy').textContent = t('loading');
  const api = ctx.api;
  $('#foot').innerHTML = String(html`<p>${t('footer')}</p>
    <p>${t('open_data')}: ${CONTESTS.map(c => html`<a href="${api.url('/api/v1/export/' + c + '.csv')}">${t('contest_' + c)} (CSV)</a> `)}</p>
    <p>${t('det_title')}: ${CONTESTS.map(c => html`<a href="${format({ name: 'determination', contest: c, prov: '' })}">${t('contest_' + c)}</a> `)}</p>
    <p>${t('anomalies')}: ${CONTESTS.map(c => html`<a href="${format({ name: 'anomalies', contest: c, kind: 'semua', prefix: '' })}">${t('contest_' + c)}</a> `)}
      · <a href="${api.url('/log/checkpoint')}">${t('log_checkpoint')}</a></p>`);
}

function setLang(lang) {
  ctx.lang = lang;
  ctx.t = translator(lang);
  storeLang(window.localStorage, lang);
  chrome();
  stamp();
  if (current.model) paint(true);
}

function start() {
  let ls = null;
  try { ls = window.localStorage; } catch { /* storage blocked */ }
  ctx.lang = storedLang(ls);
  ctx.t = translator(ctx.lang);
  chrome();
  stamp();
  $('#lang').addEventListener('click', () => setLang(ctx.lang === 'id' ? 'en' : 'id'));
  $('#search').addEventListener('submit', e => {
    e.preventDefault();
    const q = $('#q').value.trim();
    if (!q) return;
    const h = format({ name: 'search', q });
    if (location.hash === h) navigate(); else location.hash = h;
  });
  window.addEventListener('hashchange', navigate);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) poll(); });
  setInterval(poll, POLL_MS);
  navigate();
}

start();
