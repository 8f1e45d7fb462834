import { describe, expect, it } from 'vitest';
import { CHECK_LIST, CHECKS } from './checks';
import { runUntilPause } from './engine';
import { createFlow } from './state';
import { createFakeWorld } from './testing/fake-world';
import { contextFor, optionsFor } from './testing/options';
import { STEP_ORDER } from './types';

describe('check registry', () => {
  it('has a title, a spec reference and a known step for every id, in step order', () => {
    expect(CHECK_LIST.length).toBe(Object.keys(CHECKS).length);
    for (const c of CHECK_LIST) {
      expect(c.id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
      expect(c.title.length).toBeGreaterThan(5);
      expect(c.specRef).toMatch(/RFC|MCP|draft|OpenID|Fetch/);
      expect(STEP_ORDER).toContain(c.step);
    }
    const order = CHECK_LIST.map((c) => STEP_ORDER.indexOf(c.step));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('records each check in the step the registry names, with the registry’s title and reference', async () => {
    const world = createFakeWorld();
    const state = await runUntilPause(createFlow(optionsFor(world)), contextFor(world));
    for (const record of state.records) {
      for (const c of record.checks) {
        const def = CHECKS[c.id as keyof typeof CHECKS];
        expect(def.step).toBe(record.id);
        expect(c.title).toBe(def.title);
        expect(c.specRef).toBe(def.specRef);
      }
    }
  });
});
