// HTML from template literals, escaped by default.
//   html`<td>${name}</td>`   escapes name;
//   html`<ul>${items.map(i => html`<li>${i}</li>`)}</ul>` nests (arrays are joined);
//   raw(s) marks a string as HTML already (only for strings this code made).
// No DOM here: the node tests import it.

class Raw {
  constructor(s) { this.s = s; }
  toString() { return this.s; }
}

export function raw(s) { return new Raw(String(s)); }

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(v) { return String(v).replace(/[&<>"']/g, c => ESC[c]); }

function part(v) {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Raw) return v.s;
  if (Array.isArray(v)) return v.map(part).join('');
  return esc(v);
}

export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Raw(out);
}
