// The recap officer page's storage on the device (IndexedDB, database
// "rekap-rekap", one store "kv"; the KPPS page's "rekap-petugas" is apart,
// so a KPPS key and a recap key on one browser never mix):
//   key               the recap officer's key pair (the private CryptoKey kept
//                     as the object itself: not extractable, never bytes)
//   keyName           the name written in its public key file
//   pick              the last region code and contest chosen
//   draft:<c>:<code>:<d>  a draft recap of a unit: the officer's choices per
//                     child and the reason of a correction
const NAME = 'rekap-rekap';
let opening = null;

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') { reject(new Error('IndexedDB is not available')); return; }
    const r = indexedDB.open(NAME, 1);
    r.onupgradeneeded = () => { if (!r.result.objectStoreNames.contains('kv')) r.result.createObjectStore('kv'); };
    r.onsuccess = () => {
      const db = r.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    r.onerror = () => { opening = null; reject(r.error); };
  });
  return opening;
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction('kv', mode);
    let out;
    Promise.resolve(fn(t.objectStore('kv'))).then(v => { out = v; }, reject);
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

export const get = k => tx('readonly', s => req(s.get(k)));
export const set = (k, v) => tx('readwrite', s => req(s.put(v, k)));
export const del = k => tx('readwrite', s => req(s.delete(k)));
