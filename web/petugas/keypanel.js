// The signing key's card (step 1), shared by the KPPS page (web/petugas)
// and the recap officer's page (web/rekap, which imports it as
// ../petugas/keypanel.js): make a key on the device or import a
// `rekap keygen` file, show the public key, its QR code and the .pub
// download, the key holder's name, replace the key. The key itself is
// keys.js's; the page keeps it in its own IndexedDB (`store`).
//
// The page owns the state object (its S: key, keyName, keyError, replacing)
// and says what differs: the words, where the QR code and the enrolment
// go (`layout`), the names of the key and of its file, and what to do once
// a key is stored, made or imported.
import { h, m, tr, fill, $, whenMsg, setAttrMsg } from './ui.js';
import * as keys from './keys.js';
import { qrSvg } from './qr.js';

// opts:
//   state         { key, keyName, keyError, replacing }, read and written here
//   store         { get(k), set(k, v) }: the page's IndexedDB kv store
//   fallbackName  the name in the public key file while none is given
//   defaultName() the name a new key gets when the page has none yet
//   fileName()    the .pub file's name
//   openNew()     whether the card opens (first drawing) with a key in place
//   keepSoft      keep k.soft in the stored record
//   summaryName   show the holder's name beside the folded card's key
//   words         { title, intro } without a key; { replaceWarn }
//   layout(p)     the card's body under its summary, from the parts p:
//                 { label, pub, qr, name, nameErr, download, enrolTitle, enrolCmd(msg), made }
//   onStored()    after a key is stored and the card drawn again
//   onMade(k)     after a generated key is stored
//   onImported()  after an imported key is stored
export function keyPanel(opts) {
  const S = opts.state;
  const store = opts.store;

  async function load() {
    try {
      S.key = (await store.get('key')) || null;
      S.keyName = (await store.get('keyName')) || '';
    } catch (e) {
      S.keyError = m('Penyimpanan perangkat (IndexedDB) tidak dapat dibuka: ' + e.message, 'The device\'s storage (IndexedDB) cannot be opened: ' + e.message);
    }
  }

  const publicFile = () => keys.publicKeyFile(S.keyName || opts.fallbackName, S.key.publicB64);

  function render() {
    const card = $('#key-card');
    const err = S.keyError ? h('p', { class: 'err', role: 'alert', text: S.keyError }) : null;
    const makeButtons = () => h('div', { class: 'btns' },
      h('button', { type: 'button', id: 'key-make', class: 'btn primary', onclick: makeKey, text: m('Buat kunci baru di perangkat ini', 'Make a new key on this device') }),
      h('label', { class: 'btn', for: 'key-file', text: m('Impor berkas kunci (rekap keygen)…', 'Import a key file (rekap keygen)…') }),
      h('input', { type: 'file', id: 'key-file', class: 'vh', onchange: e => importKeyFile(e.target.files[0]) }));
    if (!S.key) {
      fill(card, h('h2', { text: opts.words.title }), h('p', { text: opts.words.intro }), makeButtons(), err);
      return;
    }
    const name = h('input', { type: 'text', id: 'key-name', value: S.keyName, maxlength: '128', autocomplete: 'off' });
    setAttrMsg(name, 'aria-label', m('Nama pemegang kunci', 'Key holder\'s name'));
    const nameErr = h('p', { class: 'fe', id: 'key-name-err' });
    name.addEventListener('input', async () => {
      const bad = keys.textProblem(name.value, keys.NAME_MAX);
      fill(nameErr, bad ? m(`Nama tidak sah: ${bad.id}.`, `The name is not valid: ${bad.en}.`) : null);
      if (bad) return;
      S.keyName = name.value;
      await store.set('keyName', S.keyName);
      paintQr();
    });
    const pub = S.key.publicB64;
    const was = $('#key-details');
    const open = S.replacing || (was ? was.open : opts.openNew());
    const parts = {
      label: h('p', { class: 'kl', text: m('Kunci publik Anda (base64):', 'Your public key (base64):') }),
      pub: h('p', { class: 'pub' }, h('code', { id: 'pubkey' }, pub)),
      qr: h('div', { id: 'qr', class: 'qr' }),
      name: h('label', { class: 'fl' }, h('span', { class: 'ft', text: m('Nama pemegang kunci (tercantum pada berkas kunci publik)', 'Key holder\'s name (written in the public key file)') }), name),
      nameErr,
      download: h('button', { type: 'button', id: 'key-download', class: 'btn', onclick: downloadPub, text: m('Unduh berkas kunci publik (.pub)', 'Download the public key file (.pub)') }),
      enrolTitle: h('h3', { text: m('Pendaftaran kunci', 'Enrolment') }),
      enrolCmd: text => h('p', {}, h('code', { id: 'enrol-cmd', text })),
      made: h('p', { class: 'hint', text: S.key.source === 'imported'
        ? m(`Kunci diimpor dari berkas kunci pada ${whenMsg(S.key.created).id}.`, `Key imported from a key file on ${whenMsg(S.key.created).en}.`)
        : m(`Kunci dibuat di perangkat ini pada ${whenMsg(S.key.created).id}.`, `Key made on this device on ${whenMsg(S.key.created).en}.`) }),
    };
    fill(card,
      h('details', { id: 'key-details', open },
        h('summary', {}, h('h2', { text: m('1. Kunci tanda tangan', '1. Signing key') }),
          h('span', { class: 'sum-k' }, h('code', {}, pub.slice(0, 12) + '…'), opts.summaryName ? [' ', S.keyName] : null)),
        opts.layout(parts),
        S.replacing
          ? h('div', { class: 'replace' },
            h('p', { class: 'warn', text: opts.words.replaceWarn }),
            makeButtons(),
            h('button', { type: 'button', class: 'btn link', onclick: () => { S.replacing = false; render(); }, text: m('Batal', 'Cancel') }))
          : h('button', { type: 'button', class: 'btn link', id: 'key-replace', onclick: () => { S.replacing = true; render(); }, text: m('Ganti kunci…', 'Replace the key…') }),
        err));
    paintQr();
  }

  function paintQr() {
    const box = $('#qr');
    if (!box || !S.key) return;
    const text = publicFile();
    box.dataset.text = text;
    fill(box, qrSvg(text, { label: tr(m('Kode QR berkas kunci publik', 'QR code of the public key file')) }),
      h('p', { class: 'hint', text: m('Kode QR ini berisi berkas kunci publik (rekap-key/1: nama dan kunci publik).', 'This QR code holds the public key file (rekap-key/1: the name and the public key).') }));
  }

  function downloadPub() {
    const url = URL.createObjectURL(new Blob([publicFile()], { type: 'text/plain' }));
    const a = h('a', { href: url, download: opts.fileName() });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  async function storeKey(k, source, name) {
    const rec = { privateKey: k.privateKey, publicKey: k.publicKey, publicB64: k.publicB64, created: Date.now(), source };
    if (opts.keepSoft) rec.soft = !!k.soft;
    await store.set('key', rec);
    S.key = rec;
    if (name !== undefined) { S.keyName = name; await store.set('keyName', name); }
    if (!S.keyName) { S.keyName = opts.defaultName(); await store.set('keyName', S.keyName); }
    S.replacing = false;
    S.keyError = null;
    render();
    if (opts.onStored) opts.onStored();
  }

  async function makeKey() {
    S.keyError = null;
    try {
      const k = await keys.generate();
      await storeKey(k, 'generated');
      if (opts.onMade) opts.onMade(k);
    } catch (e) {
      S.keyError = e.msg || m('Kunci tidak dapat dibuat: ' + e.message, 'The key could not be made: ' + e.message);
      render();
    }
  }

  async function importKeyFile(file) {
    if (!file) return;
    S.keyError = null;
    try {
      const bytes = new Uint8Array(await file.slice(0, keys.FILE_MAX + 1).arrayBuffer());
      const kf = keys.parseKeyFile(bytes);
      if (!kf.seed) {
        throw new keys.KeyError('KEY_PUBLIC_ONLY', 'secret', m('Berkas ini hanya berisi kunci publik (berkas .pub). Impor berkas kunci rahasia yang dibuat rekap keygen (tanpa .pub).',
          'This file holds only a public key (a .pub file). Import the secret key file rekap keygen made (without .pub).'));
      }
      const k = await keys.importSecret(kf.seed, kf.publicKey);
      kf.seed.fill(0);
      await storeKey(k, 'imported', kf.name);
      if (opts.onImported) opts.onImported();
    } catch (e) {
      S.keyError = e instanceof keys.KeyError ? m(`${e.code}: ${e.msg.id}`, `${e.code}: ${e.msg.en}`)
        : e.msg || m('Berkas kunci tidak dapat diimpor: ' + e.message, 'The key file could not be imported: ' + e.message);
      render();
    }
  }

  return { load, render };
}
