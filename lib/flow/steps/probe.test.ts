import { describe, expect, it } from 'vitest';
import { runNextStep } from '../engine';
import { createFlow } from '../state';
import { check } from '../testing/drive';
import { json, refused, routes } from '../testing/routes';
import type { FlowOptions, SpecVersion } from '../types';

const MCP = 'https://mcp.example.com/mcp';
const opts = (specVersion: SpecVersion = '2025-11-25'): FlowOptions => ({
  serverUrl: MCP,
  specVersion,
  redirectUri: 'https://inspector.example/cb',
  registration: 'auto',
  clientName: 'test',
});
const probe = async (handler: Parameters<typeof routes>[0][string], specVersion?: SpecVersion) => {
  const r = routes({ [`POST ${MCP}`]: handler });
  const state = await runNextStep(createFlow(opts(specVersion)), {
    fetch: r.fetch,
    policy: { mode: 'local' },
  });
  return { state, seen: r.seen };
};

describe('probe step', () => {
  it('sends server/discover at 2026-07-28 without a token, with the 2026 headers and _meta, and moves on after a 401 challenge', async () => {
    const { state, seen } = await probe(
      () =>
        new Response(null, {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="a b"',
          },
        }),
    );
    expect(seen[0]?.headers.get('authorization')).toBeNull();
    expect(seen[0]?.headers.get('accept')).toBe('application/json, text/event-stream');
    expect(seen[0]?.headers.get('mcp-protocol-version')).toBe('2026-07-28');
    expect(seen[0]?.headers.get('mcp-method')).toBe('server/discover');
    expect(JSON.parse(seen[0]?.body ?? '{}')).toMatchObject({
      jsonrpc: '2.0',
      method: 'server/discover',
      params: {
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'mcp-auth-inspector' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    });
    expect(state.step).toBe('prm');
    if (state.step !== 'prm') return;
    expect(state.probe.challenge).toMatchObject({
      scope: 'a b',
      resourceMetadata: expect.stringContaining('/.well-known/'),
    });
    expect(check(state, 'probe.unauthorized').status).toBe('pass');
    expect(check(state, 'probe.resource-metadata-param').status).toBe('pass');
    expect(check(state, 'probe.scope-param').status).toBe('pass');
    expect(state.records[0]?.exchanges[0]?.purpose).toContain('401');
  });

  it('warns (2025-11-25) but fails (2025-06-18) a 401 without WWW-Authenticate, and continues to well-known probing', async () => {
    const v11 = await probe(() => new Response(null, { status: 401 }));
    expect(v11.state.step).toBe('prm');
    expect(check(v11.state, 'probe.www-authenticate')).toMatchObject({ status: 'warn', actual: '(absent)' });
    const v06 = await probe(() => new Response(null, { status: 401 }), '2025-06-18');
    expect(v06.state.step).toBe('prm');
    expect(check(v06.state, 'probe.www-authenticate').status).toBe('fail');
    expect(check(v06.state, 'probe.www-authenticate').message).toContain('2025-06-18 requires it');
  });

  it('warns when the challenge has no resource_metadata and says the doctor fell back', async () => {
    const { state } = await probe(
      () => new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="x"' } }),
    );
    expect(check(state, 'probe.resource-metadata-param').message).toContain(
      'fell back to well-known probing',
    );
    expect(check(state, 'probe.scope-param').status).toBe('warn');
  });

  it('fails with no_challenge when an unauthenticated initialize succeeds (server not protected)', async () => {
    const { state } = await probe(() =>
      json({
        jsonrpc: '2.0',
        id: 0,
        result: {
          protocolVersion: '2025-06-18',
          capabilities: {},
          serverInfo: { name: 'open', version: '1' },
        },
      }),
    );
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.failedStep).toBe('probe');
    expect(state.error).toMatchObject({ code: 'no_challenge', expected: '401', actual: '200' });
    expect(state.error.message).toContain('Clients only start OAuth after a 401');
    expect(check(state, 'probe.unauthorized')).toMatchObject({ status: 'fail', expected: '401' });
    expect(state.records[0]?.status).toBe('failed');
  });

  it('continues with a warning when initialize is open but tools/list answers the 401 challenge', async () => {
    const { state, seen } = await probe((req) => {
      const message = JSON.parse(req.body ?? '{}') as { method?: string };
      // A 2025 SDK server refuses anything before initialize with a plain -32000.
      if (message.method === 'server/discover') {
        return json(
          {
            jsonrpc: '2.0',
            id: null,
            error: { code: -32000, message: 'Bad Request: Server not initialized' },
          },
          400,
        );
      }
      if (message.method === 'initialize') {
        return json(
          {
            jsonrpc: '2.0',
            id: 0,
            result: {
              protocolVersion: '2025-06-18',
              capabilities: {},
              serverInfo: { name: 'half-open', version: '1' },
            },
          },
          200,
          { 'mcp-session-id': 's-1' },
        );
      }
      if (message.method === 'notifications/initialized') return new Response(null, { status: 202 });
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="s1"',
        },
      });
    });
    expect(seen.map((r) => (JSON.parse(r.body ?? '{}') as { method?: string }).method)).toEqual([
      'server/discover',
      'initialize',
      'notifications/initialized',
      'tools/list',
    ]);
    expect(seen[3]?.headers.get('mcp-session-id')).toBe('s-1');
    expect(seen[3]?.headers.get('authorization')).toBeNull();
    expect(state.step).toBe('prm');
    if (state.step !== 'prm') return;
    expect(state.probe.challenge?.scope).toBe('s1');
    expect(check(state, 'probe.unauthorized')).toMatchObject({
      status: 'warn',
      actual: '200 on initialize, 401 on tools/list',
    });
  });

  it('finds the challenge on tools/list when a 2026 server answers server/discover without a token', async () => {
    const { state, seen } = await probe((req) => {
      const message = JSON.parse(req.body ?? '{}') as { method?: string };
      if (message.method === 'server/discover') {
        return json({
          jsonrpc: '2.0',
          id: 0,
          result: { resultType: 'complete', supportedVersions: ['2026-07-28'], capabilities: { tools: {} } },
        });
      }
      return new Response(null, {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"',
        },
      });
    });
    expect(seen.map((r) => (JSON.parse(r.body ?? '{}') as { method?: string }).method)).toEqual([
      'server/discover',
      'tools/list',
    ]);
    expect(seen[1]?.headers.get('mcp-method')).toBe('tools/list');
    expect(seen[1]?.headers.get('mcp-session-id')).toBeNull();
    expect(state.step).toBe('prm');
    expect(check(state, 'probe.unauthorized')).toMatchObject({
      status: 'pass',
      actual: '200 on server/discover, 401 on tools/list',
    });
  });

  it('asks once more when the server rejects 2026-07-28 while listing it as supported', async () => {
    let rejected = false;
    const { state, seen } = await probe(() => {
      if (!rejected) {
        rejected = true;
        return json(
          {
            jsonrpc: '2.0',
            id: 0,
            error: {
              code: -32022,
              message: 'Unsupported protocol version',
              data: { supported: ['2026-07-28'] },
            },
          },
          400,
        );
      }
      return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer' } });
    });
    expect(seen).toHaveLength(2);
    expect(seen[1]?.headers.get('mcp-protocol-version')).toBe('2026-07-28');
    expect(state.step).toBe('prm');
  });

  it('recognises an initialize result sent as an event stream', async () => {
    const sse = `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: 0, result: { protocolVersion: '2025-03-26', capabilities: {}, serverInfo: { name: 's', version: '1' } } })}\n\n`;
    const { state } = await probe(
      () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
    expect(state.step === 'failed' && state.error.code).toBe('no_challenge');
  });

  it('fails with not_mcp for an HTML page and says what to check', async () => {
    const { state } = await probe(
      () => new Response('<html>hi</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error).toMatchObject({ code: 'not_mcp', actual: '200 text/html' });
    expect(state.error.message).toContain('does not look like an MCP server');
    expect(state.error.hint).toContain('/mcp');
  });

  it('fails with unreachable, naming the URL and what to check', async () => {
    const { state } = await probe(refused);
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.error.code).toBe('unreachable');
    expect(state.error.message).toContain(MCP);
    expect(state.error.hint).toMatch(/running and reachable/);
    expect(check(state, 'probe.reachable').status).toBe('fail');
    expect(state.records[0]?.exchanges[0]?.error?.code).toBe('unreachable');
  });

  it('treats a 403 with a Bearer challenge as a failed check but continues', async () => {
    const { state } = await probe(
      () =>
        new Response(null, {
          status: 403,
          headers: { 'www-authenticate': 'Bearer resource_metadata="https://x/prm"' },
        }),
    );
    expect(state.step).toBe('prm');
    expect(check(state, 'probe.unauthorized')).toMatchObject({
      status: 'fail',
      expected: '401',
      actual: '403',
    });
  });

  it('fails an invalid server URL before sending anything', async () => {
    const r = routes({});
    const state = await runNextStep(createFlow({ ...opts(), serverUrl: 'ftp://x' }), { fetch: r.fetch });
    expect(state.step === 'failed' && state.error.code).toBe('invalid_options');
    expect(r.seen).toHaveLength(0);
  });
});
