// In-browser verification of one rekap log entry (docs/LOG.md,
// "Verification in the browser").
//
// verifyEntry({ base, index, vkey }) fetches the log's checkpoint, the entry
// bundle holding entry `index` and the entry's inclusion proof from the
// server at `base`, and checks, with nothing but WebCrypto (Ed25519,
// SHA-256):
//   checkpoint  the checkpoint is a C2SP signed note signed by the log key
//               `vkey` ("<origin>+<key ID hex>+<base64(0x01 || key)>");
//   proof       the entry, hashed as an RFC 6962 leaf, is in the tree of the
//               verified checkpoint: the audit path is verified here
//               (RFC 9162 section 2.1.3.2) against the checkpoint's signed
//               root, never against a root the server sends;
//   signature   the officer's Ed25519 signature on the entry (rekap-entry/1,
//               docs/FORMATS.md) verifies over the submission bytes.
// Every answer is read with a size limit, and every loop is bounded. An ES
// module without dependencies; the parsers are exported for tests.

const te = new TextEncoder();

// ---- limits

export const LIMITS = Object.freeze({
  checkpoint: 16384,              // a checkpoint is ~200 bytes; room for many cosignatures
  checkpointSigs: 100,            // signature lines, as the log's own parser (note.c)
  proofJson: 16384,               // 64 hashes of 64 hex digits are ~4.3 KB
  proofHashes: 64,                // an audit path in a tree of < 2^64 leaves
  bundleEntries: 256,             // entries per bundle (tlog-tiles)
  entry: 65535,                   // bytes per entry (2-byte length prefix)
  bundle: 256 * (2 + 65535),      // 16,777,472 bytes: the largest possible full bundle
  requestMs: 30000,               // per request, where AbortSignal.timeout exists
});

// ---- errors carrying a message for the public in both languages

export class VerifyError extends Error {
  constructor(code, id, en, detail = '') {
    super(en);
    this.name = 'VerifyError';
    this.code = code;
    this.message_id = id;
    this.message_en = en;
    this.detail = detail;
  }
}

const fail = (code, id, en, detail) => {
  throw new VerifyError(code, id, en, detail);
};

// ---- bytes, hex, base64 (one spelling only)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VAL = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

export function b64encode(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = bytes.length - i;
    const v = (bytes[i] << 16) | ((n > 1 ? bytes[i + 1] : 0) << 8) | (n > 2 ? bytes[i + 2] : 0);
    s += B64[(v >> 18) & 63] + B64[(v >> 12) & 63];
    s += n > 1 ? B64[(v >> 6) & 63] : '=';
    s += n > 2 ? B64[v & 63] : '=';
  }
  return s;
}

// Standard padded base64 in its one canonical spelling (no whitespace, no
// URL alphabet, zero unused bits), as rekap's own reader (keys_b64_decode);
// null for anything else.
export function b64decode(s) {
  if (typeof s !== 'string' || s.length % 4 !== 0) return null;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      const last = i + 4 === s.length;
      let d;
      if (c === 61 /* = */ && last && j >= 4 - pad) d = 0;
      else if (c < 128 && B64_VAL[c] >= 0) d = B64_VAL[c];
      else return null;
      v = (v << 6) | d;
    }
    if (o < out.length) out[o++] = (v >> 16) & 255;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return b64encode(out) === s ? out : null;
}

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s) {
  if (typeof s !== 'string' || !/^(?:[0-9a-f]{2})*$/.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}

function equalBytes(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const utf8 = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes) {
  try {
    return utf8().decode(bytes);
  } catch {
    return null;
  }
}

const short = (hex) => hex.slice(0, 16) + '…';

// ---- WebCrypto

function subtleOf(c) {
  const s = c && c.subtle;
  if (!s || typeof s.digest !== 'function' || typeof s.verify !== 'function') {
    fail('NO_WEBCRYPTO',
      'Halaman ini tidak dapat memeriksa: peramban tidak menyediakan WebCrypto (halaman harus dibuka lewat HTTPS).',
      'This page cannot check anything: the browser provides no WebCrypto (the page must be opened over HTTPS).',
      'crypto.subtle is unavailable (not a secure context?)');
  }
  return s;
}

async function sha256(subtle, bytes) {
  return new Uint8Array(await subtle.digest('SHA-256', bytes));
}

const UNSUPPORTED_ID =
  'Peramban ini tidak mendukung pemeriksaan tanda tangan Ed25519, jadi tanda tangan tidak diperiksa. ' +
  'Gunakan peramban yang lebih baru (Chrome/Edge 137+, Firefox 129+, Safari 17+).';
const UNSUPPORTED_EN =
  'This browser does not support checking Ed25519 signatures, so the signature was not checked. ' +
  'Use a newer browser (Chrome/Edge 137+, Firefox 129+, Safari 17+).';

// Ed25519 (RFC 8032, pure) with WebCrypto: true or false; a VerifyError
// ED25519_UNSUPPORTED when the browser has no Ed25519.
export async function ed25519Verify(publicKey, signature, message, c = globalThis.crypto) {
  const subtle = subtleOf(c);
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  let key;
  try {
    key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    if (e && e.name === 'DataError') return false; // a key WebCrypto refuses
    // an older browser: the same check by @noble/ed25519 (npm, pinned by
    // web/package-lock.json, loaded only here), strict RFC 8032 like libsodium
    return nobleVerify(publicKey, signature, message,
      `crypto.subtle.importKey(Ed25519): ${(e && e.name) || ''} ${(e && e.message) || e}`);
  }
  try {
    return await subtle.verify({ name: 'Ed25519' }, key, signature, message);
  } catch (e) {
    fail('ED25519_UNSUPPORTED', UNSUPPORTED_ID, UNSUPPORTED_EN,
      `crypto.subtle.verify(Ed25519): ${(e && e.name) || ''} ${(e && e.message) || e}`);
  }
}

async function nobleVerify(publicKey, signature, message, why) {
  let noble;
  try {
    noble = await import('../node_modules/@noble/ed25519/index.js');
  } catch (e) {
    fail('ED25519_UNSUPPORTED', UNSUPPORTED_ID, UNSUPPORTED_EN, `${why}; @noble/ed25519: ${(e && e.message) || e}`);
  }
  try {
    return await noble.verifyAsync(signature, message, publicKey, { zip215: false });
  } catch (e) {
    fail('ED25519_UNSUPPORTED', UNSUPPORTED_ID, UNSUPPORTED_EN, `${why}; @noble/ed25519: ${(e && e.message) || e}`);
  }
}

// ---- RFC 6962 hashing and inclusion proofs

export async function leafHash(entry, c = globalThis.crypto) {
  return sha256(subtleOf(c), concat(Uint8Array.of(0), entry));
}

export async function nodeHash(left, right, c = globalThis.crypto) {
  return sha256(subtleOf(c), concat(Uint8Array.of(1), left, right));
}

function toBig(n) {
  if (typeof n === 'bigint') return n;
  if (typeof n === 'number' && Number.isSafeInteger(n)) return BigInt(n);
  throw new TypeError('not an integer: ' + n);
}

function bitLength(x) {
  let n = 0;
  for (; x > 0n && n < 64; x >>= 1n) n++;
  return n;
}

function popcount(x) {
  let n = 0;
  for (let i = 0; x > 0n && i < 64; x >>= 1n, i++) n += Number(x & 1n);
  return n;
}

// The number of hashes in the audit path of leaf `index` in a tree of
// `size` leaves (index < size).
export function inclusionProofLength(index, size) {
  const i = toBig(index), s = toBig(size);
  const inner = bitLength(i ^ (s - 1n));
  return inner + popcount(i >> BigInt(inner));
}

// RFC 9162 section 2.1.3.2: verify that `leaf` (a leaf hash) is leaf `index`
// of the tree of `size` leaves with root `root`, by the audit path `proof`
// (hashes, leaf side first). Answers { ok, computed, reason, expected }:
// reason "index" (index >= size), "length" (expected hashes), "hash" (a
// hash that is not 32 bytes), "root" (the path leads to `computed`, not
// `root`).
export async function verifyInclusion(index, size, leaf, proof, root, c = globalThis.crypto) {
  const subtle = subtleOf(c);
  let fn = toBig(index), sn = toBig(size) - 1n;
  if (fn < 0n || sn < 0n || fn > sn || sn >= 1n << 64n) return { ok: false, reason: 'index', computed: null };
  const expected = inclusionProofLength(fn, sn + 1n);
  if (!Array.isArray(proof) || proof.length !== expected) {
    return { ok: false, reason: 'length', expected, computed: null };
  }
  if (leaf.length !== 32 || root.length !== 32 || proof.some((p) => !(p instanceof Uint8Array) || p.length !== 32)) {
    return { ok: false, reason: 'hash', computed: null };
  }
  let r = leaf;
  for (const p of proof) { // at most 64 steps: expected <= 64
    if (sn === 0n) return { ok: false, reason: 'length', expected, computed: null };
    if ((fn & 1n) === 1n || fn === sn) {
      r = await sha256(subtle, concat(Uint8Array.of(1), p, r));
      if ((fn & 1n) === 0n) {
        while (!((fn & 1n) === 1n || fn === 0n)) { // at most 64 shifts
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await sha256(subtle, concat(Uint8Array.of(1), r, p));
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return { ok: false, reason: 'length', expected, computed: null };
  return equalBytes(r, root) ? { ok: true, computed: r } : { ok: false, reason: 'root', computed: r };
}

// ---- signed notes: the verifier key and the checkpoint

// A key name of signed-note: non-empty, no Unicode white space, no "+".
function validName(s) {
  return typeof s === 'string' && s.length > 0 && !/[\p{White_Space}+]/u.test(s) && !hasControl(s);
}

function hasControl(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 10) return true;
  }
  return false;
}

async function keyId(name, publicKey, c) {
  const h = await sha256(subtleOf(c), concat(te.encode(name), Uint8Array.of(0x0a, 0x01), publicKey));
  return ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
}

const hex8 = (n) => n.toString(16).padStart(8, '0');

function vkeyError(id, en, detail) {
  fail('VKEY', `Kunci verifikasi log tidak sah: ${id}.`, `The log's verifier key is not valid: ${en}.`, detail);
}

// The verifier key "<name>+<key ID, 8 hex>+<base64(0x01 || 32-byte key)>"
// (golang.org/x/mod/sumdb/note). White space around it is ignored. Answers
// { name, keyId (uint32), publicKey (32 bytes), text (canonical) }.
export async function parseVkey(text, c = globalThis.crypto) {
  if (typeof text !== 'string') vkeyError('tidak ada kunci', 'no key was given', '');
  const s = text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
  if (s.length > 1024) vkeyError('terlalu panjang', 'it is too long', `${s.length} characters`);
  const p1 = s.indexOf('+'), p2 = p1 < 0 ? -1 : s.indexOf('+', p1 + 1);
  if (p1 < 0 || p2 < 0) {
    vkeyError('bentuknya harus nama+id+kunci', 'it must have the form name+id+key', JSON.stringify(s.slice(0, 80)));
  }
  const name = s.slice(0, p1), id = s.slice(p1 + 1, p2), b64 = s.slice(p2 + 1);
  if (!validName(name)) vkeyError('nama log tidak sah', 'the log name is not valid', JSON.stringify(name));
  if (!/^[0-9a-fA-F]{8}$/.test(id)) {
    vkeyError('ID kunci harus 8 digit heksadesimal', 'the key ID must be 8 hex digits', JSON.stringify(id));
  }
  const raw = b64decode(b64);
  if (!raw || raw.length !== 33) {
    vkeyError('kunci bukan base64 dari 33 bita', 'the key is not the base64 of 33 bytes', JSON.stringify(b64));
  }
  if (raw[0] !== 0x01) {
    vkeyError('bukan kunci Ed25519 (jenis 0x01)', 'it is not an Ed25519 key (type 0x01)', `type 0x${raw[0].toString(16)}`);
  }
  const publicKey = raw.subarray(1);
  const want = await keyId(name, publicKey, c);
  const got = parseInt(id, 16) >>> 0;
  if (want !== got) {
    vkeyError(`ID kunci ${id} tidak cocok dengan nama dan kuncinya (seharusnya ${hex8(want)})`,
      `the key ID ${id} does not match its name and key (it should be ${hex8(want)})`,
      `SHA-256(name || 0x0A || 0x01 || key)[:4] = ${hex8(want)}`);
  }
  return { name, keyId: want, publicKey, text: `${name}+${hex8(want)}+${b64}` };
}

function cpError(id, en, detail = '') {
  fail('CHECKPOINT_MALFORMED', `Checkpoint dari server tidak berbentuk checkpoint yang sah: ${id}.`,
    `The checkpoint from the server is malformed: ${en}.`, detail);
}


// A checkpoint (C2SP tlog-checkpoint) as a C2SP signed note, strictly:
// UTF-8 without control characters but LF; the note text of exactly three
// lines (origin, size, root as canonical base64 of 32 bytes; rekap's log
// writes no extension lines), a blank line, then 1..100 signature lines
// "— <name> <base64(4-byte key ID || signature)>". Answers { origin, size
// (a Number), root (32 bytes), body (the signed bytes), signatures: [{ name,
// keyId, sig }] }. Signatures are not verified here: verifyCheckpoint.
export function parseCheckpoint(input) {
  const bytes = typeof input === 'string' ? te.encode(input) : input;
  if (!(bytes instanceof Uint8Array)) cpError('bukan teks', 'it is not text');
  if (bytes.length > LIMITS.checkpoint) {
    cpError(`lebih dari ${LIMITS.checkpoint} bita`, `it is over ${LIMITS.checkpoint} bytes`, `${bytes.length} bytes`);
  }
  const text = decodeUtf8(bytes);
  if (text === null) cpError('bukan UTF-8 yang sah', 'it is not valid UTF-8');
  if (hasControl(text)) {
    cpError('berisi karakter kendali (hanya baris baru LF yang boleh)', 'it contains control characters (only LF newlines are allowed)');
  }
  // The signatures follow the last blank line.
  let split = -1;
  for (let i = bytes.length - 1; i >= 1; i--) {
    if (bytes[i] === 10 && bytes[i - 1] === 10) {
      split = i - 1;
      break;
    }
  }
  if (split < 0 || split + 2 >= bytes.length || bytes[bytes.length - 1] !== 10) {
    cpError('tidak ada baris kosong diikuti baris tanda tangan', 'there is no blank line followed by signature lines');
  }
  const body = bytes.subarray(0, split + 1);
  const lines = decodeUtf8(body).split('\n');
  lines.pop(); // after the final LF
  if (lines.length < 3) cpError('kurang dari tiga baris', 'it has fewer than three lines (origin, size, root hash)');
  if (lines.length > 3) {
    cpError('ada baris tambahan setelah hash akar (log rekap tidak menulisnya)',
      'it has extension lines after the root hash (rekap\'s log writes none)', JSON.stringify(lines[3].slice(0, 80)));
  }
  const [origin, sizeText, rootText] = lines;
  if (origin.length === 0 || te.encode(origin).length > 255) {
    cpError('nama log (baris 1) kosong atau terlalu panjang', 'the log name (line 1) is empty or too long');
  }
  if (!/^(0|[1-9][0-9]{0,19})$/.test(sizeText) || BigInt(sizeText) >= 1n << 64n) {
    cpError('ukuran (baris 2) bukan bilangan desimal tanpa nol di depan',
      'the size (line 2) is not a decimal number without leading zeros', JSON.stringify(sizeText.slice(0, 40)));
  }
  if (BigInt(sizeText) > BigInt(Number.MAX_SAFE_INTEGER)) {
    cpError('ukuran log terlalu besar untuk pemeriksa ini', 'the log size is too large for this verifier', sizeText);
  }
  const root = b64decode(rootText);
  if (!root || root.length !== 32) {
    cpError('hash akar (baris 3) bukan base64 dari 32 bita', 'the root hash (line 3) is not the base64 of 32 bytes',
      JSON.stringify(rootText.slice(0, 80)));
  }
  const sigText = decodeUtf8(bytes.subarray(split + 2, bytes.length - 1));
  const sigLines = sigText.split('\n');
  if (sigLines.length > LIMITS.checkpointSigs) {
    cpError(`lebih dari ${LIMITS.checkpointSigs} tanda tangan`, `it has more than ${LIMITS.checkpointSigs} signatures`);
  }
  const signatures = sigLines.map((line, i) => {
    const where = `signature line ${i + 1}`;
    if (!line.startsWith('\u2014 ')) {
      cpError('baris tanda tangan harus diawali tanda pisah (—) dan spasi',
        'a signature line must start with an em dash (—) and a space', where);
    }
    const rest = line.slice(2);
    const sp = rest.indexOf(' ');
    const name = sp < 0 ? '' : rest.slice(0, sp);
    if (!validName(name)) {
      cpError('baris tanda tangan tanpa nama kunci yang sah', 'a signature line has no valid key name', where);
    }
    const blob = b64decode(rest.slice(sp + 1));
    if (!blob || blob.length < 5) {
      cpError('tanda tangan bukan base64 dari ID kunci dan tanda tangan',
        'a signature is not the base64 of a key ID and a signature', where);
    }
    const keyId = ((blob[0] << 24) | (blob[1] << 16) | (blob[2] << 8) | blob[3]) >>> 0;
    return { name, keyId, sig: blob.subarray(4) };
  });
  return { origin, size: Number(sizeText), root, body, signatures };
}

// Verify a parsed checkpoint against a parsed verifier key: the origin is
// the key's name and the signature by that key (name and key ID) verifies.
// Signatures by other keys (witnesses) are ignored; once the key's
// signature verified, a repetition is ignored (as golang.org/x/mod/sumdb/note
// and rekap's note.c). Throws a VerifyError when it does not hold.
export async function verifyCheckpoint(cp, vk, c = globalThis.crypto) {
  if (cp.origin !== vk.name) {
    fail('CHECKPOINT_ORIGIN',
      `Checkpoint ini milik log lain: namanya «${cp.origin}», sedangkan kunci verifikasi untuk log «${vk.name}».`,
      `This checkpoint belongs to another log: it is named «${cp.origin}», but the verifier key is for the log «${vk.name}».`,
      `origin ${JSON.stringify(cp.origin)}, key name ${JSON.stringify(vk.name)}`);
  }
  const mine = cp.signatures.find((s) => s.name === vk.name && s.keyId === vk.keyId);
  if (!mine) {
    const by = cp.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`).join(', ');
    fail('CHECKPOINT_UNSIGNED',
      `Checkpoint TIDAK ditandatangani dengan kunci log ini (${vk.name}+${hex8(vk.keyId)}); yang ada hanya tanda tangan kunci ${by}.`,
      `The checkpoint is NOT signed with this log key (${vk.name}+${hex8(vk.keyId)}); it carries signatures by ${by} only.`,
      `wanted key ID ${hex8(vk.keyId)}; found ${by}`);
  }
  const good = mine.sig.length === 64 && (await ed25519Verify(vk.publicKey, mine.sig, cp.body, c));
  if (!good) {
    fail('CHECKPOINT_SIGNATURE',
      'Tanda tangan checkpoint TIDAK sah: isinya tidak cocok dengan tanda tangan kunci log (checkpoint diubah, atau ditandatangani kunci lain dengan ID yang sama).',
      'The checkpoint\'s signature is NOT valid: its text does not match the log key\'s signature (the checkpoint was altered, or signed by another key with the same ID).',
      `Ed25519 signature by ${vk.text} over the ${cp.body.length}-byte note text does not verify`);
  }
  return true;
}

// ---- tiles and entry bundles

// A tile index in tlog-tiles' groups of three digits: 1234067 -> x001/x234/067.
export function encodeTileIndex(n) {
  if (!Number.isSafeInteger(n) || n < 0) throw new TypeError('bad tile index ' + n);
  let s = String(n);
  while (s.length % 3) s = '0' + s;
  const groups = s.match(/.../g);
  return groups.map((g, i) => (i < groups.length - 1 ? 'x' + g : g)).join('/');
}

// The path of the entry bundle holding entry `index` in a tree of `size`
// entries, and how many entries it has.
export function bundlePath(index, size) {
  const n = Math.floor(index / 256), full = Math.floor(size / 256);
  if (n < full) return { path: `/log/tile/entries/${encodeTileIndex(n)}`, width: 256 };
  const width = size % 256;
  return { path: `/log/tile/entries/${encodeTileIndex(n)}.p/${width}`, width };
}

function bundleError(id, en, detail) {
  fail('BUNDLE_MALFORMED', `Berkas entri dari server rusak: ${id}.`, `The entry bundle from the server is malformed: ${en}.`, detail);
}

// An entry bundle: entries back to back, each after its length as a
// big-endian uint16. With `width`, exactly that many entries and nothing
// after them. Answers an array of Uint8Array views.
export function parseBundle(bytes, width) {
  if (!(bytes instanceof Uint8Array)) bundleError('bukan data biner', 'it is not binary data');
  const want = width === undefined ? null : width;
  if (want !== null && !(Number.isInteger(want) && want >= 1 && want <= LIMITS.bundleEntries)) {
    throw new TypeError('bad bundle width ' + width);
  }
  const max = want ?? LIMITS.bundleEntries;
  const out = [];
  let at = 0;
  while (at < bytes.length) { // at most `max` iterations
    if (out.length === max) {
      bundleError(`lebih dari ${max} entri`, `it holds more than ${max} entries`, `${bytes.length - at} bytes after entry ${max - 1}`);
    }
    if (at + 2 > bytes.length) bundleError('panjang entri terpotong', 'an entry length is cut off', `at byte ${at}`);
    const n = (bytes[at] << 8) | bytes[at + 1];
    at += 2;
    if (at + n > bytes.length) {
      bundleError(`entri ${out.length} terpotong`, `entry ${out.length} is cut off`, `${n} bytes announced, ${bytes.length - at} left`);
    }
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  if (want !== null && out.length !== want) {
    bundleError(`berisi ${out.length} entri, seharusnya ${want}`, `it holds ${out.length} entries instead of ${want}`);
  }
  return out;
}

// ---- log entries (rekap-entry/1)

const CONTESTS = ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab'];

function entryError(id, en, detail = '') {
  fail('ENTRY_MALFORMED', `Entri tidak berbentuk rekap-entry/1: ${id}.`, `The entry is not in the rekap-entry/1 format: ${en}.`, detail);
}

// A log entry (docs/FORMATS.md, rekap-entry/1): the format line, the
// submission (from "rekap-submission/1" through the LF of its "form" line:
// the bytes the officer signed), then the key, sig, received and status
// lines. The submission's head lines (tps, contest, version, reason, psu,
// photo) are read and checked for their shape; the form is kept as text
// (and `form` its JSON, or null). The signature is not verified here.
export function parseEntry(bytes) {
  if (!(bytes instanceof Uint8Array)) entryError('bukan data biner', 'it is not binary data');
  if (bytes.length > LIMITS.entry) entryError('lebih dari 65.535 bita', 'it is over 65,535 bytes', `${bytes.length} bytes`);
  const text = decodeUtf8(bytes);
  if (text === null) entryError('bukan UTF-8 yang sah', 'it is not valid UTF-8');
  if (text.includes('\r')) entryError('berisi CR (baris harus diakhiri LF saja)', 'it contains CR (lines end with LF alone)');
  if (!text.endsWith('\n')) entryError('baris terakhir tidak diakhiri LF', 'the last line does not end with LF');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== 'rekap-entry/1') entryError('baris pertama bukan "rekap-entry/1"', 'the first line is not "rekap-entry/1"');
  if (lines[1] !== 'rekap-submission/1') {
    entryError('baris kedua bukan "rekap-submission/1"', 'the second line is not "rekap-submission/1"');
  }
  const formAt = lines.findIndex((l) => l.startsWith('form '));
  if (formAt < 0) entryError('tidak ada baris "form"', 'there is no "form" line');
  const line = (i, name) => {
    const l = lines[i];
    if (l === undefined || !l.startsWith(name + ' ')) {
      entryError(`baris "${name}" tidak ada atau salah tempat`, `the "${name}" line is missing or out of place`, `line ${i + 1}`);
    }
    return l.slice(name.length + 1);
  };
  const tps = line(2, 'tps');
  if (!/^[0-9]{13}$/.test(tps)) entryError('kode TPS bukan 13 digit', 'the TPS code is not 13 digits', JSON.stringify(tps));
  const contest = line(3, 'contest');
  if (!CONTESTS.includes(contest)) entryError('jenis pemilihan tidak dikenal', 'the contest is unknown', JSON.stringify(contest));
  const versionText = line(4, 'version');
  if (!/^[1-9][0-9]{0,2}$/.test(versionText)) {
    entryError('versi bukan bilangan 1..999', 'the version is not a number 1..999', JSON.stringify(versionText));
  }
  const version = Number(versionText);
  let i = 5, reason = null, psu = null;
  const photos = [];
  if (version > 1) {
    const q = line(i++, 'reason');
    try {
      reason = JSON.parse(q);
    } catch {
      reason = null;
    }
    if (typeof reason !== 'string' || !q.startsWith('"')) {
      entryError('alasan koreksi bukan teks berkutip', 'the correction\'s reason is not quoted text');
    }
    if (i < formAt && lines[i].startsWith('psu ')) psu = line(i++, 'psu');
  }
  for (; i < formAt; i++) {
    const h = line(i, 'photo');
    if (!/^[0-9a-f]{64}$/.test(h)) entryError('hash foto bukan 64 digit heksadesimal', 'a photo hash is not 64 hex digits', `line ${i + 1}`);
    photos.push(h);
  }
  if (photos.length > 8) entryError('lebih dari 8 foto', 'there are more than 8 photos');
  const formText = lines[formAt].slice(5);
  const trailer = lines.slice(formAt + 1);
  const names = ['key', 'sig', 'received', 'status'];
  if (trailer.length !== 4 || trailer.some((l, k) => !l.startsWith(names[k] + ' '))) {
    entryError('setelah baris "form" harus ada tepat baris key, sig, received, status',
      'the "form" line must be followed by exactly the key, sig, received and status lines');
  }
  const [keyB64, sigB64, receivedText, status] = trailer.map((l, k) => l.slice(names[k].length + 1));
  const key = b64decode(keyB64);
  if (!key || key.length !== 32) entryError('kunci petugas bukan base64 dari 32 bita', 'the officer\'s key is not the base64 of 32 bytes');
  const sig = b64decode(sigB64);
  if (!sig || sig.length !== 64) entryError('tanda tangan bukan base64 dari 64 bita', 'the signature is not the base64 of 64 bytes');
  if (!/^(0|[1-9][0-9]{0,18})$/.test(receivedText) || BigInt(receivedText) >= 1n << 63n) {
    entryError('waktu terima bukan bilangan detik Unix', 'the received time is not a number of Unix seconds', JSON.stringify(receivedText));
  }
  if (!/^(accepted|rejected [A-Z0-9_]+(,[A-Z0-9_]+)*)$/.test(status)) {
    entryError('status bukan "accepted" atau "rejected KODE"', 'the status is not "accepted" or "rejected CODES"', JSON.stringify(status));
  }
  // The submission's bytes: from the second line through the form line's LF.
  const start = te.encode('rekap-entry/1\n').length;
  const end = te.encode(lines.slice(0, formAt + 1).join('\n') + '\n').length;
  const submission = bytes.subarray(start, end);
  let form = null;
  try {
    form = JSON.parse(formText);
  } catch {
    form = null;
  }
  return {
    text, submission, tps, contest, version, reason, psu, photos, formText, form,
    key, keyB64, sig, received: Number(receivedText), status,
    accepted: status === 'accepted',
    rejectedCodes: status === 'accepted' ? [] : status.slice(9).split(','),
  };
}

// ---- fetching with limits

async function readLimited(res, limit) {
  const len = res.headers && typeof res.headers.get === 'function' ? res.headers.get('content-length') : null;
  // (A compressed body's length is below its decoded length: over the limit
  // compressed is over it decoded too.)
  if (len !== null && /^[0-9]+$/.test(len) && Number(len) > limit) return { tooLarge: true, got: Number(len) };
  if (res.body && typeof res.body.getReader === 'function') {
    const reader = res.body.getReader();
    const parts = [];
    let total = 0;
    for (let reads = 0; ; reads++) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit || reads > limit + 1024) {
        try {
          await reader.cancel();
        } catch {
          // cancelled anyway
        }
        return { tooLarge: true, got: total };
      }
      parts.push(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    }
    return { bytes: concat(...parts) };
  }
  const buf = new Uint8Array(await res.arrayBuffer());
  return buf.length > limit ? { tooLarge: true, got: buf.length } : { bytes: buf };
}

// Fetch base + path with a size limit. `what` = [Indonesian, English] name
// of the thing fetched, for the messages.
async function fetchLimited(f, base, path, limit, what, code) {
  const url = base + path;
  const init = { redirect: 'error', credentials: 'omit' };
  if (typeof AbortSignal !== 'undefined' && typeof AbortSignal.timeout === 'function') {
    init.signal = AbortSignal.timeout(LIMITS.requestMs);
  }
  let res;
  try {
    res = await f(url, init);
  } catch (e) {
    fail(code + '_FETCH', `${what[0]} tidak dapat diambil dari server (tidak ada jawaban).`,
      `Could not fetch ${what[1]} from the server (no answer).`, `${url}: ${(e && e.message) || e}`);
  }
  if (!res || !res.ok) {
    const st = res ? res.status : 0;
    fail(code + '_FETCH', `${what[0]} tidak dapat diambil dari server (HTTP ${st}).`,
      `Could not fetch ${what[1]} from the server (HTTP ${st}).`, `${url}: HTTP ${st}`);
  }
  let r;
  try {
    r = await readLimited(res, limit);
  } catch (e) {
    fail(code + '_FETCH', `${what[0]} tidak dapat dibaca sampai selesai.`, `Could not read ${what[1]} to its end.`,
      `${url}: ${(e && e.message) || e}`);
  }
  if (r.tooLarge) {
    fail(code + '_TOO_LARGE',
      `Jawaban server untuk ${what[0].toLowerCase()} terlalu besar (lebih dari ${limit.toLocaleString('id-ID')} bita), jadi tidak dibaca.`,
      `The server's answer for ${what[1]} is too large (over ${limit.toLocaleString('en-US')} bytes), so it was not read.`,
      `${url}: ${r.got} bytes or more, limit ${limit}`);
  }
  return r.bytes;
}

// ---- the proof answer of /api/v1/proof/<index>

function proofError(id, en, detail) {
  fail('PROOF_MALFORMED', `Jawaban bukti inklusi dari server rusak: ${id}.`, `The inclusion proof from the server is malformed: ${en}.`, detail);
}

function parseProofAnswer(bytes, index, size) {
  const text = decodeUtf8(bytes);
  let j;
  try {
    j = JSON.parse(text);
  } catch {
    j = null;
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) proofError('bukan objek JSON', 'it is not a JSON object');
  if (j.index !== index || j.size !== size) {
    fail('PROOF_OTHER',
      `Server mengirim bukti untuk entri #${j.index} dalam log ${j.size} entri, bukan untuk entri #${index} dalam log ${size} entri yang ditandatangani.`,
      `The server sent a proof for entry #${j.index} in a log of ${j.size} entries, not for entry #${index} in the signed log of ${size} entries.`,
      `asked /api/v1/proof/${index}?size=${size}`);
  }
  if (!Array.isArray(j.proof) || j.proof.length > LIMITS.proofHashes) {
    proofError(`"proof" bukan daftar berisi paling banyak ${LIMITS.proofHashes} hash`, `"proof" is not a list of at most ${LIMITS.proofHashes} hashes`);
  }
  const proof = j.proof.map((h, i) => {
    const b = fromHex(h);
    if (!b || b.length !== 32) proofError(`hash ke-${i + 1} bukan 64 digit heksadesimal`, `hash ${i + 1} is not 64 hex digits`, JSON.stringify(h));
    return b;
  });
  return {
    proof,
    leafHash: typeof j.leaf_hash === 'string' ? j.leaf_hash : null,
    root: typeof j.root === 'string' ? j.root : null,
    bundle: typeof j.entry_bundle === 'string' ? j.entry_bundle : null,
  };
}

// ---- the whole check

// A check as the portal shows it. `code` (beyond the contract's fields) is
// "OK", "NOT_CHECKED" (an earlier step failed) or the failure's code
// (VerifyError.code, e.g. "CHECKPOINT_SIGNATURE", "ED25519_UNSUPPORTED").
function check(id, ok, message_id, message_en, detail = '', code = ok ? 'OK' : 'FAILED') {
  return { id, ok, message_id, message_en, detail, code };
}

function failed(id, e) {
  if (e instanceof VerifyError) return check(id, false, e.message_id, e.message_en, e.detail, e.code);
  return check(id, false, 'Pemeriksaan gagal karena kesalahan tak terduga.', 'The check failed with an unexpected error.',
    String((e && e.stack) || e), 'INTERNAL');
}

function notChecked(id, whyId, whyEn) {
  return check(id, false, `Tidak diperiksa: ${whyId}.`, `Not checked: ${whyEn}.`, '', 'NOT_CHECKED');
}

function parseIndex(index) {
  if (typeof index === 'number' && Number.isSafeInteger(index) && index >= 0) return index;
  if (typeof index === 'bigint' && index >= 0n && index <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(index);
  if (typeof index === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(index) && Number.isSafeInteger(Number(index))) {
    return Number(index);
  }
  return null;
}

// Verify log entry `index` of the log served at `base` ("" for the page's
// own origin) with the log's verifier key `vkey`. Never throws: answers
// { ok, checks: [checkpoint, proof, signature], entry, size }.
// `fetch` and `crypto` may be replaced (tests).
export async function verifyEntry({ base = '', index, vkey, fetch: f = globalThis.fetch, crypto: c = globalThis.crypto } = {}) {
  base = String(base ?? '').replace(/\/+$/, '');
  const result = { ok: false, checks: [], entry: null, size: null };
  let cp = null, entryBytes = null;
  const idx = parseIndex(index);

  // 1. the checkpoint and its signature
  try {
    subtleOf(c);
    if (typeof f !== 'function') throw new TypeError('no fetch');
    const vk = await parseVkey(vkey, c);
    const bytes = await fetchLimited(f, base, '/log/checkpoint', LIMITS.checkpoint, ['Checkpoint log', 'the log\'s checkpoint'], 'CHECKPOINT');
    const parsed = parseCheckpoint(bytes);
    await verifyCheckpoint(parsed, vk, c);
    cp = parsed;
    result.size = cp.size;
    result.checks.push(check('checkpoint', true,
      `Tanda tangan log sah: checkpoint ditandatangani dengan kunci log «${vk.name}»; log berisi ${cp.size.toLocaleString('id-ID')} entri.`,
      `The log's signature is valid: the checkpoint is signed with the log key «${vk.name}»; the log holds ${cp.size.toLocaleString('en-US')} entries.`,
      `${vk.text}; size ${cp.size}; root ${toHex(cp.root)}`));
  } catch (e) {
    result.checks.push(failed('checkpoint', e));
  }

  // 2. the entry and its inclusion proof against the verified root
  if (!cp) {
    result.checks.push(notChecked('proof', 'checkpoint log tidak dapat diverifikasi', 'the log\'s checkpoint could not be verified'));
  } else {
    try {
      if (idx === null) {
        fail('INDEX', `Nomor entri «${String(index)}» tidak sah.`, `The entry number «${String(index)}» is not valid.`, '');
      }
      if (idx >= cp.size) {
        fail('INDEX',
          cp.size === 0
            ? `Entri #${idx} tidak ada di log: log yang ditandatangani masih kosong.`
            : `Entri #${idx} tidak ada di log: log yang ditandatangani berisi ${cp.size.toLocaleString('id-ID')} entri (#0 sampai #${cp.size - 1}).`,
          cp.size === 0
            ? `Entry #${idx} is not in the log: the signed log is still empty.`
            : `Entry #${idx} is not in the log: the signed log holds ${cp.size.toLocaleString('en-US')} entries (#0 to #${cp.size - 1}).`,
          `index ${idx}, checkpoint size ${cp.size}`);
      }
      const { path, width } = bundlePath(idx, cp.size);
      const bundle = await fetchLimited(f, base, path, width * (2 + LIMITS.entry), ['Berkas entri', 'the entry bundle'], 'BUNDLE');
      entryBytes = parseBundle(bundle, width)[idx % 256];
      const leaf = await leafHash(entryBytes, c);
      const ans = parseProofAnswer(
        await fetchLimited(f, base, `/api/v1/proof/${idx}?size=${cp.size}`, LIMITS.proofJson, ['Bukti inklusi', 'the inclusion proof'], 'PROOF'),
        idx, cp.size);
      const v = await verifyInclusion(idx, cp.size, leaf, ans.proof, cp.root, c);
      const notes = [];
      if (ans.leafHash !== null && ans.leafHash !== toHex(leaf)) notes.push(`the server's leaf_hash ${ans.leafHash} is not the hash of the entry in ${path}`);
      if (ans.root !== null && ans.root !== toHex(cp.root)) notes.push(`the server's root ${ans.root} is not the signed root`);
      const detail = `leaf ${toHex(leaf)} (entry ${idx % 256} of ${path}), ${ans.proof.length} proof hashes, signed root ${toHex(cp.root)}` +
        (v.computed ? `, computed root ${toHex(v.computed)}` : '') + (notes.length ? '; ' + notes.join('; ') : '');
      if (v.ok) {
        result.checks.push(check('proof', true,
          `Entri #${idx} tercatat di log: bukti inklusinya cocok dengan akar pohon yang ditandatangani.`,
          `Entry #${idx} is in the log: its inclusion proof matches the signed tree root.`, detail));
      } else if (v.reason === 'length') {
        fail('PROOF_LENGTH',
          `Bukti inklusi TIDAK cocok: berisi ${ans.proof.length} hash, seharusnya ${v.expected} untuk entri #${idx} dalam log ${cp.size} entri.`,
          `The inclusion proof does NOT match: it has ${ans.proof.length} hashes; entry #${idx} in a log of ${cp.size} entries needs ${v.expected}.`,
          detail);
      } else {
        fail('PROOF_ROOT',
          `Bukti inklusi TIDAK cocok: akar pohon yang dihitung dari entri dan buktinya (${short(toHex(v.computed))}) berbeda dengan akar yang ditandatangani (${short(toHex(cp.root))}).`,
          `The inclusion proof does NOT match: the tree root computed from the entry and its proof (${short(toHex(v.computed))}) differs from the signed root (${short(toHex(cp.root))}).`,
          detail);
      }
    } catch (e) {
      result.checks.push(failed('proof', e));
    }
  }

  // 3. the officer's signature over the submission
  if (!entryBytes) {
    result.checks.push(notChecked('signature', 'entri tidak dapat dibaca dari log', 'the entry could not be read from the log'));
  } else {
    try {
      const en = parseEntry(entryBytes);
      result.entry = {
        tps: en.tps, contest: en.contest, version: en.version, text: en.text,
        status: en.status, accepted: en.accepted, received: en.received, reason: en.reason, psu: en.psu,
        photos: en.photos, key: en.keyB64, form: en.form,
      };
      const what = `TPS ${en.tps}, ${en.contest}, versi ${en.version}`;
      const whatEn = `TPS ${en.tps}, ${en.contest}, version ${en.version}`;
      const detail = `Ed25519 key ${en.keyB64} over the ${en.submission.length}-byte submission; ` +
        'whether this key is enrolled for the TPS is not checked here';
      if (await ed25519Verify(en.key, en.sig, en.submission, c)) {
        result.checks.push(check('signature', true,
          `Tanda tangan sah: isi formulir (${what}) sama persis dengan yang ditandatangani dengan kunci petugas yang tertulis pada entri (server memeriksa bahwa kunci itu terdaftar untuk TPS ini).`,
          `The signature is valid: the form (${whatEn}) is exactly what was signed with the officer key written on the entry (the server checks that this key is enrolled for this TPS).`, detail));
      } else {
        fail('SIGNATURE',
          `Tanda tangan petugas KPPS TIDAK sah: isi formulir (${what}) tidak sama dengan yang ditandatangani dengan kunci petugas pada entri ini.`,
          `The KPPS officer's signature is NOT valid: the form (${whatEn}) is not what was signed with the officer key on this entry.`,
          detail.replace('; whether', ' does not verify; whether'));
      }
    } catch (e) {
      result.checks.push(failed('signature', e));
    }
  }

  result.ok = result.checks.length === 3 && result.checks.every((x) => x.ok);
  return result;
}
