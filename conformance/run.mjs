#!/usr/bin/env node
// `npm run conformance`: the official MCP conformance suite's client auth scenarios against the CLI.
//
// Runs `conformance client --suite auth` and `--suite backcompat` (pinned 0.2.0-alpha.12, on Node 22
// fetched by npx: the runner needs fs.globSync) with conformance/adapter.mjs as the client command,
// then writes reports/conformance.json as {"passed", "failed", "scenarios"} for CI.
//
// Per-scenario verdict: the suite's summary line (no failed and no warning checks), and the CLI's
// exit code, which the suite's summary ignores. When a scenario's checks are clean but the CLI
// exited non-zero, that one scenario is run again alone (`--scenario`), whose exit code applies the
// scenario's own rule (a few scenarios expect the client to stop with an error).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PACKAGE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const RUNNER = ['-y', '-p', 'node@22', '-p', PACKAGE, '--', 'conformance', 'client'];
// Per scenario; the suite runs all scenarios of a suite at once, each starting a Node process.
const TIMEOUT = ['--timeout', process.env.CONFORMANCE_TIMEOUT_MS ?? '60000'];
// The suite splits the command on spaces: keep it relative to ROOT, which is the runner's cwd.
const COMMAND = 'node conformance/adapter.mjs';
const SUITES = (process.env.CONFORMANCE_SUITES ?? 'auth,backcompat').split(',').filter(Boolean);
const RESULTS = join(ROOT, 'reports');
const WORK = join(RESULTS, 'conformance');
const REPORT = join(RESULTS, 'conformance.json');

/** Runs npx with the runner's arguments; resolves with the exit code and the combined output. */
function runRunner(args, env) {
  return new Promise((resolve) => {
    const child = spawn('npx', [...RUNNER, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
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

// "✓ auth/metadata-default: 12 passed, 0 failed" / "✗ auth/x: 3 passed, 1 failed, 2 warnings" / "- auth/y: skipped"
const LINE = /^([✓✗]) (\S+): (\d+) passed, (\d+) failed(?:, (\d+) warnings)?$/;
const SKIPPED = /^- (\S+): skipped$/;

export function parseSuiteSummary(output) {
  const at = output.indexOf('=== SUITE SUMMARY ===');
  if (at < 0) return undefined;
  const rows = [];
  for (const line of output.slice(at).split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) {
      rows.push({ scenario: m[2], passed: Number(m[3]), failed: Number(m[4]), warnings: Number(m[5] ?? 0) });
      continue;
    }
    const s = SKIPPED.exec(line.trim());
    if (s) rows.push({ scenario: s[1], skipped: true, passed: 0, failed: 0, warnings: 0 });
  }
  return rows;
}

/** Failing and warning checks from the scenario's checks.json (the runner's -o directory). */
function problemsOf(outDir, scenario) {
  const parent = join(outDir, dirname(scenario));
  const prefix = `${scenario.split('/').pop()}-`;
  if (!existsSync(parent)) return [];
  const dirs = readdirSync(parent).filter(
    (d) => d.startsWith(prefix) && /^\d{4}-/.test(d.slice(prefix.length)),
  );
  const latest = dirs.sort().pop();
  if (!latest) return [];
  try {
    const checks = JSON.parse(readFileSync(join(parent, latest, 'checks.json'), 'utf8'));
    return checks
      .filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')
      .map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? c.description}`);
  } catch {
    return [];
  }
}

function readRecord(recordDir, scenario) {
  const file = join(recordDir, `${scenario.replaceAll('/', '__')}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function runSuite(suite) {
  const outDir = join(WORK, suite);
  const recordDir = join(outDir, 'adapter');
  const started = Date.now();
  const { code, output } = await runRunner(
    ['--command', COMMAND, '--suite', suite, ...TIMEOUT, '-o', relative(ROOT, outDir)],
    {
      CONFORMANCE_ADAPTER_RECORDS: recordDir,
    },
  );
  writeFileSync(join(outDir, 'runner-output.txt'), output);
  const rows = parseSuiteSummary(output);
  if (!rows || rows.length === 0) {
    return [
      {
        suite,
        scenario: `${suite} (suite)`,
        status: 'fail',
        problems: [
          `the runner printed no suite summary (exit ${code}); see ${relative(ROOT, join(outDir, 'runner-output.txt'))}`,
        ],
      },
    ];
  }
  const results = [];
  for (const row of rows) {
    const record = readRecord(recordDir, row.scenario);
    const problems = row.skipped ? ['skipped by the runner'] : problemsOf(outDir, row.scenario);
    let status = !row.skipped && row.failed === 0 && row.warnings === 0 ? 'pass' : 'fail';
    const exitCode = record?.exitCode;
    if (status === 'pass' && exitCode !== 0) {
      // Checks are clean but the CLI did not exit 0 (or never wrote its record): let the runner judge
      // this scenario alone, which knows whether the scenario accepts a client error.
      const alone = await runRunner(['--command', COMMAND, '--scenario', row.scenario, ...TIMEOUT], {});
      if (alone.code !== 0) {
        status = 'fail';
        problems.push(
          `the CLI exited ${exitCode ?? '(no record)'} and the single-scenario run failed (exit ${alone.code})`,
        );
      } else {
        problems.push(
          `the CLI exited ${exitCode}, which this scenario accepts (the single-scenario run passed)`,
        );
      }
    }
    results.push({
      suite,
      scenario: row.scenario,
      status,
      checks: { passed: row.passed, failed: row.failed, warnings: row.warnings },
      ...(exitCode !== undefined ? { cliExitCode: exitCode } : {}),
      ...(record?.durationMs !== undefined ? { cliDurationMs: record.durationMs } : {}),
      ...(problems.length ? { problems } : {}),
    });
  }
  console.log(
    `suite ${suite}: ${results.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  return results;
}

async function main() {
  const started = Date.now();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const scenarios = [];
  for (const suite of SUITES) scenarios.push(...(await runSuite(suite)));
  const passed = scenarios.filter((s) => s.status === 'pass').length;
  const failed = scenarios.length - passed;
  for (const s of scenarios) {
    const c = s.checks
      ? ` (${s.checks.passed} passed, ${s.checks.failed} failed, ${s.checks.warnings} warnings)`
      : '';
    console.log(`${s.status === 'pass' ? '✓' : '✗'} ${s.scenario}${c}`);
    for (const p of s.problems ?? []) console.log(`    ${p}`);
  }
  const durationMs = Date.now() - started;
  writeFileSync(
    REPORT,
    `${JSON.stringify({ passed, failed, scenarios, durationMs, runner: PACKAGE }, null, 2)}\n`,
  );
  console.log(
    `conformance: ${passed} passed, ${failed} failed in ${(durationMs / 1000).toFixed(1)} s → ${relative(ROOT, REPORT)}`,
  );
  return failed === 0 && passed > 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
