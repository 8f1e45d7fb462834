#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance suite's client scenarios against the CLI.
//
// Which scenarios: exactly the client scenarios the 2026-07-28 requirement set selects (the frozen
// `requirements/2026-07-28.yaml` bundled with the pinned runner, read through
// `conformance list --requirements 2026-07-28`): the scored ones, plus the ones it runs but never
// scores (extensions, scenarios added after the release), which are reported as skipped and never
// count as failures. Plus the two 2025-03-26 back-compat scenarios, which the set does not list;
// those are scored.
//
// How: each scenario is one single-scenario runner invocation (pinned 0.2.0-alpha.12, on Node 22
// fetched by npx: the runner needs fs.globSync) with conformance/adapter.mjs as the client command.
// A requirement-set scenario runs exactly as `--requirements` runs it: at the revision's wire and
// regardless of the scenario's applicability window (`--spec-version 2026-07-28 --force`); a
// back-compat scenario at the runner's default wire (`--scenario` alone, as `--suite backcompat`).
// `--requirements` itself starts all 39 scenarios at once: on a 2-core machine that made a CLI run
// take tens of seconds instead of ~1.5 s (near the CLI's own 60 s limit), so the scenarios run
// here in a pool of CONFORMANCE_CONCURRENCY (default: two per available core). Scenarios are
// independent (each scenario's servers listen on ports chosen at run time, each CLI run is its own
// process with its own loopback callback port), so any concurrency is correct; the bound is for time.
//
// Per-scenario verdict: the single-scenario run's exit code, which is the runner's own rule — no
// failed check, no warning, no client timeout, and the CLI exited 0 unless the scenario expects the
// client to stop with an error. Counts of checks come from its checks.json. reports/conformance.json
// is written as {"passed", "failed", "skipped", "scenarios"} for CI.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const NPX = ['-y', '-p', 'node@22', '-p', PACKAGE, '--', 'conformance'];
const REVISION = '2026-07-28';
/** Not in the requirement set; `--suite backcompat` of the pinned runner. */
export const BACKCOMPAT = [
  'auth/2025-03-26-oauth-metadata-backcompat',
  'auth/2025-03-26-oauth-endpoint-fallback',
];
/**
 * The auth extensions the inspector implements (client credentials, enterprise-managed authorization,
 * workload identity, DPoP). The suite lists them "not scored" for the revision; we hold ourselves to
 * them: each must pass with no warnings, like a scored scenario.
 */
export const EXTENSIONS = [
  'auth/client-credentials-jwt',
  'auth/client-credentials-basic',
  'auth/enterprise-managed-authorization',
  'auth/wif-jwt-bearer',
  'auth/dpop',
  'auth/dpop-nonce',
];
// Per client process (one adapter run, which may run the CLI more than once: one connect per call).
const TIMEOUT = ['--timeout', process.env.CONFORMANCE_TIMEOUT_MS ?? '90000'];
// Two per core: a scenario's processes spend much of their time waiting on each other's HTTP.
const CONCURRENCY = Math.max(1, Number(process.env.CONFORMANCE_CONCURRENCY) || 2 * availableParallelism());
// The suite splits the command on spaces: keep it relative to ROOT, which is the runner's cwd.
const COMMAND = 'node conformance/adapter.mjs';
const RESULTS = join(ROOT, 'reports');
const WORK = join(RESULTS, 'conformance');
const RECORDS = join(WORK, 'adapter');
const REPORT = join(RESULTS, 'conformance.json');

/**
 * How to start the runner: resolved once through npx (which fetches Node 22 and the pinned package
 * into its cache the first time), then every invocation starts the cached `conformance` bin directly
 * with npx's PATH (Node 22 first, so the adapter and the CLI run on it too, as under npx). This saves
 * npx's own ~1 s of CPU per scenario. Falls back to npx per invocation if the resolution fails.
 */
async function resolveRunner() {
  const probe = await new Promise((resolve) => {
    const child = spawn(
      'npx',
      [...NPX.slice(0, -1), 'node', '-e', 'console.log(JSON.stringify({ PATH: process.env.PATH }))'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
    });
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? out : undefined));
  });
  try {
    const { PATH } = JSON.parse(probe.trim().split('\n').pop());
    if (typeof PATH === 'string' && PATH.includes('_npx'))
      return { command: 'conformance', prefix: [], PATH };
  } catch {
    // fall through to npx
  }
  return { command: 'npx', prefix: NPX, PATH: process.env.PATH };
}

let runner = { command: 'npx', prefix: NPX, PATH: process.env.PATH };

/** Runs the conformance runner; resolves with the exit code and the combined output. */
function runRunner(args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(runner.command, [...runner.prefix, ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: runner.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c) => {
      output += c;
    });
    child.stderr.on('data', (c) => {
      output += c;
    });
    child.on('error', (error) => resolve({ code: -1, output: `${output}\n${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/**
 * The client leg of `conformance list --requirements <revision>`:
 *   Client scenarios (test against a client):
 *     - tools_call
 *   Run and reported, but never scored:
 *     extension (16):
 *       - auth/dpop [client]
 */
export function parseRequirementsList(output) {
  const scored = [];
  const notScored = [];
  let section;
  let reason;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (/^Client scenarios\b/.test(line)) section = 'client';
    else if (/^Server scenarios\b/.test(line)) section = 'server';
    else if (/^Run and reported, but never scored/.test(line)) section = 'not-scored';
    else if (section === 'not-scored' && /^[\w-]+ \(\d+\):$/.test(line)) reason = line.split(' ')[0];
    else {
      const m = /^- (\S+)(?: \[(\w+)\])?$/.exec(line);
      if (!m) continue;
      if (section === 'client') scored.push(m[1]);
      else if (section === 'not-scored' && m[2] === 'client') notScored.push({ scenario: m[1], reason });
    }
  }
  return { scored, notScored };
}

/** The scenario's checks.json under the runner's -o directory (`<dir>/<scenario>-<timestamp>/`). */
function readChecks(outDir, scenario) {
  const parent = join(outDir, dirname(scenario));
  const prefix = `${scenario.split('/').pop()}-`;
  if (!existsSync(parent)) return undefined;
  const latest = readdirSync(parent)
    .filter((d) => d.startsWith(prefix) && /^\d{4}-/.test(d.slice(prefix.length)))
    .sort()
    .pop();
  if (!latest) return undefined;
  try {
    return JSON.parse(readFileSync(join(parent, latest, 'checks.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function readRecord(scenario) {
  const file = join(RECORDS, `${scenario.replaceAll('/', '__')}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * One scenario's verdict. `runnerCode` is the single-scenario run's exit code (the runner's rule),
 * `checks` its checks.json, `exitCode` the CLI's (from the adapter's record), `scored` false for
 * the requirement set's not-scored scenarios.
 */
export function verdict({ scored, runnerCode, checks, exitCode, timedOut }) {
  const count = (status) => (checks ?? []).filter((c) => c.status === status).length;
  const counts = { passed: count('SUCCESS'), failed: count('FAILURE'), warnings: count('WARNING') };
  const checksClean = checks !== undefined && counts.failed === 0 && counts.warnings === 0;
  const problems = (checks ?? [])
    .filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')
    .map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? c.description}`);
  if (checks === undefined) problems.push('the runner wrote no checks.json');
  if (timedOut) problems.push('the client timed out');
  let status;
  if (!scored) {
    status = 'skipped';
  } else if (runnerCode === 0 && checksClean) {
    status = 'pass';
    if (exitCode !== undefined && exitCode !== 0) {
      problems.push(
        `the CLI exited ${exitCode}, which this scenario accepts (it expects the client to stop)`,
      );
    }
  } else {
    status = 'fail';
    if (checksClean && !timedOut) {
      problems.push(
        exitCode === 0
          ? `the single-scenario run failed (exit ${runnerCode}) although its checks are clean and the CLI exited 0`
          : `the CLI exited ${exitCode ?? '(no record)'}, which this scenario does not accept (runner exit ${runnerCode})`,
      );
    }
  }
  return { status, checks: counts, checksClean, problems };
}

/** Maps `items` through `fn`, at most `limit` at a time, keeping the order. */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function runScenario(job) {
  const outDir = join(WORK, job.scenario.replaceAll('/', '__'));
  const started = Date.now();
  const { code, output } = await runRunner(
    [
      'client',
      '--command',
      COMMAND,
      '--scenario',
      job.scenario,
      ...job.wire,
      ...TIMEOUT,
      '-o',
      relative(ROOT, outDir),
    ],
    { CONFORMANCE_ADAPTER_RECORDS: RECORDS },
  );
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'runner-output.txt'), output);
  const record = readRecord(job.scenario);
  const v = verdict({
    scored: job.scored,
    runnerCode: code,
    checks: readChecks(outDir, job.scenario),
    exitCode: record?.exitCode,
    timedOut: /Client timed out after/.test(output),
  });
  if (v.problems.includes('the runner wrote no checks.json')) {
    v.problems.push(`see ${relative(ROOT, join(outDir, 'runner-output.txt'))}`);
  }
  const entry = {
    scenario: job.scenario,
    set: job.set,
    status: v.status,
    ...(job.scored ? {} : { notScored: job.reason, checksClean: v.checksClean }),
    checks: v.checks,
    ...(record?.exitCode !== undefined ? { cliExitCode: record.exitCode } : {}),
    ...(record?.runs ? { cliRuns: record.runs.length } : {}),
    durationMs: Date.now() - started,
    ...(v.problems.length ? { problems: v.problems } : {}),
  };
  console.log(`${mark(entry.status)} ${entry.scenario} (${(entry.durationMs / 1000).toFixed(1)} s)`);
  return entry;
}

function mark(status) {
  return status === 'pass' ? '✓' : status === 'skipped' ? '-' : '✗';
}

async function main() {
  const started = Date.now();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });

  runner = await resolveRunner();
  const listed = await runRunner(['list', '--client', '--requirements', REVISION]);
  const { scored, notScored } = parseRequirementsList(listed.output);
  const scenarios = [];
  if (listed.code !== 0 || scored.length === 0) {
    writeFileSync(join(WORK, 'list-output.txt'), listed.output);
    scenarios.push({
      scenario: `requirements ${REVISION}`,
      set: REVISION,
      status: 'fail',
      problems: [
        `the runner listed no client scenarios (exit ${listed.code}); see reports/conformance/list-output.txt`,
      ],
    });
  }
  const wire = ['--spec-version', REVISION, '--force'];
  const all = [
    ...scored.map((scenario) => ({ scenario, set: REVISION, scored: true, wire })),
    ...notScored.map(({ scenario, reason }) =>
      EXTENSIONS.includes(scenario)
        ? { scenario, set: 'extension', scored: true, wire }
        : { scenario, set: REVISION, scored: false, reason, wire },
    ),
    ...BACKCOMPAT.map((scenario) => ({ scenario, set: 'backcompat', scored: true, wire: [] })),
  ];
  // CONFORMANCE_SCENARIOS=a,b runs only those (for working on one scenario).
  const only = process.env.CONFORMANCE_SCENARIOS?.split(',').map((s) => s.trim());
  const jobs = only?.length ? all.filter((j) => only.includes(j.scenario)) : all;
  console.log(
    `conformance: ${jobs.length} of ${all.length} scenarios (${scored.length} scored and ${notScored.length} not scored for ${REVISION}, ${BACKCOMPAT.length} back-compat), ${CONCURRENCY} at a time`,
  );
  scenarios.push(...(await mapLimit(jobs, CONCURRENCY, runScenario)));

  const passed = scenarios.filter((s) => s.status === 'pass').length;
  const skipped = scenarios.filter((s) => s.status === 'skipped').length;
  const failed = scenarios.length - passed - skipped;
  console.log('');
  for (const s of scenarios) {
    const c = s.checks
      ? ` (${s.checks.passed} passed, ${s.checks.failed} failed, ${s.checks.warnings} warnings)`
      : '';
    const why = s.notScored ? ` [not scored: ${s.notScored}]` : '';
    console.log(`${mark(s.status)} ${s.scenario}${why}${c}`);
    for (const p of s.problems ?? []) console.log(`    ${p}`);
  }
  const durationMs = Date.now() - started;
  writeFileSync(
    REPORT,
    `${JSON.stringify({ passed, failed, skipped, scenarios, durationMs, runner: PACKAGE, requirements: REVISION }, null, 2)}\n`,
  );
  console.log(
    `conformance: ${passed} passed, ${failed} failed, ${skipped} not scored (skipped) in ${(durationMs / 1000).toFixed(1)} s → ${relative(ROOT, REPORT)}`,
  );
  return failed === 0 && passed > 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
