// The officer's Ed25519 key in the browser, with WebCrypto where the
// browser has Ed25519 (Chrome/Edge 137+, Firefox 129+, Safari 17+); on an
// older browser with @noble/ed25519 (npm, pinned by web/package-lock.json,
// loaded only then), the key then kept as its 32-byte seed — readable by
// this page's scripts, which WebCrypto's keys are not (`soft` says so):
//   generate()       a new key pair; the private key is not extractable (no
//                    script, this page's included, can read its bytes)
//   parseKeyFile()   a key file of `rekap keygen` (rekap-key/1,
//                    docs/FORMATS.md), read as strictly as rekap's own
//                    reader (keys_parse): one spelling only
//   importSecret()   its secret seed into WebCrypto as a non-extractable key,
//                    checked against the file's public key
//   publicKeyFile()  the public file (rekap-key/1 without its secret line)
//                    that `rekap enrol --region <TPS> FILE` takes
//   sign()           Ed25519 (RFC 8032, pure) over the exact bytes
import { b64encode, b64decode } from '../portal/verify.js';
import { m } from './ui.js';

export const FORMAT = 'rekap-key/1';
export const FILE_MAX = 1024;         // KEYS_FILE_MAX
export const NAME_MAX = 128;          // KEYS_NAME_MAX
const ALG = { name: 'Ed25519' };
// PKCS #8 of an Ed25519 private key (RFC 8410): this prefix, then the 32-byte seed.
const PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
  0x04, 0x22, 0x04, 0x20);

export class KeyError extends Error {
  constructor(code, where, msg, detail = '') {
    super(`${code}: ${msg.en}`);
    this.code = code;
    this.where = where;
    this.msg = msg;
    this.detail = detail;
  }
}

const utf8 = new TextEncoder();

// Quoted text as rekap writes it (keys_quote): a JSON string in which only
// '"' and '\' are escaped; every other character as itself.
export function quote(s) {
  return '"' + s.replace(/[\\"]/g, c => '\\' + c) + '"';
}

// Why s cannot be quoted text of 1..max bytes (a reason, a key's name), or
// null: empty, too long, a control character (U+0000..U+001F, U+007F,
// U+0080..U+009F: it must stay on one line), or not valid Unicode.
export function textProblem(s, max) {
  if (typeof s !== 'string' || s.length === 0) return m('kosong', 'it is empty');
  if (/[\u0000-\u001f\u007f-\u009f]/.test(s)) return m('berisi karakter kendali (misalnya baris baru)', 'it contains a control character (such as a line break)');
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s)) return m('bukan teks Unicode yang sah', 'it is not valid Unicode text');
  const n = utf8.encode(s).length;
  if (n > max) return m(`terlalu panjang: ${n} bita, paling banyak ${max}`, `it is too long: ${n} bytes, at most ${max}`);
  return null;
}

// ---- the key file

function fmt(where, id, en, detail) {
  return new KeyError('KEY_FORMAT', where, m(`Berkas kunci tidak berbentuk rekap-key/1: ${id}.`, `The key file is not in the rekap-key/1 format: ${en}.`), detail);
}

// A key file's text or bytes -> { name, publicKey (32 bytes), publicB64,
// seed (32 bytes) or null for a public file }. Throws a KeyError with the
// code rekap's reader gives (KEY_TOO_LARGE, KEY_FORMAT, KEY_NAME,
// KEY_BASE64); KEY_MISMATCH (the secret does not give the public key) is
// found by importSecret().
export function parseKeyFile(input) {
  const bytes = typeof input === 'string' ? utf8.encode(input) : input;
  if (bytes.length > FILE_MAX) {
    throw new KeyError('KEY_TOO_LARGE', '', m(`Berkas kunci paling besar ${FILE_MAX} bita.`, `A key file is at most ${FILE_MAX} bytes.`), `${bytes.length} bytes`);
  }
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw fmt('', 'bukan teks UTF-8', 'it is not UTF-8 text');
  }
  if (text.includes('\r')) throw fmt('', 'baris harus diakhiri LF saja, bukan CR LF', 'lines must end with LF alone, not CR LF');
  if (!text.endsWith('\n')) throw fmt('end', 'baris terakhir tidak diakhiri baris baru', 'the last line does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== FORMAT) throw fmt('format', `baris pertama harus "${FORMAT}"`, `the first line must be "${FORMAT}"`, JSON.stringify(lines[0].slice(0, 40)));
  const value = (i, name) => {
    const l = lines[i];
    if (l === undefined || !l.startsWith(name + ' ')) {
      throw fmt(name, `baris "${name}" tidak ada atau salah tempat`, `the "${name}" line is missing or out of place`);
    }
    const v = l.slice(name.length + 1);
    if (/^[ \t]|[ \t]$/.test(v)) throw fmt(name, `ada spasi lebih di sekitar nilai baris "${name}"`, `extra space around the value of the "${name}" line`);
    return v;
  };
  // name: quoted text, 1..128 bytes, in its one quoting
  const q = value(1, 'name');
  let name;
  try { name = JSON.parse(q); } catch { name = null; }
  if (typeof name !== 'string' || !q.startsWith('"')) {
    throw new KeyError('KEY_NAME', 'name', m('Nama pada berkas kunci bukan teks berkutip.', 'The name in the key file is not quoted text.'));
  }
  const bad = textProblem(name, NAME_MAX);
  if (bad) throw new KeyError('KEY_NAME', 'name', m(`Nama pada berkas kunci tidak sah: ${bad.id}.`, `The name in the key file is not valid: ${bad.en}.`));
  if (quote(name) !== q) throw fmt('name', 'nama tidak ditulis dalam satu-satunya ejaan (hanya " dan \\ yang di-escape)', 'the name is not in its one spelling (only " and \\ are escaped)');
  const b64 = (i, what) => {
    const v = value(i, what);
    const raw = b64decode(v);
    if (!raw || raw.length !== 32) {
      throw new KeyError('KEY_BASE64', what, m(`Baris "${what}" bukan base64 baku dari 32 bita.`, `The "${what}" line is not the canonical base64 of 32 bytes.`));
    }
    return raw;
  };
  const publicKey = b64(2, 'public');
  let seed = null;
  if (lines.length > 3) {
    seed = b64(3, 'secret');
    if (lines.length > 4) throw fmt('end', 'ada baris setelah baris "secret"', 'there is a line after the "secret" line');
  }
  return { name, publicKey, publicB64: b64encode(publicKey), seed };
}

// The public file of a key: what the officer hands in for enrolment.
export function publicKeyFile(name, publicB64) {
  return `${FORMAT}\nname ${quote(name)}\npublic ${publicB64}\n`;
}

// ---- WebCrypto, or @noble/ed25519 where it has no Ed25519

export class NoEd25519 extends Error {}

// A browser whose WebCrypto lacks Ed25519 says NotSupportedError (or, in
// some, TypeError/SyntaxError for an unknown algorithm).
function notSupported(e) {
  return e && (e.name === 'NotSupportedError' || e.name === 'TypeError' || e.name === 'SyntaxError');
}

let noble = null;
async function nobleEd() {
  noble ??= await import('../node_modules/@noble/ed25519/index.js');
  return noble;
}

// A key held by @noble/ed25519: { soft: true, seed } / { soft: true, raw }.
async function softPair(seed, why) {
  let ed;
  try {
    ed = await nobleEd();
  } catch (e2) {
    throw unsupported(why);
  }
  const raw = await ed.getPublicKeyAsync(seed);
  return { privateKey: { soft: true, seed }, publicKey: { soft: true, raw }, publicRaw: raw,
    publicB64: b64encode(raw), soft: true };
}

function unsupported(e) {
  const err = new NoEd25519(`Ed25519: ${(e && e.name) || ''} ${(e && e.message) || e}`);
  err.msg = m('Peramban ini tidak mendukung tanda tangan Ed25519 (WebCrypto). Gunakan peramban yang lebih baru: Chrome 137+, Firefox 129+ atau Safari 17+.',
    'This browser does not support Ed25519 signatures (WebCrypto). Use a newer browser: Chrome 137+, Firefox 129+ or Safari 17+.');
  return err;
}

function subtle() {
  if (!globalThis.crypto || !crypto.subtle) {
    const err = new NoEd25519('crypto.subtle is unavailable');
    err.msg = m('WebCrypto tidak tersedia: halaman harus dibuka lewat HTTPS.', 'WebCrypto is not available: the page must be opened over HTTPS.');
    throw err;
  }
  return crypto.subtle;
}

export async function exportPublic(publicKey) {
  return new Uint8Array(await subtle().exportKey('raw', publicKey));
}

// A new key pair: { privateKey (non-extractable CryptoKey), publicKey, publicRaw, publicB64 }.
export async function generate() {
  let pair;
  try {
    pair = await subtle().generateKey(ALG, false, ['sign', 'verify']);
  } catch (e) {
    if (!notSupported(e)) throw unsupported(e);
    return softPair(crypto.getRandomValues(new Uint8Array(32)), e);
  }
  const publicRaw = await exportPublic(pair.publicKey);
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicRaw, publicB64: b64encode(publicRaw) };
}

// The secret seed of a key file as a non-extractable WebCrypto key, after
// checking that it gives the file's public key (KEY_MISMATCH otherwise).
// The seed is read once through an extractable copy that is dropped at once
// (WebCrypto cannot derive a public key from a non-extractable one).
export async function importSecret(seed, publicKey) {
  const s = subtle();
  const pkcs8 = new Uint8Array(PKCS8_PREFIX.length + 32);
  pkcs8.set(PKCS8_PREFIX);
  pkcs8.set(seed, PKCS8_PREFIX.length);
  let jwk;
  try {
    const tmp = await s.importKey('pkcs8', pkcs8, ALG, true, ['sign']);
    jwk = await s.exportKey('jwk', tmp);
  } catch (e) {
    pkcs8.fill(0);
    if (e && e.name === 'DataError') {
      throw new KeyError('KEY_BASE64', 'secret', m('Kunci rahasia pada berkas tidak dapat dibaca.', 'The secret key in the file cannot be read.'));
    }
    if (!notSupported(e)) throw unsupported(e);
    const k = await softPair(Uint8Array.from(seed), e);
    if (b64encode(k.publicRaw) !== b64encode(publicKey)) throw mismatch();
    return k;
  }
  const derived = b64decode(jwk.x.replace(/-/g, '+').replace(/_/g, '/') + '=');
  jwk.d = '';
  if (!derived || b64encode(derived) !== b64encode(publicKey)) {
    pkcs8.fill(0);
    throw mismatch();
  }
  let privateKey, pub;
  try {
    privateKey = await s.importKey('pkcs8', pkcs8, ALG, false, ['sign']);
    pub = await s.importKey('raw', publicKey, ALG, true, ['verify']);
  } finally {
    pkcs8.fill(0);
  }
  // a last check: what it signs verifies with the public key
  const probe = utf8.encode('rekap-key/1 import check');
  const sig = await s.sign(ALG, privateKey, probe);
  if (!(await s.verify(ALG, pub, sig, probe))) {
    throw new KeyError('KEY_MISMATCH', 'public', m('Kunci hasil impor tidak menghasilkan tanda tangan yang sah.', 'The imported key does not make valid signatures.'));
  }
  return { privateKey, publicKey: pub, publicRaw: publicKey, publicB64: b64encode(publicKey) };
}

function mismatch() {
  return new KeyError('KEY_MISMATCH', 'public', m('Kunci rahasia pada berkas tidak cocok dengan kunci publiknya: berkas memasangkan nama satu kunci dengan kunci lain.',
    'The secret key in the file does not match its public key: the file pairs one key\'s name with another key.'));
}

export async function sign(privateKey, bytes) {
  if (privateKey && privateKey.soft) return (await nobleEd()).signAsync(bytes, privateKey.seed);
  return new Uint8Array(await subtle().sign(ALG, privateKey, bytes));
}

export async function verify(publicKey, sig, bytes) {
  if (publicKey && publicKey.soft) return (await nobleEd()).verifyAsync(sig, bytes, publicKey.raw, { zip215: false });
  return subtle().verify(ALG, publicKey, sig, bytes);
}

export async function sha256Hex(data) {
  const buf = data instanceof Blob ? await data.arrayBuffer() : data;
  const h = new Uint8Array(await subtle().digest('SHA-256', buf));
  let s = '';
  for (const b of h) s += b.toString(16).padStart(2, '0');
  return s;
}
