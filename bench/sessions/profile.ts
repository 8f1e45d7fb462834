/**
 * `npx tsx bench/sessions/profile.ts`: where one tool call's CPU goes on the inspector's side, in this
 * process, on a connected demo flow after the bench's calls (5 echo + whoami). Each part is what a
 * tool call action does besides the MCP request: open the sealed session, project the view for the
 * browser (scrubbed), collapse it, fingerprint it, compute the update, seal the session again.
 */
import { startDemo } from '../../demo/index';
import { callTool, createFlow, type FlowState, handleCallback, runUntilPause } from '../../lib/flow';
import { browserView, liveView } from '../../lib/flow/scrub';
import { browseAuthorization } from '../../lib/flow/testing/browser';
import { collapseView, toView } from '../../lib/flow/view';
import { revisionOf, viewFingerprints, viewUpdate } from '../../lib/flow/view-delta';
import { createKeyring, seal, unseal } from '../../lib/session';
import { settleJson } from '../../lib/session/opened';

const ROUNDS = Number(process.env.PROFILE_ROUNDS ?? 200);

async function connectedFlow(mcpUrl: string): Promise<FlowState> {
  const redirectUri = 'http://127.0.0.1:9/callback';
  const ctx = { policy: { mode: 'local' as const } };
  const options = {
    serverUrl: mcpUrl,
    specVersion: '2025-11-25' as const,
    redirectUri,
    registration: 'auto' as const,
    clientName: 'profile',
  };
  const paused = await runUntilPause(createFlow(options), ctx);
  if (paused.step !== 'awaiting-callback') throw new Error(`profile: ${paused.step}`);
  let state = await runUntilPause(
    await handleCallback(paused, await browseAuthorization(paused.authorization.url, redirectUri), ctx),
    ctx,
  );
  for (let i = 0; i < 5; i++) state = (await callTool(state, ctx, 'echo', { message: `hello ${i}` })).state;
  return (await callTool(state, ctx, 'whoami', {})).state;
}

function time(what: string, fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn();
  const t = performance.now();
  for (let i = 0; i < ROUNDS; i++) fn();
  const each = (performance.now() - t) / ROUNDS;
  console.log(`${what.padEnd(44)} ${each.toFixed(2).padStart(7)} ms`);
  return each;
}

const demo = await startDemo({ host: '127.0.0.1', log: () => {} });
try {
  const flow = await connectedFlow(demo.mcpUrl);
  const keyring = createKeyring(['profile-secret-0123456789-abcdefghijklmnopqrstuvwxyz']);
  const data = { mode: 'run-all', flow };
  const sealed = seal(data, keyring, 'id');
  const settled = settleJson(structuredClone(flow));
  if (!settled) throw new Error('profile: the flow is not plain JSON');
  const full = browserView(flow);
  const live = collapseView(full);
  const fp = viewFingerprints(live);
  const holding = { rev: revisionOf(fp), held: fp };
  console.log(
    `sealed session ${(sealed.length / 1024).toFixed(1)} KB; full view ${(JSON.stringify(full).length / 1024).toFixed(1)} KB; live view ${(JSON.stringify(live).length / 1024).toFixed(1)} KB; holding ${(JSON.stringify(holding).length / 1024).toFixed(1)} KB`,
  );
  const parts = [
    time('unseal (AES-GCM + JSON.parse)', () => unseal(sealed, keyring, 'id')),
    time('toView', () => toView(flow)),
    time('browserView (toView + scrub of live secrets)', () => browserView(flow)),
    time('collapseView', () => collapseView(full)),
    // What an action does instead on a session the process keeps decoded (frozen, lib/session/opened.ts):
    // the view from the summaries kept with each finished step and exchange.
    time('liveView (session kept decoded)', () => liveView(settled)),
    time('viewUpdate (fingerprints + delta)', () => viewUpdate(holding, live)),
    time('seal (JSON.stringify + AES-GCM)', () => seal(data, keyring, 'id')),
  ];
  const ctx = { policy: { mode: 'local' as const } };
  const calls: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await callTool(flow, ctx, 'echo', { message: `timed ${i}` });
    if (i >= 10) calls.push(performance.now() - t);
  }
  calls.sort((a, b) => a - b);
  console.log(
    `${'engine callTool (MCP request, recorded)'.padEnd(44)} ${calls[20]!.toFixed(2).padStart(7)} ms (p50 of 40)`,
  );
  const total = parts[0]! + parts[2]! + parts[3]! + parts[5]! + parts[6]!;
  console.log(
    `${'per tool call, these parts (no kept session)'.padEnd(44)} ${total.toFixed(2).padStart(7)} ms`,
  );
  const kept = parts[4]! + parts[5]! + parts[6]!;
  console.log(`${'per tool call, these parts (kept session)'.padEnd(44)} ${kept.toFixed(2).padStart(7)} ms`);
} finally {
  await demo.close();
}
