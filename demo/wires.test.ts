/**
 * The three MCP wires of the demo servers, over real HTTP with the MCP SDK's current client
 * (`@modelcontextprotocol/client`, version negotiation `auto`) and with raw requests where the exact answer
 * matters: 2026-07-28 only (`modern`), 2026-07-28 plus 2025-11-25 (`dual`), 2025-11-25 with sessions
 * (`legacy`); and the 2026-07-28 features the scenarios show: input_required (MRTR), the Mcp-Method/Mcp-Name
 * header checks and x-mcp-header (Mcp-Param-*).
 */
import type { ElicitResult } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, startDemo } from './index';
import {
  type AsMetadata,
  CookieJar,
  connectMcp,
  getJson,
  jsonRpcBody,
  obtainTokens,
  postJson,
  rawInitialize,
  rawModern,
  registerPublicClient,
} from './test-support';

let demo: DemoHandle;
let metadata: AsMetadata;
let clientId: string;
const tokens = new Map<string, string>();

beforeAll(async () => {
  demo = await startDemo();
  metadata = (await getJson<AsMetadata>(`${demo.issuer}/.well-known/oauth-authorization-server`)).body;
  clientId = await registerPublicClient(metadata.registration_endpoint as string, 'Wire test');
});
afterAll(async () => {
  await demo?.close();
});
afterEach(async () => {
  await postJson(`${demo.adminUrl}/reset`);
});

const urlOf = (id: string) => demo.scenarios.find((s) => s.id === id)?.mcpUrl as string;

/** A token for the scenario's MCP URL (one per scenario and account, reused). */
async function tokenFor(id: string, username = 'demo'): Promise<string> {
  const key = `${id} ${username}`;
  let token = tokens.get(key);
  if (!token) {
    token = (await obtainTokens({ metadata, clientId, resource: urlOf(id), username, jar: new CookieJar() }))
      .access_token;
    tokens.set(key, token);
  }
  return token;
}
const bearer = async (id: string, username?: string) => ({
  authorization: `Bearer ${await tokenFor(id, username)}`,
});

/** The JSON-RPC error codes a 2026-07-28 client recognizes as "this is a modern server". */
const MODERN_ERRORS = [-32022, -32020, -32021, -32601, -32602];

describe('modern wire (default: 2026-07-28 only, stateless)', () => {
  it('refuses initialize with 400 UnsupportedProtocolVersion (-32022) listing only 2026-07-28', async () => {
    const res = await rawInitialize(demo.mcpUrl, await bearer('default'));
    expect(res.status).toBe(400);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    expect((await jsonRpcBody(res)).error).toEqual({
      code: -32022,
      message: expect.stringContaining('2025-11-25'),
      data: { supported: ['2026-07-28'], requested: '2025-11-25' },
    });
  });

  it('refuses a 2026-07-28-shaped request that names another revision, listing the supported ones', async () => {
    const res = await rawModern(
      demo.mcpUrl,
      'tools/list',
      { _meta: { 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      { ...(await bearer('default')), 'mcp-protocol-version': '2099-01-01' },
    );
    expect(res.status).toBe(400);
    expect((await jsonRpcBody(res)).error).toMatchObject({
      code: -32022,
      data: { supported: ['2026-07-28'], requested: '2099-01-01' },
    });
  });

  it('answers server/discover with its versions, capabilities and server info', async () => {
    const res = await rawModern(demo.mcpUrl, 'server/discover', {}, await bearer('default'));
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    const { result } = await jsonRpcBody(res);
    expect(result).toMatchObject({
      resultType: 'complete',
      supportedVersions: ['2026-07-28'],
      capabilities: { tools: {} },
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'mcp-auth-inspector-demo' } },
    });
  });

  it('has no sessions: GET and DELETE answer 405, an Mcp-Session-Id is ignored and none is minted', async () => {
    const auth = await bearer('default');
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(demo.mcpUrl, { method, headers: { ...auth, accept: 'text/event-stream' } });
      expect(res.status, method).toBe(405);
      await res.body?.cancel();
    }
    const res = await rawModern(demo.mcpUrl, 'tools/list', {}, { ...auth, 'mcp-session-id': 'made-up' });
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    await res.body?.cancel();
  });

  it('rejects an Mcp-Method header that contradicts the body with 400 HeaderMismatch (-32020)', async () => {
    const res = await rawModern(
      demo.mcpUrl,
      'tools/list',
      {},
      { ...(await bearer('default')), 'mcp-method': 'ping' },
    );
    expect(res.status).toBe(400);
    expect((await jsonRpcBody(res)).error).toMatchObject({ code: -32020 });
  });

  it('rejects a missing Mcp-Method header and an Mcp-Name that names another tool (-32020)', async () => {
    const auth = await bearer('default');
    const missing = await rawModern(demo.mcpUrl, 'tools/list', {}, { ...auth, 'mcp-method': '' });
    expect(missing.status).toBe(400);
    expect((await jsonRpcBody(missing)).error?.code).toBe(-32020);
    const otherName = await rawModern(
      demo.mcpUrl,
      'tools/call',
      { name: 'echo', arguments: { message: 'x' } },
      { ...auth, 'mcp-name': 'delete_note' },
    );
    expect(otherName.status).toBe(400);
    expect((await jsonRpcBody(otherName)).error?.code).toBe(-32020);
  });

  it('rejects a missing or contradicting MCP-Protocol-Version header (-32020)', async () => {
    const auth = await bearer('default');
    for (const version of ['', '2025-11-25']) {
      const res = await rawModern(
        demo.mcpUrl,
        'tools/list',
        {},
        { ...auth, 'mcp-protocol-version': version },
      );
      expect(res.status, version).toBe(400);
      expect((await jsonRpcBody(res)).error?.code, version).toBe(-32020);
    }
  });

  it('with no-header-check the contradicting headers are ignored (the body decides)', async () => {
    await postJson(`${demo.adminUrl}/break`, { row: 'no-header-check', on: true });
    const res = await rawModern(
      demo.mcpUrl,
      'tools/list',
      {},
      { ...(await bearer('default')), 'mcp-method': 'ping' },
    );
    expect(res.status).toBe(200);
    expect(((await jsonRpcBody(res)).result?.tools ?? []) as unknown[]).not.toHaveLength(0);
  });

  it('checks the token before the SDK sees the request (401/403 as before)', async () => {
    const none = await rawModern(demo.mcpUrl, 'server/discover');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(
      /^Bearer resource_metadata="[^"]+", scope="mcp:read"$/,
    );
    const forbidden = await rawModern(
      demo.mcpUrl,
      'tools/call',
      { name: 'delete_note', arguments: { id: 'n-101' } },
      await bearer('default'),
    );
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('the v2 client negotiates 2026-07-28 and calls tools', async () => {
    const client = await connectMcp(demo.mcpUrl, await tokenFor('default'));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
      const who = await client.callTool({ name: 'whoami', arguments: {} });
      expect(who.structuredContent).toMatchObject({ sub: 'demo', audience: [demo.mcpUrl] });
    } finally {
      await client.close();
    }
  });
});

describe('dual wire (dual-era: 2026-07-28 and 2025-11-25)', () => {
  it('answers initialize with 2025-11-25, statelessly (no Mcp-Session-Id)', async () => {
    const res = await rawInitialize(urlOf('dual-era'), await bearer('dual-era'));
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    expect((await jsonRpcBody(res)).result).toMatchObject({
      protocolVersion: '2025-11-25',
      serverInfo: { name: 'mcp-auth-inspector-demo' },
    });
  });

  it('answers server/discover and 2026-07-28 requests', async () => {
    const auth = await bearer('dual-era');
    const discover = await rawModern(urlOf('dual-era'), 'server/discover', {}, auth);
    expect(discover.status).toBe(200);
    expect((await jsonRpcBody(discover)).result?.supportedVersions).toEqual(['2026-07-28']);
    const who = await rawModern(urlOf('dual-era'), 'tools/call', { name: 'whoami', arguments: {} }, auth);
    expect((await jsonRpcBody(who)).result?.structuredContent).toMatchObject({ sub: 'demo' });
  });

  it('answers a 2025-11-25 request without a session (stateless legacy fallback)', async () => {
    const res = await fetch(urlOf('dual-era'), {
      method: 'POST',
      headers: {
        ...(await bearer('dual-era')),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'get_temperature', arguments: { city: 'Oslo' } },
      }),
    });
    expect(res.status).toBe(200);
    const { result } = await jsonRpcBody(res);
    expect(result?.resultType).toBeUndefined();
    expect(result?.structuredContent).toMatchObject({ city: 'Oslo', unit: 'celsius' });
  });

  it('the v2 client stays modern', async () => {
    const client = await connectMcp(urlOf('dual-era'), await tokenFor('dual-era'));
    try {
      expect(client.getProtocolEra()).toBe('modern');
    } finally {
      await client.close();
    }
  });
});

describe('legacy wire (legacy-2025-11-25: sessions)', () => {
  it('answers initialize with 2025-11-25 and an Mcp-Session-Id', async () => {
    const res = await rawInitialize(urlOf('legacy-2025-11-25'), await bearer('legacy-2025-11-25'));
    expect(res.status).toBe(200);
    expect(res.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await jsonRpcBody(res)).result).toMatchObject({ protocolVersion: '2025-11-25' });
  });

  it('does not understand 2026-07-28: 400 with a -32000 error that is no modern error', async () => {
    const auth = await bearer('legacy-2025-11-25');
    for (const method of ['server/discover', 'tools/list']) {
      const res = await rawModern(urlOf('legacy-2025-11-25'), method, {}, auth);
      expect(res.status, method).toBe(400);
      const { error } = await jsonRpcBody(res);
      expect(error?.code, method).toBe(-32000);
      expect(MODERN_ERRORS).not.toContain(error?.code);
    }
  });

  it('the v2 client falls back to initialize and gets a session; get_temperature answers in Celsius', async () => {
    const client = await connectMcp(urlOf('legacy-2025-11-25'), await tokenFor('legacy-2025-11-25'), {
      elicit: () => {
        throw new Error('a 2025-11-25 session must not ask');
      },
    });
    try {
      expect(client.getProtocolEra()).toBe('legacy');
      expect(client.getNegotiatedProtocolVersion()).toBe('2025-11-25');
      const result = await client.callTool({ name: 'get_temperature', arguments: { city: 'Oslo' } });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ city: 'Oslo', unit: 'celsius' });
      expect(JSON.stringify(result.content)).toContain('Celsius by default');
    } finally {
      await client.close();
    }
  });

  it('opens the session’s SSE stream on GET', async () => {
    const auth = await bearer('legacy-2025-11-25');
    const init = await rawInitialize(urlOf('legacy-2025-11-25'), auth);
    const sessionId = init.headers.get('mcp-session-id') as string;
    await init.body?.cancel();
    const stop = new AbortController();
    const res = await fetch(urlOf('legacy-2025-11-25'), {
      headers: {
        ...auth,
        accept: 'text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-11-25',
      },
      signal: stop.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    stop.abort();
  });

  it('ends a session on DELETE', async () => {
    const auth = await bearer('legacy-2025-11-25');
    const init = await rawInitialize(urlOf('legacy-2025-11-25'), auth);
    const sessionId = init.headers.get('mcp-session-id') as string;
    await init.body?.cancel();
    const headers = { ...auth, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    const del = await fetch(urlOf('legacy-2025-11-25'), { method: 'DELETE', headers });
    expect(del.status).toBe(200);
    await del.body?.cancel();
    const after = await fetch(urlOf('legacy-2025-11-25'), {
      method: 'POST',
      headers: {
        ...headers,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
    await after.body?.cancel();
  });
});

describe('input-required (MRTR): get_temperature without a unit asks "Which unit?"', () => {
  const elicitation = { elicitation: { form: {} } };

  async function ask(id: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    return rawModern(
      urlOf(id),
      'tools/call',
      { name: 'get_temperature', arguments: args, ...extra },
      await bearer(id),
      elicitation,
    );
  }

  it('answers input_required with one elicitation/create form request and a requestState', async () => {
    const res = await ask('input-required', { city: 'Berlin' });
    expect(res.status).toBe(200);
    const { result } = await jsonRpcBody(res);
    expect(result).toMatchObject({
      resultType: 'input_required',
      inputRequests: {
        unit: {
          method: 'elicitation/create',
          params: {
            mode: 'form',
            message: 'Which unit? (temperature in Berlin)',
            requestedSchema: {
              type: 'object',
              properties: { unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
              required: ['unit'],
            },
          },
        },
      },
      requestState: expect.stringMatching(/^v1\./),
    });
    expect(result?.content).toBeUndefined();
  });

  it('answers the temperature on the retry with inputResponses and the echoed requestState', async () => {
    const first = (await jsonRpcBody(await ask('input-required', { city: 'Berlin' }))).result;
    const retry = await ask(
      'input-required',
      { city: 'Berlin' },
      {
        inputResponses: { unit: { action: 'accept', content: { unit: 'fahrenheit' } } },
        requestState: first?.requestState,
      },
    );
    expect(retry.status).toBe(200);
    const { result } = await jsonRpcBody(retry);
    expect(result?.resultType).toBe('complete');
    expect(result?.structuredContent).toMatchObject({ city: 'Berlin', unit: 'fahrenheit' });
    expect(JSON.stringify(result?.content)).toMatch(/°F in Berlin/);
  });

  it('refuses a tampered requestState, and one minted for another account (-32602)', async () => {
    const first = (await jsonRpcBody(await ask('input-required', { city: 'Berlin' }))).result;
    const state = first?.requestState as string;
    const accept = { unit: { action: 'accept', content: { unit: 'celsius' } } };
    const tampered = await ask(
      'input-required',
      { city: 'Berlin' },
      { inputResponses: accept, requestState: `${state.slice(0, -2)}xx` },
    );
    expect((await jsonRpcBody(tampered)).error?.code).toBe(-32602);
    const asAlex = await rawModern(
      urlOf('input-required'),
      'tools/call',
      { name: 'get_temperature', arguments: { city: 'Berlin' }, inputResponses: accept, requestState: state },
      await bearer('input-required', 'alex'),
      elicitation,
    );
    expect((await jsonRpcBody(asAlex)).error?.code).toBe(-32602);
  });

  it('asks again when the retry carries no answer', async () => {
    const first = (await jsonRpcBody(await ask('input-required', { city: 'Berlin' }))).result;
    const retry = await ask('input-required', { city: 'Berlin' }, { requestState: first?.requestState });
    expect((await jsonRpcBody(retry)).result?.resultType).toBe('input_required');
  });

  it('does not ask a client that declared no elicitation: Celsius with a note', async () => {
    const res = await rawModern(
      urlOf('input-required'),
      'tools/call',
      { name: 'get_temperature', arguments: { city: 'Berlin' } },
      await bearer('input-required'),
    );
    const { result } = await jsonRpcBody(res);
    expect(result?.resultType).toBe('complete');
    expect(result?.structuredContent).toMatchObject({ unit: 'celsius' });
    expect(JSON.stringify(result?.content)).toContain('declared no form elicitation');
  });

  it('round trip with the v2 client (it fulfils input_required and retries by itself), also on default', async () => {
    for (const id of ['input-required', 'default']) {
      const asked: Array<{ message: string; schema: unknown }> = [];
      const client = await connectMcp(urlOf(id), await tokenFor(id), {
        elicit: (message, schema): ElicitResult => {
          asked.push({ message, schema });
          return { action: 'accept', content: { unit: 'fahrenheit' } };
        },
      });
      try {
        const { tools } = await client.listTools();
        expect(tools.find((t) => t.name === 'get_temperature')?.annotations?.readOnlyHint, id).toBe(true);
        const result = await client.callTool({ name: 'get_temperature', arguments: { city: 'Lisbon' } });
        expect(result.structuredContent, id).toMatchObject({ city: 'Lisbon', unit: 'fahrenheit' });
        expect(asked, id).toEqual([
          {
            message: 'Which unit? (temperature in Lisbon)',
            schema: expect.objectContaining({ required: ['unit'] }),
          },
        ]);
        const direct = await client.callTool({
          name: 'get_temperature',
          arguments: { city: 'Lisbon', unit: 'celsius' },
        });
        expect(direct.structuredContent).toMatchObject({ unit: 'celsius' });
        expect(asked).toHaveLength(1);
      } finally {
        await client.close();
      }
    }
    const { body } = await getJson<{ calls: { tool: string; scenario: string; allowed: boolean }[] }>(
      `${demo.adminUrl}/calls`,
    );
    // The question and the retry are two tools/call requests, both logged.
    expect(
      body.calls.filter((c) => c.tool === 'get_temperature' && c.scenario === 'input-required'),
    ).toHaveLength(3);
  });

  it('a declined question gives an isError result', async () => {
    const client = await connectMcp(urlOf('input-required'), await tokenFor('input-required'), {
      elicit: () => ({ action: 'decline' }),
    });
    try {
      const result = await client.callTool({ name: 'get_temperature', arguments: { city: 'Rome' } });
      expect(result.isError).toBe(true);
      expect(result.content).toEqual([
        {
          type: 'text',
          text: 'You declined the question "Which unit?", so no temperature was looked up for Rome.',
        },
      ]);
    } finally {
      await client.close();
    }
  });
});

describe('x-mcp-header (SEP-2243)', () => {
  const region = { name: 'get_forecast', arguments: { region: 'us-west1', days: 2 } };

  it('lists get_forecast with x-mcp-header "Region" and lookup_account with an invalid one', async () => {
    const res = await rawModern(urlOf('x-mcp-header'), 'tools/list', {}, await bearer('x-mcp-header'));
    const tools = (await jsonRpcBody(res)).result?.tools as {
      name: string;
      annotations?: { readOnlyHint?: boolean };
      inputSchema: { properties: Record<string, Record<string, unknown>> };
    }[];
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.get_forecast?.inputSchema.properties.region?.['x-mcp-header']).toBe('Region');
    expect(byName.get_forecast?.annotations?.readOnlyHint).toBe(true);
    expect(byName.lookup_account?.inputSchema.properties.account?.['x-mcp-header']).toBe('Account Id');
  });

  it('rejects a call without Mcp-Param-Region, or with one that differs from the argument (-32020)', async () => {
    const auth = await bearer('x-mcp-header');
    const missing = await rawModern(urlOf('x-mcp-header'), 'tools/call', region, auth);
    expect(missing.status).toBe(400);
    expect((await jsonRpcBody(missing)).error?.code).toBe(-32020);
    const wrong = await rawModern(urlOf('x-mcp-header'), 'tools/call', region, {
      ...auth,
      'mcp-param-region': 'eu-north1',
    });
    expect(wrong.status).toBe(400);
    expect((await jsonRpcBody(wrong)).error?.code).toBe(-32020);
    const right = await rawModern(urlOf('x-mcp-header'), 'tools/call', region, {
      ...auth,
      'mcp-param-region': 'us-west1',
    });
    expect(right.status).toBe(200);
    expect((await jsonRpcBody(right)).result?.structuredContent).toMatchObject({
      header: 'us-west1',
      days: 2,
    });
  });

  it('the v2 client drops lookup_account, sends Mcp-Param-Region and gets the forecast', async () => {
    const client = await connectMcp(urlOf('x-mcp-header'), await tokenFor('x-mcp-header'));
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('get_forecast');
      expect(names).not.toContain('lookup_account');
      const result = await client.callTool(region);
      expect(result.structuredContent).toMatchObject({ region: 'us-west1', header: 'us-west1' });
    } finally {
      await client.close();
    }
  });

  it('answers a CORS preflight asking for Mcp-Param-Region', async () => {
    const res = await fetch(urlOf('x-mcp-header'), {
      method: 'OPTIONS',
      headers: {
        origin: 'http://example.test',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, mcp-method, mcp-name, mcp-param-region',
      },
    });
    expect(res.status).toBe(204);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    for (const name of [
      'authorization',
      'mcp-protocol-version',
      'mcp-method',
      'mcp-name',
      'mcp-param-region',
    ]) {
      expect(allowed).toContain(name);
    }
  });
});
