// The portal's places as URL hashes, so that every page can be shared and
// reloaded. No DOM here: the node tests import it.
//
//   #/                                   every contest's national summary
//   #/ppwp                               one contest, national, by province
//   #/ppwp/65/6501/650101                a region (the path of codes down to it;
//                                        only the last one is needed: #/ppwp/650101)
//   #/ppwp/65/6501/650101/6501011001/6501011001001   a TPS, this contest first
//   #/tps/6501011001001                  a TPS
//   #/anomali/dpr?jenis=ditolak&wilayah=6501   the anomaly list, filtered
//   #/penetapan/dpr?wilayah=65           who is elected (its dapil in one province)
//   #/rekap/ppwp/650101/0                the tiered recap (D.Hasil) of one unit:
//                                        contest, region (0, province, kab/kota,
//                                        kecamatan), district index
//   #/cari?q=bulungan                    search

export const CONTESTS = ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab'];
export const KINDS = ['semua', 'ditandai', 'ditolak'];
// The lengths of the codes of each level: province 2, kab/kota 4,
// kecamatan 6, desa 10, TPS 13 (docs/DATA.md).
export const CODE_LENGTHS = [2, 4, 6, 10, 13];

export function isRegionCode(s) { return s === '0' || /^\d+$/.test(s) && [2, 4, 6, 10].includes(s.length); }
export function isTpsCode(s) { return /^\d{13}$/.test(s); }
// A region at a level where recaps are signed: the nation, a province, a
// kab/kota or a kecamatan.
export function isRecapCode(s) { return s === '0' || /^\d+$/.test(s) && [2, 4, 6].includes(s.length); }

// The codes above a region, national first: "650101" -> ["0", "65", "6501"].
export function ancestors(code) {
  if (code === '0') return [];
  const out = ['0'];
  for (const n of CODE_LENGTHS) if (n < code.length) out.push(code.slice(0, n));
  return out;
}

export function parse(hash) {
  let h = String(hash || '').replace(/^#/, '');
  let query = '';
  const q = h.indexOf('?');
  if (q >= 0) { query = h.slice(q + 1); h = h.slice(0, q); }
  const params = new URLSearchParams(query);
  const seg = h.split('/').filter(Boolean).map(s => { try { return decodeURIComponent(s); } catch { return s; } });
  if (seg.length === 0) return { name: 'home' };
  const [first, ...rest] = seg;
  if (first === 'cari') return { name: 'search', q: params.get('q') || '' };
  if (first === 'tps' && rest.length === 1 && isTpsCode(rest[0])) return { name: 'tps', code: rest[0], contest: null };
  if (first === 'penetapan') {
    const contest = CONTESTS.includes(rest[0]) ? rest[0] : 'ppwp';
    const prov = /^\d{2}$/.test(params.get('wilayah') || '') ? params.get('wilayah') : '';
    return { name: 'determination', contest, prov };
  }
  if (first === 'rekap') {
    const [contest, code, d] = rest;
    if (rest.length === 3 && CONTESTS.includes(contest) && isRecapCode(code) && /^\d{1,5}$/.test(d)) {
      return { name: 'recap', contest, code, d: Number(d) };
    }
    return { name: 'notfound', hash: '#' + h };
  }
  if (first === 'anomali') {
    const contest = CONTESTS.includes(rest[0]) ? rest[0] : 'ppwp';
    const kind = KINDS.includes(params.get('jenis')) ? params.get('jenis') : 'semua';
    const prefix = (params.get('wilayah') || '').replace(/\D/g, '').slice(0, 13);
    return { name: 'anomalies', contest, kind, prefix };
  }
  if (CONTESTS.includes(first)) {
    const last = rest.length ? rest[rest.length - 1] : '0';
    if (isTpsCode(last)) return { name: 'tps', code: last, contest: first };
    if (isRegionCode(last)) return { name: 'region', contest: first, code: last };
  }
  return { name: 'notfound', hash: '#' + h };
}

export function format(r) {
  switch (r.name) {
    case 'home': return '#/';
    case 'search': return '#/cari?q=' + encodeURIComponent(r.q || '');
    case 'region':
      return r.code === '0' ? '#/' + r.contest : '#/' + r.contest + '/' + [...ancestors(r.code).slice(1), r.code].join('/');
    case 'tps':
      return r.contest ? '#/' + r.contest + '/' + [...ancestors(r.code).slice(1), r.code].join('/') : '#/tps/' + r.code;
    case 'anomalies': {
      const p = new URLSearchParams();
      if (r.kind && r.kind !== 'semua') p.set('jenis', r.kind);
      if (r.prefix) p.set('wilayah', r.prefix);
      const s = p.toString();
      return '#/anomali/' + r.contest + (s ? '?' + s : '');
    }
    case 'determination':
      return '#/penetapan/' + r.contest + (r.prov ? '?wilayah=' + r.prov : '');
    case 'recap':
      return '#/rekap/' + r.contest + '/' + r.code + '/' + r.d;
    default: return '#/';
  }
}

// What a search box's text asks for: a TPS code (13 digits), a region code
// (2, 4, 6 or 10 digits; dots, spaces and dashes between them allowed, as
// codes are often written 65.01.01.1001), or a name.
export function classify(text) {
  const t = String(text || '').trim();
  if (/^[\d.\s-]+$/.test(t)) {
    const d = t.replace(/\D/g, '');
    if (isTpsCode(d)) return { kind: 'tps', code: d };
    if (isRegionCode(d)) return { kind: 'region', code: d };
    return { kind: 'badcode', code: d };
  }
  return { kind: 'name', q: t };
}

// Case- and accent-insensitive comparison key of a name.
export function fold(s) {
  return String(s).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
