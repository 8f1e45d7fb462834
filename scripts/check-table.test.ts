import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_LIST } from '../lib/flow/checks';
import { checkTable, README_PATH, readmeTable } from './check-table';

describe('the README’s table of doctor check ids', () => {
  it('has one row per check in CHECK_LIST, in order', () => {
    const rows = checkTable().split('\n').slice(2);
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual(CHECK_LIST.map((c) => c.id));
  });

  it('is up to date in README.md (regenerate with `npx tsx scripts/check-table.ts --write`)', () => {
    const inReadme = readmeTable(readFileSync(README_PATH, 'utf8'));
    expect(inReadme, 'README.md lacks the check-table markers').toBeDefined();
    expect(inReadme).toBe(checkTable());
  });
});
