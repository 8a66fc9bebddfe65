// The officer page's keys (web/petugas/keys.js): with WebCrypto's Ed25519,
// and on a browser without it, where @noble/ed25519 makes and uses the key
// instead. Both sign what the other verifies (Ed25519 is one function), an
// imported rekap keygen seed gives its public key either way, and a seed
// that does not match its public key is refused either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as keys from '../petugas/keys.js';

const subtle = globalThis.crypto.subtle;
const text = new TextEncoder().encode('rekap-submission/1\ntps 6501011001001\n');

// A browser without Ed25519 in WebCrypto: generateKey/importKey refuse it.
async function withoutEd25519(fn) {
  const gen = subtle.generateKey, imp = subtle.importKey;
  const refuse = (orig) => async function (...a) {
    const alg = a[0] === 'raw' || a[0] === 'pkcs8' || a[0] === 'jwk' || a[0] === 'spki' ? a[2] : a[0];
    if (alg && (alg === 'Ed25519' || alg.name === 'Ed25519')) throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
    return orig.apply(subtle, a);
  };
  subtle.generateKey = refuse(gen);
  subtle.importKey = refuse(imp);
  try { return await fn(); } finally { delete subtle.generateKey; delete subtle.importKey; }
}

test('WebCrypto: a non-extractable key signs, its public key verifies', async () => {
  const k = await keys.generate();
  assert.equal(k.soft, undefined);
  assert.equal(k.privateKey.extractable, false);
  const sig = await keys.sign(k.privateKey, text);
  assert.equal(await keys.verify(k.publicKey, sig, text), true);
});

test('without Ed25519 in WebCrypto: @noble/ed25519 makes and uses the key, and says so', async () => {
  const k = await withoutEd25519(() => keys.generate());
  assert.equal(k.soft, true);
  assert.equal(k.publicRaw.length, 32);
  const sig = await keys.sign(k.privateKey, text);
  assert.equal(sig.length, 64);
  assert.equal(await keys.verify(k.publicKey, sig, text), true);
  const bad = Uint8Array.from(text); bad[0] ^= 1;
  assert.equal(await keys.verify(k.publicKey, sig, bad), false);
  // the same signature verifies in WebCrypto: one Ed25519
  const pub = await subtle.importKey('raw', k.publicRaw, { name: 'Ed25519' }, false, ['verify']);
  assert.equal(await subtle.verify({ name: 'Ed25519' }, pub, sig, text), true);
});

test('a rekap keygen seed imports the same way with or without WebCrypto Ed25519', async () => {
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const soft = await withoutEd25519(() => keys.importSecret(Uint8Array.from(seed), new Uint8Array(32)).catch(e => e));
  assert.equal(soft.code, 'KEY_MISMATCH'); // a public key that is not the seed's
  // the seed's public key, from noble's own derivation
  const derived = (await withoutEd25519(() => keys.generate())).publicRaw; // a different key: just its length
  assert.equal(derived.length, 32);
  const ed = await import('../node_modules/@noble/ed25519/index.js');
  const pub = await ed.getPublicKeyAsync(seed);
  const a = await keys.importSecret(Uint8Array.from(seed), pub);
  const b = await withoutEd25519(() => keys.importSecret(Uint8Array.from(seed), pub));
  assert.equal(a.publicB64, b.publicB64);
  assert.equal(b.soft, true);
  const sa = await keys.sign(a.privateKey, text), sb = await keys.sign(b.privateKey, text);
  assert.deepEqual(Buffer.from(sa), Buffer.from(sb)); // Ed25519 is deterministic
});
