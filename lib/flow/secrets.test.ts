/**
 * Secrets by construction: a corpus of hostile authorization and MCP servers on loopback, each
 * trying to get a credential into what the browser receives or into a report. Every case drives the
 * real engine through the real traced fetch, then scans every browser-bound byte (the view the
 * server actions send, the tool results, the report file) for every secret the flow handled, raw and
 * in base64, base64url and URL-encoded form.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { handleCallback } from './engine';
import {
  callTool,
  type FlowContext,
  type FlowState,
  runUntilPause,
  type ToolCallView,
  toReport,
} from './index';
import { browserView, scrubForBrowser } from './scrub';
import { createFlow } from './state';
import {
  answer,
  connected,
  connectTo,
  type HostileWorld,
  hostileOptions,
  type RelayedAnswer,
  relayThrough,
  startHostileWorld,
} from './testing/hostile-world';
import { findSecrets, secretForms } from './testing/secret-scan';

const ctx: FlowContext = { policy: { mode: 'local' }, limits: { timeoutMs: 2_000, stepBudgetMs: 8_000 } };

let w: HostileWorld;
beforeAll(async () => {
  w = await startHostileWorld();
});
afterAll(() => w.close());
afterEach(() => {
  w.routes.clear();
  w.mcp.clear();
  canaries.clear();
});

/** Every secret value a case handed out or saw sent; scanned for after the case. */
const canaries = new Set<string>();
const remember = (...values: unknown[]) => {
  for (const v of values) if (typeof v === 'string' && v.length >= 8) canaries.add(v);
};

/** What the browser receives for a state (the action's snapshot and the report file), plus results. */
function browserBytes(state: FlowState, results: ToolCallView[] = []): string {
  const view = browserView(state);
  return [
    JSON.stringify({ view, mode: 'run-all' }),
    JSON.stringify(toReport(view, new Date()), null, 2),
    ...results.map((r) => JSON.stringify(scrubForBrowser(r, state.secrets))),
  ].join('\n');
}

function expectNoSecrets(state: FlowState, results: ToolCallView[] = []) {
  remember(...Object.values(state.secrets));
  const secrets = [...canaries].filter((s) => s !== state.secrets.state && s !== state.secrets.nonce);
  expect(secrets.length).toBeGreaterThan(0);
  expect(findSecrets(browserBytes(state, results), secrets)).toEqual([]);
  // Redacted on record, not only on the way out: the records alone (what the CLI reports) hold none.
  expect(findSecrets(JSON.stringify(state.records), secrets)).toEqual([]);
}

const evil = () => w.evil;

/** Watches the token endpoint: remembers the code and verifier sent and the tokens answered. */
function tokenRoute(rewrite: (a: RelayedAnswer) => RelayedAnswer = (a) => a) {
  w.routes.set(
    '/evil-as/token',
    relayThrough(evil, (a, req) => {
      const sent = new URLSearchParams(req.body);
      remember(sent.get('code'), sent.get('code_verifier'), sent.get('refresh_token'));
      try {
        const tokens = JSON.parse(a.body) as Record<string, unknown>;
        remember(tokens.access_token, tokens.refresh_token);
      } catch {
        // not JSON: nothing to remember
      }
      return rewrite(a);
    }),
  );
}

const withType = (a: RelayedAnswer, type: string | undefined): RelayedAnswer => {
  const { 'content-type': _old, ...headers } = a.headers;
  return { ...a, headers: type ? { ...headers, 'content-type': type } : headers };
};

const CLIENT_SECRET = 'cs-canary-0f3c9a7e51b24d8c9e6a';
const REGISTRATION_TOKEN = 'rat-canary-7d2e4b9a13c64f0e8b5d';

/** Registration answers 201 with a client secret and a management token, labelled `type`. */
function registrationRoute(type: string | undefined, frame: (json: string) => string = (j) => j) {
  remember(CLIENT_SECRET, REGISTRATION_TOKEN);
  w.routes.set(
    '/evil-as/register',
    relayThrough(evil, (a) => {
      const doc = {
        ...(JSON.parse(a.body) as object),
        client_secret: CLIENT_SECRET,
        registration_access_token: REGISTRATION_TOKEN,
      };
      return withType({ ...a, body: frame(JSON.stringify(doc)) }, type);
    }),
  );
}

const bearerOf = (req: IncomingMessage) => (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');

async function connectAndCall(tool = 'get_time'): Promise<{ state: FlowState; results: ToolCallView[] }> {
  const state = await connectTo(w.evil, ctx);
  if (state.step !== 'connected') return { state, results: [] };
  const { state: after, result } = await callTool(state, ctx, tool, {});
  return { state: after, results: [result] };
}

describe('the four leak paths, and variants: no secret reaches the browser or a report', () => {
  it.each([
    ['text/event-stream'],
    ['text/event-stream; charset=utf-8'],
    ['text/plain'],
    ['text/html'],
    ['application/x-www-form-urlencoded'],
    ['application/octet-stream'],
    [undefined],
  ])('a token response labelled %s', async (type) => {
    tokenRoute((a) => withType(a, type));
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a token response nested 20,000 levels deep', async () => {
    tokenRoute((a) => {
      const depth = 20_000;
      const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return { ...a, body: `${a.body.slice(0, -1)},"extra":${deep}}` };
    });
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a token response nested 20,000 levels deep, labelled text/event-stream, with the token deep inside', async () => {
    tokenRoute((a) => {
      const depth = 20_000;
      const tokens = JSON.parse(a.body) as { access_token: string };
      const deep = `${'['.repeat(depth)}"${tokens.access_token}"${']'.repeat(depth)}`;
      return withType({ ...a, body: `${a.body.slice(0, -1)},"extra":${deep}}` }, 'text/event-stream');
    });
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a token response as an event stream whose JSON is split across data lines', async () => {
    tokenRoute((a) => {
      const doc = JSON.parse(a.body) as Record<string, unknown>;
      const lines = JSON.stringify(doc, null, 1).split('\n');
      return withType(
        { ...a, body: `event: message\n${lines.map((l) => `data: ${l}`).join('\n')}\n\n` },
        'text/event-stream',
      );
    });
    const { state } = await connectAndCall();
    // The flow cannot read that token response; whatever it recorded must still hold no token.
    expectNoSecrets(state);
  });

  it('a token response that echoes the tokens in headers', async () => {
    tokenRoute((a) => {
      const doc = JSON.parse(a.body) as { access_token: string; refresh_token: string };
      return {
        ...a,
        headers: {
          ...a.headers,
          'x-echo-access': doc.access_token,
          'x-echo-refresh': Buffer.from(doc.refresh_token).toString('base64'),
          link: `<https://as.example/x?t=${encodeURIComponent(doc.refresh_token)}>; rel="x"`,
        },
      };
    });
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a token error whose description quotes the code, the verifier and the client secret', async () => {
    registrationRoute('application/json');
    w.routes.set(
      '/evil-as/token',
      relayThrough(evil, (_answer, req) => {
        const sent = new URLSearchParams(req.body);
        const code = sent.get('code') ?? '';
        const verifier = sent.get('code_verifier') ?? '';
        remember(code, verifier);
        return {
          status: 400,
          headers: { 'content-type': 'text/plain' },
          body: JSON.stringify({
            error: 'invalid_grant',
            error_description: `code ${code} with verifier ${verifier} (${Buffer.from(verifier).toString('base64url')}) and secret ${CLIENT_SECRET} refused`,
          }),
        };
      }),
    );
    const { state } = await connectAndCall();
    expect(state.step).toBe('failed');
    expectNoSecrets(state);
  });

  it.each([
    ['application/json', undefined],
    ['application/x-www-form-urlencoded', undefined],
    ['text/event-stream', undefined],
    ['text/event-stream', (json: string) => `event: message\ndata: ${json}\n\n`],
    ['text/plain', undefined],
    [undefined, undefined],
  ])('a registration answer with a client secret, labelled %s', async (type, frame) => {
    registrationRoute(type, frame);
    tokenRoute();
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a registration answer nested 20,000 levels deep with the secret at the bottom', async () => {
    remember(CLIENT_SECRET);
    w.routes.set(
      '/evil-as/register',
      relayThrough(evil, (a) => {
        const depth = 20_000;
        const deep = `${'{"x":'.repeat(depth)}"${CLIENT_SECRET}"${'}'.repeat(depth)}`;
        return { ...a, body: `${a.body.slice(0, -1)},"client_secret":"${CLIENT_SECRET}","extra":${deep}}` };
      }),
    );
    tokenRoute();
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  type Echo = (token: string) => unknown;
  it.each<[string, Echo, 'json' | 'sse']>([
    ['as text', (t) => ({ content: [{ type: 'text', text: `you sent ${t}` }] }), 'json'],
    ['as text, streamed', (t) => ({ content: [{ type: 'text', text: `you sent ${t}` }] }), 'sse'],
    ['in structured content', (t) => ({ content: [], structuredContent: { echo: { deep: [t] } } }), 'json'],
    ['as a key of structured content', (t) => ({ content: [], structuredContent: { [t]: 1 } }), 'json'],
    [
      'base64 and URL-encoded',
      (t) => ({
        content: [
          { type: 'text', text: Buffer.from(t).toString('base64') },
          { type: 'text', text: Buffer.from(t).toString('base64url') },
          { type: 'text', text: encodeURIComponent(`token=${t}`) },
        ],
      }),
      'json',
    ],
    [
      'in an error result',
      (t) => ({ isError: true, content: [{ type: 'text', text: `Error: bad token ${t}` }] }),
      'json',
    ],
    [
      'as an embedded resource',
      (t) => ({ content: [{ type: 'resource', resource: { uri: `mem://x?t=${t}`, text: t } }] }),
      'json',
    ],
  ])('a tool that echoes the bearer token %s', async (_label, echo, as) => {
    w.mcp.set('tools/call', (message, res, req) => {
      remember(bearerOf(req));
      answer(res, message, echo(bearerOf(req)), as);
    });
    const { state, results } = await connectAndCall();
    connected(state);
    expectNoSecrets(state, results);
  });

  it('a tool call answered by a JSON-RPC error that quotes the token', async () => {
    w.mcp.set('tools/call', (message, res, req) => {
      remember(bearerOf(req));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32000, message: `bad ${bearerOf(req)}` },
        }),
      );
    });
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a tool whose streamed answer carries the token in an earlier event (a notification) and in the result', async () => {
    w.mcp.set('tools/call', (message, res, req) => {
      const t = bearerOf(req);
      remember(t);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const note = JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/message',
        params: { level: 'info', data: `half ${t.slice(0, 20)}` },
      });
      const result = JSON.stringify({
        jsonrpc: '2.0',
        id: message.id,
        result: { content: [{ type: 'text', text: `rest ${t.slice(20)} and all ${t}` }] },
      });
      res.end(`event: message\ndata: ${note}\n\nevent: message\ndata: ${result}\n\n`);
    });
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('a tool list whose descriptions quote the token', async () => {
    w.mcp.set('tools/list', (message, res, req) => {
      const t = bearerOf(req);
      remember(t);
      answer(res, message, {
        tools: [
          {
            name: 'get_time',
            title: `Time for ${t}`,
            description: `Bearer ${t}`,
            inputSchema: { type: 'object', properties: { q: { type: 'string', default: t } } },
            annotations: { readOnlyHint: true },
          },
        ],
      });
    });
    const { state, results } = await connectAndCall();
    expectNoSecrets(state, results);
  });

  it('an MCP server whose 401 echoes the token in its challenge and body', async () => {
    // Connect first, then have the server answer every later call with an echoing 401.
    const state = connected(await connectTo(w.evil, ctx));
    w.routes.set('/evil/mcp', (req, res) => {
      const t = bearerOf(req);
      remember(t);
      res.writeHead(401, {
        'www-authenticate': `Bearer error="invalid_token", error_description="token ${t} expired"`,
        'content-type': 'text/plain',
      });
      res.end(`token ${t} is not valid here`);
    });
    const { state: after, result } = await callTool(state, ctx, 'get_time', {});
    expectNoSecrets(after, [result]);
  });

  it('the authorization code echoed by the callback page parameters is not shown', async () => {
    const paused = await runUntilPause(createFlow(hostileOptions(w.evil.mcpUrl)), ctx);
    if (paused.step !== 'awaiting-callback')
      throw new Error(`expected awaiting-callback, got ${paused.step}`);
    const back = w.evil.authorize(paused.authorization.url);
    const code = back.searchParams.get('code') ?? '';
    remember(code);
    back.searchParams.set('error_description', `echo ${code}`);
    const state = await runUntilPause(await handleCallback(paused, back, ctx), ctx);
    expectNoSecrets(state);
  });
});

describe('findSecrets()', () => {
  it('finds a secret in each of its forms', () => {
    const secret = 'canary-0123456789-abcdef';
    for (const form of secretForms(secret)) expect(findSecrets(`x ${form} y`, [secret])).not.toEqual([]);
    expect(findSecrets('nothing here', [secret])).toEqual([]);
  });
});
