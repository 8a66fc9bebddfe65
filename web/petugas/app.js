// The KPPS officer's page (docs/WEB.md "Halaman petugas"): on a phone with
// a weak connection, an officer makes (or imports) an Ed25519 key, hands its
// public half in for enrolment, fills in the C.Hasil of a TPS with every
// broken rule shown as they type (the server's own rules, web/wasm),
// photographs each page, signs the exact submission text on the device and
// sends it — or leaves it in the outbox until the network comes back —
// keeps the receipt, and later checks in the transparency log that the
// entry is there, exactly as signed (web/portal/verify.js).
import { loadRules } from '../wasm/rules.js';
import { verifyEntry } from '../portal/verify.js';
import { h, m, fill, $, setLang, getLang, onLang, langSwitch, serverMsg, whenMsg, clockMsg, bytesMsg, contestName, setAttrMsg } from './ui.js';
import * as db from './db.js';
import * as keys from './keys.js';
import { API, ApiError, loadTps, loadStatus, getText, serversLine } from './api.js';
import { CHasilForm } from './form.js';
import { preparePhoto, PHOTO_MAX } from './photos.js';
import { encodeSubmission, signSubmission, reasonProblem, formOf, PHOTOS_MAX } from './submission.js';
import * as outbox from './outbox.js';
import { keyPanel } from './keypanel.js';

const S = {
  rules: null, rulesError: null, rulesReady: null,
  key: null, keyName: '', keyError: null, replacing: false,
  tps: null, tpsNote: null,
  contest: null, form: null, photos: [], reason: '', psu: '', confirmHard: false,
  items: [], checks: new Map(), sendError: null,
};

const view = () => $('#view');
const TPS_RE = /^[0-9]{10}(?!000)[0-9]{3}$/;

// ------------------------------------------------------------ skeleton

function skeleton() {
  fill(view(),
    h('section', { class: 'card', id: 'key-card' }),
    h('section', { class: 'card', id: 'tps-card' }),
    h('div', { id: 'entry' }),
    h('section', { class: 'card', id: 'outbox-card' },
      h('h2', { text: m('Kiriman dan tanda terima', 'Submissions and receipts') }),
      h('div', { id: 'outbox-list' })),
    h('footer', { class: 'foot' },
      serversLine(),
      h('p', { text: m('Angka diperiksa dengan aturan yang sama persis dengan server. Tanda tangan dibuat di perangkat ini; kunci rahasia tidak pernah dikirim.',
        'The numbers are checked with exactly the server\'s rules. Signatures are made on this device; the secret key is never sent.') })));
}

// ------------------------------------------------------------ network

function netBar() {
  const on = navigator.onLine !== false;
  const net = $('#net');
  net.className = 'net ' + (on ? 'on' : 'off');
  fill(net, on ? m('Tersambung', 'Online') : m('Tidak tersambung: kiriman disimpan di perangkat', 'Offline: submissions are kept on the device'));
  const waiting = S.items.filter(i => i.state === 'queued' || i.state === 'sending').length;
  fill($('#queue-count'), waiting ? h('span', { class: 'qc', text: m(`${waiting} menunggu dikirim`, `${waiting} waiting to be sent`) }) : null);
}

// ------------------------------------------------------------ the key

const keyFileName = () => (S.tps ? `kpps-${S.tps.code}.pub` : 'kpps.pub');

// The key's card (keypanel.js, shared with the recap page): the QR code
// right under the key, the enrolment for a TPS.
const keyCard = keyPanel({
  state: S,
  store: { get: db.kvGet, set: db.kvSet },
  fallbackName: 'KPPS',
  defaultName: () => (S.tps ? `KPPS ${S.tps.code}` : 'KPPS'),
  fileName: keyFileName,
  openNew: () => !S.items.some(i => i.state === 'done'),
  words: {
    title: m('1. Kunci tanda tangan', '1. Signing key'),
    intro: m('Setiap formulir ditandatangani dengan kunci Anda sendiri. Kunci dibuat dan disimpan di perangkat ini; kunci rahasianya tidak dapat disalin atau dikirim, bahkan oleh halaman ini.',
      'Every form is signed with your own key. It is made and kept on this device; its secret half cannot be copied or sent, not even by this page.'),
    replaceWarn: m('Kunci baru menggantikan kunci ini di perangkat ini. Kunci baru harus didaftarkan lagi sebelum dapat dipakai mengirim.',
      'A new key replaces this one on this device. The new key must be enrolled before it can send.'),
  },
  layout: p => [p.label, p.pub, p.qr, p.name, p.nameErr,
    h('div', { class: 'btns' }, p.download,
      h('button', { type: 'button', id: 'key-copy', class: 'btn', onclick: copyPub, text: m('Salin kunci publik', 'Copy the public key') })),
    h('div', { class: 'enrol' }, p.enrolTitle,
      h('p', { text: m('Sebelum mengirim, kunci ini harus didaftarkan sebagai kunci KPPS untuk TPS Anda. Serahkan kepada operator KPU kabupaten/kota: kode TPS Anda (13 angka) dan kunci publik ini — biarkan operator memindai kode QR di atas, atau kirimkan berkas .pub. Operator mendaftarkannya dengan perintah:',
        'Before sending, this key must be enrolled as the KPPS key of your TPS. Give the KPU district operator your TPS code (13 digits) and this public key — let the operator scan the QR code above, or send the .pub file. The operator enrols it with:') }),
      p.enrolCmd(S.tps ? m(`rekap enrol --dir <DIR> --region ${S.tps.code} ${keyFileName()}`)
        : m(`rekap enrol --dir <DIR> --region <kode TPS> ${keyFileName()}`, `rekap enrol --dir <DIR> --region <TPS code> ${keyFileName()}`)),
      h('p', { class: 'hint', text: m('Kunci rahasia tidak pernah diserahkan kepada siapa pun. Jika perangkat hilang atau data peramban dihapus, buat kunci baru dan minta operator mendaftarkannya.',
        'The secret key is never handed to anyone. If the device is lost or the browser\'s data is cleared, make a new key and have the operator enrol it.') }),
      p.made)],
  onStored: () => paintSend(),
  onMade: k => toast(k.soft
    ? m('Kunci baru dibuat dan disimpan di perangkat ini. Peramban ini tidak mendukung kunci yang terkunci (WebCrypto Ed25519): kunci disimpan sebagai data halaman. Gunakan peramban yang lebih baru bila bisa.',
      'A new key was made and kept on this device. This browser has no locked keys (WebCrypto Ed25519): the key is kept as page data. Use a newer browser if you can.')
    : m('Kunci baru dibuat dan disimpan di perangkat ini.', 'A new key was made and kept on this device.')),
  onImported: () => toast(m('Kunci diimpor. Berkas kunci rahasia dapat dihapus dari folder unduhan.', 'Key imported. The secret key file can now be deleted from the downloads folder.')),
});
const renderKey = () => keyCard.render();

async function copyPub() {
  try {
    await navigator.clipboard.writeText(S.key.publicB64);
    toast(m('Kunci publik disalin.', 'Public key copied.'));
  } catch {
    const r = document.createRange();
    r.selectNodeContents($('#pubkey'));
    getSelection().removeAllRanges();
    getSelection().addRange(r);
  }
}

// ------------------------------------------------------------ the TPS

function renderTps() {
  const card = $('#tps-card');
  const input = h('input', { type: 'text', id: 'tps-code', inputmode: 'numeric', pattern: '[0-9]*', maxlength: '13', autocomplete: 'off',
    enterkeyhint: 'go', value: card.dataset.typed ?? (S.tps ? S.tps.code : '') });
  setAttrMsg(input, 'placeholder', m('mis. 6501011001001', 'e.g. 6501011001001'));
  input.addEventListener('input', () => { input.value = input.value.replace(/[^0-9]/g, ''); card.dataset.typed = input.value; });
  const form = h('form', { class: 'tpsf', onsubmit: e => { e.preventDefault(); openTps(input.value.trim()); } },
    h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Kode TPS', 'TPS code') }),
      h('span', { class: 'row' }, input, h('button', { type: 'submit', class: 'btn primary', id: 'tps-go', text: m('Buka', 'Open') }))));
  const kids = [h('h2', { text: m('2. TPS dan surat suara', '2. TPS and ballot') }), form];
  if (S.tpsNote) kids.push(S.tpsNote);
  if (S.tps) {
    const t = S.tps;
    const places = t.regions.filter(r => r.code !== '0').map(r => r.name).join(', ');
    kids.push(h('p', { class: 'tpsn', id: 'tps-name' }, h('b', {}, t.name), ' · ', places));
    kids.push(h('p', { class: 'hint' }, m('Data dibaca', 'Data read'), ' ', whenMsg(t.fetched),
      ' ', h('button', { type: 'button', class: 'btn link', id: 'tps-refresh', onclick: () => openTps(t.code), text: m('Muat ulang', 'Reload') })));
    if (t.statusError) {
      kids.push(h('p', { class: 'warn', text: m('Status kiriman TPS ini tidak dapat dibaca dari server; nomor versi dihitung dari kiriman perangkat ini.',
        'This TPS\'s status could not be read from the server; version numbers are counted from this device\'s submissions.') }));
    }
    kids.push(h('fieldset', { class: 'contests', id: 'contests' },
      h('legend', { text: m('Pilih surat suara', 'Choose the ballot') }),
      t.contests.map(c => {
        const last = lastVersion(t.code, c.contest);
        const st = c.status;
        let what;
        if (!st || st.status === 'none' || !st.version) what = m('belum ada kiriman', 'nothing sent yet');
        else if (st.status === 'rejected') what = m(`versi ${st.version} ditolak (tidak dihitung)`, `version ${st.version} rejected (not counted)`);
        else what = m(`versi ${st.version} diterima (#${st.index})`, `version ${st.version} accepted (#${st.index})`);
        if (last > (st && st.version || 0)) what = m(`${what.id}; versi ${last} menunggu dikirim`, `${what.en}; version ${last} waiting to be sent`);
        return h('label', { class: 'ch' + (S.contest === c.contest ? ' on' : '') },
          h('input', { type: 'radio', name: 'contest', value: c.contest, checked: S.contest === c.contest,
            onchange: () => selectContest(c.contest) }),
          h('span', {}, h('b', { text: contestName(c.contest) }),
            c.district && c.contest !== 'ppwp' ? h('small', {}, ' · ', m('dapil', 'district'), ' ', c.district.name) : null,
            h('br'), h('small', { class: 'cs', text: what })));
      })));
  }
  const focused = document.activeElement && document.activeElement.id === 'tps-code' ? document.activeElement.selectionStart : null;
  fill(card, kids);
  if (focused !== null) { input.focus(); input.setSelectionRange(focused, focused); }
}

// Open a TPS: what the device kept of it at once (a weak link may take
// long), then the server's current data when it comes.
let openSeq = 0;
async function openTps(code) {
  if (!TPS_RE.test(code)) {
    S.tpsNote = h('p', { class: 'err', role: 'alert', text: m('Kode TPS terdiri dari 13 angka: 10 angka kode desa/kelurahan dan nomor TPS 001–999.',
      'A TPS code is 13 digits: the 10-digit desa/kelurahan code and the TPS number 001–999.') });
    renderTps();
    return;
  }
  const seq = ++openSeq;
  S.tpsNote = h('p', { class: 'note', role: 'status', text: m('Memuat data TPS dari server…', 'Loading the TPS from the server…') });
  const cached = await db.kvGet('tps:' + code).catch(() => null);
  if (seq !== openSeq) return;
  if (cached) await applyTps(cached); else renderTps();
  let t;
  try {
    t = await loadTps(code);
  } catch (e) {
    if (seq !== openSeq) return;
    const why = e instanceof ApiError ? e.msg : m(String(e.message || e));
    if (e instanceof ApiError && e.status === 404) {
      S.tpsNote = h('p', { class: 'err', role: 'alert' }, why, e.body && e.body.detail ? h('small', {}, ' ', e.body.detail) : null);
      if (S.tps && S.tps.code === code) { S.tps = null; S.contest = null; S.form = null; renderEntry(); }
    } else if (cached) {
      S.tpsNote = h('p', { class: 'warn', role: 'status' }, why, ' ',
        m(`Memakai data TPS yang tersimpan di perangkat (${whenMsg(cached.fetched).id}).`, `Using the TPS data kept on the device (${whenMsg(cached.fetched).en}).`));
    } else {
      S.tpsNote = h('p', { class: 'err', role: 'alert' }, why, ' ', m('Data TPS belum pernah dimuat di perangkat ini; coba lagi ketika ada sinyal.', 'This TPS was never loaded on this device; try again with a signal.'));
    }
    renderTps();
    return;
  }
  if (seq !== openSeq) return;
  await db.kvSet('tps:' + code, t).catch(() => {});
  S.tpsNote = null;
  await applyTps(t);
}

// Show a TPS's data (kept or fresh). Another TPS closes the form (its draft
// kept) and opens the contest chosen there last; the same TPS keeps the form.
async function applyTps(t) {
  const changedTps = !S.tps || S.tps.code !== t.code;
  if (changedTps) await saveDraftNow();
  S.tps = t;
  await db.kvSet('tps', t.code).catch(() => {});
  if (changedTps) { S.contest = null; S.form = null; $('#tps-card').dataset.typed = t.code; }
  renderTps();
  renderKey();
  if (changedTps) {
    const last = await db.kvGet('contest:' + t.code).catch(() => null);
    if (last && t.contests.some(c => c.contest === last && c.ballot)) await selectContest(last);
    else renderEntry();
  } else if (S.contest && S.form) {
    renderVersion();
    paintSend();
  }
}

function lastVersion(code, contest) {
  const c = S.tps && S.tps.code === code ? S.tps.contests.find(x => x.contest === contest) : null;
  let v = c && c.status && c.status.version ? c.status.version : 0;
  for (const it of S.items) if (it.tps === code && it.contest === contest && it.state !== 'refused') v = Math.max(v, it.version);
  return v;
}

async function refreshStatus(code) {
  if (!S.tps || S.tps.code !== code) return;
  try {
    const st = await loadStatus(code);
    for (const c of S.tps.contests) c.status = st.contests.find(x => x.contest === c.contest) || c.status;
    S.tps.statusError = null;
    await db.kvSet('tps:' + code, S.tps);
    renderTps();
    versionChanged();
  } catch { /* kept as it was */ }
}

// ------------------------------------------------------------ the entry: version, form, photos, send

const draftKey = () => `draft:${S.tps.code}:${S.contest}`;
let draftTimer = null;
function saveDraftSoon() {
  clearTimeout(draftTimer);
  draftTimer = setTimeout(saveDraftNow, 400);
  paintSend();
}
async function saveDraftNow() {
  clearTimeout(draftTimer);
  if (!S.tps || !S.contest || !S.form) return;
  // the photos' bytes are kept once each, under photo:<sha256>
  const photos = S.photos.map(p => p && { sha256: p.sha256, size: p.size, type: p.type, name: p.name, scaled: p.scaled, width: p.width, height: p.height });
  await db.kvSet(draftKey(), { values: S.form.values(), reason: S.reason, psu: S.psu, photos, saved: Date.now() }).catch(() => {});
}

async function selectContest(c) {
  await saveDraftNow();
  S.form = null;                     // nothing typed now can land in another contest's draft
  fill($('#entry'));
  S.contest = c;
  S.sendError = null;
  S.confirmHard = false;
  await db.kvSet('contest:' + S.tps.code, c).catch(() => {});
  renderTps();
  const info = S.tps.contests.find(x => x.contest === c);
  const entry = $('#entry');
  if (!info.ballot) {
    fill(entry, h('section', { class: 'card' }, h('p', { class: 'err', role: 'alert' },
      m('Surat suara ini tidak dapat dimuat dari server.', 'This ballot could not be loaded from the server.'), ' ',
      info.ballotError ? serverMsg(info.ballotError) : null)));
    S.form = null;
    return;
  }
  if (!S.rules) {
    fill(entry, h('section', { class: 'card' }, h('p', { class: 'note', text: m('Memuat pemeriksa aturan…', 'Loading the rules checker…') })));
    await S.rulesReady;
    if (!S.rules) {
      fill(entry, h('section', { class: 'card' }, h('p', { class: 'err', role: 'alert', text: S.rulesError })));
      return;
    }
  }
  const draft = (await db.kvGet(`draft:${S.tps.code}:${c}`).catch(() => null)) || {};
  S.photos = await Promise.all((draft.photos || []).map(async p => {
    if (!p) return null;
    const blob = await db.kvGet('photo:' + p.sha256).catch(() => null);
    return blob ? { ...p, blob } : null;
  }));
  S.reason = draft.reason || '';
  S.psu = draft.psu || '';
  S.form = new CHasilForm({ tps: S.tps.code, contest: c, ballot: info.ballot, dpt: S.tps.dpt, rules: S.rules,
    reserve: S.tps.rules || null, onInput: saveDraftSoon });
  S.form.setValues(draft.values || {});
  renderEntry();
}

function renderEntry() {
  const entry = $('#entry');
  if (!S.form) { fill(entry); return; }
  fill(entry,
    h('h2', { class: 'eh', text: m(`3. Formulir C.Hasil — ${contestName(S.contest).id}`, `3. The C.Hasil form — ${contestName(S.contest).en}`) }),
    h('section', { class: 'card', id: 'version-card' }),
    S.form.el,
    h('section', { class: 'card', id: 'photos-card' }),
    h('section', { class: 'card', id: 'send-card' }));
  renderVersion();
  renderPhotos();
  paintSend();
}

// Draw the version block again only when its version changed (not under
// the officer's fingers while the reason is typed).
function versionChanged() {
  if (!S.form) return;
  const shown = $('#version');
  if (!shown || shown.dataset.version !== String(lastVersion(S.tps.code, S.contest) + 1)) renderVersion();
}

function renderVersion() {
  const card = $('#version-card');
  if (!card) return;
  const v = lastVersion(S.tps.code, S.contest) + 1;
  const prev = [...S.items].reverse().find(i => i.tps === S.tps.code && i.contest === S.contest && i.state !== 'refused');
  const kids = [];
  if (v === 1) {
    kids.push(h('h3', { id: 'version', dataset: { version: '1' }, text: m('Versi 1 — formulir pertama', 'Version 1 — the first form') }));
  } else {
    kids.push(h('h3', { id: 'version', dataset: { version: String(v) }, text: m(`Versi ${v} — koreksi atas versi ${v - 1}`, `Version ${v} — a correction of version ${v - 1}`) }));
    kids.push(h('p', { class: 'hint', text: m('Koreksi tidak menimpa: log menyimpan semua versi, dan versi terbaru yang lolos aturan yang dihitung.',
      'A correction overwrites nothing: the log keeps every version, and the latest one that passes the rules is counted.') }));
    const ta = h('textarea', { id: 'reason', rows: '2', maxlength: '500' });
    ta.value = S.reason;
    setAttrMsg(ta, 'placeholder', m('mis. B4 laki-laki salah tulis: 59 menjadi 95', 'e.g. B4 male miswritten: 59 should be 95'));
    const err = h('p', { class: 'fe', id: 'reason-err' });
    const check = () => {
      const bad = S.reason ? reasonProblem(S.reason) : null;
      fill(err, bad);
    };
    ta.addEventListener('input', () => { S.reason = ta.value.trim(); check(); saveDraftSoon(); });
    kids.push(h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Alasan koreksi (wajib)', 'Reason for the correction (required)') }), ta), err);
    const psu = (val, label) => h('label', { class: 'rb' }, h('input', { type: 'radio', name: 'psu', value: val, checked: S.psu === val,
      onchange: () => { S.psu = val; saveDraftSoon(); } }), h('span', { text: label }));
    kids.push(h('fieldset', { class: 'psu', id: 'psu' }, h('legend', { text: m('Hasil pemungutan/penghitungan suara ulang (PSU)?', 'The result of a re-vote or re-count (PSU)?') }),
      psu('', m('Bukan PSU', 'Not a PSU')),
      psu('recount', m('Penghitungan suara ulang', 'Re-count of the ballots')),
      psu('revote', m('Pemungutan suara ulang', 'Re-vote'))));
    check();
  }
  if (prev) {
    kids.push(h('button', { type: 'button', class: 'btn link', id: 'copy-prev', onclick: () => {
      const f = formOf(prev.body.submission);
      if (f) S.form.setForm(f);
    }, text: m(`Salin angka versi ${prev.version} yang dikirim dari perangkat ini`, `Copy the numbers of version ${prev.version} sent from this device`) }));
  }
  fill(card, kids);
}

function photoGaps() {
  const last = S.photos.reduce((a, p, i) => (p ? i : a), -1);
  const gaps = [];
  for (let i = 0; i < last; i++) if (!S.photos[i]) gaps.push(i + 1);
  return gaps;
}

function renderPhotos() {
  const card = $('#photos-card');
  if (!card) return;
  const filled = S.photos.reduce((a, p, i) => (p ? i + 1 : a), 0);
  const slots = Math.min(PHOTOS_MAX, Math.max(S.contest === 'ppwp' ? 3 : 1, filled + 1));
  while (S.photos.length < slots) S.photos.push(null);
  S.photos.length = Math.max(slots, filled);
  const thumbs = [];
  const list = h('ol', { class: 'pages' }, S.photos.map((p, i) => {
    const inputId = `photo-${i}`;
    const file = h('input', { type: 'file', accept: 'image/*', capture: 'environment', id: inputId, class: 'vh', dataset: { page: String(i) },
      onchange: e => setPhoto(i, e.target.files[0]) });
    let thumb = null;
    if (p && p.blob) {
      const url = URL.createObjectURL(p.blob);
      thumbs.push(url);
      thumb = h('img', { src: url, alt: '', class: 'th', onload: () => URL.revokeObjectURL(url), onerror: () => URL.revokeObjectURL(url) });
    }
    return h('li', { class: 'page' + (p ? ' has' : ''), dataset: { page: String(i), sha256: p ? p.sha256 : '' } },
      h('div', { class: 'pt' }, h('b', { text: m(`Halaman ${i + 1}`, `Page ${i + 1}`) }),
        p ? h('small', { class: 'ph' }, ' ', bytesMsg(p.size), p.scaled ? m(' (diperkecil)', ' (scaled down)') : null) : null),
      thumb,
      p ? h('p', { class: 'sha' }, 'SHA-256 ', h('code', {}, p.sha256)) : null,
      h('div', { class: 'btns' },
        h('label', { class: 'btn' + (p ? '' : ' primary'), for: inputId, text: p ? m('Foto ulang', 'Retake') : m('Ambil foto', 'Take a photo') }),
        p ? h('button', { type: 'button', class: 'btn link', onclick: () => setPhoto(i, null), text: m('Hapus', 'Remove') }) : null),
      file);
  }));
  const gaps = photoGaps();
  fill(card,
    h('h3', { text: m('4. Foto formulir', '4. Photos of the form') }),
    h('p', { class: 'hint', text: m('Foto setiap halaman C.Hasil, satu foto per halaman, berurutan dari halaman 1. Urutan foto ikut ditandatangani. Foto dikirim bersama formulir.',
      'Photograph every page of the C.Hasil, one photo per page, in order from page 1. The order is signed too. The photos are sent with the form.') }),
    list,
    gaps.length ? h('p', { class: 'fe', text: m(`Halaman ${gaps.join(', ')} belum difoto: foto setiap halaman sampai halaman terakhir.`, `Page ${gaps.join(', ')} has no photo: photograph every page up to the last one.`) }) : null,
    h('p', { class: 'fe', id: 'photo-err' }));
}

async function setPhoto(i, file) {
  const err = $('#photo-err');
  if (!file) {
    const old = S.photos[i];
    S.photos[i] = null;
    if (old && !S.photos.some(q => q && q.sha256 === old.sha256)) db.kvDel('photo:' + old.sha256).catch(() => {});
    while (S.photos.length && !S.photos[S.photos.length - 1]) S.photos.pop();
    renderPhotos(); saveDraftSoon();
    return;
  }
  fill(err, m('Memproses foto…', 'Processing the photo…'));
  try {
    const p = await preparePhoto(file);
    if (p.size > PHOTO_MAX) {
      fill(err, m('Foto lebih dari 8 MB, batas server. Ambil foto dengan resolusi lebih kecil.', 'The photo is over 8 MB, the server\'s limit. Take it at a lower resolution.'));
      return;
    }
    const dup = S.photos.findIndex((q, j) => q && j !== i && q.sha256 === p.sha256);
    if (dup >= 0) {
      fill(err, m(`Foto ini sama dengan foto halaman ${dup + 1}. Setiap halaman difoto sendiri.`, `This photo is the same as page ${dup + 1}'s. Photograph each page on its own.`));
      return;
    }
    await db.kvSet('photo:' + p.sha256, p.blob);
    const old = S.photos[i];
    S.photos[i] = p;
    if (old && old.sha256 !== p.sha256) db.kvDel('photo:' + old.sha256).catch(() => {});
    renderPhotos();
    await saveDraftNow();
    paintSend();
  } catch (e) {
    fill(err, m('Foto tidak dapat dibaca: ' + e.message, 'The photo cannot be read: ' + e.message));
  }
}

function blockers() {
  const out = [];
  if (!S.key) out.push(m('Buat atau impor kunci tanda tangan dahulu (langkah 1).', 'Make or import a signing key first (step 1).'));
  if (!S.form) return out;
  if (!S.form.complete) out.push(m(`${S.form.blanks.length} kolom formulir belum diisi.`, `${S.form.blanks.length} fields of the form are not filled in.`));
  if (S.form.report && S.form.report.parse_error) out.push(serverMsg({ message_id: S.form.report.parse_error.message, message_en: S.form.report.parse_error.message }));
  const v = lastVersion(S.tps.code, S.contest) + 1;
  if (v > 1) {
    if (!S.reason) out.push(m('Tulis alasan koreksi.', 'Write the reason for the correction.'));
    else if (reasonProblem(S.reason)) out.push(reasonProblem(S.reason));
  }
  const gaps = photoGaps();
  if (gaps.length) out.push(m(`Halaman ${gaps.join(', ')} belum difoto.`, `Page ${gaps.join(', ')} has no photo.`));
  return out;
}

function paintSend() {
  const card = $('#send-card');
  if (!card || !S.form) return;
  const b = blockers();
  const hard = S.form.complete ? S.form.hardHits : [];
  const nphoto = S.photos.filter(Boolean).length;
  const v = lastVersion(S.tps.code, S.contest) + 1;
  const kids = [h('h3', { text: m('5. Tanda tangani dan kirim', '5. Sign and send') })];
  kids.push(h('p', { class: 'sumline' }, h('b', {}, `TPS ${S.tps.code}`), ' · ', contestName(S.contest), ' · ',
    m(`versi ${v}`, `version ${v}`), ' · ', m(`${nphoto} foto`, `${nphoto} photos`)));
  if (b.length) kids.push(h('ul', { class: 'blockers', id: 'blockers' }, b.map(x => h('li', { text: x }))));
  if (!b.length && S.form.shown.length) {
    kids.push(h('ul', { class: 'hitlist' }, S.form.shown.map(x => h('li', { class: x.severity === 'soft' ? 'soft' : 'hard' }, h('b', {}, x.code), ' ', serverMsg(x)))));
  }
  if (!nphoto && !b.length) kids.push(h('p', { class: 'warn', text: m('Belum ada foto. Formulir tetap dapat dikirim, tetapi foto membuat angka dapat diperiksa siapa saja.',
    'No photo yet. The form can still be sent, but photos let anyone check the numbers.') }));
  if (hard.length && !b.length) {
    kids.push(h('label', { class: 'rb confirm' }, h('input', { type: 'checkbox', id: 'confirm-hard', checked: S.confirmHard,
      onchange: e => { S.confirmHard = e.target.checked; paintSend(); } }),
    h('span', { text: m(`Angka ini sesuai formulir kertas. Saya mengerti formulir yang melanggar ${hard.length} aturan wajib akan tercatat di log tetapi tidak dihitung, dan perlu koreksi.`,
      `These numbers are as on the paper form. I understand that a form breaking ${hard.length} hard rules is logged but not counted, and needs a correction.`) })));
  }
  const ready = !b.length && (!hard.length || S.confirmHard);
  kids.push(h('button', { type: 'button', id: 'send', class: 'btn primary big', disabled: !ready, onclick: doSend,
    text: m('Tanda tangani dan kirim', 'Sign and send') }));
  if (S.sendError) kids.push(h('p', { class: 'err', role: 'alert', text: S.sendError }));
  kids.push(h('p', { class: 'hint', text: m('Tanda tangan dibuat di perangkat ini atas teks kiriman yang persis. Tanpa sinyal, kiriman disimpan dan dikirim sendiri ketika tersambung lagi.',
    'The signature is made on this device over the exact text sent. Without a signal, the submission is kept and sends itself once the connection is back.') }));
  fill(card, kids);
}

let sending = false;
async function doSend() {
  if (sending) return;
  S.sendError = null;
  if (blockers().length) { paintSend(); S.form.focusFirstBlank(); return; }
  sending = true;
  try {
    S.form.check();
    const rep = S.form.report;
    if (!rep || rep.parse_error || !rep.json) throw new Error('form');
    const version = lastVersion(S.tps.code, S.contest) + 1;
    const photos = S.photos.filter(Boolean);
    const text = encodeSubmission({
      tps: S.tps.code, contest: S.contest, version,
      reason: version > 1 ? S.reason : null, psu: version > 1 && S.psu ? S.psu : null,
      photos: photos.map(p => p.sha256), form: rep.json,
    });
    const { body, sha256 } = await signSubmission(text, S.key.privateKey, S.key.publicB64);
    // a last look: the signature verifies with the public key kept with it
    const ok = await keys.verify(S.key.publicKey, Uint8Array.from(atob(body.sig), c => c.charCodeAt(0)), new TextEncoder().encode(text));
    if (!ok) throw new Error('the signature does not verify');
    const item = await outbox.add({
      tps: S.tps.code, contest: S.contest, version, body, sha256,
      photos: photos.map(p => ({ sha256: p.sha256, blob: p.blob, size: p.size, type: p.type, uploaded: false })),
      nhard: S.form.hardHits.length,
    });
    await db.kvDel(draftKey()).catch(() => {});
    await db.kvDel('contest:' + S.tps.code).catch(() => {});
    for (const p of photos) await db.kvDel('photo:' + p.sha256).catch(() => {});
    S.items = await outbox.all();
    S.form = null; S.photos = []; S.reason = ''; S.psu = ''; S.confirmHard = false;
    S.contest = null;
    S.lastSent = item.id;
    renderTps();
    fill($('#entry'), h('section', { class: 'card', id: 'sent-note' }));
    renderOutbox();
    $('#sent-note').scrollIntoView({ block: 'start', behavior: 'smooth' });
  } catch (e) {
    S.sendError = e.msg || m('Kiriman tidak dapat ditandatangani: ' + e.message, 'The submission could not be signed: ' + e.message);
    paintSend();
  } finally {
    sending = false;
  }
}

// ------------------------------------------------------------ the outbox and receipts

const STATE_MSG = {
  queued: m('Menunggu dikirim', 'Waiting to be sent'),
  sending: m('Sedang dikirim…', 'Sending…'),
  refused: m('Ditolak server (tidak tersimpan)', 'Refused by the server (not stored)'),
};

function renderItem(it) {
  const head = h('h3', {}, contestName(it.contest), h('small', {}, ` · TPS ${it.tps} · `, m(`versi ${it.version}`, `version ${it.version}`)));
  const kids = [head];
  if (it.state === 'done') {
    const a = it.answer;
    const accepted = a.status === 'accepted';
    const flagged = accepted && a.codes && a.codes.length;
    kids.push(h('p', { class: 'st ' + (accepted ? (flagged ? 'warn' : 'good') : 'bad'), text: accepted
      ? (flagged ? m('Diterima dan dihitung, ditandai untuk diperiksa.', 'Accepted and counted, flagged for review.') : m('Diterima dan dihitung.', 'Accepted and counted.'))
      : m('Tercatat di log tetapi TIDAK dihitung: melanggar aturan. Kirim koreksi (versi berikutnya).', 'Logged but NOT counted: it breaks rules. Send a correction (the next version).') }));
    if (a.rules && a.rules.length) kids.push(h('ul', { class: 'hitlist' }, a.rules.map(r => h('li', { class: accepted ? 'soft' : 'hard' }, h('b', {}, r.code), ' ', serverMsg(r)))));
    const rc = a.receipt || {};
    const same = rc.submission_sha256 === it.sha256;
    kids.push(h('dl', { class: 'receipt' },
      h('dt', { text: m('Tanda terima — indeks log', 'Receipt — log index') }), h('dd', { class: 'idx' }, `#${rc.log_index}`),
      h('dt', { text: m('SHA-256 teks yang ditandatangani', 'SHA-256 of the signed text') }),
      h('dd', {}, h('code', { class: 'sha256' }, rc.submission_sha256 || ''), h('br'),
        h('small', { class: same ? 'good' : 'bad', text: same ? m('sama dengan yang dihitung perangkat ini', 'the same as computed on this device')
          : m(`BERBEDA dari yang dihitung perangkat ini: ${it.sha256}`, `DIFFERENT from what this device computed: ${it.sha256}`) })),
      h('dt', { text: m('Dikirim', 'Sent') }), h('dd', {}, whenMsg(it.sentAt), a.duplicate ? m(' (kiriman ulang)', ' (sent again)') : null)));
    const res = S.checks.get(it.id) || it.verify || null;
    const box = h('div', { class: 'verify', id: `verify-${it.id}` });
    if (res) paintVerify(box, res);
    kids.push(h('div', { class: 'btns' }, h('button', { type: 'button', class: 'btn', dataset: { check: String(it.id) }, onclick: () => runCheck(it, box),
      text: m('Periksa di log transparansi', 'Check in the transparency log') })), box);
  } else {
    kids.push(h('p', { class: 'st ' + (it.state === 'refused' ? 'bad' : 'wait'), text: STATE_MSG[it.state] || m(it.state) }));
    if (it.state === 'sending' && it.progress) {
      kids.push(h('p', { class: 'hint', text: it.progress.form ? m('Mengirim formulir…', 'Sending the form…')
        : m(`Mengunggah foto ${it.progress.photo} dari ${it.progress.of}…`, `Uploading photo ${it.progress.photo} of ${it.progress.of}…`) }));
    }
    if (it.lastError) {
      const e = it.lastError;
      kids.push(h('p', { class: it.state === 'refused' ? 'err' : 'warn', role: it.state === 'refused' ? 'alert' : null },
        e.code && e.code !== 'NETWORK' ? h('b', {}, e.code, ' ') : null, serverMsg(e),
        e.detail ? h('small', { class: 'det' }, ' ', e.detail) : null));
    }
    if (it.state === 'queued' && it.attempts) {
      kids.push(h('p', { class: 'hint', text: m(`Percobaan ke-${it.attempts} gagal. Dicoba lagi sekitar pukul ${clockMsg(it.nextAt).id}, atau segera ketika sinyal kembali.`,
        `Attempt ${it.attempts} failed. Trying again around ${clockMsg(it.nextAt).en}, or as soon as the signal is back.`) }));
    }
    if (it.state === 'queued' && !it.attempts && navigator.onLine === false) {
      kids.push(h('p', { class: 'hint', text: m('Tidak ada sinyal: kiriman sudah ditandatangani dan disimpan; akan dikirim otomatis.', 'No signal: the submission is signed and kept; it will be sent by itself.') }));
    }
    const del = h('button', { type: 'button', class: 'btn link danger', dataset: { del: String(it.id) }, text: m('Hapus', 'Delete') });
    del.addEventListener('click', async () => {
      if (!del.dataset.sure) {
        del.dataset.sure = '1';
        fill(del, it.state === 'refused' ? m('Yakin hapus?', 'Really delete?') : m('Yakin hapus? Kiriman ini belum sampai ke server.', 'Really delete? This submission has not reached the server.'));
        return;
      }
      await outbox.remove(it.id);
    });
    kids.push(h('div', { class: 'btns' },
      it.state === 'queued' ? h('button', { type: 'button', class: 'btn', dataset: { retry: String(it.id) }, onclick: () => outbox.retryNow(it.id), text: m('Kirim sekarang', 'Send now') }) : null,
      del));
  }
  kids.push(h('p', { class: 'hint' }, m('Ditandatangani', 'Signed'), ' ', whenMsg(it.created), ' · ', m(`${it.photos.length} foto`, `${it.photos.length} photos`)));
  return h('article', { class: 'item', dataset: { item: String(it.id), state: it.state, tps: it.tps, contest: it.contest,
    version: String(it.version), index: it.state === 'done' ? String(it.answer.receipt.log_index) : '' } }, kids);
}

// What became of the submission just signed (above the list, where the form was).
function paintNote() {
  const note = $('#sent-note');
  if (!note) return;
  const it = S.items.find(i => i.id === S.lastSent);
  if (!it) { note.remove(); return; }
  const what = m(`${contestName(it.contest).id} versi ${it.version}`, `${contestName(it.contest).en} version ${it.version}`);
  let msg, cls;
  if (it.state === 'done') {
    cls = it.answer.status === 'accepted' ? 'done' : 'bad';
    msg = it.answer.status === 'accepted'
      ? m(`${what.id} terkirim dan diterima: tanda terima #${it.answer.receipt.log_index} ada di bawah.`, `${what.en} is sent and accepted: receipt #${it.answer.receipt.log_index} below.`)
      : m(`${what.id} terkirim dan tercatat, tetapi tidak dihitung: lihat di bawah.`, `${what.en} is sent and logged, but not counted: see below.`);
  } else if (it.state === 'refused') {
    cls = 'bad';
    msg = m(`${what.id} ditolak server: lihat di bawah.`, `${what.en} was refused by the server: see below.`);
  } else {
    cls = 'wait';
    msg = navigator.onLine === false || it.attempts
      ? m(`${what.id} ditandatangani dan disimpan di perangkat. Akan dikirim otomatis ketika tersambung.`, `${what.en} is signed and kept on the device. It will be sent by itself once online.`)
      : m(`${what.id} ditandatangani dan sedang dikirim…`, `${what.en} is signed and being sent…`);
  }
  note.className = 'card note-' + cls;
  note.dataset.state = it.state;
  fill(note, h('p', { text: msg }));
}

function renderOutbox() {
  paintNote();
  const list = $('#outbox-list');
  if (!list) return;
  const items = [...S.items].reverse();
  fill(list, items.length ? items.map(renderItem) : h('p', { class: 'note', text: m('Belum ada kiriman dari perangkat ini.', 'Nothing sent from this device yet.') }));
  netBar();
}

function paintVerify(box, res) {
  const rows = res.checks.map(c => h('li', { class: c.ok ? 'good' : 'bad', dataset: { check: c.id } },
    h('b', {}, c.ok ? '✓ ' : '✗ '), serverMsg(c), c.detail && !c.ok ? h('small', { class: 'det' }, ' ', c.detail) : null));
  fill(box,
    h('p', { class: 'st ' + (res.ok ? 'good' : 'bad'), dataset: { ok: String(!!res.ok) }, text: res.ok
      ? m('Terverifikasi: entri ada di log yang ditandatangani, persis seperti yang Anda tanda tangani.', 'Verified: the entry is in the signed log, exactly as you signed it.')
      : m('Pemeriksaan belum berhasil.', 'The check did not pass.') }),
    h('ul', { class: 'checks' }, rows),
    res.vkeyNote || null,
    h('p', { class: 'hint' }, m('Kunci log', 'Log key'), ': ', h('code', {}, res.vkey || ''), ' · ', m('diperiksa', 'checked'), ' ', whenMsg(res.at)));
}

// The log key this device saw first from this server (trust on first use).
const vkeyKey = () => 'vkey:' + (API || location.origin);

async function runCheck(it, box) {
  fill(box, h('p', { class: 'note', text: m('Memeriksa…', 'Checking…') }));
  let vkey = null, vkeyNote = null;
  try {
    const served = (await getText(`${API}/log/vkey`, { timeout: 20000 })).trim();
    const pinned = await db.kvGet(vkeyKey()).catch(() => null);
    if (!pinned) { await db.kvSet(vkeyKey(), served); vkey = served; } else {
      vkey = pinned;
      if (pinned !== served) {
        vkeyNote = h('p', { class: 'err', role: 'alert', text: m(`Server kini memberikan kunci log lain (${served}) dari yang tercatat di perangkat ini sejak pemeriksaan pertama (${pinned}). Pemeriksaan memakai kunci yang tercatat. Bandingkan dengan kunci yang diumumkan KPU.`,
          `The server now gives another log key (${served}) than the one this device kept since its first check (${pinned}). The check uses the kept key. Compare with the key the commission published.`) });
      }
    }
  } catch (e) {
    vkey = await db.kvGet(vkeyKey()).catch(() => null);
    if (!vkey) {
      fill(box, h('p', { class: 'err', role: 'alert' }, m('Kunci log tidak dapat diambil: ', 'The log key could not be fetched: '), e instanceof ApiError ? e.msg : String(e.message)));
      return;
    }
  }
  const index = it.answer.receipt.log_index;
  const res = await verifyEntry({ base: API, index, vkey });
  // and the entry holds exactly what this device signed
  if (res.entry) {
    const same = res.entry.text.startsWith('rekap-entry/1\n' + it.body.submission) && res.entry.key === it.body.key;
    res.checks.push({ id: 'same', ok: same,
      message_id: same ? 'Isi entri sama persis dengan teks yang ditandatangani perangkat ini, dengan kunci Anda.' : 'Isi entri BERBEDA dari teks yang ditandatangani perangkat ini.',
      message_en: same ? 'The entry holds exactly the text this device signed, with your key.' : 'The entry DIFFERS from the text this device signed.', detail: '' });
    res.ok = res.ok && same;
  }
  const notYet = res.checks.find(c => c.code === 'INDEX');
  if (notYet) {
    res.checks.push({ id: 'later', ok: false, message_id: 'Log belum diterbitkan sampai entri ini; periksa lagi sebentar lagi.',
      message_en: 'The log is not yet published up to this entry; check again in a moment.', detail: '' });
  }
  const kept = { ok: res.ok, checks: res.checks.map(({ id, ok, message_id, message_en, detail }) => ({ id, ok, message_id, message_en, detail })),
    vkey, at: Date.now() };
  S.checks.set(it.id, { ...kept, vkeyNote });
  const fresh = await db.outboxGet(it.id);
  if (fresh) { fresh.verify = kept; await db.outboxPut(fresh); }
  paintVerify(box, { ...kept, vkeyNote });
}

// ------------------------------------------------------------ little things

let toastTimer = null;
function toast(msg) {
  let t = $('#toast');
  if (!t) { t = h('div', { id: 'toast', role: 'status' }); document.body.append(t); }
  fill(t, msg);
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3500);
}

function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('sw.js').then(() => navigator.serviceWorker.ready).then(reg => {
    const urls = [location.href, ...performance.getEntriesByType('resource').map(e => e.name)]
      .filter(u => { try { return new URL(u).origin === location.origin; } catch { return false; } });
    if (reg.active) reg.active.postMessage({ type: 'cache', urls });
  }).catch(e => console.warn('service worker:', e));
}

function wasmUrl() {
  const meta = document.querySelector('meta[name="rekap-rules-wasm"]');
  return new URL((meta && meta.content) || '../wasm/rules.wasm', document.baseURI);
}

// ------------------------------------------------------------ start

async function main() {
  skeleton();
  langSwitch({
    title: m('Rekap — Petugas KPPS', 'Rekap — KPPS officer'),
    sub: m('Kirim formulir C.Hasil yang ditandatangani', 'Send the signed C.Hasil form'),
    doc: m('Rekap — Halaman Petugas KPPS', 'Rekap — KPPS officer\'s page'),
  });
  onLang(() => { renderKey(); renderTps(); if (S.form) { renderVersion(); renderPhotos(); paintSend(); } renderOutbox(); });
  setLang(getLang());
  window.addEventListener('online', netBar);
  window.addEventListener('offline', netBar);
  S.rulesReady = loadRules(wasmUrl()).then(r => { S.rules = r; }, e => {
    S.rulesError = m('Pemeriksa aturan (rules.wasm) tidak dapat dimuat: ' + e.message, 'The rules checker (rules.wasm) could not be loaded: ' + e.message);
  });
  await keyCard.load();
  try { S.items = await outbox.all(); } catch { S.items = []; }
  renderKey();
  renderTps();
  renderOutbox();
  outbox.events.addEventListener('change', async (e) => {
    S.items = await outbox.all();
    renderOutbox();
    const it = e.detail;
    if (it && it.state === 'done') {
      refreshStatus(it.tps);
      if (!S.items.some(i => i.state !== 'done')) renderKey();
    } else if (S.tps) {
      renderTps();
    }
    if (S.form) { versionChanged(); paintSend(); }
  });
  registerWorker();
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  const last = await db.kvGet('tps').catch(() => null);
  if (last) await openTps(last);
  outbox.kick();
  document.body.dataset.ready = '1';
}

main().catch(e => {
  fill(view(), h('p', { class: 'err', role: 'alert' }, 'Halaman tidak dapat dimulai / The page could not start: ', String(e && e.message || e)));
  console.error(e);
});
