import { describe, expect, it } from 'vitest';

interface AdapterModule {
  cliArgsFor(input: {
    scenario: string;
    protocolVersion: string;
    context: Record<string, unknown>;
    serverUrl: string;
  }): string[];
  specVersionFor(scenario: string, protocolVersion: string): string;
}
interface RunnerModule {
  parseSuiteSummary(output: string): Array<Record<string, unknown>> | undefined;
}

// Plain .mjs (run by the conformance suite and npm without tsx); loaded untyped on purpose.
const adapter = (await import('../conformance/adapter.mjs' as string)) as AdapterModule;
const runner = (await import('../conformance/run.mjs' as string)) as RunnerModule;

describe('conformance adapter', () => {
  it('runs connect --non-interactive with the CIMD URL the suite expects', () => {
    expect(
      adapter.cliArgsFor({
        scenario: 'auth/basic-cimd',
        protocolVersion: '2025-11-25',
        context: {},
        serverUrl: 'http://localhost:1/mcp',
      }),
    ).toEqual([
      'connect',
      'http://localhost:1/mcp',
      '--non-interactive',
      '--json',
      '--spec-version',
      '2025-11-25',
      '--client-metadata-url',
      'https://conformance-test.local/client-metadata.json',
    ]);
  });

  it('passes pre-registered credentials from MCP_CONFORMANCE_CONTEXT', () => {
    const args = adapter.cliArgsFor({
      scenario: 'auth/pre-registration',
      protocolVersion: '2025-11-25',
      context: { name: 'auth/pre-registration', client_id: 'pre-registered-client', client_secret: 's' },
      serverUrl: 'http://localhost:1/mcp',
    });
    expect(args.slice(-4)).toEqual(['--client-id', 'pre-registered-client', '--client-secret', 's']);
  });

  it('judges the back-compat scenarios as 2025-03-26', () => {
    expect(adapter.specVersionFor('auth/2025-03-26-oauth-endpoint-fallback', '2025-11-25')).toBe(
      '2025-03-26',
    );
    expect(adapter.specVersionFor('auth/metadata-default', '2025-11-25')).toBe('2025-11-25');
    expect(adapter.specVersionFor('auth/iss-supported', '2026-07-28')).toBe('2026-07-28');
    expect(adapter.specVersionFor('auth/x', 'draft')).toBe('2025-11-25');
  });
});

describe('conformance runner', () => {
  it('reads the suite summary per scenario', () => {
    const output = `noise\n=== SUITE SUMMARY ===\n\n✓ auth/metadata-default: 19 passed, 0 failed\n✗ auth/scope-step-up: 0 passed, 2 failed\n✗ auth/basic-cimd: 13 passed, 0 failed, 1 warnings\n- auth/x: skipped\n\nTotal: 32 passed, 2 failed, 1 warnings`;
    expect(runner.parseSuiteSummary(output)).toEqual([
      { scenario: 'auth/metadata-default', passed: 19, failed: 0, warnings: 0 },
      { scenario: 'auth/scope-step-up', passed: 0, failed: 2, warnings: 0 },
      { scenario: 'auth/basic-cimd', passed: 13, failed: 0, warnings: 1 },
      { scenario: 'auth/x', skipped: true, passed: 0, failed: 0, warnings: 0 },
    ]);
    expect(runner.parseSuiteSummary('no summary')).toBeUndefined();
  });
});
