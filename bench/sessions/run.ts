/**
 * `npm run bench:sessions`: many concurrent browser sessions through the built inspector, over HTTP.
 *
 * Starts the bundled demo and `next start` on loopback (as the e2e fixtures do), then drives
 * BENCH_SESSIONS sessions at once, each with its own cookie jar, exactly as a browser would: the
 * start server action, the OAuth redirect with the demo's login and consent forms (users demo and
 * alex alternate), the callback, then BENCH_CALLS tool calls and a whoami, all through server
 * actions. Then the same number of direct SDK clients call the same MCP server with a token of their
 * own, so the inspector's added latency is a ratio measured in one run. It reports errors, latency
 * (p50/p99), memory per session, and any response that carried another session's subject or any
 * raw token; it writes the figures to bench/sessions/RESULTS.md.
 *
 * Bounded: BENCH_SESSIONS (default 100), BENCH_CALLS (default 5), BENCH_TIMEOUT_MS (default 180 s);
 * loopback only. BENCH_CPU_PROFILE=<dir> profiles the inspector process (see cpu-profile.ts).
 *
 * BENCH_HOSTED=1 (`npm run bench:sessions:hosted`) runs the same sessions against the hosted shape
 * instead: two instances in hosted mode on one Redis behind nginx (TLS, round robin, no stickiness;
 * scripts/hosting-process.ts), 200 sessions by default, and writes RESULTS-hosted.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Agent, setGlobalDispatcher } from 'undici';
import { startDemo } from '../../demo/index';
import { applyViewUpdate, fullView, type HeldView, type ViewUpdate } from '../../lib/contract/view-update';
import { createFlow, type FlowState, handleCallback, runUntilPause } from '../../lib/flow';
import { browseAuthorization, CookieJar } from '../../lib/flow/testing/browser';
import { createKeyring, MemorySessionStore, SessionManager, seal, unseal } from '../../lib/session';
import { DEFAULT_OPENED_LIMITS, OpenedSessions } from '../../lib/session/opened';
import { startHosting } from '../../scripts/hosting-process';
import {
  buildInspector,
  buildIsStale,
  freePort,
  type InspectorProcess,
  ROOT,
  startInspector,
} from '../../scripts/inspector-process';
import { actionIds, actionResult } from './flight';

const HOSTED = process.env.BENCH_HOSTED === '1';
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? (HOSTED ? 200 : 100));
const CALLS = Number(process.env.BENCH_CALLS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 180_000);
const USERS = ['demo', 'alex'] as const;
const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

interface ActionResultOk<T> {
  ok: true;
  value: T;
}
interface ActionResultErr {
  ok: false;
  error: string;
}
type ActionResult<T> = ActionResultOk<T> | ActionResultErr;

interface AnswerLike {
  update: ViewUpdate;
}
interface ToolOutcomeLike extends AnswerLike {
  result: {
    isError: boolean;
    content: Array<{ type: string; text?: string }>;
    structuredContent?: { sub?: string };
    error?: { message: string };
  };
}

/** One browser: a cookie jar shared by the inspector and the authorization server (both on 127.0.0.1). */
class Browser {
  readonly jar = new CookieJar();
  /** Every action body this browser received, to look for what it must never see. */
  readonly bodies: string[] = [];
  /** The live view as the page holds it, with its fingerprints: sent with every action, merged into. */
  live: HeldView = { view: null, held: {}, rev: '' };
  /** Per action: bytes of the answer, whether it set a cookie, whether it carried a re-rendered page. */
  readonly answers: Array<{ name: string; bytes: number; setCookie: boolean; page: boolean }> = [];

  constructor(
    private readonly inspector: string,
    private readonly ids: Record<string, string>,
  ) {}

  /** Runs an action that answers with a view update, sending what this page holds, and merges the answer. */
  async viewAction<T extends AnswerLike>(name: string, ...args: unknown[]): Promise<T> {
    const value = await this.action<T>(name, ...args, { rev: this.live.rev, held: this.live.held });
    this.live = applyViewUpdate(this.live, value.update);
    return value;
  }

  async action<T>(name: string, ...args: unknown[]): Promise<T> {
    const url = new URL('/', this.inspector);
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'next-action': this.ids[name] ?? '',
        'content-type': 'text/plain;charset=UTF-8',
        accept: 'text/x-component',
        origin: this.inspector,
        cookie: this.jar.header(url),
      },
      body: JSON.stringify(args),
    });
    this.jar.store(url, res.headers.getSetCookie());
    const body = Buffer.from(await res.arrayBuffer());
    const text = body.toString('utf8');
    this.bodies.push(text);
    this.answers.push({
      name,
      bytes: body.length,
      setCookie: res.headers.getSetCookie().length > 0,
      page: RENDERED_PAGE.test(text),
    });
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
    const result = actionResult(body) as ActionResult<T>;
    if (!result.ok) throw new Error(`${name}: ${result.error}`);
    return result.value;
  }

  async get(href: string): Promise<Response> {
    const url = new URL(href);
    const res = await fetch(url, { headers: { cookie: this.jar.header(url) }, redirect: 'manual' });
    this.jar.store(url, res.headers.getSetCookie());
    return res;
  }
}

/** A React Server Components tree of the root layout: what a re-render after an action carries. */
const RENDERED_PAGE = /\["\$","html",/;

interface SessionResult {
  user: string;
  ok: boolean;
  error?: string;
  /** Start (run-all to consent), sign-in at the AS, callback (token + MCP + tools), per tool call. */
  startMs?: number;
  callbackMs?: number;
  toolMs: number[];
  /** whoami said this subject. */
  sub?: string;
  /** The view merged from every answer differed from the server's full view at the end. */
  drifted?: boolean;
  bodies: string[];
  answers: Browser['answers'];
  /** The session's browser, for more actions after its calls. */
  browser: Browser;
}

/** A session signed in and connected, ready for its tool calls; or one that failed on the way. */
interface SignedIn {
  index: number;
  browser: Browser;
  out: SessionResult;
}

/** Start, sign in at the demo AS, the callback and the page load: a session up to 'connected'. */
async function signIn(index: number, inspector: string, ids: Record<string, string>, mcpUrl: string) {
  const user = USERS[index % USERS.length]!;
  const browser = new Browser(inspector, ids);
  const out: SessionResult = {
    user,
    ok: false,
    toolMs: [],
    bodies: browser.bodies,
    answers: browser.answers,
    browser,
  };
  try {
    // The page load first, as a browser does: the proxy sets the session cookie there.
    await (await browser.get(`${inspector}/`)).body?.cancel();
    let t = performance.now();
    const started = await browser.action<AnswerLike>('startAction', { serverUrl: mcpUrl, mode: 'run-all' });
    out.startMs = performance.now() - t;
    browser.live = applyViewUpdate(browser.live, started.update);
    const view = browser.live.view;
    const authorizationUrl = view?.authorizationUrl;
    if (view?.step !== 'awaiting-callback' || !authorizationUrl) {
      throw new Error(`start ended at ${view?.step}: ${view?.error?.message ?? ''}`);
    }
    const callback = await browseAuthorization(authorizationUrl, `${inspector}/api/oauth/callback`, {
      username: user,
      password: user,
      jar: browser.jar,
    });
    t = performance.now();
    const back = await browser.get(callback.href);
    out.callbackMs = performance.now() - t;
    await back.body?.cancel();
    if (back.status !== 303) throw new Error(`callback answered ${back.status}`);
    // A browser now loads the page, which carries the view and its fingerprints; the bench asks for
    // the same with the view action (holding nothing, it answers in full), not timed.
    await browser.viewAction('viewAction');
    if (browser.live.view?.step !== 'connected') throw new Error(`not connected: ${browser.live.view?.step}`);
  } catch (error) {
    out.error = error instanceof Error ? error.message : String(error);
  }
  return { index, browser, out };
}

/** The connected session's echo calls and a whoami, then the merged view compared with the full one. */
async function callTools({ index, browser, out }: SignedIn, calls = CALLS): Promise<SessionResult> {
  if (out.error) return out;
  try {
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      const run = await browser.viewAction<ToolOutcomeLike>('runToolAction', 'echo', {
        message: `hello ${index}.${i}`,
      });
      out.toolMs.push(performance.now() - t);
      if (run.result.isError) throw new Error(`echo failed: ${run.result.error?.message}`);
      if (run.result.content[0]?.text !== `hello ${index}.${i}`)
        throw new Error('echo answered something else');
    }
    const who = await browser.viewAction<ToolOutcomeLike>('runToolAction', 'whoami', {});
    out.sub = who.result.structuredContent?.sub;
    if (out.sub !== out.user) throw new Error(`whoami says ${out.sub}, expected ${out.user}`);
    // What the page merged from the answers must be exactly the view the server would send in full.
    const full = await browser.action<AnswerLike>('viewAction', null);
    out.drifted = !isDeepStrictEqual(fullView(full.update), browser.live.view);
    out.ok = true;
  } catch (error) {
    out.error = error instanceof Error ? error.message : String(error);
  }
  return out;
}

/** `count` view actions holding the current view, one after another: each answers "nothing changed". */
async function viewActions(browser: Browser, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await browser.viewAction('viewAction');
    times.push(performance.now() - t);
  }
  return times;
}

async function session(
  index: number,
  inspector: string,
  ids: Record<string, string>,
  mcpUrl: string,
  calls = CALLS,
): Promise<SessionResult> {
  return callTools(await signIn(index, inspector, ids, mcpUrl), calls);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc. */
function cpuMsOf(pids: Array<number | undefined>): number {
  let ticks = 0;
  for (const pid of pids) {
    if (!pid) return Number.NaN;
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th
    // field of the line, stime the 15th, in clock ticks (100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * 10;
}

/**
 * A token for the direct SDK clients, obtained by the engine in this process (the same OAuth flow);
 * also the connected flow state, as the inspector's session holds it.
 */
async function directToken(mcpUrl: string): Promise<{ token: string; state: FlowState }> {
  const redirectUri = 'http://127.0.0.1:9/callback';
  const ctx = { policy: { mode: 'local' as const } };
  const paused = await runUntilPause(
    createFlow({
      serverUrl: mcpUrl,
      specVersion: '2025-11-25',
      redirectUri,
      registration: 'auto',
      clientName: 'bench',
    }),
    ctx,
  );
  if (paused.step !== 'awaiting-callback') throw new Error(`direct token: ${paused.step}`);
  const callback = await browseAuthorization(paused.authorization.url, redirectUri);
  const state = await runUntilPause(await handleCallback(paused, callback, ctx), ctx);
  if (state.step !== 'connected' || !state.secrets.accessToken)
    throw new Error(`direct token: ${state.step}`);
  return { token: state.secrets.accessToken, state };
}

/**
 * Heap held per session by the session store: `count` sealed copies of a connected flow (as the
 * inspector stores it), measured with forced GC when node runs with --expose-gc.
 */
async function storeBytesPerSession(state: FlowState, count = 1_000) {
  const gc = (globalThis as { gc?: () => void }).gc;
  const keyring = createKeyring([SECRET]);
  // No decoded copies here (maxEntries 0): this measures the store's sealed values alone.
  const manager = new SessionManager<{ mode: string; flow: FlowState }>(
    new MemorySessionStore(),
    keyring,
    undefined,
    undefined,
    undefined,
    { maxEntries: 0, maxSealedChars: 0 },
  );
  gc?.();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) await manager.save(manager.create({ mode: 'run-all', flow: state }));
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const one = manager.create({ mode: 'run-all', flow: state });
  const sealedLength = seal(one.data, keyring, one.id).length;
  // What the process keeps decoded beside them, for its most recently used sessions (lib/session/opened.ts).
  const sealed = seal(one.data, keyring, one.id);
  const opened = new OpenedSessions<unknown>();
  const kept = 200;
  gc?.();
  const beforeDecoded = process.memoryUsage().heapUsed;
  for (let i = 0; i < kept; i++) opened.saved(`s${i}`, sealed, unseal(sealed, keyring, one.id));
  gc?.();
  const decodedPerSession = (process.memoryUsage().heapUsed - beforeDecoded) / kept;
  return {
    perSession: (after - before) / count,
    decodedPerSession,
    decodedEntries: DEFAULT_OPENED_LIMITS.maxEntries,
    sealedLength,
    forcedGc: Boolean(gc),
    manager,
    opened,
  };
}

/** A connected SDK client with a token of its own, as an MCP client holds one. */
async function directConnect(mcpUrl: string, token: string) {
  // The current SDK client, negotiating like any 2026 client (the demo speaks 2026-07-28 only).
  const client = new Client({ name: 'bench-direct', version: '1' }, { versionNegotiation: { mode: 'auto' } });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

/** `calls` echo calls on a connected client, one after another. */
async function directCalls(client: Client, index: number, calls = CALLS) {
  const times: number[] = [];
  let error: string | undefined;
  try {
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      const r = await client.callTool({ name: 'echo', arguments: { message: `hello ${index}.${i}` } });
      times.push(performance.now() - t);
      if (r.isError) throw new Error('echo failed');
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return { times, error };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Issue 11's aims for lean actions, each met or not in this run. */
function aims(start: Array<{ bytes: number }>, tool: Array<{ bytes: number }>, loadedRatio: number): string {
  const worst = (list: Array<{ bytes: number }>) => Math.max(...list.map((a) => a.bytes));
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `Aims: startAction ≤ 25 KB ${verdict(worst(start) <= 25 * 1024)} (largest ${kb(worst(start))})`,
    `small tool call ≤ 5 KB ${verdict(worst(tool) <= 5 * 1024)} (largest ${kb(worst(tool))})`,
    `loaded tools/call p50 ≤ 3× direct ${verdict(loadedRatio <= 3)} (${loadedRatio.toFixed(1)}×)`,
  ].join('; ');
}

/** Resident memory of the inspector processes together. */
function rssOf(pids: Array<number | undefined>): number {
  return pids.reduce((sum: number, pid) => sum + rssBytes(pid), 0);
}

function rssBytes(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
  return kb * 1024;
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const mb = (n: number) => `${(n / 1_048_576).toFixed(1)} MB`;

async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not finish within ${TIMEOUT_MS / 1000} s`)),
      TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Where the sessions are sent: one local instance, or the hosted stack (two instances, Redis, nginx). */
interface Serving {
  base: string;
  /** The inspector processes, for their memory. */
  pids: Array<number | undefined>;
  describe: string;
  stop(): Promise<void>;
}

const HOSTED_NOTE = `- Hosted shape: every action crosses nginx (TLS) to either instance, and takes the session's Redis
  lock, reads, saves and releases it (four Redis round trips). On this machine the two instances,
  nginx, Redis, the demo servers and the driving loops all share the same 2 cores, so a second
  instance adds no CPU: the loaded ratio here measures queueing on shared cores, not how instances
  scale. What this run shows is correctness across instances under load (errors, leaks, drift) and
  the per-call cost of the hosted path (the unloaded line).
`;

/** What both shapes lift: this bench measures serving the sessions, not refusing them. */
const LIFTED = { INSPECTOR_MAX_CONCURRENT_OUTBOUND: String(SESSIONS + 10) };

async function serveLocal(): Promise<Serving> {
  const inspector: InspectorProcess = await startInspector({
    port: await freePort(),
    quiet: true,
    env: { INSPECTOR_SESSION_SECRET: SECRET, INSPECTOR_MODE: 'local', ...LIFTED },
    // BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of the inspector process (cpu-profile.ts reads it).
    ...(process.env.BENCH_CPU_PROFILE
      ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] }
      : {}),
  });
  return {
    base: inspector.url,
    pids: [inspector.child.pid],
    describe: 'the built inspector (`next start`, local mode)',
    stop: () => inspector.stop(),
  };
}

async function serveHosted(demo: { mcpUrl: string; issuer: string }): Promise<Serving> {
  const hosting = await startHosting({
    secrets: SECRET,
    quiet: true,
    env: {
      // Hosted mode refuses loopback: the operator's allow list lets the demo's two servers in.
      INSPECTOR_ALLOW_HOSTS: [...new Set([demo.mcpUrl, demo.issuer].map((u) => new URL(u).origin))].join(','),
      // Every session of the bench comes from one address; per-client budgets would refuse the bench.
      INSPECTOR_RATE_ACTIONS: '0',
      INSPECTOR_RATE_OUTBOUND: '0',
      ...LIFTED,
    },
  });
  // nginx's certificate is made for this run: trust it, and only it, for this process's fetches.
  setGlobalDispatcher(new Agent({ connect: { ca: hosting.ca } }));
  return {
    base: hosting.url,
    pids: hosting.instances.map((i) => i?.child.pid),
    describe:
      'two built inspectors (`next start`, hosted mode) sharing one Redis (`redis-server`), behind nginx with TLS and plain round robin (no sticky sessions)',
    stop: () => hosting.stop(),
  };
}

async function main() {
  if (buildIsStale()) {
    console.error('[bench] building the inspector (sources changed)…');
    await buildInspector();
  }
  const demo = await startDemo({ host: '127.0.0.1', log: () => {} });
  let serving: Serving | undefined;
  try {
    serving = HOSTED ? await serveHosted(demo) : await serveLocal();
    const ids = actionIds(ROOT);
    const base = serving.base;
    console.error(`[bench] inspector ${base}, demo MCP ${demo.mcpUrl}`);

    // Warm-up (JIT, route compilation, connection pools): not measured.
    for (let i = 0; i < 2; i++) {
      const warm = await session(i, base, ids, demo.mcpUrl);
      if (!warm.ok) throw new Error(`warm-up session failed: ${warm.error}`);
    }

    const pids = serving.pids;
    const rssBefore = rssOf(pids);
    const began = performance.now();
    // Every session signs in first; then all of them call tools at once, as the direct clients do
    // below, so the loaded tool calls are compared with direct calls under the same kind of load
    // (not with other sessions' sign-ins queued beside them).
    const signedIn = await withDeadline(
      Promise.all(Array.from({ length: SESSIONS }, (_, i) => signIn(i + 2, base, ids, demo.mcpUrl))),
      `${SESSIONS} sign-ins`,
    );
    const signInMs = performance.now() - began;
    const cpuBefore = cpuMsOf(pids);
    const callsBegan = performance.now();
    const results = await withDeadline(
      Promise.all(signedIn.map((s) => callTools(s))),
      `${SESSIONS} sessions' calls`,
    );
    const callsMs = performance.now() - callsBegan;
    const inspectorCpuMs = cpuMsOf(pids) - cpuBefore;
    // The floor under every action: the same sessions at once, each asking for the view it holds
    // already (the server action, reading the session, the view and its fingerprints; no lock, no
    // save, no MCP request). What a tool call costs above this is the MCP request, its record and
    // saving the session.
    const floorCpuBefore = cpuMsOf(pids);
    const floorBegan = performance.now();
    const floorMs = (
      await withDeadline(
        Promise.all(results.filter((r) => r.ok).map((r) => viewActions(r.browser, CALLS))),
        `${SESSIONS} sessions' view actions`,
      )
    ).flat();
    const floorWallMs = performance.now() - floorBegan;
    const floorCpuMs = cpuMsOf(pids) - floorCpuBefore;
    const wallMs = performance.now() - began;
    const rssAfter = rssOf(pids);

    const { token, state: connectedState } = await directToken(demo.mcpUrl);
    const store = await storeBytesPerSession(connectedState);

    // Unloaded: one session and one direct client, one call at a time.
    const single = await session(SESSIONS + 2, base, ids, demo.mcpUrl, 30);
    const singleClient = await directConnect(demo.mcpUrl, token);
    const singleDirect = await directCalls(singleClient, SESSIONS + 2, 30);
    await singleClient.close();
    if (!single.ok || singleDirect.error) {
      throw new Error(`unloaded run failed: ${single.error ?? singleDirect.error}`);
    }
    // As the sessions did: every client connects first, then all of them call at once.
    const clients = await withDeadline(
      Promise.all(Array.from({ length: SESSIONS }, () => directConnect(demo.mcpUrl, token))),
      `${SESSIONS} direct clients connecting`,
    );
    const benchCpuBefore = process.cpuUsage();
    const directBegan = performance.now();
    const direct = await withDeadline(
      Promise.all(clients.map((client, i) => directCalls(client, i))),
      `${SESSIONS} direct clients`,
    );
    const directWallMs = performance.now() - directBegan;
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const directCpuMs = (benchCpu.user + benchCpu.system) / 1000;
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));

    // What no browser may ever see: a raw token (any session's), or another user's subject.
    const issued = (await (await fetch(`${demo.adminUrl}/issued-tokens`)).json()) as {
      accessTokens: string[];
      refreshTokens: string[];
    };
    const secrets = [...issued.accessTokens, ...issued.refreshTokens].filter((s) => s.length >= 16);
    let tokenLeaks = 0;
    let crossSubjects = 0;
    for (const r of results) {
      for (const body of r.bodies) {
        if (secrets.some((s) => body.includes(s))) tokenLeaks++;
        const other = USERS.find((u) => u !== r.user);
        if (other && body.includes(`sub: ${other}\\n`)) crossSubjects++;
      }
    }

    const failed = results.filter((r) => !r.ok);
    const toolMs = results.flatMap((r) => r.toolMs);
    const directMs = direct.flatMap((d) => d.times);
    const directErrors = direct.filter((d) => d.error);
    const p = (values: number[]) => ({
      p50: percentile(values, 50),
      p90: percentile(values, 90),
      p99: percentile(values, 99),
      mean: values.reduce((a, b) => a + b, 0) / values.length,
    });
    const inspectorP = p(toolMs);
    const directP = p(directMs);
    const singleP = p(single.toolMs);
    const singleDirectP = p(singleDirect.times);
    const startP = p(results.flatMap((r) => (r.startMs === undefined ? [] : [r.startMs])));
    const callbackP = p(results.flatMap((r) => (r.callbackMs === undefined ? [] : [r.callbackMs])));
    const perSession = (rssAfter - rssBefore) / SESSIONS;
    const answers = results.flatMap((r) => r.answers);
    const startAnswers = answers.filter((a) => a.name === 'startAction');
    const toolAnswers = answers.filter((a) => a.name === 'runToolAction');
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    const sizes = (list: typeof answers) => {
      const bytes = list.map((a) => a.bytes);
      return `p50 ${kb(percentile(bytes, 50))}, max ${kb(Math.max(...bytes))}`;
    };
    const drifted = results.filter((r) => r.drifted).length;

    const lines = [
      `Sessions: ${SESSIONS} concurrent (users ${USERS.join(' and ')} alternating): all signed in within ${(signInMs / 1000).toFixed(1)} s, then ${CALLS} echo calls + 1 whoami each, all sessions at once, in ${(callsMs / 1000).toFixed(1)} s; ${(wallMs / 1000).toFixed(1)} s in all`,
      `Errors: ${failed.length} of ${SESSIONS} sessions${failed.length ? ` (first: ${failed[0]?.error})` : ''}; direct clients: ${directErrors.length}${directErrors.length ? ` (first: ${directErrors[0]?.error})` : ''}`,
      `Isolation: ${tokenLeaks} responses carried a raw token; ${crossSubjects} carried the other user's subject; whoami matched the signed-in user in ${results.filter((r) => r.sub === r.user).length} of ${SESSIONS}`,
      `Answers: startAction ${sizes(startAnswers)} (${startAnswers.filter((a) => a.setCookie).length} of ${startAnswers.length} set a cookie, ${startAnswers.filter((a) => a.page).length} carried a re-rendered page); tool call ${sizes(toolAnswers)} (${toolAnswers.length} calls); merged view ≠ full view in ${drifted} of ${SESSIONS} sessions`,
      aims(startAnswers, toolAnswers, inspectorP.p50 / directP.p50),
      `Tool call through the inspector (server action → session → MCP → session saved → what changed returned): p50 ${ms(inspectorP.p50)}, p99 ${ms(inspectorP.p99)} (${toolMs.length} calls)`,
      `Direct SDK call to the same MCP server (${SESSIONS} clients at once, connected): p50 ${ms(directP.p50)}, p99 ${ms(directP.p99)} (${directMs.length} calls)`,
      `Throughput and CPU under load: inspector ${(toolMs.length / (callsMs / 1000)).toFixed(0)} tool calls/s, its process${pids.length > 1 ? 'es' : ''} ${ms(inspectorCpuMs / toolMs.length)} CPU per tool call (the call phase's CPU over its ${toolMs.length} calls; it also answered ${SESSIONS} full views); direct ${(directMs.length / (directWallMs / 1000)).toFixed(0)} calls/s, this process (the demo's servers and the SDK clients together) ${ms(directCpuMs / directMs.length)} CPU per call`,
      `Floor under load (the same sessions at once, each asking for the view it already holds: the server action, reading the session, the view and its fingerprints; no lock, no save, no MCP request): p50 ${ms(percentile(floorMs, 50))} (${floorMs.length} actions); ${(floorMs.length / (floorWallMs / 1000)).toFixed(0)} actions/s, ${ms(floorCpuMs / floorMs.length)} CPU each`,
      `Unloaded (1 session, 30 calls one after another): inspector p50 ${ms(singleP.p50)}, p99 ${ms(singleP.p99)}; direct p50 ${ms(singleDirectP.p50)}, p99 ${ms(singleDirectP.p99)}; ratio p50 ${(singleP.p50 / singleDirectP.p50).toFixed(1)}×, p99 ${(singleP.p99 / singleDirectP.p99).toFixed(1)}×; added p50 ${ms(singleP.p50 - singleDirectP.p50)}`,
      `Under load, ratio inspector / direct: p50 ${(inspectorP.p50 / directP.p50).toFixed(1)}×, p90 ${(inspectorP.p90 / directP.p90).toFixed(1)}×, p99 ${(inspectorP.p99 / directP.p99).toFixed(1)}×, mean ${(inspectorP.mean / directP.mean).toFixed(1)}× (inspector mean ${ms(inspectorP.mean)}, direct mean ${ms(directP.mean)}); added: p50 ${ms(inspectorP.p50 - directP.p50)}, p99 ${ms(inspectorP.p99 - directP.p99)}`,
      `Start (probe → consent, run-all): p50 ${ms(startP.p50)}, p99 ${ms(startP.p99)}; callback (token, MCP initialize, tools/list): p50 ${ms(callbackP.p50)}, p99 ${ms(callbackP.p99)}`,
      `Memory: session store heap ${(store.perSession / 1024).toFixed(1)} KB per session (1,000 sealed connected sessions, ${store.forcedGc ? 'forced GC' : 'no forced GC'}; one sealed value is ${(store.sealedLength / 1024).toFixed(1)} KB); decoded copy the process keeps of each of its ${store.decodedEntries} most recently used sessions ${(store.decodedPerSession / 1024).toFixed(1)} KB; inspector process RSS ${mb(rssBefore)} → ${mb(rssAfter)} across the run: ${(perSession / 1024).toFixed(0)} KB per session (upper bound, no GC)`,
    ];
    for (const line of lines) console.log(line);

    const date = new Date().toISOString().slice(0, 10);
    const report = `# bench/sessions — results

Run ${date} on this machine (${process.platform}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores), \`npm run bench:sessions${HOSTED ? ':hosted' : ''}\`:
${serving.describe}, and the bundled demo on loopback, driven over HTTP
like a browser: server actions with a cookie jar per session, the demo's login and consent forms,
the OAuth callback. Direct SDK clients call the same MCP server in the same run.

\`\`\`
${lines.join('\n')}
\`\`\`

Notes
${HOSTED ? HOSTED_NOTE : ''}- "Through the inspector" is what a user waits for: the server action's HTTP round trip, unsealing
  the session, the MCP request (reusing the MCP session, no new initialize), sealing the session,
  and the action's answer. "Direct" is one \`callTool\` on an already-connected SDK client.
- Answers are lean (lib/contract/view-update): every action sends the fingerprints of the view the
  page holds and gets back only the parts that differ (a tool call: its new exchanges, the changed
  step fields, the result); exchanges travel collapsed (no headers or bodies; the page loads one from
  /api/exchange/<id> when it is opened). Each session first loads the page, where the proxy sets the
  session cookie, so startAction sets none and Next.js sends no re-rendered page with it. After the
  callback a browser loads the page (the view and its fingerprints); the bench stands in for that with
  one untimed viewAction. At the end each session compares the view it merged from all its answers with
  the full view the server sends: "merged view ≠ full view" counts the sessions where they differ.
- The global cap on concurrent outbound operations (INSPECTOR_MAX_CONCURRENT_OUTBOUND, 16 by default)
  is raised to the session count for this bench: it measures serving 100 sessions, not refusing them.
- Read the unloaded line for the latency the inspector adds to one call. Under load, everything
  shares this machine's 2 cores: the \`next start\` process (one event loop) serves every session,
  and the demo servers run in the bench process beside the driving loops. Both paths are bound by
  one busy process each, so the loaded latency is that process's CPU per call times the calls in
  flight: the throughput line is the explanation of the ratio.
- Why p50 alone misleads here: under overload the demo's server answers its 100 connections
  unevenly (direct p50 tens of ms, p90 and p99 hundreds of ms to a second), while the inspector's
  single event loop serves its sessions evenly (p99 within 2× of p50). The mean (the calls in flight
  divided by the throughput) is what neither can flatter; p90 is shown too. The aim as the issue
  states it is on p50 and is judged on p50.
- The direct path's SDK clients run in the same process as the demo's servers, so its CPU per call
  (and its latency under load) includes the client's own work; a client elsewhere would be faster.
- The floor line is an action that does no MCP request: what every action costs in this process
  (Next.js's server action handling, reading the session, the view and its fingerprints). At the same
  concurrency it alone is several times the direct call's p50: the 3× aim is below what a Next.js
  server action costs under this load, before any MCP work.
- Where the time goes (measured 2026-12-01, after keeping sessions decoded): \`npx tsx
  bench/sessions/profile.ts\` times the parts of one tool call in-process on a connected demo flow:
  the engine's callTool (MCP request, traced, recorded) 10.6 ms p50 with the demo in the same
  process; around it, for a session this process keeps decoded, the live view 0.1 ms, fingerprints
  and delta 0.4 ms, seal 0.6 ms (1.0 ms in all; opening the sealed value and scrubbing the whole
  view again took 2.5 ms before). A CPU profile of the inspector process over a whole run
  (\`BENCH_CPU_PROFILE=<dir> npm run bench:sessions\`, then \`npx tsx bench/sessions/cpu-profile.ts
  <file>\`; build with \`next build --no-mangling\` for names) was busy 15.6 s of 20.0 s: Next.js's own
  code 19 %, the app 16 % (the answer 6 %, the traced fetch 6 %, saving 5 %), garbage collection
  8 %, undici 5 %, zlib 4 % (compressing answers, which local mode no longer does). Before this (the same profile, 2026-12-01 morning): the answer 12 %,
  opening and saving the session 9 %, and in a session of 100 calls the answer and the session
  together 40 %. Before lean answers (2026-11-26): startAction 58 KB, every tool call 45 KB.
- Memory: the session store holds one sealed value per session (the flow state with every recorded,
  redacted exchange, the latest 100 tool calls at most; AES-256-GCM, base64url). The process also
  keeps the decoded form of its 256 most recently used sessions (at most 16 MB of sealed value),
  used only while the store still holds exactly the value it was decoded from. Its heap cost is measured in the bench process with the
  same code (lib/session) on a connected flow from the same demo. The \`next start\` process's RSS
  growth across the run, divided by the sessions, is an upper bound: it includes garbage not yet
  collected and allocator slack.
- Isolation: every action response body of every session was searched for every access and refresh
  token the demo issued and for the other demo user's subject.
`;
    const file = HOSTED ? 'RESULTS-hosted.md' : 'RESULTS.md';
    writeFileSync(join(ROOT, 'bench', 'sessions', file), report);
    console.error(`[bench] wrote bench/sessions/${file}`);
    if (failed.length || tokenLeaks || crossSubjects || directErrors.length || drifted) process.exitCode = 1;
  } finally {
    await serving?.stop();
    await demo.close();
  }
}

main().catch((error) => {
  console.error('[bench] failed:', error);
  process.exit(1);
});
