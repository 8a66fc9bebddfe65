// The officer page's storage on the device (IndexedDB, database
// "rekap-petugas"):
//   kv      settings and state by name: "key" (the officer's key pair: the
//           private CryptoKey is stored as the object itself, never as
//           bytes), "keyName", "tps" (the last TPS code), "tps:<code>" (what
//           was read about a TPS, for working offline), "draft:<tps>:<contest>"
//           (a form being filled), "photo:<sha256>" (a draft's photo, a
//           Blob), "contest:<tps>" (the contest open last), "vkey:<server>"
//           (the log key this device saw first from that server)
//   outbox  signed submissions, each with its photos, from the moment they
//           are signed until the server's receipt (kept, with the receipt)

const NAME = 'rekap-petugas';
const VERSION = 1;
let opening = null;

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    if (typeof indexedDB === 'undefined') { reject(new Error('IndexedDB is not available')); return; }
    const r = indexedDB.open(NAME, VERSION);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
    };
    r.onsuccess = () => {
      const db = r.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    r.onerror = () => { opening = null; reject(r.error); };
    r.onblocked = () => { /* another tab holds an older version: wait */ };
  });
  return opening;
}

async function tx(store, mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    let out;
    Promise.resolve(fn(t.objectStore(store))).then(v => { out = v; }, reject);
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

export const kvGet = k => tx('kv', 'readonly', s => req(s.get(k)));
export const kvSet = (k, v) => tx('kv', 'readwrite', s => req(s.put(v, k)));
export const kvDel = k => tx('kv', 'readwrite', s => req(s.delete(k)));

export const outboxAll = () => tx('outbox', 'readonly', s => req(s.getAll()));
export const outboxGet = id => tx('outbox', 'readonly', s => req(s.get(id)));
export const outboxPut = item => tx('outbox', 'readwrite', s => req(s.put(item)));
export const outboxAdd = item => tx('outbox', 'readwrite', s => req(s.add(item)));
export const outboxDel = id => tx('outbox', 'readwrite', s => req(s.delete(id)));
