/**
 * Just enough of React's Flight (RSC) wire format to read a server action's return value over plain
 * HTTP: rows are `<hex id>:<json>\n` or `<hex id>:T<hex byte length>,<text>`; row 0 is
 * `{"a":"$@<id>", …}` and the action's value is that row, with `$<id>` references resolved.
 */
type Row = { json: string } | { text: string };

function rows(body: Buffer): Map<string, Row> {
  const out = new Map<string, Row>();
  let pos = 0;
  while (pos < body.length) {
    const colon = body.indexOf(0x3a, pos);
    if (colon < 0) break;
    const id = body.toString('latin1', pos, colon);
    pos = colon + 1;
    if (body[pos] === 0x54 /* T */) {
      const comma = body.indexOf(0x2c, pos);
      const length = Number.parseInt(body.toString('latin1', pos + 1, comma), 16);
      out.set(id, { text: body.toString('utf8', comma + 1, comma + 1 + length) });
      pos = comma + 1 + length;
      continue;
    }
    let end = body.indexOf(0x0a, pos);
    if (end < 0) end = body.length;
    out.set(id, { json: body.toString('utf8', pos, end) });
    pos = end + 1;
  }
  return out;
}

/** The value a server action returned, from its Flight response body. */
export function actionResult(body: Buffer): unknown {
  const table = rows(body);
  const row = (id: string): unknown => {
    const r = table.get(id);
    if (!r) throw new Error(`Flight row ${id} is missing`);
    if ('text' in r) return r.text;
    if (/^[A-Z]/.test(r.json)) throw new Error(`Flight row ${id} is not data: ${r.json.slice(0, 200)}`);
    return resolve(JSON.parse(r.json));
  };
  const decode = (s: string): unknown => {
    if (!s.startsWith('$')) return s;
    if (s.startsWith('$$')) return s.slice(1);
    if (s === '$undefined') return undefined;
    if (s === '$NaN') return Number.NaN;
    if (s === '$Infinity') return Number.POSITIVE_INFINITY;
    if (s === '$-Infinity') return Number.NEGATIVE_INFINITY;
    if (s === '$-0') return -0;
    if (s.startsWith('$@')) return row(s.slice(2));
    if (/^\$[0-9a-f]+$/.test(s)) return row(s.slice(1));
    return s;
  };
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') return decode(v);
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    }
    return v;
  };
  // Only the action's value is resolved; the rest of row 0 is the re-rendered page.
  const root = table.get('0');
  if (!root || !('json' in root)) throw new Error('Flight row 0 is missing');
  return resolve((JSON.parse(root.json) as { a?: unknown }).a);
}
