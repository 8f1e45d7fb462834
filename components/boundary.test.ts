import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The client boundary: what the browser bundle can reach from the client components. Following
 * every import that survives compilation (type-only imports are erased; a 'use server' module is a
 * reference, not its code), no module under lib/server or lib/session, and not the runtime barrel of
 * lib/flow (lib/flow/index.ts pulls in the whole engine), may be reached.
 */

const ROOT = resolve(__dirname, '..');
const FORBIDDEN: Array<{ test: (file: string) => boolean; why: string }> = [
  { test: (f) => f.startsWith('lib/server/'), why: 'lib/server is the server-only adapter to Next.js' },
  { test: (f) => f.startsWith('lib/session/'), why: 'lib/session holds sealed sessions and keys' },
  { test: (f) => f === 'lib/flow/index.ts', why: 'the lib/flow barrel is the whole engine' },
];

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Value imports of a module: `import type …` / `export type …` and all-`type` specifier lists are erased. */
function valueImports(code: string): string[] {
  const found: string[] = [];
  const statement =
    /(?:^|[\n;])\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|[\n;])\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of code.matchAll(statement)) {
    if (m[5] || m[6]) {
      found.push((m[5] ?? m[6])!);
      continue;
    }
    if (m[2]) continue;
    const clause = m[3] ?? '';
    const braces = clause.match(/\{([^}]*)\}/);
    const outside = clause
      .replace(/\{[^}]*\}/, '')
      .replace(/,/g, '')
      .trim();
    const named = braces
      ? braces[1]!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [];
    if (!outside && named.length > 0 && named.every((s) => s.startsWith('type '))) continue;
    found.push(m[4]!);
  }
  return found;
}

function resolveImport(from: string, spec: string): string | undefined {
  let base: string;
  if (spec.startsWith('@/')) base = spec.slice(2);
  else if (spec.startsWith('.')) base = relative(ROOT, resolve(ROOT, dirname(from), spec));
  else return undefined; // a package
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}/index.tsx`]) {
    const full = join(ROOT, candidate);
    if (existsSync(full) && statSync(full).isFile()) return candidate;
  }
  return undefined;
}

/** Every module the browser bundle reaches from `entry`, with the chain that reached it. */
function reachable(entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>(entries.map((e) => [e, [e]]));
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    const code = readFileSync(join(ROOT, file), 'utf8');
    if (/^\s*['"]use server['"]/.test(code)) continue;
    for (const spec of valueImports(code)) {
      const target = resolveImport(file, spec);
      if (!target || seen.has(target)) continue;
      seen.set(target, [...seen.get(file)!, target]);
      queue.push(target);
    }
  }
  return seen;
}

describe('the client boundary', () => {
  it('reads value imports and skips type-only ones', () => {
    expect(
      valueImports(`import type { A } from '@/lib/server/x';
import { type B } from '@/lib/session';
export type { C } from '@/lib/flow';
import { type D, e } from './e';
import f from './f';
import './g.css';
const h = lazy(() => import('./h'));`),
    ).toEqual(['./e', './f', './g.css', './h']);
  });

  it('no client component reaches lib/server, lib/session or the lib/flow barrel', () => {
    const components = sources('components');
    expect(components.length).toBeGreaterThan(10);
    const graph = reachable(components);
    const problems = [...graph.entries()].flatMap(([file, chain]) =>
      FORBIDDEN.filter((f) => f.test(file)).map((f) => `${chain.join(' → ')}: ${f.why}`),
    );
    expect(problems).toEqual([]);
    // The walk did follow imports into lib (the store, the pictures).
    expect([...graph.keys()]).toEqual(
      expect.arrayContaining(['lib/store/inspector-store.ts', 'lib/picture/sequence.ts']),
    );
  });

  it('a component importing lib/server would be caught', () => {
    const graph = reachable(['lib/flow/index.ts']);
    expect([...graph.keys()].some((f) => FORBIDDEN.some((x) => x.test(f)))).toBe(true);
  });
});
