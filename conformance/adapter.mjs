#!/usr/bin/env node
// The MCP conformance suite's client command: `node conformance/adapter.mjs <server-url>`.
//
// The suite starts a test MCP server and authorization server per scenario, then runs this with the
// server URL as the last argument and MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION
// and (for pre-registration) MCP_CONFORMANCE_CONTEXT in the environment. The adapter only turns that
// into a command line for the real CLI, `connect --non-interactive`: no protocol logic lives here.
// Its test authorization server approves without a person (GET /authorize answers 302 to the
// redirect URI), which is exactly what --non-interactive is for.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/mcp-auth-inspector.mjs', import.meta.url));

/**
 * The Client ID Metadata Document URL the suite's auth/basic-cimd scenario expects as client_id
 * (its check `cimd-client-id-used` warns on anything else). The suite's AS does not fetch it.
 * Override with CONFORMANCE_CLIENT_METADATA_URL.
 */
const CIMD_URL =
  process.env.CONFORMANCE_CLIENT_METADATA_URL ?? 'https://conformance-test.local/client-metadata.json';

const SPEC_VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'];

/**
 * The spec revision to judge against. The back-compat scenarios model a 2025-03-26 server (no
 * protected resource metadata, discovery from the origin) although the runner passes its default
 * wire version, so they are judged as 2025-03-26; everything else at the version the runner asks for.
 */
export function specVersionFor(scenario, protocolVersion) {
  if (scenario.startsWith('auth/2025-03-26-')) return '2025-03-26';
  if (SPEC_VERSIONS.includes(protocolVersion)) return protocolVersion;
  return '2025-11-25';
}

/** The CLI arguments for one scenario. */
export function cliArgsFor({ scenario, protocolVersion, context, serverUrl }) {
  const args = [
    'connect',
    serverUrl,
    '--non-interactive',
    '--json',
    '--spec-version',
    specVersionFor(scenario, protocolVersion),
    '--client-metadata-url',
    CIMD_URL,
  ];
  // The step-up scenario only escalates on a tools/call of its `test-tool`, which carries no
  // readOnlyHint: calling it takes the CLI's explicit opt-in. The suite's server has no data to change.
  if (scenario.endsWith('scope-step-up')) args.push('--call', 'test-tool', '--allow-write');
  if (typeof context.client_id === 'string') args.push('--client-id', context.client_id);
  if (typeof context.client_secret === 'string') args.push('--client-secret', context.client_secret);
  return args;
}

function parseContext(raw) {
  if (!raw) return {};
  try {
    const value = JSON.parse(raw);
    return value && typeof value === 'object' ? value : {};
  } catch {
    console.error(`[adapter] MCP_CONFORMANCE_CONTEXT is not JSON: ${raw}`);
    return {};
  }
}

async function main() {
  const serverUrl = process.argv.at(-1);
  if (!serverUrl || process.argv.length < 3) {
    console.error('usage: node conformance/adapter.mjs <server-url> (run by the MCP conformance suite)');
    return 2;
  }
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const protocolVersion = process.env.MCP_CONFORMANCE_PROTOCOL_VERSION ?? '';
  const context = parseContext(process.env.MCP_CONFORMANCE_CONTEXT);
  const args = cliArgsFor({ scenario, protocolVersion, context, serverUrl });

  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  const exitCode = await new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));

  // The runner (conformance/run.mjs) reads these to hold the CLI's exit code against each scenario:
  // the suite's summary only counts checks.
  const recordDir = process.env.CONFORMANCE_ADAPTER_RECORDS;
  if (recordDir) {
    mkdirSync(recordDir, { recursive: true });
    const shown = args.map((a, i) => (args[i - 1] === '--client-secret' ? '[redacted]' : a));
    let report;
    try {
      report = JSON.parse(stdout);
    } catch {
      report = undefined;
    }
    writeFileSync(
      join(recordDir, `${scenario.replaceAll('/', '__') || 'unknown'}.json`),
      JSON.stringify(
        {
          scenario,
          exitCode,
          durationMs: Date.now() - started,
          args: shown,
          report,
          stderr: stderr.slice(-4000),
        },
        null,
        2,
      ),
    );
  }
  return exitCode;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
