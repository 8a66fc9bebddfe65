// The recap officer's page (docs/WEB.md "Halaman rekap"): the screen of a
// plenary meeting (rapat pleno) of a PPK, a KPU kab/kota, a province or the
// nation. The officer makes (or imports) an Ed25519 key and has it enrolled
// for the region; opens a unit (region, contest, district); sees every
// child with what it says now, the sum of the level below, the recap as
// last signed and every difference per field with the children where it
// arises; drafts a recap (each child adopted, marked or corrected), signs
// the exact rekap-dhasil/1 text on the device and sends it; and records
// the plenary's objections and special events (rekap-dkk/1).
//
// Shared with the KPPS page, imported and not copied: the key's card (make,
// import, the public key file and its QR code: web/petugas/keypanel.js),
// the key itself (sign, verify: keys.js), the words and DOM helpers
// (ui.js), the two listeners and their error bodies (api.js), signing a
// text into the request body (submission.js).
import { h, m, fill, $, setLang, getLang, onLang, langSwitch, serverMsg, whenMsg, contestName, setAttrMsg } from '../petugas/ui.js';
import * as keys from '../petugas/keys.js';
import { API, INGEST, ApiError, call, getJSON, serversLine } from '../petugas/api.js';
import { signSubmission } from '../petugas/submission.js';
import { keyPanel } from '../petugas/keypanel.js';
import * as R from './recap.js';
import * as store from './store.js';

// How `rekap enrol` names a recap key (docs/CLI.md "rekap enrol").
const ENROL_FLAG = '--recap';
// The public portal, for a TPS's page: ?portal=URL, else beside the API
// (rekapd serves it at /), else one folder up from this page.
const PORTAL = (() => {
  const p = new URLSearchParams(location.search).get('portal');
  if (p && /^https?:\/\//.test(p)) return p.replace(/#.*$/, '');
  return API ? API + '/' : new URL('../', location.href).href;
})();

const S = {
  key: null, keyName: '', keyError: null, replacing: false,
  route: { name: 'home' }, pick: { code: '', contest: 'ppwp' }, autoOpen: true,
  units: null, unitsError: null,
  detail: null, detailError: null, loading: false,
  fields: [], groups: [], group: 'summary',
  choices: {}, reason: '', editing: new Set(),
  draft: null, text: null, textError: null,
  send: null, record: null, recordForm: { kind: 'objection', by: '', text: '', recap: null },
};

const view = () => $('#view');
const unitKey = () => S.detail ? `draft:${S.detail.contest}:${S.detail.region.code}:${S.detail.district.index}` : null;
const numMsg = n => (n === null || n === undefined ? m('—')
  : m(new Intl.NumberFormat('id-ID').format(n), new Intl.NumberFormat('en-GB').format(n)));
const signedMsg = n => (n > 0 ? m(`+${numMsg(n).id}`, `+${numMsg(n).en}`) : numMsg(n));

// ------------------------------------------------------------ words

const UNIT_STATUS = {
  none: m('Belum ada rekap', 'No recap yet'),
  signed: m('Ditandatangani', 'Signed'),
  rejected: m('Ditolak: melanggar aturan', 'Rejected: breaks rules'),
  stale: m('Perlu koreksi: data di bawah berubah', 'Needs a correction: the level below changed'),
};
const CHILD_STATUS = {
  counted: m('Dihitung', 'Counted'),
  none: m('Belum masuk', 'Not in yet'),
  signed: m('Rekap ditandatangani', 'Recap signed'),
  rejected: m('Rekap ditolak', 'Recap rejected'),
};
const HOW = {
  adopt: m('Ambil (adopt)', 'Adopt'),
  mark: m('Tandai (mark)', 'Mark'),
  correct: m('Koreksi (correct)', 'Correct'),
};
const WHY = {
  pending: m('Belum masuk (pending)', 'Not there yet (pending)'),
  psu: m('Pemungutan suara ulang (psu)', 'Re-vote due (psu)'),
  recount: m('Penghitungan suara ulang (recount)', 'Re-count due (recount)'),
};
const KIND = {
  objection: m('Keberatan saksi', 'Objection of a witness'),
  event: m('Kejadian khusus', 'Special event'),
};
// A list of rule codes, as an array or "A,B".
const codesOf = x => (Array.isArray(x) ? x : String(x || '').split(',').filter(Boolean));
const levelName = l => R.LEVEL_NAMES[l] || m(String(l || ''));
const districtName = d => (d ? `${d.name || d.id}${d.id && d.name ? ` (${d.id})` : ''}` : '');

// ------------------------------------------------------------ skeleton

function skeleton() {
  fill(view(),
    h('section', { class: 'card', id: 'key-card' }),
    h('section', { class: 'card', id: 'pick-card' }),
    h('div', { id: 'place' }),
    h('footer', { class: 'foot' },
      serversLine(),
      h('p', { text: m('Jumlah dihitung di perangkat ini dari angka setiap baris; teks yang ditandatangani ditampilkan sebelum dikirim. Kunci rahasia tidak pernah meninggalkan perangkat ini.',
        'Totals are computed on this device from every row\'s numbers; the text to be signed is shown before it is sent. The secret key never leaves this device.') })));
}

// ------------------------------------------------------------ the key

const regionForKey = () => (S.detail ? S.detail.region.code : S.route.code || S.pick.code || '');
const keyFileName = () => (regionForKey() ? `rekap-${regionForKey()}.pub` : 'rekap.pub');

// The key's card (the KPPS page's keypanel.js): the QR code beside the key
// on a wide screen, the enrolment as a recap key of a region.
const keyCard = keyPanel({
  state: S,
  store,
  fallbackName: 'Petugas rekap',
  defaultName: () => (regionForKey() ? `Petugas rekap ${regionForKey()}` : 'Petugas rekap'),
  fileName: keyFileName,
  openNew: () => !S.key.used,
  keepSoft: true,
  summaryName: true,
  words: {
    title: m('1. Kunci tanda tangan petugas rekap', '1. The recap officer\'s signing key'),
    intro: m('Rekap dan catatan pleno ditandatangani dengan kunci Anda sendiri, yang didaftarkan untuk wilayah Anda. Kunci dibuat dan disimpan di perangkat ini; kunci rahasianya tidak dapat disalin atau dikirim, bahkan oleh halaman ini.',
      'Recaps and plenary records are signed with your own key, enrolled for your region. It is made and kept on this device; its secret half cannot be copied or sent, not even by this page.'),
    replaceWarn: m('Kunci baru menggantikan kunci ini di perangkat ini dan harus didaftarkan lagi.', 'A new key replaces this one on this device and must be enrolled again.'),
  },
  layout: p => {
    const region = regionForKey();
    return h('div', { class: 'keygrid' },
      h('div', {}, p.label, p.pub, p.name, p.nameErr,
        h('div', { class: 'btns' }, p.download),
        h('div', { class: 'enrol' }, p.enrolTitle,
          h('p', { text: m('Kunci ini harus didaftarkan sebagai kunci rekap untuk wilayah Anda (kecamatan, kabupaten/kota, provinsi atau nasional) sebelum rekap dapat diterima. Serahkan kode wilayah dan kunci publik ini (kode QR atau berkas .pub) kepada operator KPU, yang mendaftarkannya dengan:',
            'This key must be enrolled as the recap key of your region (kecamatan, kab/kota, province or national) before a recap is accepted. Give the KPU operator the region code and this public key (the QR code or the .pub file); the operator enrols it with:') }),
          p.enrolCmd(region ? m(`rekap enrol --dir <DIR> --region ${region} ${ENROL_FLAG} ${keyFileName()}`)
            : m(`rekap enrol --dir <DIR> --region <kode wilayah> ${ENROL_FLAG} ${keyFileName()}`, `rekap enrol --dir <DIR> --region <region code> ${ENROL_FLAG} ${keyFileName()}`)),
          p.made)),
      p.qr);
  },
  onStored: () => { paintDraft(); paintRecordForm(); },
  onMade: k => {
    if (!k.soft) return;
    S.keyError = m('Peramban ini tidak mendukung kunci yang terkunci (WebCrypto Ed25519): kunci disimpan sebagai data halaman. Gunakan peramban yang lebih baru bila bisa.',
      'This browser has no locked keys (WebCrypto Ed25519): the key is kept as page data. Use a newer browser if you can.');
    keyCard.render();
  },
});
const renderKey = () => keyCard.render();

// ------------------------------------------------------------ choosing a region and contest

function renderPick() {
  const card = $('#pick-card');
  const code = h('input', { type: 'text', id: 'region-code', inputmode: 'numeric', maxlength: '9', autocomplete: 'off', value: S.pick.code });
  setAttrMsg(code, 'placeholder', m('mis. 650101, 6501, 65 atau 0', 'e.g. 650101, 6501, 65 or 0'));
  const contest = h('select', { id: 'contest' }, R.CONTESTS.map(c => h('option', { value: c, selected: c === S.pick.contest, text: contestName(c) })));
  const err = h('p', { class: 'fe', id: 'pick-err' });
  const go = e => {
    e.preventDefault();
    const c = R.recapCode(code.value);
    if (!c) { fill(err, m('Kode wilayah rekap: 6 angka (kecamatan), 4 (kabupaten/kota), 2 (provinsi) atau 0 (nasional).', 'A recap region code: 6 digits (kecamatan), 4 (kab/kota), 2 (province) or 0 (national).')); return; }
    S.pick = { code: c, contest: contest.value };
    S.autoOpen = true;
    store.set('pick', S.pick).catch(() => {});
    location.hash = R.formatRoute({ name: 'units', contest: contest.value, code: c });
  };
  fill(card,
    h('h2', { text: m('2. Wilayah dan pemilihan', '2. Region and contest') }),
    h('form', { class: 'pick', onsubmit: go },
      h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Kode wilayah', 'Region code') }), code),
      h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Jenis pemilihan', 'Contest') }), contest),
      h('button', { type: 'submit', class: 'btn primary', id: 'pick-go', text: m('Buka', 'Open') })),
    err);
}

// ------------------------------------------------------------ routes

async function route() {
  const r = R.parseRoute(location.hash);
  S.route = r;
  if (r.contest) S.pick.contest = r.contest;
  if (r.code) S.pick.code = r.code;
  renderPick();
  // a region with one unit opens it at once, when chosen or loaded, but
  // not when the officer comes back to the list from the unit
  const auto = S.autoOpen;
  S.autoOpen = false;
  if (r.name === 'units') await openUnits(r.contest, r.code, auto);
  else if (r.name === 'unit') await openUnit(r.contest, r.code, r.district);
  else { S.detail = null; fill($('#place')); }
  renderKey();
}

const recapUrl = (contest, code, d) => `${API}/api/v1/recap/${contest}/${code}${d === undefined ? '' : '/' + d}.json`;

function apiError(e) {
  if (e instanceof ApiError) {
    return h('p', { class: 'err', role: 'alert', dataset: { code: e.code } },
      e.body && e.body.code ? h('b', {}, e.body.code, ' ') : null, e.msg, e.body && e.body.detail ? h('small', { class: 'det' }, e.body.detail) : null);
  }
  return h('p', { class: 'err', role: 'alert', text: m(String(e && e.message || e)) });
}

async function openUnits(contest, code, auto) {
  S.detail = null;
  const place = $('#place');
  fill(place, h('section', { class: 'card' }, h('p', { class: 'note', text: m('Memuat…', 'Loading…') })));
  let doc;
  try {
    doc = await getJSON(recapUrl(contest, code));
  } catch (e) {
    fill(place, h('section', { class: 'card', id: 'units-card' }, h('h2', { text: m('Unit rekap', 'Recap units') }), apiError(e)));
    return;
  }
  S.units = doc;
  const units = doc.units || [];
  fill(place, h('section', { class: 'card', id: 'units-card' },
    h('h2', {}, m(`Unit rekap: ${doc.region.name} (${doc.region.code})`, `Recap units: ${doc.region.name} (${doc.region.code})`)),
    h('p', { class: 'hint' }, levelName(doc.level), ' · ', contestName(doc.contest),
      doc.top ? [' · ', h('b', { text: m('tingkat penetapan', 'the determining level') })] : null),
    units.length ? h('ul', { class: 'units' }, units.map(u => {
      const c = u.children || {};
      return h('li', { class: 'unit st-' + u.status, dataset: { district: String(u.district.index), status: u.status } },
        h('a', { href: R.formatRoute({ name: 'unit', contest, code: doc.region.code, district: u.district.index }) },
          h('b', {}, districtName(u.district))),
        h('span', { class: 'badge ' + u.status, text: UNIT_STATUS[u.status] || m(u.status) }),
        u.version ? h('span', { class: 'hint', text: m(` versi ${u.version}`, ` version ${u.version}`) }) : null,
        codesOf(u.codes).length ? h('span', { class: 'bad', text: m(codesOf(u.codes).join(', ')) }) : null,
        h('small', { class: 'det', text: m(`${c.total ?? '?'} anak: ${c.adopted ?? 0} diambil, ${c.marked ?? 0} ditandai, ${c.corrected ?? 0} dikoreksi, ${c.stale ?? 0} berubah sejak rekap · ${u.records ?? 0} catatan`,
          `${c.total ?? '?'} children: ${c.adopted ?? 0} adopted, ${c.marked ?? 0} marked, ${c.corrected ?? 0} corrected, ${c.stale ?? 0} changed since · ${u.records ?? 0} records`) }));
    })) : h('p', { class: 'note', text: m('Wilayah ini tidak punya unit rekap untuk pemilihan ini.', 'This region has no recap unit for this contest.') })));
  if (units.length === 1 && auto) {
    location.replace(R.formatRoute({ name: 'unit', contest, code: doc.region.code, district: units[0].district.index }));
  }
}

async function fetchDetail(contest, code, district) {
  return getJSON(recapUrl(contest, code, district));
}

async function openUnit(contest, code, district, { keep = false } = {}) {
  const place = $('#place');
  if (!keep) fill(place, h('section', { class: 'card' }, h('p', { class: 'note', text: m('Memuat…', 'Loading…') })));
  let d;
  try {
    d = await fetchDetail(contest, code, district);
  } catch (e) {
    S.detail = null;
    fill(place, h('section', { class: 'card', id: 'unit-card' }, h('h2', { text: m('Unit rekap', 'Recap unit') }), apiError(e),
      h('p', {}, h('a', { href: R.formatRoute({ name: 'units', contest, code }), text: m('Unit rekap wilayah ini', 'This region\'s recap units') }))));
    return;
  }
  const same = S.detail && unitKey() === `draft:${d.contest}:${d.region.code}:${d.district.index}`;
  S.detail = d;
  const width = Math.max(R.BASE_WIDTH, (d.fields || []).length, (d.below || []).length);
  S.fields = R.unitFields(d.fields, width);
  S.groups = R.columnGroups(S.fields);
  if (!S.groups.some(g => g.id === S.group)) S.group = 'summary';
  if (!same) {
    S.send = null; S.record = null; S.editing = new Set();
    S.recordForm = { kind: 'objection', by: '', text: '', recap: null };
    const saved = await store.get(unitKey()).catch(() => null);
    S.choices = (saved && saved.choices) || {};
    S.reason = (saved && saved.reason) || '';
    for (const [c, row] of Object.entries(S.choices)) if (row.how !== 'adopt') S.editing.add(c);
  }
  // a choice for a child that is no longer there is dropped
  const codes = new Set(d.children.map(c => c.code));
  for (const c of Object.keys(S.choices)) if (!codes.has(c)) delete S.choices[c];
  renderUnit();
}

// ------------------------------------------------------------ one unit

const width = () => S.fields.length;
const childOf = code => S.detail.children.find(c => c.code === code);

function childLink(c) {
  const d = S.detail;
  if (d.child_level === 'tps' || c.code.length === 13) {
    return h('a', { href: `${PORTAL}#/tps/${c.code}`, target: '_blank', rel: 'noopener', class: 'drill', dataset: { drill: c.code },
      text: m('Halaman TPS ↗', 'TPS page ↗') });
  }
  return h('a', { href: R.formatRoute({ name: 'unit', contest: d.contest, code: c.code, district: d.district.index }), class: 'drill', dataset: { drill: c.code },
    text: m('Rekap wilayah ini →', 'Its recap →') });
}

function renderUnit() {
  const d = S.detail;
  const r = d.recap;
  const latest = d.latest && d.latest.version !== (r && r.version) ? d.latest : null;
  const status = latest && latest.status === 'rejected' ? 'rejected' : !r ? 'none'
    : d.children.some(c => c.row && c.row.how === 'adopt' && c.row.version !== c.version) ? 'stale' : 'signed';
  const parent = d.region.code.length > 2 ? d.region.code.slice(0, d.region.code.length - 2) : d.region.code !== '0' ? '0' : null;
  fill($('#place'),
    h('section', { class: 'card', id: 'unit-card', dataset: { status } },
      h('p', { class: 'crumbs' },
        h('a', { href: R.formatRoute({ name: 'units', contest: d.contest, code: d.region.code }), text: m('← Semua unit wilayah ini', '← All units of this region') }),
        parent !== null ? [' · ', h('a', { href: R.formatRoute({ name: 'unit', contest: d.contest, code: parent, district: d.district.index }), text: m('Unit di atasnya ↑', 'The unit above ↑') })] : null),
      h('h2', { id: 'unit-title' }, `${d.region.name} (${d.region.code})`, ' · ', contestName(d.contest)),
      h('p', { class: 'hint' }, levelName(d.level), ' · ', m('dapil', 'district'), ' ', districtName(d.district), ' · ',
        m(`${d.children.length} anak (${levelName(d.child_level).id})`, `${d.children.length} children (${levelName(d.child_level).en})`)),
      h('p', {}, h('span', { class: 'badge ' + status, id: 'unit-status', text: UNIT_STATUS[status] }),
        r ? h('span', { class: 'hint' }, ' ', m(`versi ${r.version}`, `version ${r.version}`), r.index !== undefined ? ` · log #${r.index}` : '',
          r.signed_at ? [' · ', whenMsg(r.signed_at * 1000)] : '') : null),
      latest ? h('p', { class: latest.status === 'rejected' ? 'err' : 'hint', id: 'unit-latest' },
        m(`Versi terakhir yang dikirim: ${latest.version}, ${latest.status === 'rejected' ? 'ditolak' : latest.status}`, `The latest version sent: ${latest.version}, ${latest.status}`),
        codesOf(latest.codes).length ? ` (${codesOf(latest.codes).join(', ')})` : '') : null,
      r && r.reason ? h('p', { class: 'hint' }, m('Alasan koreksi: ', 'Reason for the correction: '), r.reason) : null,
      (d.versions || []).length > 1 ? h('details', { class: 'versions' }, h('summary', { text: m('Riwayat versi', 'Version history') }),
        h('ul', {}, d.versions.map(v => h('li', {}, m(`versi ${v.version}`, `version ${v.version}`), ` · ${v.status} · log #${v.index}`, v.reason ? ` · ${v.reason}` : '')))) : null),
    h('section', { class: 'card wide', id: 'children-card' }),
    h('section', { class: 'card', id: 'diff-card' }),
    h('section', { class: 'card', id: 'draft-card' }),
    h('section', { class: 'card', id: 'records-card' }));
  renderChildren();
  recompute();
  renderRecords();
}

// The children's table: what each says now, its row in the last recap and
// in the draft, the sums below it.
function renderChildren() {
  const d = S.detail;
  const g = S.groups.find(x => x.id === S.group) || S.groups[0];
  const groupSel = h('select', { id: 'colgroup', onchange: e => { S.group = e.target.value; renderChildren(); paintDraftCells(); } },
    S.groups.map(x => h('option', { value: x.id, selected: x.id === g.id, text: x.label })));
  const head = h('tr', {},
    h('th', { class: 'sticky', text: m('Kode / nama', 'Code / name') }),
    h('th', { text: m('Status', 'Status') }),
    h('th', { text: m('Rekap terakhir', 'Last recap') }),
    h('th', { text: m('Draf', 'Draft') }),
    g.cols.map((c, i) => h('th', { class: 'n', dataset: { col: String(i) }, text: c.label })));
  const rows = [];
  for (const c of [...d.children].sort((a, b) => R.codeCmp(a.code, b.code))) {
    const last = c.row;
    const lastDiff = new Set((c.diff || []).map(x => x[0]));
    const moved = last && last.how === 'adopt' && last.version !== c.version;
    const how = (S.choices[c.code] || R.defaultRow(c)).how;
    const sel = h('select', { class: 'how', dataset: { how: c.code }, onchange: e => setHow(c, e.target.value) },
      R.HOW.map(x => h('option', { value: x, selected: x === how, disabled: x === 'adopt' && !R.adoptable(c), text: HOW[x] })));
    setAttrMsg(sel, 'aria-label', m(`Baris ${c.code} dalam draf`, `Row ${c.code} in the draft`));
    rows.push(h('tr', { class: 'child' + (lastDiff.size ? ' has-diff' : ''), dataset: { child: c.code } },
      h('th', { class: 'sticky', scope: 'row' }, h('span', { class: 'code' }, c.code), h('br'), h('span', { class: 'nm' }, c.name || ''), h('br'), childLink(c)),
      h('td', {}, h('span', { class: 'cs ' + c.status, text: CHILD_STATUS[c.status] || m(c.status) }),
        c.version ? h('small', { class: 'det', text: m(`versi ${c.version}`, `version ${c.version}`) }) : null),
      h('td', { class: 'lastrow' }, !last ? h('small', { text: m('—') })
        : [h('span', { text: last.how === 'adopt' ? m(`ambil v${last.version}`, `adopt v${last.version}`) : last.how === 'mark' ? m(`tandai: ${last.why}`, `mark: ${last.why}`) : m('koreksi', 'corrected') }),
          moved ? h('small', { class: 'det warn', dataset: { moved: '1' }, text: m(`berubah: kini v${c.version ?? '—'}`, `changed: now v${c.version ?? '—'}`) }) : null,
          last.reason ? h('small', { class: 'det', title: last.reason }, '“', last.reason, '”') : null]),
      h('td', { class: 'drafthow' }, sel),
      g.cols.map((col, i) => {
        const v = c.numbers ? col.idx.reduce((a, k) => a + (c.numbers[k] ?? 0), 0) : null;
        const diffLast = col.idx.some(k => lastDiff.has(k));
        const td = h('td', { class: 'n' + (diffLast ? ' dl' : ''), dataset: { cell: `${c.code}:${i}` } }, h('span', { class: 'now', text: numMsg(v) }));
        if (diffLast) {
          const rv = col.idx.reduce((a, k) => { const x = (c.diff || []).find(y => y[0] === k); return a + (x ? x[1] : c.numbers ? c.numbers[k] ?? 0 : 0); }, 0);
          td.append(h('small', { class: 'det lastv', text: m(`rekap: ${numMsg(rv).id}`, `recap: ${numMsg(rv).en}`) }));
          setAttrMsg(td, 'title', m('Rekap terakhir berbeda dari angka anak ini sekarang', 'The last recap differs from what this child says now'));
        }
        return td;
      })));
    if (S.editing.has(c.code) && how !== 'adopt') rows.push(editorRow(c, g.cols.length + 4));
  }
  const foot = [
    sumRow('below', m('Jumlah tingkat di bawah', 'Sum of the level below'), d.below, g, null),
    d.recap && d.recap.totals ? sumRow('recap', m(`Rekap ditandatangani (v${d.recap.version})`, `Signed recap (v${d.recap.version})`), d.recap.totals, g, d.below) : null,
    sumRow('draft', m('Draf (jumlah baris)', 'Draft (sum of the rows)'), null, g, d.below),
  ];
  fill($('#children-card'),
    h('h2', { text: m('3. Tingkat di bawah', '3. The level below') }),
    h('p', { class: 'hint', text: m('Setiap anak dengan angkanya sekarang. Sel kuning: rekap terakhir berbeda dari angka anak sekarang. Sel merah: draf berbeda dari angka anak sekarang.',
      'Every child with what it says now. Yellow cells: the last recap differs from what the child says now. Red cells: the draft differs from what the child says now.') }),
    h('label', { class: 'fl inline' }, h('span', { class: 'ft', text: m('Kolom', 'Columns') }), groupSel),
    h('div', { class: 'tbl', tabindex: '0' }, h('table', { class: 'kids', id: 'kids' }, h('thead', {}, head), h('tbody', {}, rows), h('tfoot', {}, foot))));
}

function sumRow(id, label, values, g, below) {
  return h('tr', { class: 'sum ' + id, dataset: { sum: id } },
    h('th', { class: 'sticky', scope: 'row', colspan: '4', text: label }),
    g.cols.map((col, i) => {
      const v = values ? col.idx.reduce((a, k) => a + (values[k] ?? 0), 0) : null;
      const b = below ? col.idx.reduce((a, k) => a + (below[k] ?? 0), 0) : null;
      return h('td', { class: 'n' + (below && values && v !== b ? ' dx' : ''), dataset: { sumcell: `${id}:${i}` }, text: numMsg(v) });
    }));
}

// The editor of a marked or corrected row, under it.
function editorRow(c, span) {
  const ch = S.choices[c.code];
  const kids = [];
  const reason = h('input', { type: 'text', class: 'reason', maxlength: '500', value: ch.reason || '', dataset: { reason: c.code },
    oninput: e => { ch.reason = e.target.value; changed(); } });
  setAttrMsg(reason, 'aria-label', m(`Alasan untuk ${c.code}`, `Reason for ${c.code}`));
  if (ch.how === 'mark') {
    kids.push(h('div', { class: 'erow' },
      h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Tanda', 'Mark') }),
        h('select', { dataset: { why: c.code }, onchange: e => { ch.why = e.target.value; changed(); } },
          R.WHY.map(w => h('option', { value: w, selected: w === ch.why, text: WHY[w] })))),
      h('label', { class: 'fl grow' }, h('span', { class: 'ft', text: m('Alasan (why)', 'Reason (why)') }), reason)),
    h('p', { class: 'hint', text: m('Anak yang ditandai tidak masuk ke jumlah.', 'A marked child is left out of the totals.') }));
  } else {
    kids.push(h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Alasan koreksi (why)', 'Reason for the correction (why)') }), reason));
    const grid = h('div', { class: 'cgrid' });
    for (const f of S.fields) {
      const now = c.numbers ? c.numbers[f.index] ?? 0 : null;
      const v = ch.numbers[f.index];
      const input = h('input', { type: 'text', inputmode: 'numeric', class: 'n', value: v === null || v === undefined ? '' : String(v),
        dataset: { field: String(f.index), code: c.code } });
      setAttrMsg(input, 'aria-label', R.fieldLabel(f));
      input.addEventListener('input', () => {
        input.value = input.value.replace(/[^0-9]/g, '');
        ch.numbers[f.index] = R.parseNumber(input.value);
        input.classList.toggle('chg', ch.numbers[f.index] !== now);
        changed();
      });
      if (v !== now) input.classList.add('chg');
      grid.append(h('label', { class: 'cf' }, h('span', { class: 'cl', text: R.fieldLabel(f) }),
        h('span', { class: 'cn' }, input, h('small', { class: 'was', text: m(`kini ${numMsg(now).id}`, `now ${numMsg(now).en}`) }))));
    }
    kids.push(grid);
  }
  return h('tr', { class: 'editor', dataset: { editor: c.code } }, h('td', { colspan: String(span) }, h('div', { class: 'ebox' }, kids)));
}

function setHow(c, how) {
  if (how === 'adopt') {
    delete S.choices[c.code];
    S.editing.delete(c.code);
  } else {
    const prev = S.choices[c.code] || {};
    const last = c.row && c.row.how === how ? c.row : null;
    S.choices[c.code] = how === 'mark'
      ? { how, why: prev.why || (last && last.why) || (R.adoptable(c) ? 'recount' : 'pending'), reason: prev.reason || (last && last.reason) || (R.adoptable(c) ? '' : R.PENDING_REASON) }
      : { how, reason: prev.reason || (last && last.reason) || '',
        numbers: [...(last && Array.isArray(last.numbers) ? last.numbers : c.numbers || new Array(width()).fill(0))] };
    S.editing.add(c.code);
  }
  renderChildren();
  changed();
}

// Start the draft from the rows of the last signed recap (its marks and
// corrections; every adopted child at its version now).
function fromLastRecap() {
  S.choices = {};
  S.editing = new Set();
  for (const c of S.detail.children) {
    const r = c.row;
    if (!r || r.how === 'adopt') continue;
    S.choices[c.code] = r.how === 'mark' ? { how: 'mark', why: r.why, reason: r.reason || '' }
      : { how: 'correct', reason: r.reason || '', numbers: [...(r.numbers || c.numbers || new Array(width()).fill(0))] };
    S.editing.add(c.code);
  }
  renderChildren();
  changed();
}

function resetDraft() {
  S.choices = {};
  S.editing = new Set();
  S.reason = '';
  renderChildren();
  changed();
}

let saveTimer = null;
function changed() {
  recompute();
  clearTimeout(saveTimer);
  const k = unitKey();
  const v = { choices: S.choices, reason: S.reason, at: Date.now() };
  saveTimer = setTimeout(() => store.set(k, JSON.parse(JSON.stringify(v))).catch(() => {}), 300);
}

// The draft from the choices: rows, totals, the differences, the text.
function recompute() {
  const d = S.detail;
  if (!d) return;
  S.draft = R.buildDraft({ children: d.children, choices: S.choices, width: width() });
  S.draft.diff = R.compare({ ...S.draft, below: d.below, children: d.children, width: width() });
  S.text = null; S.textError = null;
  const version = R.nextVersion(d);
  if (!S.draft.problems.length && !(version > 1 && keys.textProblem(S.reason, R.REASON_MAX))) {
    try {
      S.text = R.encodeRecap({ region: d.region.code, contest: d.contest, district: d.district.id, version,
        reason: version > 1 ? S.reason : null, rows: S.draft.rows, totals: S.draft.totals, width: width() });
    } catch (e) {
      S.textError = e;
    }
  }
  paintDraftCells();
  renderDiffs();
  paintDraft();
}

// The draft's cells of the table: a row that differs from its child, the
// draft's sums.
function paintDraftCells() {
  const d = S.detail, dr = S.draft;
  if (!d || !dr) return;
  const g = S.groups.find(x => x.id === S.group) || S.groups[0];
  dr.rows.forEach((row, k) => {
    const c = childOf(row.code);
    const diff = new Set(R.rowDiff(row, dr.contribs[k], c, width()).map(x => x[0]));
    g.cols.forEach((col, i) => {
      const td = $(`td[data-cell="${row.code}:${i}"]`);
      if (!td) return;
      const hit = col.idx.some(x => diff.has(x));
      td.classList.toggle('dd', hit);
      let el = td.querySelector('.draftv');
      if (!hit) { if (el) el.remove(); return; }
      const v = col.idx.reduce((a, x) => a + (dr.contribs[k][x] ?? 0), 0);
      if (!el) { el = h('small', { class: 'det draftv' }); td.append(el); }
      fill(el, m(`draf: ${numMsg(v).id}`, `draft: ${numMsg(v).en}`));
    });
  });
  g.cols.forEach((col, i) => {
    const td = $(`td[data-sumcell="draft:${i}"]`);
    if (!td) return;
    const v = dr.totals ? col.idx.reduce((a, x) => a + (dr.totals[x] ?? 0), 0) : null;
    const b = col.idx.reduce((a, x) => a + (d.below[x] ?? 0), 0);
    fill(td, numMsg(v));
    td.classList.toggle('dx', v !== b);
  });
}

function fieldName(i) {
  return S.fields[i] ? R.fieldLabel(S.fields[i]) : m(`#${i}`);
}

function codeLinks(codes) {
  return codes.map((c, i) => [i ? ', ' : '', h('a', { href: `#row-${c}`, class: 'cref', dataset: { ref: c },
    onclick: e => { e.preventDefault(); const tr2 = $(`tr[data-child="${c}"]`); if (tr2) { tr2.scrollIntoView({ block: 'center', behavior: 'smooth' }); tr2.classList.add('flash'); setTimeout(() => tr2.classList.remove('flash'), 1500); } } }, c)]);
}

function diffTable(id, list, recapLabel) {
  if (!list.length) return h('p', { class: 'good', dataset: { diffs: id, n: '0' }, text: m('Tidak ada selisih: sama dengan jumlah tingkat di bawah.', 'No difference: the same as the sum of the level below.') });
  return h('div', { class: 'tbl' }, h('table', { class: 'diffs', dataset: { diffs: id, n: String(list.length) } },
    h('thead', {}, h('tr', {}, h('th', { text: m('Kolom', 'Field') }), h('th', { class: 'n', text: recapLabel }), h('th', { class: 'n', text: m('Tingkat di bawah', 'Level below') }),
      h('th', { class: 'n', text: m('Selisih', 'Difference') }), h('th', { class: 'atc', text: m('Berasal dari', 'Arising at') }))),
    h('tbody', {}, list.map(x => h('tr', { dataset: { field: String(x.field) } },
      h('td', {}, h('span', { text: fieldName(x.field) }), h('small', { class: 'det at' }, codeLinks(x.children || []))),
      h('td', { class: 'n', text: numMsg(x.recap) }), h('td', { class: 'n', text: numMsg(x.below) }),
      h('td', { class: 'n bad', text: x.recap === null ? m('—') : signedMsg(x.recap - x.below) }),
      h('td', { class: 'atc' }, codeLinks(x.children || [])))))));
}

function renderDiffs() {
  const d = S.detail;
  const kids = [h('h2', { text: m('4. Selisih', '4. Differences') })];
  if (d.recap) {
    kids.push(h('h3', { text: m(`Rekap ditandatangani (versi ${d.recap.version}) terhadap tingkat di bawah sekarang`, `The signed recap (version ${d.recap.version}) against the level below now`) }),
      diffTable('recap', d.differences || [], m('Rekap', 'Recap')));
  } else {
    kids.push(h('p', { class: 'note', text: m('Belum ada rekap yang ditandatangani untuk unit ini.', 'No recap of this unit has been signed yet.') }));
  }
  kids.push(h('h3', { text: m('Draf terhadap tingkat di bawah', 'The draft against the level below') }),
    diffTable('draft', S.draft ? S.draft.diff : [], m('Draf', 'Draft')));
  if (d.tps_sum && d.child_level !== 'tps') {
    const t = R.compare({ totals: d.tps_sum, below: d.below, rows: [], contribs: [], children: [], width: width() });
    kids.push(h('p', { class: t.length ? 'warn' : 'hint', dataset: { tpssum: String(t.length) }, text: t.length
      ? m(`Jumlah formulir C.Hasil semua TPS unit ini berbeda dari jumlah tingkat di bawah pada ${t.length} kolom.`, `The sum of the counted C.Hasil forms of every TPS of this unit differs from the level below in ${t.length} fields.`)
      : m('Jumlah formulir C.Hasil semua TPS unit ini sama dengan jumlah tingkat di bawah.', 'The sum of the counted C.Hasil forms of every TPS of this unit equals the level below.') }));
  }
  fill($('#diff-card'), kids);
}

// ------------------------------------------------------------ signing a recap

function paintDraft() {
  const card = $('#draft-card');
  const d = S.detail;
  if (!card || !d || !S.draft) return;
  const version = R.nextVersion(d);
  const dr = S.draft;
  const count = how => dr.rows.filter(r => r.how === how).length;
  const problems = [...dr.problems];
  if (version > 1) {
    const bad = keys.textProblem(S.reason, R.REASON_MAX);
    if (bad) problems.push({ code: 'RECAP_REASON', where: 'reason', msg: m(`Alasan koreksi rekap (versi ${version}): ${bad.id}.`, `The reason for correcting the recap (version ${version}): ${bad.en}.`) });
  }
  if (S.textError) problems.push({ code: S.textError.code, where: S.textError.where, msg: S.textError.msg || m(String(S.textError.message)) });
  if (!S.key) problems.push({ code: 'KEY', where: 'key', msg: m('Buat atau impor kunci tanda tangan dulu (langkah 1).', 'Make or import a signing key first (step 1).') });
  let reasonBox = $('#recap-reason');
  if (version > 1 && !reasonBox) {
    reasonBox = h('input', { type: 'text', id: 'recap-reason', maxlength: '500', value: S.reason, oninput: e => { S.reason = e.target.value; changed(); } });
  }
  // the reason field is kept across repaints (the officer is typing in it)
  const head = $('#draft-head');
  if (!head || head.dataset.version !== String(version)) {
    fill(card,
      h('div', { id: 'draft-head', dataset: { version: String(version) } },
        h('h2', { text: m(`5. Tanda tangani rekap (versi ${version})`, `5. Sign the recap (version ${version})`) }),
        h('p', { class: 'hint', text: version > 1
          ? m('Rekap ini mengoreksi rekap sebelumnya: sebutkan alasannya.', 'This recap corrects the previous one: give the reason.')
          : m('Rekap pertama unit ini.', 'The first recap of this unit.') }),
        version > 1 ? h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Alasan koreksi rekap (reason)', 'Reason for correcting the recap (reason)') }), reasonBox) : null,
        h('div', { class: 'btns' },
          h('button', { type: 'button', class: 'btn', id: 'draft-reset', onclick: resetDraft, text: m('Ambil semua anak (adopt)', 'Adopt every child') }),
          d.recap ? h('button', { type: 'button', class: 'btn', id: 'draft-from-last', onclick: fromLastRecap, text: m('Mulai dari rekap terakhir', 'Start from the last recap') }) : null)),
      h('div', { id: 'draft-body' }));
    if (reasonBox) setAttrMsg(reasonBox, 'aria-label', m('Alasan koreksi rekap', 'Reason for correcting the recap'));
  }
  const ok = problems.length === 0 && S.text;
  fill($('#draft-body'),
    h('p', { class: 'sumline', id: 'draft-sum', dataset: { adopt: String(count('adopt')), mark: String(count('mark')), correct: String(count('correct')) },
      text: m(`${dr.rows.length} baris: ${count('adopt')} diambil, ${count('mark')} ditandai, ${count('correct')} dikoreksi · ${dr.diff.length} kolom berbeda dari tingkat di bawah.`,
        `${dr.rows.length} rows: ${count('adopt')} adopted, ${count('mark')} marked, ${count('correct')} corrected · ${dr.diff.length} fields differ from the level below.`) }),
    problems.length ? h('ul', { class: 'blockers', id: 'draft-problems' }, problems.map(p => h('li', { dataset: { code: p.code } }, p.msg))) : null,
    S.text ? h('details', { class: 'text' }, h('summary', { text: m(`Teks yang akan ditandatangani (rekap-dhasil/1, ${new TextEncoder().encode(S.text).length} bita)`, `The text to be signed (rekap-dhasil/1, ${new TextEncoder().encode(S.text).length} bytes)`) }),
      h('pre', { id: 'recap-text' }, S.text)) : null,
    h('button', { type: 'button', class: 'btn primary big', id: 'sign-recap', disabled: !ok || (S.send && S.send.busy), onclick: sendRecap,
      text: m(`Tanda tangani dan kirim rekap versi ${version}`, `Sign and send recap version ${version}`) }),
    h('div', { id: 'send-result' }));
  paintResult($('#send-result'), S.send);
}

// POST a signed text; the answer as { kind: 'accepted'|'rejected'|'refused'|'network', ... }.
async function post(text) {
  const { body, sha256 } = await signSubmission(text, S.key.privateKey, S.key.publicB64);
  const sig = Uint8Array.from(atob(body.sig), c => c.charCodeAt(0));
  if (!(await keys.verify(S.key.publicKey, sig, new TextEncoder().encode(text)))) throw new Error('the signature does not verify');
  return send(body, sha256);
}

async function send(body, sha256) {
  let r;
  try {
    r = await call(`${INGEST}/api/v1/submissions`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' }, timeout: 60000 });
  } catch (e) {
    return { kind: 'network', error: e, body, sha256 };
  }
  const b = r.body || {};
  const index = b.index ?? (b.receipt && b.receipt.log_index);
  if (r.status === 201) return { kind: 'accepted', status: r.status, index, duplicate: !!b.duplicate, rules: b.rules || [], sha256, receipt: b.receipt, body };
  if (r.status === 422 && index !== undefined) return { kind: 'rejected', status: r.status, index, duplicate: !!b.duplicate, rules: b.rules || [], codes: b.codes || [], sha256, receipt: b.receipt, msg: b.message_id ? serverMsg(b) : null, body };
  return { kind: 'refused', status: r.status, error: new ApiError({ status: r.status, body: r.body, url: `${INGEST}/api/v1/submissions`, retryAfter: r.retryAfter }), body, sha256 };
}

function paintResult(box, res) {
  if (!box) return;
  if (!res) { fill(box); return; }
  if (res.busy) { fill(box, h('p', { class: 'note', text: m('Menandatangani dan mengirim…', 'Signing and sending…') })); return; }
  const rules = res.rules && res.rules.length ? h('ul', { class: 'hitlist' }, res.rules.map(x => h('li', { class: res.kind === 'rejected' ? 'hard' : 'soft', dataset: { code: x.code } }, h('b', {}, x.code), ' ', serverMsg(x)))) : null;
  let kids;
  const what = res.record ? m(`Catatan no. ${res.record}`, `Record no. ${res.record}`)
    : res.what ? m(`Rekap versi ${res.what.version}`, `Recap version ${res.what.version}`) : m('Kiriman', 'The submission');
  if (res.kind === 'accepted') {
    kids = [h('p', { class: 'st good', text: m(`${what.id} diterima: tercatat di log dengan indeks #${res.index}${res.duplicate ? ' (kiriman ulang)' : ''}.`, `${what.en} accepted: logged at index #${res.index}${res.duplicate ? ' (sent again)' : ''}.`) }), rules];
  } else if (res.kind === 'rejected') {
    kids = [h('p', { class: 'st bad', text: m(`${what.id} ditolak: tercatat di log dengan indeks #${res.index} tetapi tidak berlaku, karena melanggar aturan berikut. Perbaiki dan tanda tangani versi berikutnya.`,
      `${what.en} rejected: logged at index #${res.index} but not in force, as it breaks the rules below. Fix it and sign the next version.`) }), rules];
  } else if (res.kind === 'refused') {
    const e = res.error;
    kids = [h('p', { class: 'err', role: 'alert', dataset: { code: e.code } }, h('b', {}, e.code), ' ', e.msg, e.body && e.body.detail ? h('small', { class: 'det' }, e.body.detail) : null),
      h('p', { class: 'hint', text: m(`Server menolak (HTTP ${res.status}); tidak ada yang disimpan.`, `The server refused (HTTP ${res.status}); nothing was stored.`) })];
  } else {
    kids = [h('p', { class: 'err', role: 'alert', text: res.error && res.error.msg ? res.error.msg : m('Server tidak dapat dihubungi.', 'The server cannot be reached.') }),
      h('button', { type: 'button', class: 'btn', dataset: { resend: '1' }, onclick: async () => {
        const again = await send(res.body, res.sha256);
        Object.assign(res, again);
        paintResult(box, res);
        if (again.kind === 'accepted' || again.kind === 'rejected') reloadAfter(res);
      }, text: m('Kirim lagi (teks yang sama)', 'Send again (the same text)') })];
  }
  if (res.sha256 && res.kind !== 'network') kids.push(h('p', { class: 'hint' }, 'SHA-256: ', h('code', {}, res.sha256)));
  fill(box, h('div', { class: 'result ' + res.kind, dataset: { result: res.kind, index: res.index !== undefined ? String(res.index) : '' } }, kids));
}

async function sendRecap() {
  if (!S.text || !S.key || (S.send && S.send.busy)) return;
  const text = S.text;
  const what = { unit: unitKey(), version: R.nextVersion(S.detail) };
  S.send = { busy: true };
  paintDraft();
  let res;
  try {
    res = await post(text);
  } catch (e) {
    res = { kind: 'refused', status: 0, error: new ApiError({ body: { code: 'SIGN', message_id: 'Teks tidak dapat ditandatangani: ' + e.message, message_en: 'The text could not be signed: ' + e.message } }) };
  }
  res.what = what;
  S.send = res;
  if (res.kind === 'accepted' || res.kind === 'rejected') {
    S.key.used = true;
    store.set('key', S.key).catch(() => {});
    if (res.kind === 'accepted') {
      // the draft is signed: the next starts afresh
      S.choices = {}; S.editing = new Set(); S.reason = '';
      clearTimeout(saveTimer); // a save still due would bring the signed draft back
      store.del(what.unit).catch(() => {});
    }
  }
  paintDraft();
  if (res.kind === 'accepted' || res.kind === 'rejected') await reloadAfter(res);
}

// The public documents are rendered within about a second of a write:
// read the unit again until it shows what was just logged.
async function reloadAfter(res) {
  const d = S.detail;
  if (!d) return;
  const want = res.record ? r => (r.records || []).some(x => x.index === res.index || x.number === res.record)
    : r => (r.versions || []).some(x => x.index === res.index) || (r.recap && r.recap.index === res.index);
  for (let i = 0; i < 40; i++) {
    try {
      const fresh = await fetchDetail(d.contest, d.region.code, d.district.index);
      if (want(fresh) || i === 39) break;
    } catch { /* try again */ }
    await new Promise(r => setTimeout(r, 250));
  }
  if (S.detail && S.detail.region.code === d.region.code && S.detail.district.index === d.district.index && S.detail.contest === d.contest) {
    await openUnit(d.contest, d.region.code, d.district.index, { keep: true });
  }
}

// ------------------------------------------------------------ plenary records (D.Kejadian Khusus)

function renderRecords() {
  const d = S.detail;
  const recs = d.records || [];
  fill($('#records-card'),
    h('h2', { text: m('6. Keberatan dan kejadian khusus', '6. Objections and special events') }),
    recs.length ? h('ol', { class: 'records', id: 'records' }, recs.map(r => h('li', { dataset: { number: String(r.number), kind: r.kind } },
      h('b', { text: KIND[r.kind] || m(r.kind) }), ' · ', m(`No. ${r.number}`, `No. ${r.number}`), ' · ',
      r.recap ? m(`tentang rekap versi ${r.recap}`, `on recap version ${r.recap}`) : m('sebelum rekap', 'before a recap'),
      r.index !== undefined ? ` · log #${r.index}` : '',
      h('br'), h('span', { class: 'by' }, r.by), ': ', h('span', { class: 'tx' }, r.text))))
      : h('p', { class: 'note', id: 'records', text: m('Belum ada catatan untuk unit ini.', 'No records for this unit yet.') }),
    h('div', { id: 'record-form' }));
  paintRecordForm();
}

function paintRecordForm() {
  const box = $('#record-form');
  const d = S.detail;
  if (!box || !d) return;
  const f = S.recordForm;
  const accepted = [...new Set([0, ...(d.versions || []).map(v => v.version), ...(d.recap ? [d.recap.version] : [])])].sort((a, b) => a - b);
  // the latest accepted recap, unless the officer chose another
  if (!f.chosen || !accepted.includes(f.recap)) f.recap = R.latestAccepted(d);
  const number = R.nextRecordNumber(d);
  const by = h('input', { type: 'text', id: 'record-by', maxlength: '128', value: f.by, oninput: e => { f.by = e.target.value; check(); } });
  const text = h('textarea', { id: 'record-text', rows: '3', maxlength: '500', oninput: e => { f.text = e.target.value.replace(/\n/g, ' '); check(); } }, f.text);
  const errs = h('ul', { class: 'blockers', id: 'record-problems' });
  const btn = h('button', { type: 'button', class: 'btn primary', id: 'sign-record', onclick: sendRecord, text: m(`Tanda tangani dan kirim catatan no. ${number}`, `Sign and send record no. ${number}`) });
  function check() {
    const p = [];
    let t = null;
    try {
      t = R.encodeRecord({ region: d.region.code, contest: d.contest, district: d.district.id, number, recap: f.recap, kind: f.kind, by: f.by, text: f.text });
    } catch (e) { p.push(e.msg); }
    if (!S.key) p.push(m('Buat atau impor kunci tanda tangan dulu (langkah 1).', 'Make or import a signing key first (step 1).'));
    fill(errs, (f.by || f.text) ? p.map(x => h('li', {}, x)) : null);
    btn.disabled = !!p.length || !!(S.record && S.record.busy);
    return t;
  }
  fill(box,
    h('h3', { text: m('Catatan baru', 'A new record') }),
    h('fieldset', { class: 'kinds' }, h('legend', { text: m('Jenis', 'Kind') }),
      R.KINDS.map(k => h('label', { class: 'rb' }, h('input', { type: 'radio', name: 'record-kind', value: k, checked: f.kind === k, onchange: () => { f.kind = k; check(); } }), h('span', { text: KIND[k] })))),
    h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Diajukan oleh (by)', 'Raised by (by)') }), by),
    h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Isi (text)', 'What was raised (text)') }), text),
    h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Tentang rekap versi', 'On recap version') }),
      h('select', { id: 'record-recap', onchange: e => { f.recap = Number(e.target.value); f.chosen = true; check(); } },
        accepted.map(v => h('option', { value: String(v), selected: v === f.recap, text: v ? m(`versi ${v}`, `version ${v}`) : m('0 — sebelum rekap', '0 — before a recap') })))),
    errs, h('div', { class: 'btns' }, btn), h('div', { id: 'record-result' }));
  setAttrMsg(by, 'placeholder', m('mis. Saksi Partai 3, Budi', 'e.g. Witness of party 3, Budi'));
  box._check = check;
  check();
  paintResult($('#record-result'), S.record);
}

async function sendRecord() {
  const box = $('#record-form');
  const text = box && box._check && box._check();
  if (!text || !S.key || (S.record && S.record.busy)) return;
  const number = R.nextRecordNumber(S.detail);
  S.record = { busy: true };
  paintResult($('#record-result'), S.record);
  $('#sign-record').disabled = true;
  let res;
  try {
    res = await post(text);
  } catch (e) {
    res = { kind: 'refused', status: 0, error: new ApiError({ body: { code: 'SIGN', message_id: 'Teks tidak dapat ditandatangani: ' + e.message, message_en: 'The text could not be signed: ' + e.message } }) };
  }
  res.record = number;
  S.record = res;
  if (res.kind === 'accepted') S.recordForm = { kind: S.recordForm.kind, by: '', text: '', recap: null };
  paintResult($('#record-result'), S.record);
  $('#sign-record').disabled = false;
  if (res.kind === 'accepted' || res.kind === 'rejected') await reloadAfter(res);
}

// ------------------------------------------------------------ start

async function main() {
  skeleton();
  langSwitch({
    title: m('Rekap — Rapat Pleno', 'Rekap — Plenary'),
    sub: m('Rekapitulasi D.Hasil yang ditandatangani', 'The signed D.Hasil recapitulation'),
    doc: m('Rekap — Rapat Pleno Rekapitulasi', 'Rekap — Recapitulation plenary'),
  });
  onLang(() => { renderKey(); renderPick(); if (S.detail) { renderChildren(); paintDraftCells(); } });
  setLang(getLang());
  await keyCard.load();
  S.pick = { ...S.pick, ...((await store.get('pick').catch(() => null)) || {}) };
  renderKey();
  renderPick();
  window.addEventListener('hashchange', () => route().catch(console.error));
  await route();
  document.body.dataset.ready = '1';
}

main().catch(e => {
  fill(view(), h('p', { class: 'err', role: 'alert' }, 'Halaman tidak dapat dimulai / The page could not start: ', String(e && e.message || e)));
  console.error(e);
});
