/**
 * Just enough of React's Flight (RSC) wire format to read a server action's return value over plain
 * HTTP: rows are `<hex id>:<json>\n` or `<hex id>:T<hex byte length>,<text>`; row 0 is
 * `{"a":"$@<id>", …}` and the action's value is that row, with `$<id>` references (and
 * `$<id>:<path>` references to an object sent earlier) resolved.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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
  const parsed = new Map<string, unknown>();
  /** A row as parsed, its references not yet resolved (text rows are their text). */
  const rawRow = (id: string): unknown => {
    if (parsed.has(id)) return parsed.get(id);
    const r = table.get(id);
    if (!r) throw new Error(`Flight row ${id} is missing`);
    if (!('json' in r)) return r.text;
    if (/^[A-Z]/.test(r.json)) throw new Error(`Flight row ${id} is not data: ${r.json.slice(0, 200)}`);
    const value = JSON.parse(r.json) as unknown;
    parsed.set(id, value);
    return value;
  };
  /** The raw node a reference points at: `$<id>` or `$<id>:<key>:<key>…` (an object already sent). */
  const target = (ref: string): unknown => {
    const [id = '', ...path] = ref.slice(ref.startsWith('$@') ? 2 : 1).split(':');
    let node = rawRow(id);
    for (const key of path) {
      if (isReference(node)) node = target(node);
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  };
  const isReference = (v: unknown): v is string =>
    typeof v === 'string' && /^\$@?[0-9a-f]+(:[^:]+)*$/.test(v);
  const resolve = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!v.startsWith('$')) return v;
      if (v.startsWith('$$')) return v.slice(1);
      if (v === '$undefined') return undefined;
      if (v === '$NaN') return Number.NaN;
      if (v === '$Infinity') return Number.POSITIVE_INFINITY;
      if (v === '$-Infinity') return Number.NEGATIVE_INFINITY;
      if (v === '$-0') return -0;
      return isReference(v) ? resolve(target(v)) : v;
    }
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    }
    return v;
  };
  // Only the action's value is resolved; the rest of row 0 is the re-rendered page.
  return resolve((rawRow('0') as { a?: unknown }).a);
}

/**
 * Server action ids by exported name, from the build's manifest (`root`/.next): what a client needs
 * to call an action over plain HTTP (the ids are hashes only the build knows).
 */
export function actionIds(root: string): Record<string, string> {
  const manifest = JSON.parse(
    readFileSync(join(root, '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { exportedName?: string }> };
  return Object.fromEntries(
    Object.entries(manifest.node).flatMap(([id, e]) => (e.exportedName ? [[e.exportedName, id]] : [])),
  );
}
