import { describe, expect, it } from 'vitest';

interface AdapterModule {
  HINTS: Record<string, unknown>;
  ROUTES: Record<string, string[]>;
  callsFor(scenario: string, context?: Record<string, unknown>): Array<Record<string, unknown>>;
  cliRunsFor(input: {
    scenario: string;
    context?: Record<string, unknown>;
    serverUrl: string;
    privateKeyFile?: string;
  }): string[][];
}
interface RunnerModule {
  BACKCOMPAT: string[];
  parseRequirementsList(output: string): {
    scored: string[];
    notScored: Array<{ scenario: string; reason: string }>;
  };
  verdict(input: {
    scored: boolean;
    runnerCode: number;
    checks?: Array<{ id: string; status: string; description?: string; errorMessage?: string }>;
    exitCode?: number;
    timedOut?: boolean;
  }): { status: string; checks: Record<string, number>; problems: string[] };
}

// Plain .mjs (run by the conformance suite and npm without tsx); loaded untyped on purpose.
const adapter = (await import('../conformance/adapter.mjs' as string)) as AdapterModule;
const runner = (await import('../conformance/run.mjs' as string)) as RunnerModule;

const URL_ = 'http://localhost:1/mcp';
const BASE = [
  'connect',
  URL_,
  '--non-interactive',
  '--json',
  '--client-metadata-url',
  'https://conformance-test.local/client-metadata.json',
];

describe('conformance adapter', () => {
  it('runs one connect --non-interactive with the CIMD URL the suite expects, and no spec version', () => {
    expect(adapter.cliRunsFor({ scenario: 'auth/basic-cimd', context: {}, serverUrl: URL_ })).toEqual([BASE]);
    // The back-compat scenarios get no hint either: the CLI finds the 2025-03-26 discovery itself.
    const runs = adapter.cliRunsFor({ scenario: 'auth/2025-03-26-oauth-endpoint-fallback', serverUrl: URL_ });
    expect(runs).toEqual([BASE]);
    expect(runs.flat()).not.toContain('--spec-version');
    expect(runs.flat()).not.toContain('--discovery');
  });

  it('passes pre-registered credentials from MCP_CONFORMANCE_CONTEXT', () => {
    const [args] = adapter.cliRunsFor({
      scenario: 'auth/pre-registration',
      context: { name: 'auth/pre-registration', client_id: 'pre-registered-client', client_secret: 's' },
      serverUrl: URL_,
    });
    expect(args?.slice(-4)).toEqual(['--client-id', 'pre-registered-client', '--client-secret', 's']);
  });

  it('calls the tool a scenario requires, opting in where it is not read-only', () => {
    expect(adapter.cliRunsFor({ scenario: 'tools_call', serverUrl: URL_ })).toEqual([
      [...BASE, '--call', 'add_numbers', '--args', '{"a":2,"b":3}', '--allow-write'],
    ]);
    expect(adapter.cliRunsFor({ scenario: 'auth/scope-step-up', serverUrl: URL_ })).toEqual([
      [...BASE, '--call', 'test-tool', '--allow-write'],
    ]);
  });

  it('answers the MRTR elicitations and runs one connect per tool', () => {
    const runs = adapter.cliRunsFor({ scenario: 'sep-2322-client-request-state', serverUrl: URL_ });
    expect(runs.map((r) => r[r.indexOf('--call') + 1])).toEqual([
      'test_mrtr_echo_state',
      'test_mrtr_no_state',
      'test_mrtr_unrelated',
      'test_mrtr_no_result_type',
    ]);
    const first = runs[0] ?? [];
    expect(first).toContain('--input');
    expect(first[first.indexOf('--input') + 1]).toBe('{"confirmed":true}');
    expect(runs[2]).not.toContain('--input');
  });

  it('takes the custom-header values from the scenario context, nulls included', () => {
    const context = {
      name: 'http-custom-headers',
      toolCalls: [
        { name: 'test_custom_headers', arguments: { region: 'us-west1', non_ascii_val: 'Hello, 世界' } },
        { name: 'test_custom_headers_null', arguments: { region: 'us-east1', verbose: null } },
      ],
    };
    const runs = adapter.cliRunsFor({ scenario: 'http-custom-headers', context, serverUrl: URL_ });
    expect(runs).toHaveLength(2);
    const second = runs[1] ?? [];
    expect(JSON.parse(second[second.indexOf('--args') + 1] ?? 'null')).toEqual({
      region: 'us-east1',
      verbose: null,
    });
    expect(adapter.callsFor('http-custom-headers', {})).toEqual([]);
  });

  it('maps the client-credentials scenarios to the grant flag and passes the key file and algorithm', () => {
    const [args] = adapter.cliRunsFor({
      scenario: 'auth/client-credentials-jwt',
      context: { client_id: 'c', private_key_pem: 'PEM', signing_algorithm: 'ES256' },
      serverUrl: URL_,
      privateKeyFile: '/tmp/key.pem',
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--client-id',
        'c',
        '--client-private-key',
        '/tmp/key.pem',
        '--grant',
        'client-credentials',
      ]),
    );
    expect(args?.join(' ')).toContain('--client-assertion-alg ES256');
    expect(args?.join(' ')).not.toContain('PEM');
  });

  it('keys every hint by a scenario name, never by a revision', () => {
    for (const key of [...Object.keys(adapter.HINTS), ...Object.keys(adapter.ROUTES)]) {
      expect(key).not.toMatch(/\d{4}-\d{2}-\d{2}/);
    }
  });
});

describe('conformance runner', () => {
  it('reads the client leg of the requirement set, scored and not scored', () => {
    const output = `Required for 2026-07-28 (69 scenarios, frozen; run at the 2026-07-28 wire):

Server scenarios (test against a server):
  - server-stateless

Client scenarios (test against a client):
  - tools_call
  - auth/metadata-default

Run and reported, but never scored:
  extension (2):
    - auth/dpop [client]
    - tasks-lifecycle [server]
  added-after-release (1):
    - json-schema-2020-12-preservation [client]
  pending (1):
    - json-schema-2020-12 [server]
`;
    expect(runner.parseRequirementsList(output)).toEqual({
      scored: ['tools_call', 'auth/metadata-default'],
      notScored: [
        { scenario: 'auth/dpop', reason: 'extension' },
        { scenario: 'json-schema-2020-12-preservation', reason: 'added-after-release' },
      ],
    });
    expect(runner.BACKCOMPAT).toEqual([
      'auth/2025-03-26-oauth-metadata-backcompat',
      'auth/2025-03-26-oauth-endpoint-fallback',
    ]);
  });

  it("takes the single-scenario run's verdict, and never fails a not-scored scenario", () => {
    const ok = [
      { id: 'a', status: 'SUCCESS' },
      { id: 'i', status: 'INFO' },
    ];
    const warned = [...ok, { id: 'w', status: 'WARNING', description: 'SHOULD' }];
    expect(runner.verdict({ scored: true, runnerCode: 0, checks: ok, exitCode: 0 }).status).toBe('pass');
    expect(runner.verdict({ scored: true, runnerCode: 0, checks: ok, exitCode: 0 }).checks).toEqual({
      passed: 1,
      failed: 0,
      warnings: 0,
    });
    // The runner accepted a client error (the scenario expects the client to stop).
    const accepted = runner.verdict({ scored: true, runnerCode: 0, checks: ok, exitCode: 1 });
    expect(accepted.status).toBe('pass');
    expect(accepted.problems[0]).toMatch(/accepts/);
    expect(runner.verdict({ scored: true, runnerCode: 1, checks: ok, exitCode: 1 }).status).toBe('fail');
    expect(runner.verdict({ scored: true, runnerCode: 1, checks: warned, exitCode: 0 }).problems).toEqual([
      'WARNING w: SHOULD',
    ]);
    expect(runner.verdict({ scored: true, runnerCode: 1, checks: undefined }).status).toBe('fail');
    expect(runner.verdict({ scored: false, runnerCode: 1, checks: warned, exitCode: 1 }).status).toBe(
      'skipped',
    );
  });
});
