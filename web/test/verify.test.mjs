// Tests of web/portal/verify.js (node --test web/test/verify.test.mjs).
//
// Every piece against published vectors (RFC 6962 trees, the signed-note
// keys and signature of golang.org/x/mod/sumdb/note, the checkpoint of
// docs/LOG.md, the entry of docs/FORMATS.md); verifyEntry against a log
// built here (node:crypto signs, an independent RFC 6962 implementation
// below hashes) served by a fake fetch, with every failure path; and, when
// REKAP_BUILD names a build directory holding rekap and rekapd, against a
// real election served by rekapd.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign as nodeSign, webcrypto } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import * as V from '../portal/verify.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const vectors = JSON.parse(fs.readFileSync(path.join(here, '../../tests/vectors/rfc6962.json'), 'utf8'));

// ---- an independent reference (node:crypto, recursive RFC 6962)

const sha = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (b) => Buffer.from(b).toString('hex');
const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const b64 = (b) => Buffer.from(b).toString('base64');
const utf8 = (s) => new TextEncoder().encode(s);
const refLeaf = (e) => sha(Uint8Array.of(0), e);
const refNode = (l, r) => sha(Uint8Array.of(1), l, r);
const split = (n) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
// Merkle tree hash of a list of leaf hashes.
function mth(leaves) {
  if (leaves.length === 0) return sha(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return refNode(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
// RFC 6962 PATH(m, D[n]).
function refPath(m, leaves) {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k
    ? [...refPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...refPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

// ---- keys and notes made with node:crypto

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url'));
  return { raw, privateKey };
}
function vkeyOf(name, raw) {
  const id = hex(sha(utf8(name), Uint8Array.of(0x0a, 0x01), raw).subarray(0, 4));
  return { text: `${name}+${id}+${b64(Buffer.concat([Buffer.of(1), raw]))}`, id };
}
function signedNote(body, name, kp) {
  const id = unhex(vkeyOf(name, kp.raw).id);
  const sig = nodeSign(null, Buffer.from(body), kp.privateKey);
  return `${body}\n\u2014 ${name} ${b64(Buffer.concat([id, sig]))}\n`;
}
const checkpointBody = (origin, size, root) => `${origin}\n${size}\n${b64(root)}\n`;

// ---- published vectors

// docs/LOG.md: the log of the entries "a", "b", "c", signed with the key of
// the 32-byte zero seed.
const LOG_MD_CHECKPOINT =
  'rekap.example/pemilu2024\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n' +
  '\u2014 rekap.example/pemilu2024 TwoVarQqbjiAoKTTgocB08Y3H6VbxnAUbcIpBSDw6wfzHx1IbvDn0+uaeJvYvqGb6WGVy9rEOLRtxs9PdmhZQkPHkg8=\n';
const LOG_MD_VKEY = 'rekap.example/pemilu2024+4f0a156a+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';

// golang.org/x/mod/sumdb/note's tests (also in tests/unit/test_note.c).
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const GO_TEXT = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n';
const PETER_SIG = 'x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const ENOCH_SIG = 'rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=';

// docs/FORMATS.md: the example entry, signed with the key of RFC 8032 test 1.
const FORMATS_ENTRY =
  'rekap-entry/1\nrekap-submission/1\ntps 3273011001004\ncontest ppwp\nversion 2\n' +
  'reason "B4 laki-laki salah tulis: 59 -> 95 (\\"koreksi\\")"\n' +
  'photo 20aaaab051ac2d7ccfac5f9d14b110859c9ec2a11f2eeb00b7c023d2a2cba6b0\n' +
  'photo 3a3eeb714265eb8ca3123722a408e61b23becc7896b4b16e103d3d28031d3bdf\n' +
  'form {"format":"rekap-chasil/1","tps":"3273011001004","contest":"ppwp","voters":{"dpt":[120,130,250],"dptb":[4,3,7],"dpk":[3,2,5],"b1":[90,100,190],"b2":[3,2,5],"b3":[2,1,3],"b4":[95,103,198],"disabled":[2,1,3]},"ballots":{"received":260,"used":198,"damaged":2,"unused":60},"votes":[70,80,40],"valid":190,"invalid":8,"total":198}\n' +
  'key 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n' +
  'sig ZccORA+jODVABY0U1lw2f86rHZjMSVSAMRDwlEzC+vjOBlFxtQPgVrQxMdCzK/OhVeRRTFpyM9GlZZ/hYEi9Bw==\n' +
  'received 1707890400\nstatus accepted\n';

const code = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof V.VerifyError, 'a VerifyError: ' + e);
    assert.ok(e.message_id && e.message_en, 'messages in both languages');
    return e.code;
  }
  return 'NO ERROR';
};
const acode = async (p) => {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof V.VerifyError, 'a VerifyError: ' + e);
    assert.ok(e.message_id && e.message_en, 'messages in both languages');
    return e.code;
  }
  return 'NO ERROR';
};

// ---- base64 and hex

describe('base64', () => {
  test('canonical padded standard base64 round-trips', () => {
    for (let n = 0; n < 40; n++) {
      const b = sha(utf8(String(n))).subarray(0, n % 33);
      assert.equal(V.b64encode(b), b64(b));
      assert.deepEqual(V.b64decode(b64(b)), b);
    }
  });
  test('every other spelling is refused', () => {
    for (const s of ['AB', 'AB=', 'ABC', 'AB==A', 'AB=C', 'A===', ' QQ==', 'QQ==\n', 'QR==', 'QUI=x',
      'QUJ=', 'a-b_', 'QQ\u00e9=', '====', 'QQ%3D']) {
      assert.equal(V.b64decode(s), null, JSON.stringify(s));
    }
    assert.deepEqual(V.b64decode(''), new Uint8Array(0));
  });
  test('hex', () => {
    assert.equal(V.toHex(Uint8Array.of(0, 15, 255)), '000fff');
    assert.deepEqual(V.fromHex('000fff'), Uint8Array.of(0, 15, 255));
    assert.equal(V.fromHex('0F'), null);
    assert.equal(V.fromHex('abc'), null);
  });
});

// ---- RFC 6962 hashing and inclusion proofs

describe('RFC 6962 vectors', () => {
  const leaves = vectors.leaf_inputs_hex.map(unhex);
  test('leafHash and nodeHash give the published subtree hashes', async () => {
    for (let i = 0; i < leaves.length; i++) {
      assert.equal(hex(await V.leafHash(leaves[i])), vectors.node_hashes_by_level[0][i]);
    }
    for (let l = 1; l < vectors.node_hashes_by_level.length; l++) {
      const below = vectors.node_hashes_by_level[l - 1];
      for (let j = 0; j < vectors.node_hashes_by_level[l].length; j++) {
        assert.equal(hex(await V.nodeHash(unhex(below[2 * j]), unhex(below[2 * j + 1]))), vectors.node_hashes_by_level[l][j]);
      }
    }
  });
  test('the reference tree gives the published roots', () => {
    const lh = leaves.map(refLeaf);
    for (let n = 0; n <= 8; n++) assert.equal(hex(mth(lh.slice(0, n))), vectors.root_by_size[n]);
  });
  test('published inclusion proofs (transparency-dev/merkle) verify', async () => {
    const L = vectors.node_hashes_by_level;
    const cases = [ // [index, size, proof]
      [0, 1, []],
      [0, 8, [L[0][1], L[1][1], L[2][1]]],
      [5, 8, [L[0][4], L[1][3], L[2][0]]],
      [2, 3, [L[1][0]]],
      [1, 5, [L[0][0], L[1][1], L[0][4]]],
    ];
    for (const [i, n, p] of cases) {
      const r = await V.verifyInclusion(i, n, unhex(L[0][i]), p.map(unhex), unhex(vectors.root_by_size[n]));
      assert.ok(r.ok, `${i} of ${n}`);
      assert.equal(V.inclusionProofLength(i, n), p.length);
    }
  });
  test('every leaf of every tree of 1..8 leaves; every change fails', async () => {
    const lh = leaves.map(refLeaf);
    for (let n = 1; n <= 8; n++) {
      const root = unhex(vectors.root_by_size[n]);
      for (let m = 0; m < n; m++) {
        const p = refPath(m, lh.slice(0, n));
        assert.ok((await V.verifyInclusion(m, n, lh[m], p, root)).ok, `${m} of ${n}`);
        assert.ok((await V.verifyInclusion(BigInt(m), BigInt(n), lh[m], p, root)).ok, 'BigInt arguments');
        // another leaf, index, size, root; each hash of the path changed
        if (n > 1) assert.equal((await V.verifyInclusion(m, n, lh[(m + 1) % n], p, root)).ok, false);
        if (m + 1 < n) assert.equal((await V.verifyInclusion(m + 1, n, lh[m], p, root)).ok, false);
        // (the same path claimed for a larger tree can have the same shape: the
        // size is bound by the root it must reach, that tree's own)
        if (n < 8) assert.equal((await V.verifyInclusion(m, n + 1, lh[m], p, unhex(vectors.root_by_size[n + 1]))).ok, false);
        assert.equal((await V.verifyInclusion(m, n, lh[m], p, unhex(vectors.root_by_size[n - 1]))).reason, 'root');
        for (let k = 0; k < p.length; k++) {
          const q = p.map((h) => h.slice());
          q[k][31] ^= 1;
          assert.equal((await V.verifyInclusion(m, n, lh[m], q, root)).reason, 'root');
        }
        assert.equal((await V.verifyInclusion(m, n, lh[m], [...p, lh[0]], root)).reason, 'length');
        if (p.length) assert.equal((await V.verifyInclusion(m, n, lh[m], p.slice(1), root)).reason, 'length');
      }
      assert.equal((await V.verifyInclusion(n, n, lh[0], [], root)).reason, 'index');
    }
    assert.equal((await V.verifyInclusion(0, 0, lh[0], [], unhex(vectors.root_by_size[0]))).reason, 'index');
    assert.equal((await V.verifyInclusion(0, 1, lh[0], [], new Uint8Array(31))).reason, 'hash');
  });
  test('a tree of 1,000 leaves: sampled leaves, deep paths', async () => {
    const lh = Array.from({ length: 1000 }, (_, i) => refLeaf(utf8('entry ' + i)));
    const root = mth(lh);
    for (const m of [0, 1, 255, 256, 511, 512, 767, 768, 990, 998, 999]) {
      const p = refPath(m, lh);
      assert.equal(p.length, V.inclusionProofLength(m, 1000));
      const r = await V.verifyInclusion(m, 1000, lh[m], p, root);
      assert.ok(r.ok, String(m));
      assert.deepEqual(r.computed, root);
    }
  });
  test('a path for a tree of 2^53 - 1 leaves is bounded (53 + 1 hashes at most)', () => {
    assert.equal(V.inclusionProofLength(0, 2 ** 53 - 1), 53);
    assert.ok(V.inclusionProofLength(2 ** 53 - 2, 2 ** 53 - 1) <= 64);
  });
});

// ---- verifier keys

describe('parseVkey', () => {
  test('the published keys', async () => {
    const p = await V.parseVkey(PETER_VKEY);
    assert.equal(p.name, 'PeterNeumann');
    assert.equal(p.keyId, 0xc74f20a3);
    assert.equal(p.publicKey.length, 32);
    assert.equal(p.text, PETER_VKEY);
    const e = await V.parseVkey(ENOCH_VKEY);
    assert.equal(e.keyId, 0xaf0cfe78);
    const l = await V.parseVkey(LOG_MD_VKEY + '\n'); // as printed, with its newline
    assert.equal(l.name, 'rekap.example/pemilu2024');
    assert.deepEqual(l.publicKey, e.publicKey); // both the key of the zero seed
    // upper-case hex is the same ID (as Go's and rekap's parsers)
    assert.equal((await V.parseVkey('PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).keyId, 0xc74f20a3);
  });
  test('a key made here', async () => {
    const kp = keyPair();
    const v = vkeyOf('example.org/log', kp.raw);
    const p = await V.parseVkey(v.text);
    assert.deepEqual(p.publicKey, kp.raw);
    assert.equal(p.keyId.toString(16).padStart(8, '0'), v.id);
  });
  test('malformed keys are refused (the vectors of tests/unit/test_note.c)', async () => {
    for (const k of [
      'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==', // length
      'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // algorithm
      'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // key ID
      'Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // "+" in the name
      'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // space in the name
      'Peter\u00a0Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // Unicode space
      'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', // 7 hex digits
      'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX', // unused bits
      'PeterNeumann+c74f20a3', '', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    ]) {
      assert.equal(await acode(V.parseVkey(k)), 'VKEY', k);
    }
    assert.equal(await acode(V.parseVkey(undefined)), 'VKEY');
  });
});

// ---- Ed25519 and checkpoints

describe('ed25519Verify', () => {
  test('the signature of golang.org/x/mod/sumdb/note verifies, a changed text does not', async () => {
    const p = await V.parseVkey(PETER_VKEY);
    const blob = V.b64decode(PETER_SIG);
    assert.equal(await V.ed25519Verify(p.publicKey, blob.subarray(4), utf8(GO_TEXT)), true);
    assert.equal(await V.ed25519Verify(p.publicKey, blob.subarray(4), utf8(GO_TEXT.replace('answer', 'Answer'))), false);
    assert.equal(await V.ed25519Verify(p.publicKey, blob.subarray(5), utf8(GO_TEXT)), false);
  });
  test('a browser without Ed25519 checks with @noble/ed25519 instead, as strictly', async () => {
    const subtle = {
      digest: (...a) => webcrypto.subtle.digest(...a),
      verify: (...a) => webcrypto.subtle.verify(...a),
      importKey: async () => {
        throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
      },
    };
    const p = await V.parseVkey(PETER_VKEY);
    const blob = V.b64decode(PETER_SIG);
    assert.equal(await V.ed25519Verify(p.publicKey, blob.subarray(4), utf8(GO_TEXT), { subtle }), true);
    assert.equal(await V.ed25519Verify(p.publicKey, blob.subarray(4), utf8(GO_TEXT.replace('answer', 'Answer')), { subtle }), false);
    assert.equal(await V.ed25519Verify(p.publicKey, new Uint8Array(64), utf8(GO_TEXT), { subtle }), false);
    assert.equal(await acode(V.ed25519Verify(p.publicKey, new Uint8Array(64), utf8(GO_TEXT), {})), 'NO_WEBCRYPTO');
  });
});

describe('parseCheckpoint and verifyCheckpoint', () => {
  test('the checkpoint of docs/LOG.md', async () => {
    const cp = V.parseCheckpoint(LOG_MD_CHECKPOINT);
    assert.equal(cp.origin, 'rekap.example/pemilu2024');
    assert.equal(cp.size, 3);
    assert.deepEqual(cp.root, mth(['a', 'b', 'c'].map((s) => refLeaf(utf8(s)))));
    assert.equal(new TextDecoder().decode(cp.body), 'rekap.example/pemilu2024\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n');
    assert.equal(cp.signatures.length, 1);
    assert.equal(cp.signatures[0].keyId, 0x4f0a156a);
    assert.equal(await V.verifyCheckpoint(cp, await V.parseVkey(LOG_MD_VKEY)), true);
    // bytes as well as text
    assert.equal(V.parseCheckpoint(utf8(LOG_MD_CHECKPOINT)).size, 3);
  });
  test('cosignatures by other keys are ignored; the log key\'s must be there and verify', async () => {
    const vk = await V.parseVkey(LOG_MD_VKEY);
    const w = `\u2014 witness.example/w1 ${b64(Buffer.concat([Buffer.from(sha(utf8('w'))).subarray(0, 4), Buffer.alloc(64, 7)]))}\n`;
    assert.equal(await V.verifyCheckpoint(V.parseCheckpoint(LOG_MD_CHECKPOINT + w), vk), true);
    const at = LOG_MD_CHECKPOINT.indexOf('\u2014');
    const body = LOG_MD_CHECKPOINT.slice(0, at), logSig = LOG_MD_CHECKPOINT.slice(at);
    assert.equal(await V.verifyCheckpoint(V.parseCheckpoint(body + w + logSig), vk), true); // witness first
    assert.equal(await V.verifyCheckpoint(V.parseCheckpoint(body + logSig + logSig), vk), true); // repeated
    // only a witness: not signed by the log
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(body + w), vk)), 'CHECKPOINT_UNSIGNED');
    // a bad signature by the log key before its good one rejects the note
    const badSig = logSig.replace(/ (\S+)\n$/, (_, s) => { const x = V.b64decode(s); x[10] ^= 1; return ` ${b64(x)}\n`; });
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(body + badSig + logSig), vk)), 'CHECKPOINT_SIGNATURE');
  });
  test('a tampered root, another key, another origin fail', async () => {
    const vk = await V.parseVkey(LOG_MD_VKEY);
    const tampered = LOG_MD_CHECKPOINT.replace('NmQuc8JUCrEh46a', 'NmQuc8JUCrEh46b');
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(tampered), vk)), 'CHECKPOINT_SIGNATURE');
    const bigger = LOG_MD_CHECKPOINT.replace('\n3\n', '\n4\n');
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(bigger), vk)), 'CHECKPOINT_SIGNATURE');
    const other = await V.parseVkey(vkeyOf('rekap.example/pemilu2024', keyPair().raw).text);
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(LOG_MD_CHECKPOINT), other)), 'CHECKPOINT_UNSIGNED');
    const elsewhere = await V.parseVkey(vkeyOf('other.example/log', keyPair().raw).text);
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(LOG_MD_CHECKPOINT), elsewhere)), 'CHECKPOINT_ORIGIN');
    // the right key ID with a signature of the wrong length
    const short = LOG_MD_CHECKPOINT.replace(/ (\S+)\n$/, (_, s) => ` ${b64(V.b64decode(s).subarray(0, 60))}\n`);
    assert.equal(await acode(V.verifyCheckpoint(V.parseCheckpoint(short), vk)), 'CHECKPOINT_SIGNATURE');
  });
  test('a checkpoint signed here', async () => {
    const kp = keyPair();
    const root = sha(utf8('root'));
    const note = signedNote(checkpointBody('example.org/log', 12345, root), 'example.org/log', kp);
    const cp = V.parseCheckpoint(note);
    assert.equal(cp.size, 12345);
    assert.equal(await V.verifyCheckpoint(cp, await V.parseVkey(vkeyOf('example.org/log', kp.raw).text)), true);
  });
  test('malformed checkpoints are refused', () => {
    const C = LOG_MD_CHECKPOINT;
    const sigLine = C.slice(C.indexOf('\u2014'));
    const bad = {
      'no blank line': C.replace('\n\n', '\n'),
      'no signature': C.slice(0, C.indexOf('\u2014')),
      'no final newline': C.slice(0, -1),
      'CR LF': C.replace(/\n/g, '\r\n'),
      'a tab': C.replace('rekap.example', 'rekap\texample'),
      'leading zero': C.replace('\n3\n', '\n03\n'),
      'negative size': C.replace('\n3\n', '\n-3\n'),
      'size 2^64': C.replace('\n3\n', '\n18446744073709551616\n'),
      'size over 2^53': C.replace('\n3\n', '\n9007199254740992\n'),
      'non-canonical root': C.replace('CHsE=', 'CHsF='),
      'short root': C.replace('NmQuc8JU', ''),
      'extension line': C.replace('CHsE=\n', 'CHsE=\nextension\n'),
      'two lines': C.replace('3\n', ''),
      'empty origin': C.replace('rekap.example/pemilu2024\n3', '\n3'),
      'hyphen for the em dash': C.replace('\u2014 ', '- '),
      'no space after the dash': C.replace('\u2014 ', '\u2014'),
      'no key name': C.replace('\u2014 rekap.example/pemilu2024 ', '\u2014  '),
      'signature too short': C.replace(/ \S+\n$/, ' AAAA\n'),
      'signature not base64': C.replace(/ \S+\n$/, ' ****\n'),
      'a blank line among signatures': C + '\n' + sigLine,
      'too many signatures': C + sigLine.repeat(100),
      'too large': C.replace('\n\n', '\n' + 'x'.repeat(20000) + '\n\n'),
    };
    for (const [what, text] of Object.entries(bad)) {
      assert.equal(code(() => V.parseCheckpoint(text)), 'CHECKPOINT_MALFORMED', what);
    }
    const invalidUtf8 = new Uint8Array([...utf8(C)]);
    invalidUtf8[0] = 0xff;
    assert.equal(code(() => V.parseCheckpoint(invalidUtf8)), 'CHECKPOINT_MALFORMED');
    // 100 signature lines are fine
    assert.equal(V.parseCheckpoint(C + sigLine.repeat(99)).signatures.length, 100);
  });
});

// ---- tiles and bundles

describe('entry bundles', () => {
  test('tile index encoding (tlog-tiles)', () => {
    const want = { 0: '000', 7: '007', 255: '255', 999: '999', 1000: 'x001/000', 1234067: 'x001/x234/067', 70000: 'x070/000' };
    for (const [n, s] of Object.entries(want)) assert.equal(V.encodeTileIndex(Number(n)), s);
  });
  test('bundle paths: full and partial (the spec\'s example of 70,000 entries)', () => {
    assert.deepEqual(V.bundlePath(0, 3), { path: '/log/tile/entries/000.p/3', width: 3 });
    assert.deepEqual(V.bundlePath(0, 70000), { path: '/log/tile/entries/000', width: 256 });
    assert.deepEqual(V.bundlePath(272 * 256 + 255, 70000), { path: '/log/tile/entries/272', width: 256 });
    assert.deepEqual(V.bundlePath(273 * 256, 70000), { path: '/log/tile/entries/273.p/112', width: 112 });
    assert.deepEqual(V.bundlePath(69999, 70000), { path: '/log/tile/entries/273.p/112', width: 112 });
    assert.deepEqual(V.bundlePath(511, 512), { path: '/log/tile/entries/001', width: 256 });
    assert.deepEqual(V.bundlePath(256000, 256001), { path: '/log/tile/entries/x001/000.p/1', width: 1 });
  });
  const bundleOf = (entries) => Buffer.concat(entries.flatMap((e) => [Buffer.of(e.length >> 8, e.length & 255), Buffer.from(e)]));
  test('parseBundle reads what a bundle holds', () => {
    const entries = [utf8('a'), new Uint8Array(0), new Uint8Array(300).fill(9), new Uint8Array(65535).fill(1)];
    const got = V.parseBundle(new Uint8Array(bundleOf(entries)), 4);
    assert.deepEqual(got.map((e) => Buffer.from(e)), entries.map((e) => Buffer.from(e)));
    const full = Array.from({ length: 256 }, (_, i) => utf8('e' + i));
    assert.equal(V.parseBundle(new Uint8Array(bundleOf(full)), 256)[255].length, 4);
    assert.equal(V.parseBundle(new Uint8Array(bundleOf(full))).length, 256);
  });
  test('parseBundle refuses a bundle that is not exactly `width` entries', () => {
    const b = new Uint8Array(bundleOf([utf8('abc'), utf8('de')]));
    assert.equal(code(() => V.parseBundle(b, 3)), 'BUNDLE_MALFORMED'); // too few
    assert.equal(code(() => V.parseBundle(b, 1)), 'BUNDLE_MALFORMED'); // too many
    assert.equal(code(() => V.parseBundle(b.subarray(0, b.length - 1), 2)), 'BUNDLE_MALFORMED'); // entry cut
    assert.equal(code(() => V.parseBundle(b.subarray(0, 6), 2)), 'BUNDLE_MALFORMED'); // length cut
    assert.equal(code(() => V.parseBundle(new Uint8Array([...b, 0]), 2)), 'BUNDLE_MALFORMED'); // a stray byte
    const tooMany = new Uint8Array(bundleOf(Array.from({ length: 257 }, () => utf8('x'))));
    assert.equal(code(() => V.parseBundle(tooMany)), 'BUNDLE_MALFORMED');
  });
});

// ---- entries

describe('parseEntry', () => {
  test('the entry of docs/FORMATS.md and its officer signature', async () => {
    const e = V.parseEntry(utf8(FORMATS_ENTRY));
    assert.equal(e.tps, '3273011001004');
    assert.equal(e.contest, 'ppwp');
    assert.equal(e.version, 2);
    assert.equal(e.reason, 'B4 laki-laki salah tulis: 59 -> 95 ("koreksi")');
    assert.equal(e.photos.length, 2);
    assert.equal(e.form.valid, 190);
    assert.equal(e.status, 'accepted');
    assert.equal(e.received, 1707890400);
    assert.equal(e.text, FORMATS_ENTRY);
    const sub = FORMATS_ENTRY.slice('rekap-entry/1\n'.length, FORMATS_ENTRY.indexOf('key '));
    assert.equal(new TextDecoder().decode(e.submission), sub);
    assert.equal(await V.ed25519Verify(e.key, e.sig, e.submission), true);
    // one changed byte anywhere in the submission breaks it
    for (const at of [0, 20, 45, 100, sub.length - 2]) {
      const b = utf8(FORMATS_ENTRY);
      b['rekap-entry/1\n'.length + at] ^= 1;
      let ok;
      try {
        const x = V.parseEntry(b);
        ok = await V.ed25519Verify(x.key, x.sig, x.submission);
      } catch (err) {
        ok = err.code;
      }
      assert.notEqual(ok, true, `byte ${at}`);
    }
  });
  test('a rejected entry, a first version, a PSU', () => {
    const rej = FORMATS_ENTRY.replace('status accepted', 'status rejected B4_SUM,TOTAL_B4');
    const e = V.parseEntry(utf8(rej));
    assert.equal(e.accepted, false);
    assert.deepEqual(e.rejectedCodes, ['B4_SUM', 'TOTAL_B4']);
    const v1 = FORMATS_ENTRY.replace('version 2\n', 'version 1\n').replace(/reason .*\n/, '');
    assert.equal(V.parseEntry(utf8(v1)).reason, null);
    const psu = FORMATS_ENTRY.replace(/(reason .*\n)/, '$1psu recount\n');
    assert.equal(V.parseEntry(utf8(psu)).psu, 'recount');
  });
  test('malformed entries are refused', () => {
    const E = FORMATS_ENTRY;
    const bad = {
      'format line': E.replace('rekap-entry/1', 'rekap-entry/2'),
      'submission line': E.replace('rekap-submission/1', 'rekap-submission/2'),
      'CR LF': E.replace(/\n/g, '\r\n'),
      'no final LF': E.slice(0, -1),
      'tps of 12 digits': E.replace('tps 3273011001004', 'tps 327301100100'),
      'contest in capitals': E.replace('contest ppwp', 'contest PPWP'),
      'leading zero version': E.replace('version 2', 'version 02'),
      'version 1000': E.replace('version 2', 'version 1000'),
      'no reason on a correction': E.replace(/reason .*\n/, ''),
      'upper-case photo hash': E.replace('photo 20aaaab0', 'photo 20AAAAB0'),
      'no form line': E.replace(/form .*\n/, ''),
      'no key line': E.replace(/key .*\n/, ''),
      'lines swapped': E.replace(/(key .*\n)(sig .*\n)/, '$2$1'),
      'a line after status': E + 'extra 1\n',
      'non-canonical key': E.replace('HURo=', 'HURp='),
      'short signature': E.replace('Bw==', ''),
      'received with leading zero': E.replace('received 1707890400', 'received 01707890400'),
      'unknown status': E.replace('status accepted', 'status maybe'),
      'empty rejection': E.replace('status accepted', 'status rejected '),
    };
    for (const [what, text] of Object.entries(bad)) {
      assert.equal(code(() => V.parseEntry(utf8(text))), 'ENTRY_MALFORMED', what);
    }
    assert.equal(code(() => V.parseEntry(new Uint8Array([0xc3, 0x28]))), 'ENTRY_MALFORMED');
    assert.equal(code(() => V.parseEntry(new Uint8Array(65536))), 'ENTRY_MALFORMED');
  });
});

// ---- verifyEntry against a log built here, served by a fake fetch

const BASE = 'https://log.example';
const ORIGIN = 'log.example/test';

function makeEntry(i, officer) {
  const tps = String(6501011001000 + (i % 1000) + 1);
  const submission =
    `rekap-submission/1\ntps ${tps}\ncontest dpr\nversion 1\n` +
    `form {"format":"rekap-chasil/1","tps":"${tps}","contest":"dpr","n":${i}}\n`;
  const sig = nodeSign(null, Buffer.from(submission), officer.privateKey);
  return utf8(`rekap-entry/1\n${submission}key ${b64(officer.raw)}\nsig ${b64(sig)}\nreceived ${1707890400 + i}\nstatus accepted\n`);
}

// A log of n entries: its files, its proofs, and a fetch that serves them.
function makeLog(n) {
  const logKey = keyPair();
  const officer = keyPair();
  const entries = Array.from({ length: n }, (_, i) => makeEntry(i, officer));
  const leaves = entries.map(refLeaf);
  const root = mth(leaves);
  const checkpoint = utf8(signedNote(checkpointBody(ORIGIN, n, root), ORIGIN, logKey));
  const vkey = vkeyOf(ORIGIN, logKey.raw).text;
  const files = new Map();
  for (let t = 0; t * 256 < n; t++) {
    const es = entries.slice(t * 256, t * 256 + 256);
    const p = es.length === 256 ? V.bundlePath(t * 256, n).path : `/log/tile/entries/${V.encodeTileIndex(t)}.p/${es.length}`;
    files.set(p, new Uint8Array(Buffer.concat(es.flatMap((e) => [Buffer.of(e.length >> 8, e.length & 255), Buffer.from(e)]))));
  }
  const proofJson = (i, size) => utf8(JSON.stringify({
    index: i, size, checkpoint_size: n, entry_bundle: V.bundlePath(i, size).path,
    leaf_hash: hex(leaves[i]), root: hex(mth(leaves.slice(0, size))),
    proof: refPath(i, leaves.slice(0, size)).map(hex),
  }));
  const requests = [];
  // `tamper(path, bytes)` may change what is served.
  const fetchWith = (tamper = (p, b) => b) => async (url) => {
    requests.push(url);
    const u = new URL(url);
    let body = null;
    if (u.pathname === '/log/checkpoint') body = checkpoint;
    else if (files.has(u.pathname)) body = files.get(u.pathname);
    else {
      const m = /^\/api\/v1\/proof\/([0-9]+)$/.exec(u.pathname);
      const size = Number(u.searchParams.get('size') ?? n);
      if (m && Number(m[1]) < size && size <= n) body = proofJson(Number(m[1]), size);
    }
    body = body && tamper(u.pathname + u.search, body);
    if (body instanceof Response) return body;
    return body ? new Response(body, { status: 200 }) : new Response('{"code":"NOT_FOUND"}', { status: 404 });
  };
  return { n, entries, leaves, root, checkpoint, vkey, files, proofJson, fetchWith, requests, logKey, officer };
}

const byId = (r) => Object.fromEntries(r.checks.map((c) => [c.id, c]));
const codes = (r) => r.checks.map((c) => `${c.id}:${c.code}`).join(' ');

function assertChecksShape(r) {
  assert.deepEqual(r.checks.map((c) => c.id), ['checkpoint', 'proof', 'signature']);
  for (const c of r.checks) {
    assert.equal(typeof c.ok, 'boolean');
    assert.ok(c.message_id.length > 10 && c.message_en.length > 10, 'both messages');
    assert.equal(typeof c.detail, 'string');
  }
  assert.equal(r.ok, r.checks.every((c) => c.ok));
}

describe('verifyEntry (a log built here, fake fetch)', () => {
  const log = makeLog(300); // bundle 000 full, 001.p/44 partial
  const run = (index, opts = {}) =>
    V.verifyEntry({ base: BASE, index, vkey: log.vkey, fetch: log.fetchWith(opts.tamper), ...opts.extra });

  test('first, last of a full bundle, first and last of the partial bundle', async () => {
    for (const i of [0, 255, 256, 299]) {
      log.requests.length = 0;
      const r = await run(i);
      assertChecksShape(r);
      assert.ok(r.ok, `${i}: ${codes(r)}`);
      assert.equal(r.size, 300);
      assert.equal(r.entry.tps, String(6501011001000 + (i % 1000) + 1));
      assert.equal(r.entry.contest, 'dpr');
      assert.equal(r.entry.version, 1);
      assert.equal(r.entry.text, new TextDecoder().decode(log.entries[i]));
      assert.equal(byId(r).signature.message_id.startsWith('Tanda tangan sah'), true);
      assert.equal(byId(r).signature.message_en.startsWith('The signature is valid'), true);
      // three requests, all to the base, the bundle and proof paths computed here
      assert.deepEqual(log.requests, [
        `${BASE}/log/checkpoint`, `${BASE}${V.bundlePath(i, 300).path}`, `${BASE}/api/v1/proof/${i}?size=300`]);
    }
  });
  test('index as a string; base with a trailing slash', async () => {
    const r = await V.verifyEntry({ base: BASE + '/', index: '17', vkey: log.vkey + '\n', fetch: log.fetchWith() });
    assert.ok(r.ok, codes(r));
  });

  test('another log key with the same name: the checkpoint fails, nothing else is checked', async () => {
    const other = vkeyOf(ORIGIN, keyPair().raw).text;
    const r = await V.verifyEntry({ base: BASE, index: 3, vkey: other, fetch: log.fetchWith() });
    assertChecksShape(r);
    assert.equal(codes(r), 'checkpoint:CHECKPOINT_UNSIGNED proof:NOT_CHECKED signature:NOT_CHECKED');
    assert.equal(r.ok, false);
    assert.equal(r.size, null);
    assert.equal(r.entry, null);
  });
  test('a key of another log; a malformed key', async () => {
    let r = await V.verifyEntry({ base: BASE, index: 3, vkey: vkeyOf('other.example/log', keyPair().raw).text, fetch: log.fetchWith() });
    assert.equal(byId(r).checkpoint.code, 'CHECKPOINT_ORIGIN');
    assert.match(byId(r).checkpoint.message_en, /other\.example\/log/);
    r = await V.verifyEntry({ base: BASE, index: 3, vkey: 'not a key', fetch: log.fetchWith() });
    assert.equal(byId(r).checkpoint.code, 'VKEY');
    r = await V.verifyEntry({ base: BASE, index: 3, fetch: log.fetchWith() });
    assert.equal(byId(r).checkpoint.code, 'VKEY');
  });
  test('a tampered checkpoint root (or size)', async () => {
    const tamperRoot = (p, b) => {
      if (p !== '/log/checkpoint') return b;
      const lines = new TextDecoder().decode(b).split('\n');
      lines[2] = b64(sha(utf8('another root')));
      return utf8(lines.join('\n'));
    };
    let r = await run(5, { tamper: tamperRoot });
    assert.equal(codes(r), 'checkpoint:CHECKPOINT_SIGNATURE proof:NOT_CHECKED signature:NOT_CHECKED');
    assert.match(byId(r).checkpoint.message_id, /TIDAK sah/);
    const tamperSize = (p, b) => (p === '/log/checkpoint' ? utf8(new TextDecoder().decode(b).replace('\n300\n', '\n301\n')) : b);
    r = await run(5, { tamper: tamperSize });
    assert.equal(byId(r).checkpoint.code, 'CHECKPOINT_SIGNATURE');
  });
  test('a tampered proof hash', async () => {
    const tamper = (p, b) => {
      if (!p.startsWith('/api/v1/proof/')) return b;
      const j = JSON.parse(new TextDecoder().decode(b));
      j.proof[2] = j.proof[2].slice(0, 10) + (j.proof[2][10] === '0' ? '1' : '0') + j.proof[2].slice(11);
      return utf8(JSON.stringify(j));
    };
    const r = await run(5, { tamper });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_ROOT signature:OK');
    assert.match(byId(r).proof.message_en, /does NOT match.*computed.*differs from the signed root/);
    assert.equal(r.ok, false);
  });
  test('a proof with a hash missing or added; a malformed proof answer', async () => {
    const edit = (f) => (p, b) => (p.startsWith('/api/v1/proof/') ? utf8(JSON.stringify(f(JSON.parse(new TextDecoder().decode(b))))) : b);
    let r = await run(5, { tamper: edit((j) => ({ ...j, proof: j.proof.slice(1) })) });
    assert.equal(byId(r).proof.code, 'PROOF_LENGTH');
    r = await run(5, { tamper: edit((j) => ({ ...j, proof: [...j.proof, j.proof[0]] })) });
    assert.equal(byId(r).proof.code, 'PROOF_LENGTH');
    r = await run(5, { tamper: edit((j) => ({ ...j, proof: j.proof.map((h) => h.toUpperCase()) })) });
    assert.equal(byId(r).proof.code, 'PROOF_MALFORMED');
    r = await run(5, { tamper: edit((j) => ({ ...j, proof: Array(65).fill(j.proof[0]) })) });
    assert.equal(byId(r).proof.code, 'PROOF_MALFORMED');
    r = await run(5, { tamper: (p, b) => (p.startsWith('/api/') ? utf8('not json') : b) });
    assert.equal(byId(r).proof.code, 'PROOF_MALFORMED');
  });
  test('the server\'s own root and leaf hash are not trusted', async () => {
    // A forged entry in the bundle with a self-consistent proof answer (its
    // leaf_hash, path and root computed for the forged tree): only the signed
    // root can catch it.
    const forged = log.entries.slice();
    forged[7] = makeEntry(1007, log.officer); // a valid officer signature, not the logged entry
    const fl = forged.map(refLeaf);
    const tamper = (p, b) => {
      if (p === '/log/tile/entries/000') {
        return new Uint8Array(Buffer.concat(forged.slice(0, 256).flatMap((e) => [Buffer.of(e.length >> 8, e.length & 255), Buffer.from(e)])));
      }
      if (p.startsWith('/api/v1/proof/')) {
        return utf8(JSON.stringify({ index: 7, size: 300, leaf_hash: hex(fl[7]), root: hex(mth(fl)), proof: refPath(7, fl).map(hex) }));
      }
      return b;
    };
    const r = await run(7, { tamper });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_ROOT signature:OK');
    assert.match(byId(r).proof.detail, /server's root [0-9a-f]{64} is not the signed root/);
  });
  test('a flipped byte in the submission text of the entry', async () => {
    const tamper = (p, b) => {
      if (p !== '/log/tile/entries/001.p/44') return b;
      const c = b.slice();
      const at = c.indexOf(0x7b /* { */, 2 + log.entries[256].length + 2 + 1); // the form of entry 257
      c[at + 3] ^= 0x01;
      return c;
    };
    const r = await run(257, { tamper });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_ROOT signature:SIGNATURE');
    assert.match(byId(r).signature.message_id, /^Tanda tangan petugas KPPS TIDAK sah/);
    assert.match(byId(r).signature.message_en, /^The KPPS officer's signature is NOT valid/);
    assert.equal(r.entry.tps, String(6501011001000 + 257 + 1)); // what the entry says, shown with the failure
    // entry 256, in the same bundle, is untouched
    assert.ok((await run(256, { tamper })).ok);
  });
  test('a changed signature on the entry', async () => {
    const tamper = (p, b) => {
      if (p !== '/log/tile/entries/000') return b;
      const c = b.slice();
      const at = Buffer.from(c).indexOf('\nsig ', 2) + 10;
      c[at] = c[at] === 0x41 ? 0x42 : 0x41; // another base64 digit
      return c;
    };
    const r = await run(0, { tamper });
    assert.equal(byId(r).signature.code, 'SIGNATURE');
  });
  test('a wrong index', async () => {
    let r = await run(300);
    assert.equal(codes(r), 'checkpoint:OK proof:INDEX signature:NOT_CHECKED');
    assert.match(byId(r).proof.message_en, /Entry #300 is not in the log: the signed log holds 300 entries \(#0 to #299\)/);
    assert.equal(r.size, 300);
    for (const bad of [-1, 1.5, '01', 'abc', null, undefined, 2 ** 53]) {
      r = await run(bad);
      assert.equal(byId(r).proof.code, 'INDEX', String(bad));
    }
    // the server answers with the proof of another entry
    r = await run(8, { tamper: (p, b) => (p.startsWith('/api/v1/proof/8?') ? log.proofJson(9, 300) : b) });
    assert.equal(byId(r).proof.code, 'PROOF_OTHER');
    // ... or of a smaller tree
    r = await run(8, { tamper: (p, b) => (p.startsWith('/api/v1/proof/8?') ? log.proofJson(8, 299) : b) });
    assert.equal(byId(r).proof.code, 'PROOF_OTHER');
    // the server serves another bundle in place of the entry's
    r = await run(8, { tamper: (p, b) => (p === '/log/tile/entries/000' ? log.files.get('/log/tile/entries/000').slice() .reverse() : b) });
    assert.equal(byId(r).proof.code, 'BUNDLE_MALFORMED');
    const swapped = new Uint8Array(Buffer.concat([...log.entries.slice(0, 256)].reverse().flatMap((e) => [Buffer.of(e.length >> 8, e.length & 255), Buffer.from(e)])));
    r = await run(8, { tamper: (p, b) => (p === '/log/tile/entries/000' ? swapped : b) });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_ROOT signature:OK'); // a real entry, the wrong place
  });
  test('an empty log', async () => {
    const kp = keyPair();
    const cp = utf8(signedNote(checkpointBody(ORIGIN, 0, sha(new Uint8Array(0))), ORIGIN, kp));
    const r = await V.verifyEntry({ base: BASE, index: 0, vkey: vkeyOf(ORIGIN, kp.raw).text, fetch: async () => new Response(cp) });
    assert.equal(codes(r), 'checkpoint:OK proof:INDEX signature:NOT_CHECKED');
    assert.match(byId(r).proof.message_id, /masih kosong/);
  });

  test('oversized answers are refused, also without Content-Length and when endless', async () => {
    // a checkpoint of 20,000 bytes
    let r = await run(0, { tamper: (p, b) => (p === '/log/checkpoint' ? new Uint8Array(20000).fill(0x41) : b) });
    assert.equal(byId(r).checkpoint.code, 'CHECKPOINT_TOO_LARGE');
    assert.match(byId(r).checkpoint.message_en, /too large \(over 16,384 bytes\)/);
    // an endless stream without Content-Length: read until the limit, then cancelled
    let pulled = 0;
    const endless = () => new Response(new ReadableStream({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1000).fill(0x41));
      },
    }));
    r = await run(0, { tamper: (p, b) => (p === '/log/checkpoint' ? endless() : b) });
    assert.equal(byId(r).checkpoint.code, 'CHECKPOINT_TOO_LARGE');
    assert.ok(pulled < 40, `stopped after ${pulled} chunks`);
    // a proof answer of 20 KB
    r = await run(0, { tamper: (p, b) => (p.startsWith('/api/') ? utf8(JSON.stringify({ pad: 'x'.repeat(20000) })) : b) });
    assert.equal(byId(r).proof.code, 'PROOF_TOO_LARGE');
    // a partial bundle of 44 entries larger than 44 entries can be
    pulled = 0;
    r = await run(299, { tamper: (p, b) => (p === '/log/tile/entries/001.p/44' ? endless() : b) });
    assert.equal(byId(r).proof.code, 'BUNDLE_TOO_LARGE');
    assert.equal(byId(r).signature.code, 'NOT_CHECKED');
    assert.ok(pulled <= 44 * 65537 / 1000 + 2, `stopped after ${pulled} chunks`);
    // a Content-Length over the limit is refused before reading
    r = await run(0, {
      tamper: (p, b) => (p === '/log/checkpoint' ? new Response(b, { headers: { 'content-length': '999999' } }) : b),
    });
    assert.equal(byId(r).checkpoint.code, 'CHECKPOINT_TOO_LARGE');
  });
  test('HTTP errors and network failures', async () => {
    let r = await V.verifyEntry({ base: BASE, index: 0, vkey: log.vkey, fetch: async () => new Response('no', { status: 404 }) });
    assert.equal(codes(r), 'checkpoint:CHECKPOINT_FETCH proof:NOT_CHECKED signature:NOT_CHECKED');
    assert.match(byId(r).checkpoint.message_en, /HTTP 404/);
    r = await V.verifyEntry({ base: BASE, index: 0, vkey: log.vkey, fetch: async () => { throw new TypeError('fetch failed'); } });
    assert.equal(byId(r).checkpoint.code, 'CHECKPOINT_FETCH');
    r = await run(0, { tamper: (p, b) => (p.startsWith('/log/tile/') ? new Response('gone', { status: 404 }) : b) });
    assert.equal(codes(r), 'checkpoint:OK proof:BUNDLE_FETCH signature:NOT_CHECKED');
    r = await run(0, { tamper: (p, b) => (p.startsWith('/api/') ? new Response('busy', { status: 503 }) : b) });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_FETCH signature:OK'); // the entry itself was read
  });
  test('a browser without Ed25519 still verifies (@noble/ed25519); without WebCrypto it says so', async () => {
    const noEd = {
      subtle: {
        digest: (...a) => webcrypto.subtle.digest(...a),
        verify: (...a) => webcrypto.subtle.verify(...a),
        importKey: async (fmt, k, alg) => {
          if (alg && alg.name === 'Ed25519') throw new DOMException('Unrecognized algorithm name', 'NotSupportedError');
          return webcrypto.subtle.importKey(fmt, k, alg);
        },
      },
    };
    let r = await run(0, { extra: { crypto: noEd } });
    assert.equal(codes(r), 'checkpoint:OK proof:OK signature:OK');
    r = await run(0, { extra: { crypto: undefined } });
    assert.equal(byId(r).checkpoint.code, 'OK'); // undefined: the default, globalThis.crypto
    r = await run(0, { extra: { crypto: {} } });
    assert.equal(codes(r), 'checkpoint:NO_WEBCRYPTO proof:NOT_CHECKED signature:NOT_CHECKED');
  });
});

// ---- verifyEntry against rekapd serving a real election (REKAP_BUILD)

const BUILD = process.env.REKAP_BUILD && path.resolve(process.env.REKAP_BUILD); // absolute, or from the current directory
const haveBuild = !!BUILD && fs.existsSync(path.join(BUILD, 'rekap')) && fs.existsSync(path.join(BUILD, 'rekapd'));

describe('verifyEntry against rekapd', { skip: haveBuild ? false : 'set REKAP_BUILD to a build directory with rekap and rekapd' }, () => {
  let tmp, server, base, vkeyLine, size;
  const submitted = new Map(); // log index -> { tps, contest, version, accepted }
  const rekap = (...args) => {
    const r = spawnSync(path.join(BUILD, 'rekap'), args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    return r;
  };
  const must = (r, what) => {
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    return r.stdout;
  };
  const record = (out) => {
    for (const m of out.matchAll(/: ([0-9]{13}) ([a-z_]+) v([0-9]+): (accepted|rejected)[^#\n]*#([0-9]+)/g)) {
      submitted.set(Number(m[5]), { tps: m[1], contest: m[2], version: Number(m[3]), accepted: m[4] === 'accepted' });
    }
  };

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rekap-verify-'));
    const D = path.join(tmp, 'D');
    must(rekap('gen', '--scope', '65', '--seed', '7', '--out', path.join(tmp, 'el.json'), '--forms', path.join(tmp, 'forms.jsonl')), 'gen');
    const init = must(rekap('init', '--dir', D, '--election', path.join(tmp, 'el.json'), '--origin', 'example.org/kaltara'), 'init');
    vkeyLine = /^verifier key: (.*)$/m.exec(init)[1];
    must(rekap('enrol', '--dir', D, '--generate', path.join(tmp, 'keys')), 'enrol');
    // 600 forms, then an accepted correction and a rejected one: 602 entries,
    // bundles 000 and 001 full, 002.p/90 partial.
    const forms = fs.readFileSync(path.join(tmp, 'forms.jsonl'), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(tmp, 'some.jsonl'), forms.slice(0, 600).join('\n') + '\n');
    let r = rekap('submit', '--dir', D, '--keys', path.join(tmp, 'keys'), path.join(tmp, 'some.jsonl'));
    must(r, 'submit');
    record(r.stdout + r.stderr);
    const first = JSON.parse(forms[0]);
    fs.writeFileSync(path.join(tmp, 'fix.json'), JSON.stringify(first));
    r = rekap('submit', '--dir', D, '--keys', path.join(tmp, 'keys'), '--version', '2', '--reason', 'salah tulis "B4"', path.join(tmp, 'fix.json'));
    must(r, 'correction');
    record(r.stdout + r.stderr);
    first.valid += 1;
    fs.writeFileSync(path.join(tmp, 'bad.json'), JSON.stringify(first));
    r = rekap('submit', '--dir', D, '--keys', path.join(tmp, 'keys'), '--version', '3', '--reason', 'salah hitung', path.join(tmp, 'bad.json'));
    assert.equal(r.status, 1, 'a broken correction is rejected: ' + r.stderr);
    record(r.stdout + r.stderr);
    assert.equal(submitted.size, 602, 'every submission reported with its log index');

    const ports = path.join(tmp, 'ports');
    server = spawn(path.join(BUILD, 'rekapd'), ['--dir', D, '--ingest-port', '0', '--public-port', '0', '--port-file', ports,
      '--set', 'public_ip_rate=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    server.stderr.on('data', (d) => { log += d; });
    for (let i = 0; i < 300 && !(fs.existsSync(ports) && /public=/.test(fs.readFileSync(ports, 'utf8'))); i++) {
      if (server.exitCode !== null) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const m = fs.existsSync(ports) && /^public=([0-9]+)$/m.exec(fs.readFileSync(ports, 'utf8'));
    assert.ok(m, 'rekapd started: ' + log);
    base = `http://127.0.0.1:${m[1]}`;
    size = Number((await (await fetch(base + '/log/checkpoint')).text()).split('\n')[1]);
    assert.equal(size, 602);
  });
  after(async () => {
    if (server && server.exitCode === null) {
      const done = new Promise((res) => server.once('exit', res));
      server.kill('SIGTERM');
      await done;
    }
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('the key as `rekap init` prints it', () => {
    assert.match(vkeyLine, /^example\.org\/kaltara\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  });
  test('first, full bundles, the partial bundle, the last; a correction and a rejected form', async () => {
    for (const i of [0, 1, 255, 256, 511, 512, 599, 600, 601]) {
      const r = await V.verifyEntry({ base, index: i, vkey: vkeyLine });
      assertChecksShape(r);
      assert.ok(r.ok, `${i}: ${codes(r)} ${r.checks.map((c) => c.detail).join(' | ')}`);
      assert.equal(r.size, 602);
      const want = submitted.get(i);
      assert.equal(r.entry.tps, want.tps);
      assert.equal(r.entry.contest, want.contest);
      assert.equal(r.entry.version, want.version);
      assert.equal(r.entry.accepted, want.accepted);
    }
    const fix = await V.verifyEntry({ base, index: 600, vkey: vkeyLine });
    assert.equal(fix.entry.reason, 'salah tulis "B4"');
    const bad = await V.verifyEntry({ base, index: 601, vkey: vkeyLine });
    assert.match(bad.entry.status, /^rejected /); // rejected, but logged and signed all the same
  });

  // the real server's answers, changed on the way
  const through = (tamper) => async (url, init) => {
    const res = await fetch(url, init);
    const u = new URL(url);
    if (!res.ok) return res;
    const b = tamper(u.pathname + u.search, new Uint8Array(await res.arrayBuffer()));
    return b instanceof Response ? b : new Response(b, { status: res.status });
  };
  test('another key for the same log name', async () => {
    const r = await V.verifyEntry({ base, index: 0, vkey: vkeyOf('example.org/kaltara', keyPair().raw).text });
    assert.equal(codes(r), 'checkpoint:CHECKPOINT_UNSIGNED proof:NOT_CHECKED signature:NOT_CHECKED');
  });
  test('a tampered checkpoint root', async () => {
    const r = await V.verifyEntry({
      base, index: 0, vkey: vkeyLine,
      fetch: through((p, b) => {
        if (p !== '/log/checkpoint') return b;
        const lines = new TextDecoder().decode(b).split('\n');
        lines[2] = b64(sha(utf8('x')));
        return utf8(lines.join('\n'));
      }),
    });
    assert.equal(codes(r), 'checkpoint:CHECKPOINT_SIGNATURE proof:NOT_CHECKED signature:NOT_CHECKED');
  });
  test('a tampered proof hash', async () => {
    const r = await V.verifyEntry({
      base, index: 300, vkey: vkeyLine,
      fetch: through((p, b) => {
        if (!p.startsWith('/api/v1/proof/')) return b;
        const j = JSON.parse(new TextDecoder().decode(b));
        j.proof[0] = (j.proof[0][0] === 'a' ? 'b' : 'a') + j.proof[0].slice(1);
        return utf8(JSON.stringify(j));
      }),
    });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_ROOT signature:OK');
  });
  test('a flipped byte in the entry\'s submission text', async () => {
    const r = await V.verifyEntry({
      base, index: 601, vkey: vkeyLine,
      fetch: through((p, b) => {
        if (!p.startsWith('/log/tile/entries/')) return b;
        const c = b.slice();
        const at = Buffer.from(c).lastIndexOf('"valid":') + 8; // in the last entry's form
        c[at] = c[at] === 0x31 ? 0x32 : 0x31;
        return c;
      }),
    });
    assert.equal(codes(r), 'checkpoint:OK proof:PROOF_ROOT signature:SIGNATURE');
  });
  test('a wrong index', async () => {
    let r = await V.verifyEntry({ base, index: 602, vkey: vkeyLine });
    assert.equal(codes(r), 'checkpoint:OK proof:INDEX signature:NOT_CHECKED');
    // the server's proof of another entry
    r = await V.verifyEntry({ base, index: 10, vkey: vkeyLine, fetch: (url, init) => fetch(url.replace('/proof/10?', '/proof/11?'), init) });
    assert.equal(byId(r).proof.code, 'PROOF_OTHER');
  });
  test('an oversized answer', async () => {
    const r = await V.verifyEntry({
      base, index: 0, vkey: vkeyLine,
      fetch: through((p, b) => (p.startsWith('/api/') ? utf8(JSON.stringify({ pad: 'x'.repeat(LIMITS_PROOF + 1) })) : b)),
    });
    assert.equal(byId(r).proof.code, 'PROOF_TOO_LARGE');
  });
});
const LIMITS_PROOF = V.LIMITS.proofJson;
