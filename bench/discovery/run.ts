/**
 * Discovery speed: the inspector's engine (probe → protected resource metadata → authorization server
 * metadata) against the MCP TypeScript SDK's own discovery, on the bundled demo servers, with the same
 * latency injected into every request of both.
 *
 *   npm run bench:discovery [-- --latency 50 --runs 15 --warmup 3]
 *
 * Both sides get the same base fetch: the global fetch behind a fixed delay per request (a simulated
 * round trip). The SDK side does what an SDK client does before it can authorize: the unauthenticated
 * request that yields the 401 (its resource_metadata read with `extractWWWAuthenticateParams`), then
 * `discoverOAuthServerInfo`. The engine's probe step is that same 401 request, so the two do the same
 * job; the SDK's `discoverOAuthServerInfo` alone is shown too. Runs alternate which side goes first.
 *
 * The demo runs in its own process (as other people's servers would), so the requests the engine sends
 * in parallel are served while the client waits; `--in-process` starts it in this process instead,
 * where the server's work for every extra request adds to the client's time.
 */
import { spawn } from 'node:child_process';
import { cpus, platform, release, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { discoverOAuthServerInfo, extractWWWAuthenticateParams } from '@modelcontextprotocol/client';
import { type DemoScenario, startDemo } from '../../demo/index';
import { createFlow, type FlowContext, type FlowState, runNextStep, runUntilPause } from '../../lib/flow';
import type { SpecVersion } from '../../lib/flow/types';
import type { FetchLike } from '../../lib/http/types';

const { values: args } = parseArgs({
  options: {
    latency: { type: 'string', default: '50' },
    runs: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    'in-process': { type: 'boolean', default: false },
  },
});
const LATENCY_MS = Number(args.latency);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);

interface Case {
  scenario: string;
  path: string;
  /** 'direct' is held to "never slower", 'fallback' to at most 0.6×. */
  kind: 'direct' | 'fallback';
}

const CASES: Case[] = [
  { scenario: 'default', path: 'header → path-aware PRM → RFC 8414 at the issuer', kind: 'direct' },
  { scenario: 'prm-root-only', path: 'no header; path-aware PRM 404 → root PRM', kind: 'fallback' },
  {
    scenario: 'issuer-path-oidc-only',
    path: 'issuer with a path; two 404s → OpenID at the issuer path',
    kind: 'fallback',
  },
  {
    scenario: 'legacy-2025-03-26',
    path: 'no PRM (two 404s) → RFC 8414 at the MCP origin',
    kind: 'fallback',
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The global fetch behind a fixed delay, counting requests. */
function delayingFetch(counter: { requests: number }): FetchLike {
  return async (input, init) => {
    counter.requests++;
    await sleep(LATENCY_MS);
    return fetch(input, init);
  };
}

interface Sample {
  /** From the first request to the authorization server's metadata in hand. */
  ms: number;
  requests: number;
  issuer: string;
}

/**
 * The engine through probe → prm → as-metadata. `run-all` is runUntilPause (the well-known metadata
 * requests go out with the probe); `guided` is one runNextStep per step, as the guided walkthrough runs.
 */
async function engineDiscovery(
  serverUrl: string,
  specVersion: SpecVersion,
  mode: 'run-all' | 'guided',
): Promise<Sample> {
  const counter = { requests: 0 };
  const ctx: FlowContext = { fetch: delayingFetch(counter), policy: { mode: 'local' } };
  let state: FlowState = createFlow({
    serverUrl,
    specVersion,
    redirectUri: 'http://127.0.0.1:9/api/oauth/callback',
    registration: 'auto',
    clientName: 'discovery bench',
  });
  const started = performance.now();
  if (mode === 'run-all') {
    state = await runUntilPause(state, ctx, { stopAt: 'registration' });
  } else {
    while (state.step === 'probe' || state.step === 'prm' || state.step === 'as-metadata') {
      state = await runNextStep(state, ctx);
    }
  }
  const ended = performance.now();
  if (state.step !== 'registration') {
    throw new Error(
      `engine discovery of ${serverUrl} ended at ${state.step}${state.step === 'failed' ? `: ${state.error.message}` : ''}`,
    );
  }
  return { ms: ended - started, requests: counter.requests, issuer: state.authorizationServer.issuer };
}

/** What an SDK client does: the request that gets the 401, then `discoverOAuthServerInfo` with its resource_metadata. */
async function sdkDiscovery(serverUrl: string): Promise<Sample> {
  const counter = { requests: 0 };
  const fetchFn = delayingFetch(counter);
  const started = performance.now();
  const res = await fetchFn(serverUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities: {},
        clientInfo: { name: 'discovery bench', version: '0' },
      },
    }),
  });
  await res.text();
  if (res.status !== 401) throw new Error(`${serverUrl} answered ${res.status}, not 401`);
  const { resourceMetadataUrl } = extractWWWAuthenticateParams(res);
  const info = await discoverOAuthServerInfo(serverUrl, { resourceMetadataUrl, fetchFn });
  const ended = performance.now();
  if (!info.authorizationServerMetadata) throw new Error(`the SDK found no AS metadata for ${serverUrl}`);
  return { ms: ended - started, requests: counter.requests, issuer: info.authorizationServerMetadata.issuer };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

interface Row extends Case {
  runAll: Sample[];
  guided: Sample[];
  sdk: Sample[];
}

interface RunningDemo {
  scenarios: DemoScenario[];
  close(): Promise<void>;
}

/** `demo/start.ts` in a child process; resolves on its DEMO_READY line. */
async function startDemoProcess(): Promise<RunningDemo> {
  const root = new URL('../../', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', 'demo/start.ts', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ scenarios: DemoScenario[] }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the demo exited (code ${code}) before it was ready`)));
    lines.on('line', (line) => {
      if (line.startsWith('DEMO_READY ')) resolve(JSON.parse(line.slice('DEMO_READY '.length)));
    });
  });
  return {
    scenarios: ready.scenarios,
    close: async () => {
      lines.close();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main() {
  const demo: RunningDemo = args['in-process']
    ? await startDemo({ host: '127.0.0.1', port: 0, log: () => {} })
    : await startDemoProcess();
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      const scenario = demo.scenarios.find((s) => s.id === c.scenario);
      if (!scenario) throw new Error(`the demo has no scenario ${c.scenario}`);
      const spec: SpecVersion = scenario.specVersion ?? '2026-07-28';
      const row: Row = { ...c, runAll: [], guided: [], sdk: [] };
      for (let i = 0; i < WARMUP + RUNS; i++) {
        // Rotate who goes first, so no side always meets warm connections.
        const order = [0, 1, 2].map((k) => (k + i) % 3);
        const samples: Sample[] = [];
        for (const k of order) {
          samples[k] =
            k === 0
              ? await engineDiscovery(scenario.mcpUrl, spec, 'run-all')
              : k === 1
                ? await engineDiscovery(scenario.mcpUrl, spec, 'guided')
                : await sdkDiscovery(scenario.mcpUrl);
        }
        const [runAll, guided, sdk] = samples as [Sample, Sample, Sample];
        for (const engine of [runAll, guided]) {
          if (engine.issuer !== sdk.issuer) {
            throw new Error(`${c.scenario}: engine found issuer ${engine.issuer}, the SDK ${sdk.issuer}`);
          }
        }
        if (i >= WARMUP) {
          row.runAll.push(runAll);
          row.guided.push(guided);
          row.sdk.push(sdk);
        }
      }
      rows.push(row);
    }
  } finally {
    await demo.close();
  }
  print(rows);
}

function print(rows: Row[]) {
  const fmt = (n: number) => n.toFixed(0);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(
    `Discovery bench — ${new Date().toISOString()} — Node ${process.version}, ${platform()} ${release()}, ${cpus().length}× ${cpu}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
  );
  console.log(
    `${LATENCY_MS} ms injected per request (the same delaying fetch for both), median of ${RUNS} runs after ${WARMUP} warm-up runs; demo servers on loopback, ${args['in-process'] ? 'in this process' : 'in their own process'}.\n`,
  );
  console.log(
    '| Scenario | Path | Run all, ms | Guided (step by step), ms | SDK: 401 + discoverOAuthServerInfo, ms | Run all / SDK | Guided / SDK | Aim (run all) | Requests run all / SDK |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---|---|');
  const misses: string[] = [];
  for (const r of rows) {
    const m = (xs: Sample[]) => median(xs.map((x) => x.ms));
    const [runAll, guided, sdk] = [m(r.runAll), m(r.guided), m(r.sdk)];
    const limit = r.kind === 'direct' ? 1 : 0.6;
    const ratio = runAll / sdk;
    if (ratio > limit) misses.push(r.scenario);
    console.log(
      `| ${r.scenario} | ${r.path} | ${fmt(runAll)} | ${fmt(guided)} | ${fmt(sdk)} | ${ratio.toFixed(2)}× | ${(guided / sdk).toFixed(2)}× | ≤ ${limit.toFixed(2)}×: ${ratio <= limit ? 'met' : 'not met'} | ${r.runAll[0]!.requests} / ${r.sdk[0]!.requests} |`,
    );
  }
  console.log(
    `\n${misses.length ? `Aim not met for: ${misses.join(', ')}.` : 'Every aim met.'} Run all sends the well-known metadata requests together with the probe and every candidate URL of a step at once; guided mode waits for each step; the SDK tries candidates one after another.`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
