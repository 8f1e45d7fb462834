#!/usr/bin/env node
// The MCP conformance suite's client command: `node conformance/adapter.mjs <server-url>`.
//
// The suite starts a test MCP server (and, for the auth scenarios, authorization servers) per
// scenario, then runs this with the server URL as the last argument and MCP_CONFORMANCE_SCENARIO and
// (for some scenarios) MCP_CONFORMANCE_CONTEXT in the environment. The adapter only turns that into
// command lines for the real CLI, `connect --non-interactive --json`: no protocol logic lives here.
// The suite's authorization servers approve without a person (GET /authorize answers 302 to the
// redirect URI), which is exactly what --non-interactive is for.
//
// What the adapter may say (the conformance issue's rule): which tool to call, with which arguments,
// and what to answer when the server asks for input, where a scenario requires it (HINTS below), plus
// what every real user could pass (pre-registered credentials, a CIMD URL). It never chooses the spec
// revision, the discovery mode or the wire version: the CLI judges against its default revision and
// finds the server's era (2025-03-26 discovery, initialize fallback) itself, as for a real server.
// MCP_CONFORMANCE_PROTOCOL_VERSION, which the suite also sets, is therefore deliberately ignored.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/mcp-auth-inspector.mjs', import.meta.url));

/**
 * The Client ID Metadata Document URL the suite's auth/basic-cimd scenario expects as client_id
 * (its check `cimd-client-id-used` warns on anything else). The suite's AS does not fetch it; the
 * CLI offers it only to an authorization server that advertises CIMD support.
 * Override with CONFORMANCE_CLIENT_METADATA_URL.
 */
const CIMD_URL =
  process.env.CONFORMANCE_CLIENT_METADATA_URL ?? 'https://conformance-test.local/client-metadata.json';

/**
 * A call hint: `tool` → --call, `args` → --args, `input` → --input (the content the CLI answers an
 * elicitation form with, accepting it), `allowWrite` → --allow-write (the scenario's tool carries no
 * readOnlyHint, so the CLI refuses to call it without the explicit opt-in; the suite's servers hold
 * no data to change). One CLI run per call: each run is one `connect`.
 *
 * @typedef {{ tool: string, args?: Record<string, unknown>, input?: Record<string, unknown>, allowWrite?: boolean }} Call
 */

/**
 * Per-scenario hints, the only scenario-specific knowledge in the adapter. Each row names the check
 * it serves. A row is either a list of calls or a function of the scenario's MCP_CONFORMANCE_CONTEXT.
 * Scenarios without a row need nothing beyond `connect` (list the tools, authorize when challenged).
 *
 * @type {Record<string, Call[] | ((context: Record<string, unknown>) => Call[])>}
 */
export const HINTS = {
  // tools_call, check `tool-add-numbers`: a tools/call of add_numbers with numbers for a and b.
  tools_call: [{ tool: 'add_numbers', args: { a: 2, b: 3 }, allowWrite: true }],

  // auth/scope-step-up, checks `scope-step-up-escalation` and `sep-2350-scope-union-on-reauth`: the
  // server answers 403 insufficient_scope (mcp:write) only to a tools/call, so the step-up
  // authorization happens only if the CLI calls its tool.
  'auth/scope-step-up': [{ tool: 'test-tool', allowWrite: true }],

  // auth/authorization-server-migration, check `sep-2352-reregister-on-as-change`: the server moves
  // to the second authorization server after the first authenticated request and rejects the old
  // token on the next one; the call guarantees that there is a next one within the same connect.
  'auth/authorization-server-migration': [{ tool: 'test-tool', allowWrite: true }],

  // http-standard-headers, check `sep-2243-client-includes-standard-headers` for tools/call: Mcp-Name
  // is only judged on a tools/call (otherwise reported as not exercised).
  'http-standard-headers': [{ tool: 'test_headers', allowWrite: true }],

  // http-custom-headers, all five declared checks (`sep-2243-client-supports-custom-headers`,
  // `-mirrors-designated-params`, `-encode-values`, `-base64-unsafe`, `-omit-null`): call
  // test_custom_headers and test_custom_headers_null with the values the scenario passes in
  // MCP_CONFORMANCE_CONTEXT.toolCalls ("the conformance client should use these values").
  'http-custom-headers': (context) =>
    (Array.isArray(context.toolCalls) ? context.toolCalls : [])
      .filter((c) => c && typeof c.name === 'string')
      .map((c) => ({
        tool: c.name,
        args: c.arguments && typeof c.arguments === 'object' ? c.arguments : {},
        allowWrite: true,
      })),

  // http-invalid-tool-headers, check `sep-2243-client-reject-invalid-tool` (ClientKeepsValidTool):
  // the one valid tool must still be callable next to the ten malformed ones.
  'http-invalid-tool-headers': [{ tool: 'valid_tool', args: { region: 'us-west1' }, allowWrite: true }],

  // sep-2322-client-request-state, all five declared checks: each of the four tools must be called;
  // test_mrtr_echo_state (`-request-state-echoed`, `-jsonrpc-id-different`) and test_mrtr_no_state
  // (`-no-state-omitted`) answer input_required with an elicitation form {confirmed: boolean} that
  // must be answered before the retry; test_mrtr_unrelated (`-parallel-isolation`) and
  // test_mrtr_no_result_type (`sep-2322-default-result-type-complete`) complete at once.
  'sep-2322-client-request-state': [
    { tool: 'test_mrtr_echo_state', input: { confirmed: true }, allowWrite: true },
    { tool: 'test_mrtr_no_state', input: { confirmed: true }, allowWrite: true },
    { tool: 'test_mrtr_unrelated', allowWrite: true },
    { tool: 'test_mrtr_no_result_type', allowWrite: true },
  ],
};

/**
 * Scenarios whose route cannot be inferred from the context (the issue allows mapping a scenario to a
 * route flag). Only the grant: discovery, registration and every check stay the CLI's own.
 */
export const ROUTES = {
  // auth/client-credentials-basic and -jwt: the client's own token (SEP-1046), no user.
  'auth/client-credentials-basic': ['--grant', 'client-credentials'],
  'auth/client-credentials-jwt': ['--grant', 'client-credentials'],
  // auth/dpop and auth/dpop-nonce: DPoP-bound tokens (SEP-1932); the client chooses to ask for them.
  // auth/wif-jwt-bearer: the workload's own JWT for a token (SEP-1933); the context's valid_jwt is
  // written to a file by main(), as a platform mounts it.
  'auth/wif-jwt-bearer': ['--grant', 'jwt-bearer'],
  // auth/enterprise-managed-authorization: the ID token for an ID-JAG at the IdP, then jwt-bearer
  // (SEP-990); the IdP's endpoint and client id come from the context.
  'auth/enterprise-managed-authorization': ['--grant', 'id-jag'],
  'auth/dpop': ['--dpop'],
  'auth/dpop-nonce': ['--dpop'],
};

/** The calls the adapter asks for in one scenario (empty: a plain connect). */
export function callsFor(scenario, context = {}) {
  const hint = HINTS[scenario];
  if (!hint) return [];
  return typeof hint === 'function' ? hint(context) : hint;
}

/** The CLI arguments for one scenario: one argument list per CLI run (at least one). */
export function cliRunsFor({
  scenario,
  context = {},
  serverUrl,
  privateKeyFile,
  assertionFile,
  idTokenFile,
}) {
  const base = ['connect', serverUrl, '--non-interactive', '--json', '--client-metadata-url', CIMD_URL];
  // Pre-registered credentials from the scenario (auth/pre-registration), as a user would pass them.
  if (typeof context.client_id === 'string') base.push('--client-id', context.client_id);
  if (typeof context.client_secret === 'string') base.push('--client-secret', context.client_secret);
  // A private key from the context, written to a file by main() as a user keeps it.
  if (privateKeyFile) {
    base.push('--client-private-key', privateKeyFile);
    if (typeof context.signing_algorithm === 'string')
      base.push('--client-assertion-alg', context.signing_algorithm);
  }
  if (assertionFile) base.push('--assertion-file', assertionFile);
  if (idTokenFile) base.push('--id-token-file', idTokenFile);
  if (typeof context.idp_token_endpoint === 'string')
    base.push('--idp-token-endpoint', context.idp_token_endpoint);
  if (typeof context.idp_client_id === 'string') base.push('--idp-client-id', context.idp_client_id);
  base.push(...(ROUTES[scenario] ?? []));
  const calls = callsFor(scenario, context);
  if (calls.length === 0) return [base];
  return calls.map((call) => {
    const args = [...base, '--call', call.tool];
    if (call.args && Object.keys(call.args).length > 0) args.push('--args', JSON.stringify(call.args));
    if (call.input) args.push('--input', JSON.stringify(call.input));
    if (call.allowWrite) args.push('--allow-write');
    return args;
  });
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

/** Runs the CLI once, passing its output through; resolves with its exit code and output. */
function runCli(args, state) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    state.child = child;
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
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
    });
    child.on('close', (code, signal) => {
      state.child = undefined;
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

/**
 * The suite starts the client through `sh -c` and, on its timeout, kills only the shell: stop the
 * CLI too when this process is orphaned or signalled, so no run outlives its scenario.
 */
function stopWithParent(state) {
  const parent = process.ppid;
  const stop = () => {
    state.stopped = true;
    state.child?.kill('SIGTERM');
  };
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      stop();
      clearInterval(timer);
    }
  }, 500);
  timer.unref();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.once(signal, stop);
}

async function main() {
  const serverUrl = process.argv.at(-1);
  if (!serverUrl || process.argv.length < 3) {
    console.error('usage: node conformance/adapter.mjs <server-url> (run by the MCP conformance suite)');
    return 2;
  }
  const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
  const context = parseContext(process.env.MCP_CONFORMANCE_CONTEXT);
  let privateKeyFile;
  if (typeof context.private_key_pem === 'string') {
    const dir = mkdtempSync(join(tmpdir(), 'inspector-conformance-'));
    privateKeyFile = join(dir, 'client-key.pem');
    writeFileSync(privateKeyFile, context.private_key_pem, { mode: 0o600 });
  }
  let assertionFile;
  if (typeof context.valid_jwt === 'string') {
    const dir = mkdtempSync(join(tmpdir(), 'inspector-conformance-'));
    assertionFile = join(dir, 'workload.jwt');
    writeFileSync(assertionFile, context.valid_jwt, { mode: 0o600 });
  }
  let idTokenFile;
  if (typeof context.idp_id_token === 'string') {
    const dir = mkdtempSync(join(tmpdir(), 'inspector-conformance-'));
    idTokenFile = join(dir, 'id-token.jwt');
    writeFileSync(idTokenFile, context.idp_id_token, { mode: 0o600 });
  }
  const runs = cliRunsFor({ scenario, context, serverUrl, privateKeyFile, assertionFile, idTokenFile });

  const state = { child: undefined, stopped: false };
  stopWithParent(state);
  const started = Date.now();
  const results = [];
  for (const args of runs) {
    if (state.stopped) break;
    results.push({ args, ...(await runCli(args, state)) });
  }
  // Every run is attempted (each call serves its own checks); the first failure is the exit code.
  const exitCode = state.stopped ? 143 : (results.find((r) => r.exitCode !== 0)?.exitCode ?? 0);

  // The runner (conformance/run.mjs) reads these to hold the CLI's exit code against each scenario:
  // the suite's summary only counts checks.
  const recordDir = process.env.CONFORMANCE_ADAPTER_RECORDS;
  if (recordDir) {
    mkdirSync(recordDir, { recursive: true });
    const shown = (args) => args.map((a, i) => (args[i - 1] === '--client-secret' ? '[redacted]' : a));
    const parse = (text) => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    };
    writeFileSync(
      join(recordDir, `${scenario.replaceAll('/', '__') || 'unknown'}.json`),
      JSON.stringify(
        {
          scenario,
          exitCode,
          durationMs: Date.now() - started,
          ...(state.stopped ? { stopped: 'the suite stopped the client (timeout)' } : {}),
          runs: results.map((r) => ({
            args: shown(r.args),
            exitCode: r.exitCode,
            durationMs: r.durationMs,
            report: parse(r.stdout),
            stderr: r.stderr.slice(-4000),
          })),
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
