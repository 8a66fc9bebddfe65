// A photo of one page of the paper form, as it will be uploaded and named
// in the signed text: { blob, sha256, size, type, name, width, height, scaled }.
//
// A phone camera's photo is often 3-8 MB; over a weak link that takes
// minutes, and the ingest listener cuts a request after 120 s
// (ingest_timeout). So a photo over SCALE_BYTES or wider than SCALE_EDGE is
// re-encoded here as a JPEG with its longer side SCALE_EDGE (still legible:
// the numbers of a C.Hasil page are large) — the bytes that are hashed,
// signed and uploaded are those. A smaller photo is sent as it is, byte for
// byte.
import { sha256Hex } from './keys.js';

export const PHOTO_MAX = 8 * 1024 * 1024;   // photo_max (docs/API.md)
export const SCALE_BYTES = 1536 * 1024;
export const SCALE_EDGE = 2400;
const QUALITY = 0.85;

async function decode(file) {
  if (typeof createImageBitmap !== 'function') return null;
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    try { return await createImageBitmap(file); } catch { return null; }
  }
}

async function encode(bitmap, w, h) {
  if (typeof OffscreenCanvas === 'function') {
    const c = new OffscreenCanvas(w, h);
    c.getContext('2d').drawImage(bitmap, 0, 0, w, h);
    return c.convertToBlob({ type: 'image/jpeg', quality: QUALITY });
  }
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  c.getContext('2d').drawImage(bitmap, 0, 0, w, h);
  return new Promise(r => c.toBlob(r, 'image/jpeg', QUALITY));
}

export async function preparePhoto(file) {
  let blob = file, scaled = false, width = 0, height = 0;
  const bitmap = await decode(file);
  if (bitmap) {
    width = bitmap.width; height = bitmap.height;
    const edge = Math.max(width, height);
    if (file.size > SCALE_BYTES || edge > SCALE_EDGE) {
      const k = Math.min(1, SCALE_EDGE / edge);
      const w = Math.max(1, Math.round(width * k)), h = Math.max(1, Math.round(height * k));
      const out = await encode(bitmap, w, h).catch(() => null);
      if (out && out.size > 0 && out.size < file.size) {
        blob = out; scaled = true; width = w; height = h;
      }
    }
    if (bitmap.close) bitmap.close();
  }
  // a copy of the bytes in a Blob of its own (a File from a camera may be
  // a reference that goes away; IndexedDB keeps a Blob)
  const bytes = await blob.arrayBuffer();
  const type = blob.type || 'application/octet-stream';
  return { blob: new Blob([bytes], { type }), sha256: await sha256Hex(bytes), size: bytes.byteLength, type,
    name: file.name || '', width, height, scaled, decoded: !!bitmap };
}
