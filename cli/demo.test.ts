import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DemoScenario } from '../demo/index';
import type { Report } from './report';
import { demoForThisFile, runCapturing } from './test-harness';

/**
 * The CLI against the bundled demo: a real authorization server (oidc-provider, with a login page
 * and a consent page) and real MCP servers, on loopback ports chosen at run time. The test plays the
 * user's browser: it receives the URL the CLI would open, signs in as demo/demo, presses Authorize
 * and lets the authorization server send it to the CLI's loopback callback.
 */

const { demo, scenario } = demoForThisFile();

/** `connect` as the scenario's pre-registered machine client (client credentials), calling whoami. */
function machineConnect(s: DemoScenario): string[] {
  const { clientId, clientSecret } = s.preRegistered!;
  return [
    'connect',
    s.mcpUrl,
    '--json',
    '--grant',
    'client-credentials',
    '--client-id',
    clientId,
    '--client-secret',
    clientSecret!,
    '--call',
    'whoami',
  ];
}

const cli = runCapturing;

describe('the CLI against the bundled demo', () => {
  it('doctor walks up to the consent page and exits 3 (incomplete, not a pass)', async () => {
    const { code, stdout } = await cli(['doctor', demo().mcpUrl]);
    expect(code).toBe(3);
    expect(stdout).toMatch(/✓ passed {3}Client registration/);
    expect(stdout).toMatch(/… waiting {2}Authorization callback/);
    expect(stdout).toMatch(/Stopped at the consent step/);
    expect(stdout).toMatch(/^INCOMPLETE: Stopped at the consent step/m);
  });

  it('doctor exits 1 and names the failing check on a misconfigured server', async () => {
    const s = scenario('issuer-mismatch');
    const { code, stdout } = await cli(['doctor', s.mcpUrl, '--json']);
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'as.issuer-match')?.status).toBe('fail');
  });

  it('connect signs in through the browser, lists the tools and calls a read-only one', async () => {
    const { code, stdout, stderr } = await cli([
      'connect',
      demo().mcpUrl,
      '--json',
      '--call',
      'echo',
      '--args',
      '{"message":"hi"}',
    ]);
    const report = JSON.parse(stdout) as Report;
    expect(stderr).toMatch(/Open this URL to sign in and consent/);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(report.tools).toContainEqual({ name: 'echo', readOnly: true });
    expect(report.tools).toContainEqual({ name: 'delete_note', readOnly: false });
    expect(report.call).toMatchObject({ tool: 'echo', ok: true, isError: false });
    // --json carries what the tool returned, not only whether it worked.
    expect(report.call?.content).toEqual([
      expect.objectContaining({ type: 'text', text: expect.stringContaining('hi') }),
    ]);
  });

  it.each([
    ['default', 'modern', '2026-07-28', false],
    ['dual-era', 'modern', '2026-07-28', false],
    ['legacy-2025-11-25', 'legacy', '2025-11-25', true],
  ] as const)(
    'connect --call works against the %s server and says which wire it speaks',
    async (id, era, version, session) => {
      const { code, stdout } = await cli(['connect', scenario(id).mcpUrl, '--json', '--call', 'whoami']);
      const report = JSON.parse(stdout) as Report;
      expect(report.call).toMatchObject({ tool: 'whoami', ok: true });
      expect(report.wire).toEqual({ era, protocolVersion: version, session });
      const revision = report.checks.find((c) => c.id === 'mcp.protocol-revision');
      expect(revision?.status).toBe(era === 'modern' ? 'pass' : 'warn');
      expect(report.checks.find((c) => c.id === 'mcp.server-discover')?.status).toBe(
        era === 'modern' ? 'pass' : 'skip',
      );
      expect(code).toBe(0);
    },
  );

  it('connect --call answers an input-required tool from --input, and declines without it', async () => {
    const url = scenario('input-required').mcpUrl;
    const answered = await cli([
      'connect',
      url,
      '--call',
      'get_temperature',
      '--args',
      '{"city":"Berlin"}',
      '--input',
      '{"unit":"fahrenheit"}',
    ]);
    expect(answered.stdout).toMatch(/get_temperature asks for input before it answers \(round 1\):/);
    expect(answered.stdout).toMatch(/unit: elicitation\/create — “Which unit\?/);
    expect(answered.stdout).toMatch(/°F|fahrenheit/i);
    expect(answered.code).toBe(0);

    const declined = await cli([
      'connect',
      url,
      '--json',
      '--call',
      'get_temperature',
      '--args',
      '{"city":"Berlin"}',
    ]);
    const report = JSON.parse(declined.stdout) as Report;
    expect(report.call).toMatchObject({ tool: 'get_temperature', ok: false, isError: true, inputRounds: 1 });
    expect(declined.code).toBe(1);
  });

  it('connect --grant client-credentials gets the client its own token, with no browser, and calls a tool', async () => {
    const s = scenario('client-credentials');
    const noBrowser = async () => {
      throw new Error('the client credentials grant must not open a browser');
    };
    const { code, stdout } = await cli(machineConnect(s), noBrowser);
    const report = JSON.parse(stdout) as Report;
    const status = (id: string) => report.checks.find((c) => c.id === id)?.status;
    expect(status('authorize.grant-advertised')).toBe('pass');
    expect(status('token.exchange')).toBe('pass');
    expect(status('token.audience')).toBe('pass');
    expect(report.checks.some((c) => c.status === 'fail')).toBe(false);
    expect(report.call).toMatchObject({ tool: 'whoami', ok: true });
    expect(stdout).not.toContain(s.preRegistered!.clientSecret!);
    expect(code).toBe(0);
  });

  it('connect --dpop gets a DPoP-bound token from oidc-provider and the demo accepts it only with proofs', async () => {
    const s = scenario('dpop');
    const base = machineConnect(s);
    const bound = JSON.parse((await cli([...base, '--dpop'])).stdout) as Report;
    const status = (r: Report, id: string) => r.checks.find((c) => c.id === id)?.status;
    expect(status(bound, 'token.dpop-advertised')).toBe('pass');
    expect(status(bound, 'token.dpop-bound')).toBe('pass');
    expect(bound.call).toMatchObject({ tool: 'whoami', ok: true });
    // Without --dpop the same server still serves the client with a plain Bearer token.
    const plain = JSON.parse((await cli(base)).stdout) as Report;
    expect(status(plain, 'token.dpop-bound')).toBeUndefined();
    expect(plain.call).toMatchObject({ ok: true });
  });

  it('connect refuses a destructive tool and exits 1', async () => {
    const { code, stdout } = await cli([
      'connect',
      demo().mcpUrl,
      '--json',
      '--call',
      'delete_note',
      '--args',
      '{"id":"n-101"}',
    ]);
    const report = JSON.parse(stdout) as Report;
    expect(report.call).toEqual({ tool: 'delete_note', ok: false, isError: false });
    expect(code).toBe(1);
  });

  it('connect --non-interactive stops at the login page with a clear message', async () => {
    const { code, stdout } = await cli(['connect', demo().mcpUrl, '--non-interactive', '--json']);
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.id === 'callback.code')).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(/login or consent page.*Run without it/),
    });
  });

  it('connect gives up when the browser never comes back (--timeout)', async () => {
    const { code, stdout } = await cli(
      ['connect', demo().mcpUrl, '--json', '--timeout', '1'],
      async () => true,
    );
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.id === 'callback.code')?.message).toMatch(
      /No authorization response arrived within 1 s/,
    );
  });
});

describe('bin/mcp-auth-inspector.mjs', () => {
  const bin = fileURLToPath(new URL('../bin/mcp-auth-inspector.mjs', import.meta.url));

  function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => (stdout += c));
      child.stderr.on('data', (c) => (stderr += c));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('exits 2 on a usage error', async () => {
    const { code, stdout, stderr } = await runBin(['connect']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Missing the MCP server URL/);
  });

  it('runs doctor end to end as a process', async () => {
    const { code, stdout } = await runBin(['doctor', demo().mcpUrl, '--json']);
    expect(code).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, complete: false, tools: [] });
  });
});
