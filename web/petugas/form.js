// The C.Hasil entry form of one TPS and contest, in the shape of its ballot,
// and every rule it breaks shown next to the field, as the officer types.
//
// The numbers are checked by the server's own code (web/wasm/rules.js:
// src/core's form reader and rules in WebAssembly), so the page says
// exactly what the server will say. A field left empty counts as 0 for the
// check, and a broken rule is shown only once every field it depends on is
// filled in (so a half-typed row does not shout); once the form is
// complete every hit shows.
import { h, m, serverMsg, fill, setAttrMsg } from './ui.js';

export const VOTER_ROWS = ['dpt', 'dptb', 'dpk', 'b1', 'b2', 'b3', 'b4', 'disabled'];
export const BALLOT_KEYS = ['received', 'used', 'damaged', 'unused'];

const ROW_LABEL = {
  dpt: m('A.1 Pemilih dalam DPT', 'A.1 Voters in the DPT (permanent register)'),
  dptb: m('A.2 Pemilih dalam DPTb (pindahan)', 'A.2 Voters in the DPTb (moved in)'),
  dpk: m('A.3 Pemilih dalam DPK (khusus)', 'A.3 Voters on the DPK (special list)'),
  b1: m('B.1 Pengguna hak pilih dalam DPT', 'B.1 DPT voters who voted'),
  b2: m('B.2 Pengguna hak pilih dalam DPTb', 'B.2 DPTb voters who voted'),
  b3: m('B.3 Pengguna hak pilih dalam DPK', 'B.3 DPK voters who voted'),
  b4: m('B.4 Jumlah pengguna hak pilih (B.1 + B.2 + B.3)', 'B.4 All voters who voted (B.1 + B.2 + B.3)'),
  disabled: m('Pemilih disabilitas yang menggunakan hak pilih', 'Voters with disabilities who voted'),
};
const COLS = [m('L', 'M'), m('P', 'F'), m('Jml', 'Total')];
const COLS_LONG = [m('laki-laki', 'male'), m('perempuan', 'female'), m('jumlah', 'total')];
const BALLOT_LABEL = {
  received: m('Surat suara yang diterima, termasuk cadangan 2%', 'Ballot papers received, the 2% reserve included'),
  used: m('Surat suara yang digunakan', 'Ballot papers used'),
  damaged: m('Surat suara yang dikembalikan karena rusak/keliru coblos', 'Ballot papers returned damaged or wrongly marked'),
  unused: m('Surat suara yang tidak digunakan, termasuk sisa cadangan', 'Ballot papers not used, the unused reserve included'),
};
const TOTAL_LABEL = {
  valid: m('A. Jumlah seluruh suara sah (V.A)', 'A. All valid votes (V.A)'),
  invalid: m('B. Jumlah suara tidak sah (V.B)', 'B. Invalid votes (V.B)'),
  total: m('C. Jumlah seluruh suara sah dan tidak sah (V.C)', 'C. Valid and invalid votes together (V.C)'),
};

// The input paths a rule's hit depends on (beyond the fields its detail
// names), so that it waits until they are all filled in.
function dependsOn(hit, shape) {
  const col = (/\[(\d)\]$/.exec(hit.where) || [])[1];
  const cols = col === undefined ? [0, 1, 2] : [Number(col)];
  const rows = (...rs) => rs.flatMap(r => cols.map(i => `voters.${r}[${i}]`));
  const sel = () => (shape.kind === 'votes' ? shape.selections.map((_, i) => `votes[${i}]`)
    : shape.parties.map((_, i) => `parties[${i}].total`));
  switch (hit.code) {
    case 'LPT_SUM': { const r = (/^voters\.(\w+)/.exec(hit.where) || [])[1]; return r ? [0, 1, 2].map(i => `voters.${r}[${i}]`) : []; }
    case 'B4_SUM': return rows('b1', 'b2', 'b3', 'b4');
    case 'B1_DPT': return rows('b1', 'dpt');
    case 'B2_DPTB': return rows('b2', 'dptb');
    case 'B3_DPK': return rows('b3', 'dpk');
    case 'B4_CAP': return rows('b4', 'dpt', 'dptb', 'dpk');
    case 'DISABLED_CAP': return rows('disabled', 'b4');
    case 'BALLOT_SUM': return BALLOT_KEYS.map(k => `ballots.${k}`);
    case 'RECEIVED_CAP': return ['ballots.received', 'voters.dpt[2]', 'voters.dptb[2]', 'voters.dpk[2]'];
    case 'USED_B4': return ['ballots.used', 'voters.b4[2]'];
    case 'TOTAL_SUM': return ['valid', 'invalid', 'total'];
    case 'TOTAL_B4': return ['total', 'voters.b4[2]'];
    case 'VOTES_SUM': case 'ONE_TAKES_ALL': return [...sel(), 'valid'];
    case 'TURNOUT_OVER': return ['voters.b4[2]', 'voters.dpt[2]'];
    case 'INVALID_HIGH': return ['invalid', 'total'];
    default: return [];
  }
}

// The fields a detail names (JSON paths), as input paths.
function named(detail, where) {
  const out = [];
  const text = `${where || ''} ${detail || ''}`;
  for (const t of text.match(/voters\.[a-z0-9]+(?:\[\d\])?|ballots\.[a-z]+|parties\[\d+\](?:\.[a-z_]+(?:\[\d+\])?)?|votes(?:\[\d+\])?/g) || []) out.push(t);
  if (!/parties\[/.test(text)) for (const t of text.match(/(?<![\w.[])(?:valid|invalid|total)(?![\w[])/g) || []) out.push(t);
  return out;
}

// The block a hit is shown in (its "anchor"), from the field it names.
function anchorOf(where) {
  let x;
  if ((x = /^voters\.([a-z0-9]+)/.exec(where))) return `voters.${x[1]}`;
  if ((x = /^ballots\.([a-z]+)/.exec(where))) return `ballots.${x[1]}`;
  if ((x = /^parties\[(\d+)\]/.exec(where))) return `parties[${x[1]}]`;
  if ((x = /^votes\[(\d+)\]/.exec(where))) return `votes[${x[1]}]`;
  if (/^(votes|parties|valid|invalid|total)$/.test(where)) return where;
  return 'form';
}

export class CHasilForm {
  // tps, contest; ballot: the shape (api.js ballotOf); dpt: {male, female}
  // registered for the TPS, or null; rules: the loaded rules module;
  // reserve: the election's "rules" object (ballot reserve), or null for the
  // defaults; onInput(values): after every change.
  constructor({ tps, contest, ballot, dpt = null, rules, reserve = null, onInput = () => {} }) {
    this.tps = tps;
    this.contest = contest;
    this.ballot = ballot;
    this.dpt = dpt;
    this.rules = rules;
    this.reserve = reserve;
    this.onInput = onInput;
    this.inputs = new Map();          // path -> <input>
    this.anchors = new Map();         // anchor -> <div class="hits">
    this.report = null;
    this.shown = [];
    this.pending = [];
    this.blanks = [];
    this.el = this.render();
  }

  input(path, label) {
    const el = h('input', {
      type: 'text', inputmode: 'numeric', pattern: '[0-9]*', maxlength: '3', autocomplete: 'off',
      enterkeyhint: 'next', class: 'n', dataset: { path }, spellcheck: 'false',
    });
    setAttrMsg(el, 'aria-label', label);
    el.addEventListener('input', () => {
      const clean = el.value.replace(/[^0-9]/g, '').slice(0, 3);
      if (clean !== el.value) el.value = clean;
      this.changed();
    });
    el.addEventListener('keydown', e => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const all = [...this.inputs.values()];
      const next = all[all.indexOf(el) + 1];
      if (next) next.focus(); else el.blur();
    });
    this.inputs.set(path, el);
    return el;
  }

  hits(anchor) {
    const el = h('div', { class: 'hits', dataset: { anchor }, 'aria-live': 'polite' });
    this.anchors.set(anchor, el);
    return el;
  }

  render() {
    const rowEl = (r) => h('div', { class: 'row3', dataset: { row: r } },
      h('div', { class: 'rl', text: ROW_LABEL[r] }),
      h('div', { class: 'g3' }, [0, 1, 2].map(i => h('label', { class: 'cell' },
        h('span', { class: 'cap', text: COLS[i] }),
        this.input(`voters.${r}[${i}]`, m(`${ROW_LABEL[r].id}, ${COLS_LONG[i].id}`, `${ROW_LABEL[r].en}, ${COLS_LONG[i].en}`))))),
      r === 'dpt' && this.dpt ? h('p', { class: 'hint', dataset: { dptHint: '' },
        text: m(`DPT TPS ini menurut KPU: L ${this.dpt.male}, P ${this.dpt.female}, jumlah ${this.dpt.male + this.dpt.female}.`,
          `This TPS's DPT as registered: M ${this.dpt.male}, F ${this.dpt.female}, total ${this.dpt.male + this.dpt.female}.`) }) : null,
      this.hits(`voters.${r}`));
    const field = (path, label, cls = '') => h('div', { class: 'fld ' + cls },
      h('label', { class: 'fl' }, h('span', { class: 'ft', text: label }), this.input(path, label)),
      this.hits(anchorOf(path)));

    const s1 = h('section', { class: 'card sec', id: 'sec-1' },
      h('h3', { text: m('I. Data pemilih dan pengguna hak pilih', 'I. Voters and those who voted') }),
      h('h4', { text: m('A. Data pemilih', 'A. Registered voters') }),
      ['dpt', 'dptb', 'dpk'].map(rowEl),
      h('h4', { text: m('B. Pengguna hak pilih', 'B. Voters who voted') }),
      ['b1', 'b2', 'b3', 'b4'].map(rowEl),
      h('h4', { text: m('Data pemilih disabilitas', 'Voters with disabilities') }),
      rowEl('disabled'));
    const s2 = h('section', { class: 'card sec', id: 'sec-2' },
      h('h3', { text: m('II. Data penggunaan surat suara', 'II. Ballot papers') }),
      BALLOT_KEYS.map(k => field(`ballots.${k}`, BALLOT_LABEL[k])));

    let s3;
    if (this.ballot.kind === 'votes') {
      const who = this.contest === 'ppwp' ? m('pasangan calon', 'candidate pair') : m('calon', 'candidate');
      s3 = h('section', { class: 'card sec', id: 'sec-3' },
        h('h3', { text: this.contest === 'ppwp' ? m('III. Perolehan suara pasangan calon', 'III. Votes per candidate pair')
          : m('III. Perolehan suara calon anggota DPD', 'III. Votes per DPD candidate') }),
        this.ballot.selections.map((s, i) => field(`votes[${i}]`,
          m(`${s.no}. ${s.name}`), 'sel')),
        this.hits('votes'),
        h('p', { class: 'hint', text: m(`Satu angka per ${who.id}, sesuai urutan pada surat suara.`, `One number per ${who.en}, in ballot order.`) }));
    } else {
      s3 = h('section', { class: 'card sec', id: 'sec-3' },
        h('h3', { text: m('III. Perolehan suara partai politik dan calon', 'III. Votes per party and candidate') }),
        h('p', { class: 'hint', text: m('Untuk setiap partai: suara partai saja (tanda gambar partai yang dicoblos), suara setiap calon, lalu jumlahnya seperti tertulis pada formulir.',
          'For each party: votes for the party alone (its sign marked), each candidate\'s votes, then the party\'s total as written on the form.') }),
        this.ballot.parties.map((p, i) => h('div', { class: 'party', dataset: { party: String(p.no) } },
          h('h4', {}, h('span', { class: 'pno' }, String(p.no)), ' ', p.abbrev || p.name,
            p.name && p.abbrev && p.name !== p.abbrev ? h('small', {}, ' ', p.name) : null),
          field(`parties[${i}].party_only`, m(`Suara partai saja (${p.abbrev || p.no})`, `Votes for the party alone (${p.abbrev || p.no})`), 'sel po'),
          p.candidates.map((c, j) => field(`parties[${i}].candidates[${j}]`, m(`${c.no}. ${c.name}`), 'sel')),
          field(`parties[${i}].total`, m(`Jumlah suara ${p.abbrev || 'partai ' + p.no} dan calonnya`, `Total of ${p.abbrev || 'party ' + p.no} and its candidates`), 'sel tot'),
          this.hits(`parties[${i}]`))),
        this.hits('parties'));
    }
    const s4 = h('section', { class: 'card sec', id: 'sec-4' },
      h('h3', { text: m('IV–V. Jumlah suara sah dan tidak sah', 'IV–V. Valid and invalid votes') }),
      ['valid', 'invalid', 'total'].map(k => field(k, TOTAL_LABEL[k], 'tot')));
    this.summary = h('div', { class: 'rsum', 'aria-live': 'polite' });
    return h('div', { class: 'chasil', dataset: { tps: this.tps, contest: this.contest } },
      h('div', { class: 'card sec' }, this.summary, this.hits('form')), s1, s2, s3, s4);
  }

  // The values typed, by path ('' when empty).
  values() {
    const out = {};
    for (const [p, el] of this.inputs) out[p] = el.value;
    return out;
  }

  setValues(vals) {
    for (const [p, el] of this.inputs) el.value = vals && typeof vals[p] === 'string' ? vals[p] : '';
    this.check();
  }

  // Numbers of a rekap-chasil/1 form of the same ballot (a version sent
  // before) into the fields.
  setForm(f) {
    const v = {};
    for (const r of VOTER_ROWS) for (let i = 0; i < 3; i++) v[`voters.${r}[${i}]`] = String(f.voters[r][i]);
    for (const k of BALLOT_KEYS) v[`ballots.${k}`] = String(f.ballots[k]);
    if (Array.isArray(f.votes)) f.votes.forEach((x, i) => { v[`votes[${i}]`] = String(x); });
    if (Array.isArray(f.parties)) {
      f.parties.forEach((p, i) => {
        v[`parties[${i}].party_only`] = String(p.party_only);
        v[`parties[${i}].total`] = String(p.total);
        p.candidates.forEach((x, j) => { v[`parties[${i}].candidates[${j}]`] = String(x); });
      });
    }
    for (const k of ['valid', 'invalid', 'total']) v[k] = String(f[k]);
    this.setValues(v);
    this.onInput(this.values());
  }

  val(path) {
    const s = this.inputs.get(path).value;
    return s === '' ? 0 : Number(s);
  }

  // The form object (empty fields as 0) and the empty fields' paths.
  build() {
    const f = { format: 'rekap-chasil/1', tps: this.tps, contest: this.contest, voters: {}, ballots: {} };
    for (const r of VOTER_ROWS) f.voters[r] = [0, 1, 2].map(i => this.val(`voters.${r}[${i}]`));
    for (const k of BALLOT_KEYS) f.ballots[k] = this.val(`ballots.${k}`);
    if (this.ballot.kind === 'votes') {
      f.votes = this.ballot.selections.map((_, i) => this.val(`votes[${i}]`));
    } else {
      f.parties = this.ballot.parties.map((p, i) => ({
        no: p.no, party_only: this.val(`parties[${i}].party_only`),
        candidates: p.candidates.map((_, j) => this.val(`parties[${i}].candidates[${j}]`)),
        total: this.val(`parties[${i}].total`),
      }));
    }
    for (const k of ['valid', 'invalid', 'total']) f[k] = this.val(k);
    const blanks = [...this.inputs].filter(([, el]) => el.value === '').map(([p]) => p);
    return { form: f, blanks };
  }

  changed() {
    this.check();
    this.onInput(this.values());
  }

  // Run the rules and show every hit whose fields are all filled in.
  check() {
    const { form, blanks } = this.build();
    this.blanks = blanks;
    const blank = new Set(blanks);
    const report = this.rules.check(form, this.reserve ? { rules: this.reserve } : {});
    const hits = report.parse_error
      ? [{ code: report.parse_error.code, severity: 'hard', where: report.parse_error.where || '',
        message_id: report.parse_error.message, message_en: report.parse_error.message, detail: '' }]
      : report.rules.slice();
    // The DPT registered for the TPS: the server refuses a form whose DPT
    // differs (DPT_MISMATCH, a rule against the election, not in the module).
    if (this.dpt && !report.parse_error && (form.voters.dpt[0] !== this.dpt.male || form.voters.dpt[1] !== this.dpt.female)) {
      hits.push({ code: 'DPT_MISMATCH', severity: 'hard', where: 'voters.dpt',
        message_id: `Jumlah pemilih DPT pada formulir berbeda dengan DPT yang ditetapkan untuk TPS ini: L ${form.voters.dpt[0]}, P ${form.voters.dpt[1]} != L ${this.dpt.male}, P ${this.dpt.female}`,
        message_en: `The DPT on the form differs from the DPT registered for this TPS: M ${form.voters.dpt[0]}, F ${form.voters.dpt[1]} != M ${this.dpt.male}, F ${this.dpt.female}`,
        detail: 'voters.dpt[0] voters.dpt[1]', local: true });
    }
    const shape = this.ballot;
    const shown = [], pending = [];
    for (const hit of hits) {
      const deps = [...named(hit.detail, hit.where), ...dependsOn(hit, shape)].flatMap(p =>
        this.inputs.has(p) ? [p] : [...this.inputs.keys()].filter(k => k.startsWith(p + '[') || k.startsWith(p + '.')));
      (deps.some(p => blank.has(p)) ? pending : shown).push(hit);
    }
    this.report = report;
    this.hitsAll = hits;
    this.shown = shown;
    this.pending = pending;
    this.paint();
    return this;
  }

  paint() {
    for (const el of this.anchors.values()) el.replaceChildren();
    for (const el of this.inputs.values()) el.removeAttribute('aria-invalid');
    for (const hit of this.shown) {
      let a = anchorOf(hit.where || '');
      if (!this.anchors.has(a)) a = 'form';
      this.anchors.get(a).append(h('p', { class: 'hit ' + (hit.severity === 'soft' ? 'soft' : 'hard'), dataset: { code: hit.code } },
        h('b', {}, hit.code), ' ', serverMsg(hit)));
      const w = hit.where || '';
      for (const [p, el] of this.inputs) {
        if (p === w || p.startsWith(w + '[') || (w.startsWith('parties[') && !w.includes('.') && p === w + '.total')) {
          el.setAttribute('aria-invalid', hit.severity === 'soft' ? 'soft' : 'true');
        }
      }
    }
    const nhard = this.shown.filter(x => x.severity !== 'soft').length;
    const nsoft = this.shown.length - nhard;
    const nb = this.blanks.length;
    const parts = [];
    if (nb) parts.push(h('p', { class: 'st wait', text: m(`${nb} kolom belum diisi.`, `${nb} fields not filled in yet.`) }));
    if (nhard) parts.push(h('p', { class: 'st bad', text: m(`${nhard} aturan wajib dilanggar: formulir akan tercatat tetapi tidak dihitung.`, `${nhard} hard rules broken: the form would be logged but not counted.`) }));
    if (nsoft) parts.push(h('p', { class: 'st warn', text: m(`${nsoft} catatan: formulir dihitung dan ditandai untuk diperiksa.`, `${nsoft} notes: the form counts and is flagged for review.`) }));
    if (!nb && !nhard && !nsoft) parts.push(h('p', { class: 'st good', text: m('Semua angka memenuhi aturan.', 'Every number passes the rules.') }));
    fill(this.summary, parts);
  }

  get complete() { return this.blanks.length === 0; }
  get hardHits() { return this.shown.filter(x => x.severity !== 'soft'); }

  focusFirstBlank() {
    const p = this.blanks[0];
    if (p) { this.inputs.get(p).focus(); this.inputs.get(p).scrollIntoView({ block: 'center' }); }
  }
}
