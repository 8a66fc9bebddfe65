// The recap officer's page without the DOM (the node tests import it): the
// numbers of a recap unit and their names, a draft recap (every child
// adopted, marked or corrected) summed into its totals and compared with
// the level below, and the two signed texts of docs/FORMATS.md "Signed
// recap (rekap-dhasil/1) and plenary record (rekap-dkk/1)" in their one
// spelling:
//
//   encodeRecap()    rekap-dhasil/1: region, contest, district, version,
//                    reason (a correction), one row per child in ascending
//                    code order (a mark or correct row followed by its
//                    `why` line), totals
//   encodeRecord()   rekap-dkk/1: an objection or special event of the
//                    plenary, linked to a version of the unit's recap
//   buildDraft()     the rows of a draft, their sum and every problem that
//                    stops it being signed
//   compare()        per field: totals against the sum of the level below,
//                    and the children where each difference arises
//
// Quoted text (reasons, who raised a record, what was raised) is quoted as
// a C.Hasil correction's reason is (web/petugas/keys.js quote: a JSON
// string in which only '"' and '\' are escaped) and bounded the same way
// (textProblem: 1..max bytes of UTF-8 on one line).
import { quote, textProblem } from '../petugas/keys.js';
import { m } from '../petugas/ui.js';

export const RECAP_FORMAT = 'rekap-dhasil/1';
export const RECORD_FORMAT = 'rekap-dkk/1';
export const CONTESTS = ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab'];
export const WHY = ['pending', 'psu', 'recount'];
export const KINDS = ['objection', 'event'];
export const HOW = ['adopt', 'mark', 'correct'];
export const ROWS_MAX = 2000;
export const REASON_MAX = 500;
export const BY_MAX = 128;
export const TEXT_MAX = 500;
export const VERSION_MAX = 999;
export const NUMBER_MAX = 2 ** 53;
// A whole log entry is at most 65,535 bytes; around the signed text the
// envelope adds at most 682 (the format line 14, key 49, sig 93, received
// 29, a rejected status with 480 bytes of codes 497): a text within
// TEXT_BYTES_MAX always fits, whatever the server's verdict.
export const ENTRY_MAX = 65535;
export const ENVELOPE_MAX = 14 + 49 + 93 + 29 + 497;
export const TEXT_BYTES_MAX = ENTRY_MAX - ENVELOPE_MAX;

// ---- the numbers of a unit (docs/FORMATS.md "Numbers")

export const VOTER_ROWS = ['dpt', 'dptb', 'dpk', 'b1', 'b2', 'b3', 'b4', 'disabled'];
export const SEXES = ['male', 'female', 'total'];
export const BALLOT_KEYS = ['received', 'used', 'damaged', 'unused'];
export const TOTAL_KEYS = ['valid', 'invalid', 'total'];
export const BASE_WIDTH = 31;

// The keys of the 31 numbers every unit starts with, in their order.
export function baseKeys() {
  return [...VOTER_ROWS.flatMap(r => SEXES.map(s => `voters.${r}.${s}`)),
    ...BALLOT_KEYS.map(k => `ballots.${k}`), ...TOTAL_KEYS];
}
// Field indexes that are often looked at first.
export const F = {
  dpt: 2, b4: 20, received: 24, used: 25, valid: 28, invalid: 29, total: 30,
};

const ROW = {
  dpt: m('DPT'), dptb: m('DPTb'), dpk: m('DPK'),
  b1: m('B.1 pengguna DPT', 'B.1 DPT voters'), b2: m('B.2 pengguna DPTb', 'B.2 DPTb voters'),
  b3: m('B.3 pengguna DPK', 'B.3 DPK voters'), b4: m('B.4 pengguna hak pilih', 'B.4 voters who voted'),
  disabled: m('Pemilih disabilitas', 'Voters with disabilities'),
};
const SEX = { male: m('L', 'M'), female: m('P', 'F'), total: m('Jml', 'Total') };
const BALLOT = {
  received: m('Surat suara diterima', 'Ballots received'), used: m('Surat suara digunakan', 'Ballots used'),
  damaged: m('Surat suara rusak/keliru', 'Ballots damaged/spoilt'), unused: m('Surat suara tidak digunakan', 'Ballots unused'),
};
const TOTAL = {
  valid: m('Suara sah', 'Valid votes'), invalid: m('Suara tidak sah', 'Invalid votes'), total: m('Jumlah suara', 'Votes cast'),
};

// The unit's fields as the page uses them: the server's `fields` of the
// unit's document when it sent them (with names of candidates and
// parties), otherwise the documented order (the votes then unnamed).
// Each: { key, party (list number, or null), no, name, kind:
// 'voters'|'ballots'|'totals'|'votes'|'party_only' }.
export function unitFields(serverFields, width) {
  const base = baseKeys();
  const n = Math.max(width || 0, Array.isArray(serverFields) ? serverFields.length : 0, BASE_WIDTH);
  const out = [];
  for (let i = 0; i < n; i++) {
    const s = Array.isArray(serverFields) && serverFields[i] && typeof serverFields[i] === 'object' ? serverFields[i] : {};
    const key = typeof s.key === 'string' ? s.key : i < BASE_WIDTH ? base[i] : `votes[${i - BASE_WIDTH}]`;
    const kind = i < 24 ? 'voters' : i < 28 ? 'ballots' : i < BASE_WIDTH ? 'totals' : /^party_only/.test(key) ? 'party_only' : 'votes';
    const name = typeof s.candidate === 'string' ? s.candidate : typeof s.name === 'string' ? s.name : '';
    const party = Number.isInteger(s.party) ? s.party : null;
    const partyName = typeof s.party_name === 'string' ? s.party_name : typeof s.abbrev === 'string' ? s.abbrev : '';
    out.push({ index: i, key, kind, party, partyName, no: Number.isInteger(s.no) ? s.no : null, name });
  }
  return out;
}

// A field's name, short enough for a table's header.
export function fieldLabel(f) {
  let x;
  if ((x = /^voters\.(\w+)\.(male|female|total)$/.exec(f.key)) && ROW[x[1]]) {
    return m(`${ROW[x[1]].id} ${SEX[x[2]].id}`, `${ROW[x[1]].en} ${SEX[x[2]].en}`);
  }
  if ((x = /^ballots\.(\w+)$/.exec(f.key)) && BALLOT[x[1]]) return BALLOT[x[1]];
  if (TOTAL[f.key]) return TOTAL[f.key];
  const p = f.party !== null ? (f.partyName ? `${f.partyName} ` : '') : '';
  if (f.kind === 'party_only') {
    return m(`Suara partai ${p}${f.party ?? ''} saja`.replace(/\s+/g, ' '), `Party ${p}${f.party ?? ''} only`.replace(/\s+/g, ' '));
  }
  const who = [f.no !== null ? `${f.no}.` : '', f.name].filter(Boolean).join(' ');
  const at = f.index - BASE_WIDTH + 1;
  if (f.party !== null) return m(`P${f.party} · ${who || 'calon ' + at}`, `P${f.party} · ${who || 'candidate ' + at}`);
  return m(who || `Pilihan ${at}`, who || `Selection ${at}`);
}

// The groups of columns the children's table can show, each { id, label,
// cols: [{ label, idx: [field indexes summed in that column] }] }.
export function columnGroups(fields) {
  const col = i => ({ label: fieldLabel(fields[i]), idx: [i] });
  const votes = fields.filter(f => f.kind === 'votes' || f.kind === 'party_only');
  const parties = [...new Set(votes.map(f => f.party).filter(p => p !== null))].sort((a, b) => a - b);
  const groups = [];
  const summary = [F.dpt, F.b4, F.valid, F.invalid, F.total].map(col);
  if (parties.length) {
    for (const p of parties) {
      const of = votes.filter(f => f.party === p);
      const name = of.find(f => f.partyName)?.partyName;
      summary.push({ label: m(`Partai ${p}${name ? ' ' + name : ''}`, `Party ${p}${name ? ' ' + name : ''}`), idx: of.map(f => f.index) });
    }
  } else {
    summary.push(...votes.map(f => col(f.index)));
  }
  groups.push({ id: 'summary', label: m('Ringkasan', 'Summary'), cols: summary });
  groups.push({ id: 'voters', label: m('I. Pemilih', 'I. Voters'), cols: fields.filter(f => f.kind === 'voters').map(f => col(f.index)) });
  groups.push({ id: 'ballots', label: m('II. Surat suara, IV–V. Suara sah/tidak sah', 'II. Ballots, IV–V. Valid/invalid'),
    cols: fields.filter(f => f.kind === 'ballots' || f.kind === 'totals').map(f => col(f.index)) });
  if (parties.length) {
    for (const p of parties) {
      const of = votes.filter(f => f.party === p);
      const name = of.find(f => f.partyName)?.partyName;
      // the list's candidates, then its party-only votes
      groups.push({ id: `party-${p}`, label: m(`III. Partai ${p}${name ? ' ' + name : ''}: calon`, `III. Party ${p}${name ? ' ' + name : ''}: candidates`),
        cols: [...of.filter(f => f.kind === 'votes'), ...of.filter(f => f.kind === 'party_only')].map(f => col(f.index)) });
    }
  } else if (votes.length) {
    groups.push({ id: 'votes', label: m('III. Perolehan suara', 'III. Votes'), cols: votes.map(f => col(f.index)) });
  }
  return groups;
}

// ---- levels and codes

export const LEVELS = { 0: 'national', 2: 'provinsi', 4: 'kabkota', 6: 'kecamatan' };
export const LEVEL_NAMES = {
  national: m('Nasional (KPU RI)', 'National (KPU)'), provinsi: m('Provinsi (KPU Provinsi)', 'Province (KPU provinsi)'),
  kabkota: m('Kabupaten/kota (KPU Kab/Kota)', 'Kabupaten/kota (KPU kab/kota)'), kecamatan: m('Kecamatan (PPK)', 'Kecamatan (PPK)'),
  kabupaten: m('Kabupaten/kota (KPU Kab/Kota)', 'Kabupaten/kota (KPU kab/kota)'),
  tps: m('TPS'), desa: m('Desa/kelurahan', 'Desa/kelurahan'),
};
// A region code at a recap level as typed ("65.01", " 650101 ", "0"), or null.
export function recapCode(text) {
  const t = String(text ?? '').trim();
  if (!/^[\d.\s-]+$/.test(t)) return null;
  const d = t.replace(/\D/g, '');
  if (d === '0' || d === '00') return '0';
  return [2, 4, 6].includes(d.length) ? d : null;
}
export const levelOf = code => (code === '0' ? 'national' : LEVELS[code.length] || null);

// Codes in ascending order: all codes of one list have the same length
// (TPS 13, kecamatan 6, kab/kota 4, province 2), so by length, then by
// digits (numeric order, whatever the lengths).
export function codeCmp(a, b) {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

// ---- numbers

export class RecapError extends Error {
  constructor(code, msg, where = '') {
    super(`${code}: ${msg.en}`);
    this.code = code;
    this.msg = msg;
    this.where = where;
  }
}

export const isNumber = n => Number.isInteger(n) && n >= 0 && n <= NUMBER_MAX;

// A typed number ("0", "1234", " 12 ") -> integer, or null when it is not
// one (empty, a sign, a fraction, over 2^53). Leading zeros are dropped:
// the signed text has one spelling.
export function parseNumber(s) {
  const t = String(s ?? '').trim();
  if (!/^\d{1,16}$/.test(t) || BigInt(t) > BigInt(NUMBER_MAX)) return null;
  return Number(t);
}

// The sum of vectors (each of `width` numbers), exact: BigInt, then checked
// against 2^53. null when a sum is over 2^53.
export function sumVectors(width, vectors) {
  const acc = new Array(width).fill(0n);
  for (const v of vectors) for (let i = 0; i < width; i++) acc[i] += BigInt(v[i] ?? 0);
  if (acc.some(x => x > BigInt(NUMBER_MAX))) return null;
  return acc.map(Number);
}

// ---- a draft recap

// What a child's row adds to the totals: its numbers now (adopt), nothing
// (mark), or the plenary's own numbers (correct).
export function contribution(child, row, width) {
  if (row.how === 'adopt') return child.numbers || new Array(width).fill(0);
  if (row.how === 'correct') return row.numbers;
  return new Array(width).fill(0);
}

// A child can be adopted when it has numbers that count: a TPS's counted
// form, a region's accepted recap.
export const adoptable = c => Number.isInteger(c.version) && c.version >= 1 && Array.isArray(c.numbers);

// The row a draft starts with for a child: adopted at its current version,
// or marked pending (with a reason the officer may reword) when it has
// nothing to adopt.
export const PENDING_REASON = 'Belum ada angka yang dihitung';
export function defaultRow(child) {
  return adoptable(child) ? { how: 'adopt' } : { how: 'mark', why: 'pending', reason: PENDING_REASON };
}

function reasonMsg(reason, what) {
  const bad = textProblem(reason, REASON_MAX);
  return bad ? m(`${what.id}: ${bad.id}.`, `${what.en}: ${bad.en}.`) : null;
}

// The draft of a unit: its children (the unit document's, each { code,
// numbers, version, ... }), the officer's choices (code -> row; a child
// without one is adopted), the width of the unit. Answers { rows (sorted,
// each { code, how, version | why, reason | reason, numbers }), totals
// (null when a sum is over 2^53), problems: [{ code, where, msg }] }.
export function buildDraft({ children, choices = {}, width }) {
  const problems = [];
  const add = (code, where, msg) => problems.push({ code, where, msg });
  const rows = [];
  const contribs = [];
  const seen = new Set();
  for (const c of [...children].sort((a, b) => codeCmp(a.code, b.code))) {
    if (seen.has(c.code)) continue;
    seen.add(c.code);
    const ch = choices[c.code] || defaultRow(c);
    let row;
    if (ch.how === 'correct') {
      row = { code: c.code, how: 'correct', reason: ch.reason ?? '', numbers: ch.numbers };
      const r = reasonMsg(row.reason, m(`Alasan koreksi ${c.code}`, `The reason for correcting ${c.code}`));
      if (r) add('RECAP_REASON', c.code, r);
      if (!Array.isArray(ch.numbers) || ch.numbers.length !== width) {
        add('RECAP_NUMBERS', c.code, m(`Angka koreksi ${c.code} tidak lengkap.`, `The corrected numbers of ${c.code} are incomplete.`));
        row.numbers = new Array(width).fill(0);
      } else {
        const bad = ch.numbers.filter(n => !isNumber(n)).length;
        if (bad) {
          add('RECAP_NUMBERS', c.code, m(`${bad} angka koreksi ${c.code} kosong atau tidak sah (bilangan bulat 0 sampai 2^53).`,
            `${bad} corrected numbers of ${c.code} are empty or not valid (whole numbers 0 to 2^53).`));
          row.numbers = ch.numbers.map(n => (isNumber(n) ? n : 0));
        }
      }
    } else if (ch.how === 'mark') {
      row = { code: c.code, how: 'mark', why: WHY.includes(ch.why) ? ch.why : 'pending', reason: ch.reason ?? '' };
      const r = reasonMsg(row.reason, m(`Alasan tanda ${c.code}`, `The reason for marking ${c.code}`));
      if (r) add('RECAP_REASON', c.code, r);
    } else {
      row = { code: c.code, how: 'adopt', version: c.version };
      if (!adoptable(c)) {
        add('RECAP_ADOPT', c.code, m(`${c.code} belum punya angka yang dihitung untuk diambil: tandai (belum masuk) atau koreksi.`,
          `${c.code} has no counted numbers to adopt: mark it (pending) or correct it.`));
      }
    }
    rows.push(row);
    contribs.push(contribution(c, row, width));
  }
  if (rows.length > ROWS_MAX) add('RECAP_ROWS', '', m(`Paling banyak ${ROWS_MAX} baris.`, `At most ${ROWS_MAX} rows.`));
  const totals = sumVectors(width, contribs);
  if (!totals) add('RECAP_NUMBERS', 'totals', m('Jumlah melebihi 2^53.', 'A total is over 2^53.'));
  return { rows, totals, contribs, problems };
}

// Per field where totals and below differ: { field, recap, below,
// children: [codes where the row does not give what the child says now] }.
// contribs: what each row (in rows' order) adds; children: the unit's.
export function compare({ totals, below, rows, contribs, children, width }) {
  const now = new Map(children.map(c => [c.code, c.numbers]));
  const out = [];
  for (let i = 0; i < width; i++) {
    const t = totals ? totals[i] : null, b = below ? below[i] ?? 0 : 0;
    if (t === b) continue;
    const codes = [];
    rows.forEach((r, k) => {
      const n = now.get(r.code);
      if ((contribs[k][i] ?? 0) !== (n ? n[i] ?? 0 : 0)) codes.push(r.code);
    });
    out.push({ field: i, recap: t, below: b, children: codes });
  }
  return out;
}

// Per row: [field, row value, child value] where the row does not give
// what the child says now (a mark of a child with numbers, a correction).
export function rowDiff(row, contrib, child, width) {
  const out = [];
  const now = child && child.numbers;
  for (let i = 0; i < width; i++) {
    const a = contrib[i] ?? 0, b = now ? now[i] ?? 0 : 0;
    if (a !== b) out.push([i, a, b]);
  }
  return out;
}

// ---- versions and numbers of a unit

// The next version of the unit's recap: one above every version the log
// holds (accepted or rejected), 1 for the first.
export function nextVersion(detail) {
  let v = 0;
  for (const x of (detail && detail.versions) || []) if (Number.isInteger(x.version)) v = Math.max(v, x.version);
  for (const k of ['recap', 'latest']) if (detail && detail[k] && Number.isInteger(detail[k].version)) v = Math.max(v, detail[k].version);
  return v + 1;
}
// The version a new record concerns by default: the latest accepted recap, 0 before one.
export function latestAccepted(detail) {
  let v = 0;
  for (const x of (detail && detail.versions) || []) if (x.status === 'accepted' && Number.isInteger(x.version)) v = Math.max(v, x.version);
  if (detail && detail.recap && detail.recap.status === 'accepted' && Number.isInteger(detail.recap.version)) v = Math.max(v, detail.recap.version);
  return v;
}
export function nextRecordNumber(detail) {
  let n = 0;
  for (const r of (detail && detail.records) || []) if (Number.isInteger(r.number)) n = Math.max(n, r.number);
  return n + 1;
}

// ---- the signed texts

const utf8 = new TextEncoder();

function head(format, { region, contest, district }) {
  if (!(region === '0' || /^(\d{2}|\d{4}|\d{6})$/.test(region || ''))) {
    throw new RecapError('RECAP_REGION', m('Kode wilayah rekap harus 0, 2, 4 atau 6 angka.', 'A recap region code is 0, or 2, 4 or 6 digits.'), 'region');
  }
  if (!CONTESTS.includes(contest)) throw new RecapError('RECAP_CONTEST', m('Jenis pemilihan tidak dikenal.', 'Unknown contest.'), 'contest');
  if (typeof district !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(district)) {
    throw new RecapError('RECAP_DISTRICT', m('Dapil tidak sah.', 'The district is not valid.'), 'district');
  }
  return `${format}\nregion ${region}\ncontest ${contest}\ndistrict ${district}\n`;
}

function numbersText(ns, width, where) {
  if (!Array.isArray(ns) || ns.length !== width || !ns.every(isNumber)) {
    throw new RecapError('RECAP_NUMBERS', m(`Angka ${where} harus ${width} bilangan bulat 0 sampai 2^53.`, `The numbers of ${where} must be ${width} whole numbers 0 to 2^53.`), where);
  }
  return ns.map(String).join(' ');
}

function checkText(text) {
  const n = utf8.encode(text).length;
  if (n > TEXT_BYTES_MAX) {
    throw new RecapError('ENTRY_TOO_LARGE', m(`Teks terlalu besar: ${n} bita, paling banyak ${TEXT_BYTES_MAX}.`, `The text is too large: ${n} bytes, at most ${TEXT_BYTES_MAX}.`));
  }
  return text;
}

// rekap-dhasil/1. rows: one per child (any order: written in ascending
// code order), each { code, how: 'adopt', version } | { code, how:
// 'mark', why, reason } | { code, how: 'correct', reason, numbers };
// totals: `width` numbers.
export function encodeRecap({ region, contest, district, version, reason = null, rows, totals, width }) {
  let t = head(RECAP_FORMAT, { region, contest, district });
  if (!Number.isInteger(version) || version < 1 || version > VERSION_MAX) {
    throw new RecapError('RECAP_VERSION', m('Versi harus 1 sampai 999.', 'The version must be 1 to 999.'), 'version');
  }
  t += `version ${version}\n`;
  if (version > 1) {
    const bad = reasonMsg(reason, m('Alasan koreksi rekap', 'The reason for correcting the recap'));
    if (bad) throw new RecapError('RECAP_REASON', bad, 'reason');
    t += `reason ${quote(reason)}\n`;
  } else if (reason) {
    throw new RecapError('RECAP_REASON', m('Versi 1 tidak memuat alasan koreksi.', 'Version 1 carries no reason for a correction.'), 'reason');
  }
  const w = width ?? (Array.isArray(totals) ? totals.length : 0);
  if (w < BASE_WIDTH) throw new RecapError('RECAP_NUMBERS', m(`Paling sedikit ${BASE_WIDTH} angka.`, `At least ${BASE_WIDTH} numbers.`), 'totals');
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > ROWS_MAX) {
    throw new RecapError('RECAP_ROWS', m(`Rekap memuat 1 sampai ${ROWS_MAX} baris.`, `A recap has 1 to ${ROWS_MAX} rows.`), 'rows');
  }
  const sorted = [...rows].sort((a, b) => codeCmp(a.code, b.code));
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i];
    if (typeof r.code !== 'string' || !/^\d{2,13}$/.test(r.code)) throw new RecapError('RECAP_ROW', m('Kode baris tidak sah.', 'A row\'s code is not valid.'), String(r.code));
    if (i && sorted[i - 1].code === r.code) throw new RecapError('RECAP_ROW', m(`${r.code} muncul dua kali.`, `${r.code} appears twice.`), r.code);
    if (r.how === 'adopt') {
      if (!Number.isInteger(r.version) || r.version < 1 || r.version > VERSION_MAX) {
        throw new RecapError('RECAP_ROW', m(`${r.code}: versi yang diambil tidak sah.`, `${r.code}: the adopted version is not valid.`), r.code);
      }
      t += `adopt ${r.code} ${r.version}\n`;
    } else if (r.how === 'mark') {
      if (!WHY.includes(r.why)) throw new RecapError('RECAP_ROW', m(`${r.code}: tanda tidak dikenal.`, `${r.code}: unknown mark.`), r.code);
      const bad = reasonMsg(r.reason, m(`Alasan tanda ${r.code}`, `The reason for marking ${r.code}`));
      if (bad) throw new RecapError('RECAP_REASON', bad, r.code);
      t += `mark ${r.code} ${r.why}\nwhy ${quote(r.reason)}\n`;
    } else if (r.how === 'correct') {
      const bad = reasonMsg(r.reason, m(`Alasan koreksi ${r.code}`, `The reason for correcting ${r.code}`));
      if (bad) throw new RecapError('RECAP_REASON', bad, r.code);
      t += `correct ${r.code} ${numbersText(r.numbers, w, r.code)}\nwhy ${quote(r.reason)}\n`;
    } else {
      throw new RecapError('RECAP_ROW', m(`${r.code}: baris harus adopt, mark atau correct.`, `${r.code}: a row is adopt, mark or correct.`), r.code);
    }
  }
  t += `totals ${numbersText(totals, w, 'totals')}\n`;
  return checkText(t);
}

// rekap-dkk/1.
export function encodeRecord({ region, contest, district, number, recap, kind, by, text }) {
  let t = head(RECORD_FORMAT, { region, contest, district });
  if (!Number.isInteger(number) || number < 1 || number > 999999) {
    throw new RecapError('RECORD_NUMBER', m('Nomor catatan tidak sah.', 'The record\'s number is not valid.'), 'number');
  }
  if (!Number.isInteger(recap) || recap < 0 || recap > VERSION_MAX) {
    throw new RecapError('RECORD_RECAP', m('Versi rekap yang dirujuk tidak sah.', 'The recap version it refers to is not valid.'), 'recap');
  }
  if (!KINDS.includes(kind)) throw new RecapError('RECORD_KIND', m('Jenis catatan harus keberatan atau kejadian khusus.', 'A record is an objection or a special event.'), 'kind');
  const b = textProblem(by, BY_MAX);
  if (b) throw new RecapError('RECORD_BY', m(`Yang mengajukan: ${b.id}.`, `Raised by: ${b.en}.`), 'by');
  const x = textProblem(text, TEXT_MAX);
  if (x) throw new RecapError('RECORD_TEXT', m(`Isi catatan: ${x.id}.`, `What was raised: ${x.en}.`), 'text');
  t += `number ${number}\nrecap ${recap}\nkind ${kind}\nby ${quote(by)}\ntext ${quote(text)}\n`;
  return checkText(t);
}

// ---- the page's places (hash routes)
//   #/                                 choose a region and a contest
//   #/<contest>/<code>                 the units of a region
//   #/<contest>/<code>/<district>      one unit
export function parseRoute(hash) {
  const seg = String(hash || '').replace(/^#\/?/, '').split(/[?]/)[0].split('/').filter(Boolean);
  if (!seg.length) return { name: 'home' };
  const [contest, code, district] = seg;
  if (!CONTESTS.includes(contest) || seg.length > 3) return { name: 'home' };
  const c = recapCode(code ?? '');
  if (!c) return { name: 'home', contest };
  if (seg.length === 2) return { name: 'units', contest, code: c };
  return /^\d{1,4}$/.test(district) ? { name: 'unit', contest, code: c, district: Number(district) } : { name: 'units', contest, code: c };
}
export function formatRoute(r) {
  if (r.name === 'units') return `#/${r.contest}/${r.code}`;
  if (r.name === 'unit') return `#/${r.contest}/${r.code}/${r.district}`;
  return '#/';
}
