/**
 * viewUpdate() and applyViewUpdate() over real recorded flows: the bundled demo (oidc-provider and the
 * SDK's MCP server on loopback) driven through start, sign-in, tool calls, disconnect, reconnect (steps
 * re-run), a new start in guided mode (steps back to pending), and reset (no view). Whatever a client
 * holds from that history, merging the update the server computes for it must give exactly the next view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from '../../demo/index';
import { applyViewUpdate, type HeldView, ViewOutOfStep } from '../contract/view-update';
import { settleJson } from '../session/opened';
import { createInspectorStore } from '../store/inspector-store';
import {
  callTool,
  createFlow,
  disconnect,
  handleCallback,
  reconnect,
  runNextStep,
  runUntilPause,
} from './index';
import { browserExchange, browserView, liveView } from './scrub';
import type { FlowState } from './state';
import type { FlowContext } from './step-run';
import { browseAuthorization } from './testing/browser';
import { collapseView, type LiveView } from './view';
import { parseHolding, revisionOf, viewFingerprints, viewUpdate } from './view-delta';

const REDIRECT_URI = 'http://127.0.0.1:9/api/oauth/callback';
const ctx: FlowContext = { policy: { mode: 'local' } };

let demo: DemoHandle;
/** Every view the browser would have been sent, in order, each named after what produced it. */
const history: Array<{ what: string; view: LiveView | null; state: FlowState | null }> = [];
/** The connected flow after the tool calls, for the exchange look-up. */
let connectedFlow: FlowState;

const live = (state: FlowState): LiveView => collapseView(browserView(state));

async function signIn(state: FlowState): Promise<FlowState> {
  if (state.step !== 'awaiting-callback') throw new Error(`expected a sign-in, the flow is at ${state.step}`);
  const callback = await browseAuthorization(state.authorization.url, REDIRECT_URI);
  return runUntilPause(await handleCallback(state, callback, ctx), ctx);
}

beforeAll(async () => {
  demo = await startDemo({ host: '127.0.0.1', port: 0, log: () => {} });
  const record = (what: string, state: FlowState | null) => {
    history.push({ what, view: state ? live(state) : null, state });
    return state as FlowState;
  };
  const options = {
    serverUrl: demo.mcpUrl,
    specVersion: '2025-11-25' as const,
    redirectUri: REDIRECT_URI,
    registration: 'auto' as const,
    clientName: 'MCP Auth Inspector (delta test)',
  };
  let state = record('start (run all, to consent)', await runUntilPause(createFlow(options), ctx));
  state = record('callback (connected)', await signIn(state));
  state = record('echo', (await callTool(state, ctx, 'echo', { message: 'one' })).state);
  state = record('echo again', (await callTool(state, ctx, 'echo', { message: 'two' })).state);
  state = record('whoami', (await callTool(state, ctx, 'whoami', {})).state);
  connectedFlow = state;
  state = record('disconnect', await disconnect(state, ctx));
  state = record('reconnect (steps re-run)', await reconnect(state, ctx));
  state = record('callback again', await signIn(state));
  state = record('echo after reconnect', (await callTool(state, ctx, 'echo', { message: 'three' })).state);
  let guided = record(
    'new start, guided (steps back to pending)',
    await runNextStep(createFlow(options), ctx),
  );
  guided = record('guided next', await runNextStep(guided, ctx));
  record('guided next again', await runNextStep(guided, ctx));
  record('reset', null);
  record('start after reset', await runUntilPause(createFlow(options), ctx));
}, 60_000);

afterAll(() => demo?.close());

/** What a client holds after being sent `view`. */
function held(view: LiveView | null): HeldView {
  const fp = view ? viewFingerprints(view) : {};
  return { view, held: fp, rev: revisionOf(fp) };
}

describe('viewUpdate() and applyViewUpdate() over a recorded demo walkthrough', () => {
  it('the history covers what the brief asks for', () => {
    expect(history.length).toBe(14);
    expect(history.filter((h) => h.view === null)).toHaveLength(1);
    // Exchanges really are collapsed: no headers, no bodies reach the live page.
    const exchanges = history.flatMap((h) => h.view?.steps.flatMap((s) => s.exchanges) ?? []);
    expect(exchanges.length).toBeGreaterThan(20);
    expect(JSON.stringify(exchanges)).not.toMatch(/"headers"|"body"/);
  });

  it('merge(held, update(held, next)) is exactly next, for every held view and every next view', () => {
    for (const from of [{ what: 'nothing', view: null }, ...history]) {
      for (const to of history) {
        const prev = held(from.view);
        const merged = applyViewUpdate(prev, viewUpdate(prev, to.view));
        expect(merged, `${from.what} → ${to.what}`).toStrictEqual(held(to.view));
      }
    }
  });

  it('a tool call sends its new exchanges and the changed parts only, not the whole view', () => {
    const [before, after] = [history[2]!, history[3]!];
    const update = viewUpdate(held(before.view), after.view);
    expect('full' in update).toBe(false);
    const size = JSON.stringify(update).length;
    expect(size).toBeLessThan(JSON.stringify(after.view).length / 4);
    // The steps before the MCP session did not change: they are named, not sent.
    if ('steps' in update) expect(update.steps.slice(0, 5).every((s) => typeof s === 'string')).toBe(true);
  });

  it('the same view again costs only step ids', () => {
    const view = history[4]!.view!;
    const { rev } = held(view);
    const update = viewUpdate(held(view), view);
    expect(update).toStrictEqual({ base: rev, rev, steps: view.steps.map((s) => s.id), fp: {} });
  });

  it('a client that holds nothing, or sends something else, gets the full view', () => {
    const view = history[1]!.view!;
    const { held: fp, rev } = held(view);
    const full = { full: view, fp, rev };
    const { h: _h, ...noHead } = viewFingerprints(view);
    const shapes = [undefined, null, 'h', [], { h: 'x' }, { rev: 1, held: {} }, { rev: 'r', held: [] }];
    for (const raw of [...shapes, { rev: 'r', held: { h: 'x'.repeat(65) } }, { rev: 'r', held: noHead }]) {
      expect(viewUpdate(parseHolding(raw), view), JSON.stringify(raw)).toStrictEqual(full);
    }
  });

  it('an update computed for another holding (two actions in flight) is refused, not merged wrongly', () => {
    const [first, second, third] = [history[2]!.view, history[3]!.view, history[4]!.view];
    // Both actions were sent holding `first`; the answer to the first one has been merged already.
    const late = viewUpdate(held(first), third);
    expect(() => applyViewUpdate(held(second), late)).toThrow(ViewOutOfStep);
    expect(() => applyViewUpdate(held(null), late)).toThrow(ViewOutOfStep);
  });
});

describe('liveView()', () => {
  it('is exactly the collapsed browser view, for every state of the walkthrough, again and again', () => {
    const states = history.flatMap((h) => (h.state ? [h.state] : []));
    expect(states.length).toBeGreaterThan(10);
    for (const state of states) {
      const expected = collapseView(browserView(state));
      expect(liveView(state)).toStrictEqual(expected);
      // Again, from what it kept of the first time (as the next action on a cached session does).
      expect(liveView(state)).toStrictEqual(expected);
    }
  });

  it('keeps each exchange summary across states that share the exchange, frozen as the session cache keeps them', () => {
    const before = settleJson(structuredClone(connectedFlow))!;
    expect(before).toBeDefined();
    const first = liveView(before);
    const after = { ...before, seq: before.seq + 1 };
    const second = liveView(after);
    const exchanges = (v: LiveView) => v.steps.flatMap((s) => s.exchanges);
    exchanges(second).forEach((x, i) => {
      expect(x).toBe(exchanges(first)[i]);
    });
    expect(Object.isFrozen(exchanges(second)[0])).toBe(true);
  });

  it('scrubs again when the session learns a new secret, however often the exchange was shown before', () => {
    const state = structuredClone(connectedFlow);
    const before = liveView(state);
    // The MCP server's host:port is in every MCP exchange's URL: as a live secret it must vanish.
    const hostPort = new URL(demo.mcpUrl).host;
    expect(JSON.stringify(before)).toContain(hostPort);
    const withSecret = { ...state, secrets: { ...state.secrets, clientSecret: hostPort } } as FlowState;
    const scrubbed = liveView(withSecret);
    expect(scrubbed).toStrictEqual(collapseView(browserView(withSecret)));
    expect(JSON.stringify(scrubbed.steps)).not.toContain(hostPort);
  });
});

describe('browserExchange()', () => {
  it('gives each exchange exactly as the full browser view has it, and nothing for an unknown id or time', () => {
    const exchanges = browserView(connectedFlow).steps.flatMap((s) => s.exchanges);
    expect(exchanges.length).toBeGreaterThan(10);
    for (const x of exchanges) expect(browserExchange(connectedFlow, x.id, x.startedAt)).toStrictEqual(x);
    expect(browserExchange(connectedFlow, 'tools.999.1', exchanges[0]!.startedAt)).toBeUndefined();
    // The same id from another walkthrough (ids count per walkthrough): not this one's exchange.
    expect(browserExchange(connectedFlow, exchanges[0]!.id, exchanges[0]!.startedAt - 1)).toBeUndefined();
  });
});

describe('the store between actions, with a report opened and closed', () => {
  it('merges into the live view while a report is shown, and shows the live view again after', () => {
    const [first, second, third] = [history[1]!.view, history[2]!.view, history[3]!.view];
    const store = createInspectorStore({ ...held(first), mode: 'run-all' });
    const report = browserView(connectedFlow);
    const meta = { exportedAt: '2026-12-01T00:00:00.000Z', fileName: 'report.json' };

    // Opened report: shown, while the live view and its fingerprints stay what the page holds.
    store.getState().openReport(report, meta);
    expect(store.getState().view).toBe(report);
    expect(store.getState().live).toStrictEqual(held(first));
    store.getState().closeReport();
    expect(store.getState().view).toStrictEqual(first);

    // An action answered while a report is open: merged into the live view; the report closes.
    store.getState().openReport(report, meta);
    const { live } = store.getState();
    store.getState().applyLive(applyViewUpdate(live, viewUpdate(live, second)), 'run-all');
    expect(store.getState().report).toBeNull();
    expect(store.getState().view).toStrictEqual(second);

    // And the next action's delta is against that merged view, not the report's.
    const next = store.getState().live;
    store.getState().applyLive(applyViewUpdate(next, viewUpdate(next, third)), 'run-all');
    expect(store.getState().live).toStrictEqual(held(third));
  });
});
