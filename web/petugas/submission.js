// The rekap-submission/1 text (docs/FORMATS.md) in its one spelling, and
// the signed request body of POST /api/v1/submissions (docs/API.md).
import { b64encode } from '../portal/verify.js';
import { quote, textProblem, sign, sha256Hex } from './keys.js';
import { m } from './ui.js';

export const CONTESTS = ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab'];
export const REASON_MAX = 500;       // ENTRY_REASON_MAX
export const PHOTOS_MAX = 8;         // ENTRY_PHOTOS_MAX
export const VERSION_MAX = 999;      // ENTRY_VERSION_MAX
export const PSU = ['recount', 'revote'];

export class SubmissionError extends Error {
  constructor(code, msg) { super(`${code}: ${msg.en}`); this.code = code; this.msg = msg; }
}

// Why a correction's reason cannot be signed, or null.
export function reasonProblem(reason) {
  const bad = textProblem(reason, REASON_MAX);
  return bad ? m(`Alasan koreksi tidak sah: ${bad.id}.`, `The reason for the correction is not valid: ${bad.en}.`) : null;
}

// The text to sign. form: the canonical rekap-chasil/1 text (rules.check's
// `json`); photos: SHA-256 hex of each page's photo, in page order.
export function encodeSubmission({ tps, contest, version, reason = null, psu = null, photos = [], form }) {
  if (!/^[0-9]{13}$/.test(tps)) throw new SubmissionError('ENTRY_TPS', m('Kode TPS harus 13 angka.', 'A TPS code is 13 digits.'));
  if (!CONTESTS.includes(contest)) throw new SubmissionError('ENTRY_CONTEST', m('Jenis pemilihan tidak dikenal.', 'Unknown contest.'));
  if (!Number.isInteger(version) || version < 1 || version > VERSION_MAX) {
    throw new SubmissionError('ENTRY_VERSION', m('Versi harus 1 sampai 999.', 'The version must be 1 to 999.'));
  }
  let head = `rekap-submission/1\ntps ${tps}\ncontest ${contest}\nversion ${version}\n`;
  if (version > 1) {
    const bad = reasonProblem(reason);
    if (bad) throw new SubmissionError('ENTRY_REASON', bad);
    head += `reason ${quote(reason)}\n`;
    if (psu) {
      if (!PSU.includes(psu)) throw new SubmissionError('ENTRY_PSU', m('Tanda PSU tidak dikenal.', 'Unknown PSU mark.'));
      head += `psu ${psu}\n`;
    }
  } else if (reason || psu) {
    throw new SubmissionError('ENTRY_REASON', m('Versi 1 tidak boleh memuat alasan koreksi atau tanda PSU.', 'Version 1 carries no correction reason or PSU mark.'));
  }
  if (photos.length > PHOTOS_MAX) throw new SubmissionError('ENTRY_PHOTO', m(`Paling banyak ${PHOTOS_MAX} foto.`, `At most ${PHOTOS_MAX} photos.`));
  const seen = new Set();
  for (const p of photos) {
    if (!/^[0-9a-f]{64}$/.test(p)) throw new SubmissionError('ENTRY_PHOTO', m('Hash foto tidak sah.', 'A photo hash is not valid.'));
    if (seen.has(p)) throw new SubmissionError('ENTRY_PHOTO', m('Foto yang sama dipakai dua kali.', 'The same photo is used twice.'));
    seen.add(p);
    head += `photo ${p}\n`;
  }
  if (typeof form !== 'string' || !form.startsWith('{"format":"rekap-chasil/1"') || form.includes('\n')) {
    throw new SubmissionError('FORM_JSON', m('Formulir belum dapat ditulis.', 'The form cannot be written yet.'));
  }
  if (!form.includes(`"tps":"${tps}","contest":"${contest}"`)) {
    throw new SubmissionError('ENTRY_MISMATCH', m('TPS atau jenis pemilihan formulir berbeda dengan kiriman.', 'The form\'s TPS or contest differs from the submission\'s.'));
  }
  return head + `form ${form}\n`;
}

// Sign the text with the officer's key: the request body and the SHA-256
// of the signed bytes (the receipt's submission_sha256).
export async function signSubmission(text, privateKey, publicB64) {
  const bytes = new TextEncoder().encode(text);
  const sig = await sign(privateKey, bytes);
  return { body: { submission: text, key: publicB64, sig: b64encode(sig) }, sha256: await sha256Hex(bytes) };
}

// The form line of a signed text (JSON), or null.
export function formOf(text) {
  const line = text.split('\n').find(l => l.startsWith('form '));
  try { return line ? JSON.parse(line.slice(5)) : null; } catch { return null; }
}
