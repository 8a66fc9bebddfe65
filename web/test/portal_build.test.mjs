// web/build.mjs: the site it writes (hashed names, every reference
// rewritten and present), byte for byte the same on a second run, and its
// loud failures (a missing file, an import cycle); an optional module that
// is missing only warns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { build } from '../build.mjs';

const WEB = join(dirname(fileURLToPath(import.meta.url)), '..');
const tmp = () => mkdtempSync(join(tmpdir(), 'rekap-build-'));
// The real site takes a runtime package from web/node_modules (the officer
// page's QR code): without `npm ci` its build cannot run.
const NO_MODULES = existsSync(join(WEB, 'node_modules')) ? false : 'web/node_modules is missing (cd web && npm ci)';
const quiet = () => {};

function tree(dir) {
  const out = {};
  for (const f of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) { const p = join(f.parentPath ?? f.path, f.name); out[p.slice(dir.length + 1)] = readFileSync(p); }
  }
  return out;
}

test('the portal builds: index.html and hashed assets, every reference present', { skip: NO_MODULES }, () => {
  const out = tmp();
  try {
    build({ outdir: out, log: quiet });
    const files = tree(out);
    assert.ok(files['index.html']);
    const assets = Object.keys(files).filter(f => f.startsWith('assets/'));
    assert.ok(assets.length >= 12, assets.join());
    for (const a of assets) {
      const m = a.match(/^assets\/([\w-]+)\.([0-9a-f]{12})\.(\w+)$/);
      assert.ok(m, 'name ' + a);
      assert.equal(m[2], createHash('sha256').update(files[a]).digest('hex').slice(0, 12), 'hash of ' + a);
    }
    const html = files['index.html'].toString();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(m => m[1]).filter(r => !/^(data:|#|\/|https?:)/.test(r));
    assert.ok(refs.length >= 12);
    for (const r of refs) assert.ok(r.startsWith('assets/') && files[r], 'index.html -> ' + r);
    assert.match(html, /<script type="module" src="assets\/app\.[0-9a-f]{12}\.js">/);
    // every relative import between the modules names a file that was written
    for (const a of assets.filter(f => f.endsWith('.js'))) {
      const js = files[a].toString().split('\n').filter(l => !/^\s*(\/\/|\*|\/\*)/.test(l)).join('\n');
      for (const m of js.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)(['"])(\.[^'"]+)\1/g)) {
        assert.ok(files['assets/' + m[2].replace(/^\.\//, '')], `${a} imports ${m[2]}`);
        assert.match(m[2], /^\.\/[\w-]+\.[0-9a-f]{12}\.m?js$/);
      }
    }
    // no source name is left unhashed
    for (const a of assets.filter(f => f.endsWith('.js'))) {
      assert.doesNotMatch(files[a].toString(), /from\s*['"]\.\/(app|api|ui|html|route|i18n)\.js['"]/);
    }
  } finally { rmSync(out, { recursive: true, force: true }); }
});

test('the build is deterministic: two runs write the same bytes', { skip: NO_MODULES }, () => {
  const a = tmp(), b = tmp();
  try {
    build({ outdir: a, log: quiet });
    build({ outdir: b, log: quiet });
    const ta = tree(a), tb = tree(b);
    assert.deepEqual(Object.keys(ta).sort(), Object.keys(tb).sort());
    for (const k of Object.keys(ta)) assert.ok(ta[k].equals(tb[k]), k);
  } finally { rmSync(a, { recursive: true, force: true }); rmSync(b, { recursive: true, force: true }); }
});

test('a rebuild replaces assets/ (no stale files) and leaves other files alone', { skip: NO_MODULES }, () => {
  const out = tmp();
  try {
    mkdirSync(join(out, 'assets'));
    writeFileSync(join(out, 'assets', 'old.000000000000.js'), 'x');
    writeFileSync(join(out, 'keep.txt'), 'keep');
    build({ outdir: out, log: quiet });
    assert.ok(!readdirSync(join(out, 'assets')).includes('old.000000000000.js'));
    assert.equal(readFileSync(join(out, 'keep.txt'), 'utf8'), 'keep');
  } finally { rmSync(out, { recursive: true, force: true }); }
});

// A small site of its own, to see the failures.
function fixture(files) {
  const root = tmp();
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

test('references in HTML, CSS and JS are followed and rewritten', () => {
  const root = fixture({
    'p/index.html': '<link rel="stylesheet" href="s.css"><img src="i.svg"><script type="module" src="a.js"></script><a href="/api/x">x</a>',
    'p/s.css': 'body{background:url("i.svg")} @import "t.css";',
    'p/t.css': 'p{}',
    'p/i.svg': '<svg/>',
    'p/a.js': "import { b } from './b.js';\nexport * from \"./c.js\";\nconst w = new URL('./w.wasm', import.meta.url);\nimport('./d.js');\nimport 'https://not.followed/x.js';",
    'p/b.js': 'export const b = 1;', 'p/c.js': 'export const c = 1;', 'p/d.js': 'export const d = 1;', 'p/w.wasm': 'wasm',
  });
  const out = tmp();
  try {
    build({ root, outdir: out, pages: [{ src: 'p/index.html', out: 'index.html' }], optional: [], log: quiet });
    const f = tree(out);
    const html = f['index.html'].toString();
    assert.match(html, /href="assets\/s\.[0-9a-f]{12}\.css"/);
    assert.match(html, /src="assets\/i\.[0-9a-f]{12}\.svg"/);
    assert.match(html, /href="\/api\/x"/);
    const css = f[Object.keys(f).find(k => k.startsWith('assets/s.'))].toString();
    assert.match(css, /url\("\.\/i\.[0-9a-f]{12}\.svg"\)/);
    assert.match(css, /@import "\.\/t\.[0-9a-f]{12}\.css"/);
    const js = f[Object.keys(f).find(k => k.startsWith('assets/a.'))].toString();
    assert.match(js, /from '\.\/b\.[0-9a-f]{12}\.js'/);
    assert.match(js, /from "\.\/c\.[0-9a-f]{12}\.js"/);
    assert.match(js, /new URL\('\.\/w\.[0-9a-f]{12}\.wasm', import\.meta\.url\)/);
    assert.match(js, /import\('\.\/d\.[0-9a-f]{12}\.js'\)/);
    assert.match(js, /import 'https:\/\/not\.followed\/x\.js'/);
  } finally { rmSync(root, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true }); }
});

test('a second page in its folder: assets one level up, a <meta> path, a file copied as it is; an absent optional page is skipped', () => {
  const root = fixture({
    'p/index.html': '<script type="module" src="a.js"></script>',
    'p/a.js': "// import './not-there.js' in a comment is not a reference\n/* new URL('./gone.wasm', import.meta.url)\n * import('./gone.js') */\nexport const a = 1;",
    'q/index.html': '<meta name="rekap-thing" content="../w/x.wasm"><meta name="rekap-other" content="../w/missing.wasm"><link rel="stylesheet" href="s.css">',
    'q/s.css': 'p{}', 'q/sw.js': 'self.x = 1;', 'w/x.wasm': 'wasm',
  });
  const out = tmp();
  const said = [];
  try {
    const r = build({ root, outdir: out, optional: ['w/missing.wasm'], log: m => said.push(m), pages: [
      { src: 'p/index.html', out: 'index.html' },
      { src: 'q/index.html', out: 'q/index.html', verbatim: ['q/sw.js'] },
      { src: 'z/index.html', out: 'z/index.html', optional: true },
    ] });
    assert.deepEqual(r.pages, ['index.html', 'q/index.html']);
    const f = tree(out);
    const q = f['q/index.html'].toString();
    assert.match(q, /content="\.\.\/assets\/x\.[0-9a-f]{12}\.wasm"/);
    assert.match(q, /content="\.\.\/w\/missing\.wasm"/);
    assert.match(q, /href="\.\.\/assets\/s\.[0-9a-f]{12}\.css"/);
    assert.equal(f['q/sw.js'].toString(), 'self.x = 1;');
    assert.ok(said.some(m => /optional file w\/missing\.wasm is missing/.test(m)));
    assert.ok(said.some(m => /page z\/index\.html is not there/.test(m)));
  } finally { rmSync(root, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true }); }
});

test('a missing file stops the build, naming it', () => {
  const root = fixture({ 'p/index.html': '<script type="module" src="a.js"></script>', 'p/a.js': "import './gone.js';" });
  const out = tmp();
  try {
    assert.throws(() => build({ root, outdir: out, pages: [{ src: 'p/index.html', out: 'index.html' }], optional: [], log: quiet }),
      /p\/a\.js references \.\/gone\.js: no such file p\/gone\.js/);
  } finally { rmSync(root, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true }); }
});

test('an optional module imported dynamically only warns while it is missing', () => {
  const root = fixture({ 'p/index.html': '<script type="module" src="a.js"></script>', 'p/a.js': "import('./opt.js').catch(() => null);" });
  const out = tmp();
  const said = [];
  try {
    const r = build({ root, outdir: out, pages: [{ src: 'p/index.html', out: 'index.html' }], optional: ['p/opt.js'], log: m => said.push(m) });
    assert.equal(r.warnings.length, 1);
    assert.match(tree(out)[Object.keys(tree(out)).find(k => k.startsWith('assets/a.'))].toString(), /import\('\.\/opt\.js'\)/);
    assert.match(said[0], /optional file p\/opt\.js is missing/);
    // but imported statically it is required
    writeFileSync(join(root, 'p/a.js'), "import './opt.js';");
    assert.throws(() => build({ root, outdir: out, pages: [{ src: 'p/index.html', out: 'index.html' }], optional: ['p/opt.js'], log: quiet }), /no such file/);
  } finally { rmSync(root, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true }); }
});

test('an import cycle stops the build', () => {
  const root = fixture({ 'p/index.html': '<script type="module" src="a.js"></script>', 'p/a.js': "import './b.js';", 'p/b.js': "import './a.js';" });
  const out = tmp();
  try {
    assert.throws(() => build({ root, outdir: out, pages: [{ src: 'p/index.html', out: 'index.html' }], optional: [], log: quiet }), /cycle/);
  } finally { rmSync(root, { recursive: true, force: true }); rmSync(out, { recursive: true, force: true }); }
});

test('the command line: usage errors exit 2, a build exits 0', { skip: NO_MODULES }, () => {
  const r = spawnSync(process.execPath, [join(WEB, 'build.mjs')], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /usage/);
  const out = tmp();
  try {
    const ok = spawnSync(process.execPath, [join(WEB, 'build.mjs'), out], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^built \d+ files/);
  } finally { rmSync(out, { recursive: true, force: true }); }
});
