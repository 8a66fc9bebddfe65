// The officer page's words and DOM helpers. Every text the page shows is a
// pair {id, en} (Bahasa Indonesia first); an element made from a pair keeps
// it, so switching the language re-labels the whole page in place, the
// numbers the officer typed untouched.

const LANG_KEY = 'rekap.lang';          // the portal's too: one choice per site
let lang = 'id';
try {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'en' || saved === 'id') lang = saved;
} catch { /* storage refused: Bahasa Indonesia */ }

export const m = (id, en) => ({ id, en: en ?? id });
export const isMsg = x => x !== null && typeof x === 'object' && typeof x.id === 'string' && typeof x.en === 'string' && !(x instanceof Node);
export const getLang = () => lang;
// A pair (or a plain string) in the current language.
export const tr = x => (isMsg(x) ? x[lang] : String(x ?? ''));
// A server's or the rules module's message: {message_id, message_en}.
export const serverMsg = o => m(o.message_id || o.message_en || '', o.message_en || o.message_id || '');

const TRANSLATED = 'data-l';
const TRANSLATED_ATTR = 'data-la';

function setText(el, msg) {
  el._l = msg;
  el.setAttribute(TRANSLATED, '');
  el.textContent = tr(msg);
}

// A translated attribute (placeholder, aria-label, title).
export function setAttrMsg(el, name, msg) {
  el._la = el._la || {};
  el._la[name] = msg;
  el.setAttribute(TRANSLATED_ATTR, '');
  el.setAttribute(name, tr(msg));
}

// h('div', {class: 'x', onclick: fn, 'aria-label': m(..)}, child, ...):
// children are nodes, strings, pairs {id, en} (a span that follows the
// language), arrays, or null/false/undefined (skipped).
export function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') setText(el, isMsg(v) ? v : m(String(v)));
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (isMsg(v)) setAttrMsg(el, k, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, kids);
  return el;
}

export function append(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k === null || k === undefined || k === false) continue;
    if (k instanceof Node) el.append(k);
    else if (isMsg(k)) el.append(h('span', { text: k }));
    else el.append(document.createTextNode(String(k)));
  }
  return el;
}

// Replace el's children.
export function fill(el, ...kids) {
  el.replaceChildren();
  return append(el, kids);
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

const listeners = new Set();
export function onLang(fn) { listeners.add(fn); }

export function setLang(l) {
  lang = l === 'en' ? 'en' : 'id';
  try { localStorage.setItem(LANG_KEY, lang); } catch { /* not kept */ }
  applyLang(document);
  for (const fn of listeners) fn(lang);
}

// The header's language button (#lang: a click switches) and the page's
// names (#brand-title, #brand-sub, the document's title), each a pair, drawn
// now and again at every switch, before the page's own onLang listeners.
export function langSwitch(names) {
  const paint = () => {
    const b = $('#lang');
    const en = lang === 'en';
    b.textContent = en ? 'ID' : 'EN';
    b.setAttribute('aria-label', en ? 'Ganti ke Bahasa Indonesia' : 'Switch to English');
    b.title = b.getAttribute('aria-label');
    $('#brand-title').textContent = tr(names.title);
    $('#brand-sub').textContent = tr(names.sub);
    document.title = tr(names.doc);
  };
  paint();
  $('#lang').addEventListener('click', () => setLang(lang === 'id' ? 'en' : 'id'));
  onLang(paint);
}

export function applyLang(root) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll(`[${TRANSLATED}]`)) if (el._l) el.textContent = tr(el._l);
  for (const el of root.querySelectorAll(`[${TRANSLATED_ATTR}]`)) {
    for (const [name, msg] of Object.entries(el._la || {})) el.setAttribute(name, tr(msg));
  }
}

// Numbers and times as the reader's language writes them.
// A time as a pair.
export const whenMsg = ms => {
  if (!ms) return m('');
  const f = l => new Intl.DateTimeFormat(l === 'en' ? 'en-GB' : 'id-ID', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
  return m(f('id'), f('en'));
};
// A time of day with seconds (a retry's moment).
export const clockMsg = ms => {
  const f = l => new Intl.DateTimeFormat(l === 'en' ? 'en-GB' : 'id-ID', { timeStyle: 'medium' }).format(new Date(ms));
  return m(f('id'), f('en'));
};
export const bytesMsg = n => (n < 1024 ? m(`${n} bita`, `${n} bytes`)
  : n < 1048576 ? m(`${(n / 1024).toFixed(0)} KB`) : m(`${(n / 1048576).toFixed(1).replace('.', ',')} MB`, `${(n / 1048576).toFixed(1)} MB`));

export const CONTEST_NAMES = {
  ppwp: m('Presiden dan Wakil Presiden (PPWP)', 'President and Vice President (PPWP)'),
  dpr: m('DPR RI', 'DPR (national parliament)'),
  dpd: m('DPD RI', 'DPD (regional representatives)'),
  dprd_prov: m('DPRD Provinsi', 'DPRD provinsi (provincial parliament)'),
  dprd_kab: m('DPRD Kabupaten/Kota', 'DPRD kabupaten/kota (district parliament)'),
};
export const contestName = c => CONTEST_NAMES[c] || m(c);
