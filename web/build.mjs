#!/usr/bin/env node
// Builds the deployable site from web/ (no bundler, no network):
//
//   node web/build.mjs OUTDIR
//
//   OUTDIR/index.html                  the public portal (web/portal/index.html)
//   OUTDIR/petugas/index.html, sw.js   the officer page, when web/petugas/ has it
//   OUTDIR/rekap/index.html            the recap officer's page (its modules
//                                      import the officer page's shared ones)
//   OUTDIR/assets/<name>.<hash>.<ext>  every file they reference, directly or
//                                      through others; <hash> is the first 12
//                                      hex digits of the SHA-256 of the bytes
//                                      written (references already rewritten)
//
// References followed and rewritten: in HTML the src/href of script, link,
// img and source tags and the content of <meta name="rekap-...">; in CSS
// url(...) and @import; in JavaScript the specifiers of import/export ...
// from '...', import '...', import('...') and new URL('...',
// import.meta.url), except on comment lines. Only relative references
// ('./x', '../x', 'x.css'); absolute paths, URLs and data: are left alone.
// A file that is referenced but missing stops the build (exit 1), except
// the files listed in OPTIONAL (written or built by others) where the page
// guards their loading: while one is missing the build says so and leaves
// the reference as it is (it then fails at run time, and the page shows
// that the feature is unavailable).
//
// Deterministic: the same sources give the same bytes (no times, no
// absolute paths in the output). An asset imported in a cycle cannot be
// named by its hash and stops the build. docs/WEB.md has the whole story.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, basename, extname, posix } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

// The pages. `optional`: built only when its source exists. `verbatim`:
// files copied beside the page under their own names, unhashed (a service
// worker must be served from its page's folder to control it).
export const PAGES = [
  { src: 'portal/index.html', out: 'index.html' },
  { src: 'petugas/index.html', out: 'petugas/index.html', optional: true, verbatim: ['petugas/sw.js'] },
  { src: 'rekap/index.html', out: 'rekap/index.html', optional: true },
];
// Files others write or build, loaded in a way the page guards (a dynamic
// import(), new URL(...) or a <meta> the page reads): while one is missing
// the build warns and leaves the reference as it is. A static import of
// one is still required.
export const OPTIONAL = ['portal/verify.js', 'wasm/rules.wasm'];

class BuildError extends Error {}

// Not local: URLs, absolute paths, fragments, queries, and package names
// ('@scope/pkg', as in a library's own documentation comments).
function isLocal(ref) {
  return !/^([a-z][a-z0-9+.-]*:|\/|#|\?|@)/i.test(ref) && ref !== '';
}

// `built`: files made by a build step rather than kept in web/ (the rules
// in WebAssembly, web/wasm/build.sh): their web/ path -> where they were made.
export function build({ root = HERE, outdir, pages = PAGES, optional = OPTIONAL, built: made = {}, log = m => process.stderr.write(m + '\n') }) {
  if (!outdir) throw new BuildError('usage: node build.mjs OUTDIR');
  const opt = new Set(optional.map(p => resolve(root, p)));
  const madeAt = new Map(Object.entries(made).map(([p, at]) => [resolve(root, p), at]));
  const done = new Map();          // absolute source path -> asset file name
  const busy = new Set();
  const out = new Map();           // relative output path -> Buffer
  const warnings = [];

  function target(from, ref) {
    const clean = ref.split(/[?#]/)[0];
    return resolve(dirname(from), decodeURIComponent(clean));
  }
  function exists(p) {
    try { return statSync(madeAt.get(p) ?? p).isFile(); } catch { return false; }
  }

  // Rewrite every local reference in text. In JS and CSS a match on a
  // line that is a comment (after //, or a line of a /* */ block starting
  // with *) is left alone.
  function rewrite(file, text, patterns) {
    for (const re of patterns) {
      text = text.replace(re, (m, pre, q, ref, post, at, all) => {
        if (!isLocal(ref)) return m;
        const line = all.slice(all.lastIndexOf('\n', at) + 1, at);
        if (/\/\/|^\s*\*|\/\*/.test(line)) return m;
        return pre + q + resolveRef(file, ref, m) + q + post;
      });
    }
    return text;
  }

  function resolveRef(from, ref, context) {
    const abs = target(from, ref);
    if (!exists(abs)) {
      if (opt.has(abs) && !/^\s*(import|export)\b(?!\s*\()/.test(context)) {
        const w = `build: optional file ${relative(root, abs)} is missing (referenced by ${relative(root, from)}); the reference is left as '${ref}'`;
        warnings.push(w); log('warning: ' + w);
        return ref;
      }
      throw new BuildError(`build: ${relative(root, from)} references ${ref}: no such file ${relative(root, abs)}`);
    }
    return asset(abs);
  }

  const JS = [
    /(\bimport\s*(?:[\w$*{}\s,]+?\s*from\s*)?)(['"])([^'"\n]+)\2()/g,
    /(\bexport\s*[\w$*{}\s,]*?\s*from\s*)(['"])([^'"\n]+)\2()/g,
    /(\bimport\s*\(\s*)(['"])([^'"\n]+)\2(\s*\))/g,
    /(\bnew\s+URL\s*\(\s*)(['"])([^'"\n]+)\2(\s*,\s*import\.meta\.url\s*\))/g,
  ];
  const CSS = [
    /(url\(\s*)(['"]?)([^'")\s]+)\2(\s*\))/g,
    /(@import\s+)(['"])([^'"]+)\2()/g,
  ];
  const HTML = [
    /(<(?:script|link|img|source)\b[^>]*?\s(?:src|href)=)(["'])([^"']+)\2()/gi,
    /(<meta\s+name="rekap-[\w-]+"\s+content=)(["'])([^"']+)\2()/gi,
  ];

  // An asset's name in assets/ (every asset lives in that one folder, so a
  // reference between assets is './<name>').
  function asset(abs) {
    if (done.has(abs)) return done.get(abs);
    if (busy.has(abs)) throw new BuildError(`build: ${relative(root, abs)} is imported in a cycle: its hash cannot depend on itself`);
    busy.add(abs);
    const ext = extname(abs);
    let bytes = readFileSync(madeAt.get(abs) ?? abs);
    if (ext === '.js' || ext === '.mjs') bytes = Buffer.from(rewrite(abs, bytes.toString('utf8'), JS), 'utf8');
    else if (ext === '.css') bytes = Buffer.from(rewrite(abs, bytes.toString('utf8'), CSS), 'utf8');
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    const name = `${basename(abs, ext)}.${hash}${ext}`;
    const prev = out.get('assets/' + name);
    if (prev && !prev.equals(bytes)) throw new BuildError(`build: two assets named ${name}`);
    out.set('assets/' + name, bytes);
    busy.delete(abs);
    // between assets: './name'; the caller of a page prefixes the folder
    const ref = './' + name;
    done.set(abs, ref);
    return ref;
  }

  const built = [];
  for (const page of pages) {
    const src = resolve(root, page.src);
    if (!exists(src)) {
      if (page.optional) { log(`note: page ${page.src} is not there: not built`); continue; }
      throw new BuildError(`build: page ${page.src} is missing`);
    }
    const toAssets = posix.relative(posix.dirname(page.out), 'assets') || '.';
    let text = readFileSync(src, 'utf8');
    for (const re of HTML) {
      text = text.replace(re, (m, pre, q, ref, post) => {
        if (!isLocal(ref)) return m;
        const r = resolveRef(src, ref, m);
        return pre + q + (r.startsWith('./') ? toAssets + '/' + r.slice(2) : r) + q + post;
      });
    }
    out.set(page.out, Buffer.from(text, 'utf8'));
    for (const v of page.verbatim || []) {
      const abs = resolve(root, v);
      if (!exists(abs)) throw new BuildError(`build: ${v} (copied beside ${page.src}) is missing`);
      out.set(posix.join(posix.dirname(page.out), basename(abs)), readFileSync(abs));
    }
    built.push(page);
  }

  // Write: the pages and assets/ replaced as a whole, nothing else in OUTDIR touched.
  mkdirSync(outdir, { recursive: true });
  rmSync(join(outdir, 'assets'), { recursive: true, force: true });
  for (const page of pages) {
    rmSync(join(outdir, page.out), { force: true });
    for (const v of page.verbatim || []) rmSync(join(outdir, posix.dirname(page.out), basename(v)), { force: true });
  }
  const files = [...out.keys()].sort();
  for (const f of files) {
    mkdirSync(dirname(join(outdir, f)), { recursive: true });
    writeFileSync(join(outdir, f), out.get(f));
  }
  return { files, warnings, pages: built.map(p => p.out), bytes: files.reduce((a, f) => a + out.get(f).length, 0) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outdir = process.argv[2];
  if (!outdir || process.argv.length > 3 || outdir.startsWith('-')) {
    process.stderr.write('usage: node web/build.mjs OUTDIR\n');
    process.exit(2);
  }
  try {
    // the rules in WebAssembly, built from src/core for this site
    const tmp = mkdtempSync(join(tmpdir(), 'rekap-web-'));
    const wasm = join(tmp, 'rules.wasm');
    const made = {};
    try {
      execFileSync(join(HERE, 'wasm', 'build.sh'), [wasm], { stdio: ['ignore', 'ignore', 'inherit'] });
      made['wasm/rules.wasm'] = wasm;
    } catch (e) {
      process.stderr.write(`build: web/wasm/build.sh failed (${e.message}): the officer page will have no rules\n`);
    }
    const r = build({ outdir: resolve(outdir), built: made });
    rmSync(tmp, { recursive: true, force: true });
    process.stdout.write(`built ${r.files.length} files (${r.bytes} bytes) in ${outdir}\n`);
  } catch (e) {
    process.stderr.write((e instanceof BuildError ? e.message : e.stack) + '\n');
    process.exit(1);
  }
}
