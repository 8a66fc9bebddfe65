// A QR code (qrcode-generator, MIT, Kazuhiko Arase) as an inline SVG.
import qrcode from '../node_modules/qrcode-generator/dist/qrcode.mjs';

// text: any Unicode text, encoded as UTF-8 bytes (byte mode). Error
// correction M: a phone screen photographed by another phone.
export function qrSvg(text, { label = '' } = {}) {
  const bytes = new TextEncoder().encode(text);
  // qrcode-generator's byte mode takes one character per byte
  let latin1 = '';
  for (const b of bytes) latin1 += String.fromCharCode(b);
  const qr = qrcode(0, 'M');
  qr.addData(latin1, 'Byte');
  qr.make();
  const n = qr.getModuleCount(), q = 4, size = n + 2 * q;
  let d = '';
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.isDark(r, c)) continue;
      let run = 1;
      while (c + run < n && qr.isDark(r, c + run)) run++;
      d += `M${c + q} ${r + q}h${run}v1h-${run}z`;
      c += run - 1;
    }
  }
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('role', 'img');
  if (label) svg.setAttribute('aria-label', label);
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', size); bg.setAttribute('height', size); bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d); path.setAttribute('fill', '#000');
  svg.append(bg, path);
  svg.dataset.modules = String(n);
  return svg;
}
