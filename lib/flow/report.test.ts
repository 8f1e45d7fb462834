import { describe, expect, it } from 'vitest';
import { handleCallback, runUntilPause } from './engine';
import { parseReport, reportFileName, toReport } from './report';
import { createFlow } from './state';
import { createFakeWorld } from './testing/fake-world';
import { contextFor, optionsFor } from './testing/options';
import { toView } from './view';

async function connectedView() {
  const world = createFakeWorld();
  const ctx = contextFor(world);
  const paused = await runUntilPause(createFlow(optionsFor(world)), ctx);
  if (paused.step !== 'awaiting-callback') throw new Error(`expected consent, got ${paused.step}`);
  const connected = await runUntilPause(
    await handleCallback(paused, world.authorize(paused.authorization.url), ctx),
    ctx,
  );
  if (connected.step !== 'connected') throw new Error(`expected connected, got ${connected.step}`);
  return toView(connected);
}

describe('toReport() / parseReport()', () => {
  it('round-trips a connected walkthrough without the pending authorization URL', async () => {
    const view = await connectedView();
    const report = toReport(
      { ...view, authorizationUrl: 'https://as.example/authorize?state=x' },
      new Date('2026-11-26T10:00:00Z'),
    );
    expect(report.view.authorizationUrl).toBeUndefined();
    const parsed = parseReport(JSON.parse(JSON.stringify(report)));
    expect(parsed.ok && parsed.report.view.steps.map((s) => s.id)).toEqual(view.steps.map((s) => s.id));
    expect(reportFileName(report)).toBe(
      `mcp-auth-report-${new URL(view.options.serverUrl).host}-2026-11-26.json`,
    );
  });

  it.each([
    [null, /not a JSON object/],
    [{ format: 'other' }, /not an MCP Auth Inspector report/],
    [{ format: 'mcp-auth-inspector-report', version: 2 }, /version 2/],
    [{ format: 'mcp-auth-inspector-report', version: 1, exportedAt: 'yesterday' }, /exportedAt/],
    [
      { format: 'mcp-auth-inspector-report', version: 1, exportedAt: '2026-11-26T00:00:00Z', view: {} },
      /no walkthrough/,
    ],
    [
      {
        format: 'mcp-auth-inspector-report',
        version: 1,
        exportedAt: '2026-11-26T00:00:00Z',
        view: { options: { serverUrl: 'https://x' }, steps: [{ id: 'tools', checks: [], exchanges: [] }] },
      },
      /must list the 9 steps/,
    ],
  ])('names what is wrong with %j', (input, problem) => {
    const parsed = parseReport(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });
});
