import { describe, expect, it } from 'vitest';
import { createFakeWorld, type FakeWorldOptions } from '../lib/flow/testing/fake-world';
import type { FetchLike } from '../lib/http/types';
import type { Report } from './report';
import { runCli } from './run';

/**
 * The CLI over the engine against the engine's fake MCP server + authorization server (no network).
 * The fake AS's /authorize approves at once (a 302 back to the redirect URI), as the conformance
 * suite's does, which is what --non-interactive is for.
 */
function autoApprovingWorld(opts: FakeWorldOptions = {}) {
  const world = createFakeWorld(opts);
  const fetch: FetchLike = async (input, init) => {
    const url = new URL(String(input));
    if (url.href.startsWith(`${world.issuer}/authorize?`)) {
      world.log.push({ method: 'GET', url: url.href, headers: {} });
      return new Response(null, { status: 302, headers: { location: world.authorize(url.href).href } });
    }
    return world.fetch(input, init);
  };
  const jsonRpcMethods = () =>
    world.log.flatMap((r) => {
      if (!r.body || !r.url.startsWith(world.mcpUrl)) return [];
      try {
        return [(JSON.parse(r.body) as { method?: string }).method ?? ''];
      } catch {
        return [];
      }
    });
  return { world, fetch, jsonRpcMethods };
}

async function cli(argv: string[], fetch: FetchLike) {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(
    argv,
    {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
    {
      fetch,
      openBrowser: async () => {
        throw new Error('no browser in these tests');
      },
      env: {},
    },
  );
  return { code, ...out };
}

describe('connect --non-interactive --json', () => {
  it('prints exactly the documented JSON contract', async () => {
    const { world, fetch } = autoApprovingWorld();
    const { code, stdout } = await cli(['connect', world.mcpUrl, '--non-interactive', '--json'], fetch);
    const report = JSON.parse(stdout) as Report;
    expect(Object.keys(report).sort()).toEqual(['checks', 'complete', 'ok', 'tools', 'wire']);
    expect(report.complete).toBe(true);
    // The fake server speaks 2025-11-25 with sessions: the report says which wire was used.
    expect(report.wire).toEqual({ era: 'legacy', protocolVersion: '2025-11-25', session: true });
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(report.checks.length).toBeGreaterThan(10);
    for (const c of report.checks) {
      expect(Object.keys(c).sort()).toEqual(['id', 'message', 'specRef', 'status']);
      expect(['pass', 'warn', 'fail', 'skip']).toContain(c.status);
      expect(c.id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
      expect(typeof c.message).toBe('string');
      expect(typeof c.specRef).toBe('string');
    }
    const ids = report.checks.map((c) => c.id);
    for (const id of [
      'probe.unauthorized',
      'prm.resource-match',
      'as.issuer-match',
      'callback.state-match',
      'token.exchange',
      'mcp.initialize',
    ]) {
      expect(ids).toContain(id);
    }
    expect(report.tools).toEqual([
      { name: 'get_time', readOnly: true },
      { name: 'delete_file', readOnly: false },
      { name: 'mystery', readOnly: false },
      { name: 'write_scope_probe', readOnly: true },
    ]);
  });

  it('calls a read-only tool and reports the call', async () => {
    const { world, fetch, jsonRpcMethods } = autoApprovingWorld();
    const { code, stdout } = await cli(
      ['connect', world.mcpUrl, '--non-interactive', '--json', '--call', 'get_time'],
      fetch,
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.call).toMatchObject({ tool: 'get_time', ok: true, isError: false });
    expect(report.call?.content?.length).toBeGreaterThan(0);
    expect(report.ok).toBe(true);
    expect(code).toBe(0);
    expect(jsonRpcMethods()).toContain('tools/call');
  });

  it.each(['delete_file', 'mystery'])(
    'refuses %s (not read-only) before anything is sent, and exits 1',
    async (tool) => {
      const { world, fetch, jsonRpcMethods } = autoApprovingWorld();
      const { code, stdout, stderr } = await cli(
        [
          'connect',
          world.mcpUrl,
          '--non-interactive',
          '--json',
          '--call',
          tool,
          '--args',
          '{"path":"/etc/passwd"}',
        ],
        fetch,
      );
      const report = JSON.parse(stdout) as Report;
      expect(report.call).toEqual({ tool, ok: false, isError: false });
      expect(report.ok).toBe(false);
      expect(code).toBe(1);
      expect(stderr).toMatch(/not annotated read-only/);
      // Each sentence once, and the way to run it anyway.
      expect(stderr.match(/readOnlyHint: true/g)).toHaveLength(1);
      expect(stderr).toMatch(/add --allow-write\.$/m);
      expect(jsonRpcMethods()).toContain('tools/list');
      expect(jsonRpcMethods()).not.toContain('tools/call');
    },
  );

  it('refuses a tool the server did not list', async () => {
    const { world, fetch, jsonRpcMethods } = autoApprovingWorld();
    const { code, stdout } = await cli(
      ['connect', world.mcpUrl, '--non-interactive', '--json', '--call', 'nope'],
      fetch,
    );
    expect(JSON.parse(stdout).call).toEqual({ tool: 'nope', ok: false, isError: false });
    expect(code).toBe(1);
    expect(jsonRpcMethods()).not.toContain('tools/call');
  });

  it('exits 1 with the failing check when the callback carries the wrong iss', async () => {
    const { world, fetch } = autoApprovingWorld({ callbackIss: 'wrong', issParameterSupported: true });
    const { code, stdout } = await cli(['connect', world.mcpUrl, '--non-interactive', '--json'], fetch);
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(1);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'callback.iss-match')?.status).toBe('fail');
    expect(report.tools).toEqual([]);
  });
});

describe('human output', () => {
  it('prints one line per step, the tools and a summary, without colour when not a terminal', async () => {
    const { world, fetch } = autoApprovingWorld();
    const { code, stdout, stderr } = await cli(
      ['connect', world.mcpUrl, '--non-interactive', '--call', 'get_time'],
      fetch,
    );
    expect(code).toBe(0);
    expect(stdout.includes('\u001b[')).toBe(false);
    expect(stderr).toBe('');
    const lines = stdout.split('\n');
    for (const title of [
      'Unauthenticated probe',
      'Protected resource metadata',
      'Token exchange',
      'MCP session',
      'Tools',
    ]) {
      expect(lines.filter((l) => /^[✓!✗] (passed|warned|failed) /.test(l) && l.includes(title))).toHaveLength(
        1,
      );
    }
    expect(stdout).toMatch(/Tools: 4 \(2 read-only\)/);
    expect(stdout).toMatch(/✓ ok {2}called get_time/);
    expect(stdout).toMatch(/^OK: \d+ passed, \d+ warnings, 0 failed/m);
  });

  it('lists failing checks with their messages under their step', async () => {
    const { world, fetch } = autoApprovingWorld({ claimedIssuer: 'https://evil.example.com' });
    const { code, stdout } = await cli(['doctor', world.mcpUrl], fetch);
    expect(code).toBe(1);
    expect(stdout).toMatch(/✗ failed {3}Authorization server metadata/);
    expect(stdout).toMatch(/ {4}fail as\.issuer-match: .*evil\.example\.com.* \(RFC 8414 §3\.3/);
    expect(stdout).toMatch(/^FAILED: /m);
  });
});

describe('doctor', () => {
  it('stops at consent without a browser and reports the checks so far', async () => {
    const { world, fetch } = autoApprovingWorld();
    const { code, stdout } = await cli(['doctor', world.mcpUrl, '--json'], fetch);
    const report = JSON.parse(stdout) as Report;
    // Not a pass: the token, the MCP session and the audit were never judged.
    expect(code).toBe(3);
    expect(report.ok).toBe(false);
    expect(report.complete).toBe(false);
    expect(report.stopped).toMatchObject({ at: 'callback', reason: 'consent' });
    expect(report.stopped?.notJudged).toEqual(['callback', 'token', 'mcp-init', 'tools', 'audit']);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.checks.some((c) => c.id.startsWith('authorize.'))).toBe(true);
    expect(report.checks.some((c) => c.id.startsWith('token.'))).toBe(false);
    expect(world.log.some((r) => r.url.includes('/authorize?'))).toBe(false);
  });

  it('goes to the end with --non-interactive', async () => {
    const { world, fetch } = autoApprovingWorld();
    const { code, stdout } = await cli(['doctor', world.mcpUrl, '--json', '--non-interactive'], fetch);
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(0);
    expect(report.checks.some((c) => c.id === 'mcp.tools-listed')).toBe(true);
  });
});

describe('--hosted', () => {
  it('applies the hosted address policy (loopback refused)', async () => {
    const { code, stdout } = await cli(
      ['doctor', 'http://127.0.0.1:9/mcp', '--json', '--hosted'],
      async () => {
        throw new Error('must not be sent');
      },
    );
    const report = JSON.parse(stdout) as Report;
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.id === 'probe.reachable')).toMatchObject({ status: 'fail' });
  });

  it('is local by default: loopback and http are allowed', async () => {
    const { world, fetch } = autoApprovingWorld({
      mcpUrl: 'http://127.0.0.1:8123/mcp',
      issuer: 'http://127.0.0.1:8124',
    });
    const { code, stdout } = await cli(['doctor', world.mcpUrl, '--json', '--non-interactive'], fetch);
    expect(JSON.parse(stdout).ok).toBe(true);
    expect(code).toBe(0);
  });
});
