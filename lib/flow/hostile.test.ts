/**
 * Hostile-input corpus for the engine (lib/http/hostile.test.ts covers the traced fetch alone).
 * Every case drives the real engine through the real traced fetch against a loopback server that
 * misbehaves in one way, and asserts a clear error: a code, a message naming the problem, and a hint
 * saying what to do. After every case the same context connects to a well-behaved server and runs
 * a tool: a hostile server never leaves the inspector unable to serve the next user.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FetchLike } from '../http/types';
import { CUT_MARKER, MAX_TOOLS } from '../mcp/tools';
import {
  callTool,
  createFlow,
  type FlowContext,
  type FlowErrorInfo,
  type FlowState,
  runUntilPause,
  toView,
} from './index';
import { createFakeWorld } from './testing/fake-world';
import {
  answer,
  connected,
  connectTo,
  type HostileWorld,
  hostileOptions,
  type JsonRpcMessage,
  startHostileWorld,
} from './testing/hostile-world';
import { optionsFor } from './testing/options';

const MB = 1_048_576;

/** Short limits so slow cases stay fast; the good world answers well within them. */
const ctx: FlowContext = {
  policy: { mode: 'local' },
  limits: { timeoutMs: 800, stepBudgetMs: 2_500 },
};

let w: HostileWorld;
beforeAll(async () => {
  w = await startHostileWorld();
});
afterAll(() => w.close());

/** What a case saw: the flow's error, or the error recorded on the exchange it refused. */
interface Outcome extends FlowErrorInfo {
  step?: string;
  state?: FlowState;
}

function failure(state: FlowState): Outcome {
  if (state.step !== 'failed') {
    throw new Error(`expected the flow to fail, it is at ${state.step}`);
  }
  return { ...state.error, step: state.failedStep, state };
}

const sendJson = (res: ServerResponse, body: unknown, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const sendHtml = (res: ServerResponse, html: string, status = 200) => {
  res.writeHead(status, { 'content-type': 'text/html' });
  res.end(html);
};

/** Writes `total` bytes without declaring them, respecting backpressure; stops when the client leaves. */
function stream(res: ServerResponse, contentType: string, total: number, head = '', tail = '') {
  res.writeHead(200, { 'content-type': contentType });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  res.write(head);
  const go = () => {
    while (!closed && sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', go);
        return;
      }
    }
    if (!closed) res.end(tail);
  };
  go();
}

/** Writes a little every 100 ms, forever. */
function trickle(res: ServerResponse, contentType: string, piece: string) {
  res.writeHead(200, { 'content-type': contentType });
  res.flushHeaders();
  const timer = setInterval(() => res.write(piece), 100);
  res.on('close', () => clearInterval(timer));
}

type Handler = (res: ServerResponse) => void;

/**
 * A hostile resource under /h/<id>: its MCP endpoint (401 pointing at its PRM unless `probe` says
 * otherwise), its PRM (naming its own AS unless `prm` says otherwise) and its AS metadata (the good
 * world's, with this issuer, unless `as` says otherwise). Returns the MCP URL.
 */
function hostile(id: string, o: { probe?: Handler; prm?: Handler; as?: Handler }): string {
  const base = `${w.origin}/h/${id}`;
  w.routes.set(`/h/${id}/mcp`, (_req, res) => {
    if (o.probe) return o.probe(res);
    res.writeHead(401, { 'www-authenticate': `Bearer resource_metadata="${base}/prm"` });
    res.end();
  });
  w.routes.set(`/h/${id}/prm`, (_req, res) =>
    o.prm ? o.prm(res) : sendJson(res, { resource: `${base}/mcp`, authorization_servers: [`${base}/as`] }),
  );
  w.routes.set(`/.well-known/oauth-authorization-server/h/${id}/as`, (_req, res) =>
    o.as ? o.as(res) : sendJson(res, { ...w.good.metadata, issuer: `${base}/as` }),
  );
  return `${base}/mcp`;
}

const runHostile = async (id: string, o: Parameters<typeof hostile>[1]) =>
  failure(await runUntilPause(createFlow(hostileOptions(hostile(id, o))), ctx));

/** The property every case ends with: the same context still connects and runs a tool. */
async function stillServes(context: FlowContext = ctx) {
  const state = connected(await connectTo(w.good, context));
  const { result } = await callTool(state, context, 'get_time', {});
  expect(result.isError, JSON.stringify(result.error)).toBe(false);
}

function expectClear(outcome: Outcome, code: string, message: RegExp) {
  expect(outcome.code, outcome.message).toBe(code);
  expect(outcome.message).toMatch(message);
  expect(outcome.hint ?? '', `no hint for ${outcome.code}: ${outcome.message}`).not.toBe('');
}

interface MetadataCase {
  name: string;
  /** The handlers, given the case's base URL (`<origin>/h/<id>`). */
  o: (base: string) => Parameters<typeof hostile>[1];
  code: string;
  step: string;
  message: RegExp;
}

const prmOf = (base: string, fields: Record<string, unknown>) => (res: ServerResponse) =>
  sendJson(res, { resource: `${base}/mcp`, ...fields });

const metadataCases: MetadataCase[] = [
  {
    name: 'PRM is an HTML page',
    o: () => ({
      prm: (res) => sendHtml(res, '<!doctype html><title>Login</title><script>alert(1)</script>'),
    }),
    code: 'prm_not_found',
    step: 'prm',
    message: /\/prm \(answered 200 but the body is not JSON\)/,
  },
  {
    name: 'PRM is invalid JSON',
    o: () => ({ prm: (res) => sendJson(res, '{"resource": "http://x", "authorization_servers": [') }),
    code: 'prm_not_found',
    step: 'prm',
    message: /not JSON/,
  },
  {
    name: 'PRM is JSON null',
    o: () => ({ prm: (res) => sendJson(res, 'null') }),
    code: 'prm_not_found',
    step: 'prm',
    message: /not a JSON object/,
  },
  {
    name: 'PRM is a JSON array',
    o: () => ({ prm: (res) => sendJson(res, '[{"resource":"x"}]') }),
    code: 'prm_not_found',
    step: 'prm',
    message: /not a JSON object/,
  },
  {
    name: 'PRM without resource (required)',
    o: () => ({ prm: (res) => sendJson(res, { authorization_servers: ['https://as.example'] }) }),
    code: 'prm_not_found',
    step: 'prm',
    message: /no "resource"/,
  },
  {
    name: 'PRM resource is a number',
    o: () => ({
      prm: (res) => sendJson(res, { resource: 42, authorization_servers: ['https://as.example'] }),
    }),
    code: 'prm_not_found',
    step: 'prm',
    message: /no "resource"/,
  },
  {
    name: 'PRM authorization_servers is a string, not an array',
    o: (base) => ({ prm: prmOf(base, { authorization_servers: 'x' }) }),
    code: 'prm_invalid',
    step: 'prm',
    message: /lists no authorization server/,
  },
  {
    name: 'PRM without authorization_servers',
    o: (base) => ({ prm: prmOf(base, {}) }),
    code: 'prm_invalid',
    step: 'prm',
    message: /lists no authorization server/,
  },
  {
    name: 'PRM names a javascript: authorization server',
    o: (base) => ({ prm: prmOf(base, { authorization_servers: ['javascript:alert(document.cookie)'] }) }),
    code: 'prm_invalid',
    step: 'prm',
    message: /lists no authorization server/,
  },
  {
    name: 'PRM body of 50 MB (streamed, no Content-Length)',
    o: () => ({ prm: (res) => stream(res, 'application/json', 50 * MB, '{"resource":"') }),
    code: 'prm_not_found',
    step: 'prm',
    message: /larger than the 1 MiB limit/,
  },
  {
    name: 'PRM trickles one byte at a time past the time limit',
    o: () => ({ prm: (res) => trickle(res, 'application/json', ' ') }),
    code: 'prm_not_found',
    step: 'prm',
    message: /did not finish within 0\.8 s/,
  },
  {
    name: 'PRM never answers',
    o: () => ({ prm: () => {} }),
    code: 'prm_not_found',
    step: 'prm',
    message: /No response from .*\/prm within 0\.8 s/,
  },
  {
    name: 'PRM URL redirects to itself (a loop)',
    o: (base) => ({
      prm: (res) => {
        res.writeHead(302, { location: `${base}/prm` });
        res.end();
      },
    }),
    code: 'prm_not_found',
    step: 'prm',
    message: /prm \(HTTP 302, a redirect \(metadata is fetched without following redirects\)\)/,
  },
  {
    name: 'PRM with 200 KB of response headers',
    o: () => ({
      prm: (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'x-padding': 'a'.repeat(200_000) });
        res.end('{}');
      },
    }),
    code: 'prm_not_found',
    step: 'prm',
    message: /Response headers from .* exceed the 16 KiB limit/,
  },
  {
    name: 'challenge names a file: URL as resource_metadata',
    o: () => ({
      probe: (res) => {
        res.writeHead(401, { 'www-authenticate': 'Bearer resource_metadata="file:///etc/passwd"' });
        res.end();
      },
    }),
    code: 'prm_not_found',
    step: 'prm',
    message: /Refused file:\/\/\/etc\/passwd: only http and https are supported/,
  },
  {
    name: 'garbage WWW-Authenticate (no Bearer challenge to read)',
    o: () => ({
      probe: (res) => {
        res.writeHead(401, { 'www-authenticate': '%%% ,,, ="unterminated \\' });
        res.end();
      },
    }),
    // No metadata and a 401 that names none: taken for a 2025-03-26 server, the walkthrough tries its
    // default endpoints (prm.found and prm.legacy-mode fail), and stops where the server has none.
    code: 'registration_failed',
    step: 'registration',
    message:
      /Registration failed: The registration endpoint: "response" content-type must be application\/json/,
  },
  {
    name: 'a challenge bigger than the header limit',
    o: () => ({
      probe: (res) => {
        const params = Array.from({ length: 1000 }, (_, i) => `p${i}="${'v'.repeat(20)}"`).join(', ');
        res.writeHead(401, { 'www-authenticate': `Bearer ${params}` });
        res.end();
      },
    }),
    code: 'response_too_large',
    step: 'probe',
    message: /Response headers from .* exceed the 16 KiB limit/,
  },
  {
    name: 'the MCP URL serves an HTML page',
    o: () => ({ probe: (res) => sendHtml(res, '<h1>Welcome</h1><script>alert(1)</script>') }),
    code: 'not_mcp',
    step: 'probe',
    message: /answered 200 \(text\/html\) to an MCP server\/discover request/,
  },
  {
    name: 'AS metadata is an HTML page',
    o: () => ({ as: (res) => sendHtml(res, '<html><body>Sign in</body></html>') }),
    code: 'as_metadata_not_found',
    step: 'as-metadata',
    message: /\/as \(answered 200 but the body is not JSON\)/,
  },
  {
    name: 'AS metadata is invalid JSON',
    o: () => ({ as: (res) => sendJson(res, '{"issuer": "x",') }),
    code: 'as_metadata_not_found',
    step: 'as-metadata',
    message: /not JSON/,
  },
  {
    name: 'AS metadata issuer is not a string',
    o: () => ({ as: (res) => sendJson(res, { ...w.good.metadata, issuer: 42 }) }),
    code: 'as_metadata_not_found',
    step: 'as-metadata',
    message: /no "issuer"/,
  },
  {
    name: 'AS metadata without authorization_endpoint',
    o: (base) => ({
      as: (res) => {
        const { authorization_endpoint: _, ...md } = w.good.metadata;
        sendJson(res, { ...md, issuer: `${base}/as` });
      },
    }),
    code: 'as_metadata_invalid',
    step: 'as-metadata',
    message: /has no authorization_endpoint/,
  },
  {
    name: 'AS metadata with a javascript: authorization_endpoint',
    o: (base) => ({
      as: (res) =>
        sendJson(res, {
          ...w.good.metadata,
          issuer: `${base}/as`,
          authorization_endpoint: 'javascript:alert(document.cookie)',
        }),
    }),
    code: 'as_metadata_invalid',
    step: 'as-metadata',
    message: /must use HTTPS: authorization_endpoint javascript:/,
  },
  {
    name: 'AS metadata code_challenge_methods_supported is a string',
    o: (base) => ({
      as: (res) =>
        sendJson(res, {
          ...w.good.metadata,
          issuer: `${base}/as`,
          code_challenge_methods_supported: 'S256',
        }),
    }),
    code: 'as_metadata_invalid',
    step: 'as-metadata',
    message: /code_challenge_methods_supported is not an array/,
  },
  {
    name: 'AS metadata of 50 MB with a Content-Length',
    o: () => ({
      as: (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * MB) });
        res.write('{"issuer":"');
      },
    }),
    code: 'as_metadata_not_found',
    step: 'as-metadata',
    message: /declares 52428800 bytes \(Content-Length\), over the 1 MiB limit/,
  },
  {
    name: 'PRM nested 20,000 levels deep',
    o: (base) => ({
      prm: (res) =>
        sendJson(
          res,
          `{"resource":"${base}/mcp","authorization_servers":["${base}/as"],"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
        ),
    }),
    code: 'prm_not_found',
    step: 'prm',
    message:
      /\/prm \(answered 200 but its JSON is nested more than 64 levels deep, more than any metadata needs, so it was not read\)/,
  },
  {
    name: 'AS metadata nested 20,000 levels deep',
    o: () => ({
      as: (res) => sendJson(res, `{"issuer":"x","y":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`),
    }),
    code: 'as_metadata_not_found',
    step: 'as-metadata',
    message: /nested more than 64 levels deep/,
  },
];

describe('engine, hostile metadata: a clear error, and the server keeps serving', () => {
  it.each(metadataCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const id = c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const outcome = await runHostile(id, c.o(`${w.origin}/h/${id}`));
    expect(outcome.step).toBe(c.step);
    expectClear(outcome, c.code, c.message);
    // The failed walkthrough can be sealed and shown: nothing the server sent overflows the stack.
    expect(() => JSON.stringify(outcome.state)).not.toThrow();
    await stillServes();
  });

  it('a Bearer challenge with 1000 parameters is read (the one that matters is found)', async () => {
    const outcome = await runHostile('many-params', {
      probe: (res) => {
        const params = Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join(', ');
        res.writeHead(401, {
          'www-authenticate': `Bearer ${params}, resource_metadata="${w.origin}/h/many-params/prm"`,
        });
        res.end();
      },
      prm: (res) => sendJson(res, { resource: `${w.origin}/h/many-params/mcp` }),
    });
    expectClear(outcome, 'prm_invalid', /lists no authorization server/);
    const probe = outcome.state?.records.find((r) => r.id === 'probe');
    expect(probe?.checks.find((c) => c.id === 'probe.resource-metadata-param')?.status).toBe('pass');
    await stillServes();
  });
});

/** Answers the evil MCP server's tools/list with `body` (a JSON text, so it can be nested deeper than JSON.stringify can go). */
function toolsListText(body: string, as: 'json' | 'sse' = 'json') {
  w.mcp.set('tools/list', (m, res) => {
    const text = `{"jsonrpc":"2.0","id":${JSON.stringify(m.id)},"result":${body}}`;
    if (as === 'json') sendJson(res, text);
    else {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`event: message\ndata: ${text}\n\n`);
    }
  });
}

function toolsList(tools: unknown[], as: 'json' | 'sse' = 'json') {
  toolsListText(JSON.stringify({ tools }), as);
}

function toolResult(result: unknown, as: 'json' | 'sse' = 'json') {
  w.mcp.set('tools/call', (m, res) => answer(res, m, result, as));
}

const readOnly = { readOnlyHint: true };
const SCRIPT = '<script>alert(document.cookie)</script>';

/** `depth` nested objects as JSON text: deeper than JSON.stringify can serialise. */
function deepSchemaText(depth: number): string {
  return `${'{"type":"object","properties":{"a":'.repeat(depth)}{"type":"string"}${'}}'.repeat(depth)}`;
}

describe('engine, hostile MCP servers: a clear error, and the server keeps serving', () => {
  afterAll(() => {
    w.mcp.clear();
  });

  it('script in tool names, titles and descriptions comes through as the exact text', async () => {
    toolsList([
      {
        name: `x${SCRIPT}`,
        title: '<img src=x onerror=alert(1)>',
        description: `Reads notes.${SCRIPT}<a href="javascript:alert(1)">click</a>`,
        inputSchema: { type: 'object', properties: { q: { type: 'string', description: SCRIPT } } },
        annotations: readOnly,
      },
    ]);
    const state = connected(await connectTo(w.evil, ctx));
    const [tool] = toView(state).tools;
    expect(tool?.name).toBe(`x${SCRIPT}`);
    expect(tool?.title).toBe('<img src=x onerror=alert(1)>');
    expect(tool?.description).toContain(SCRIPT);
    // Text, not markup: the view carries strings; components/hostile-render.test.ts renders them.
    expect(typeof tool?.description).toBe('string');
    await stillServes();
  });

  it('script in a tool result comes back as text content', async () => {
    toolsList([{ name: 'read', inputSchema: { type: 'object' }, annotations: readOnly }]);
    toolResult({
      content: [
        { type: 'text', text: `${SCRIPT}<iframe src="https://evil.example"></iframe>` },
        {
          type: 'image',
          mimeType: 'image/svg+xml',
          data: Buffer.from(`<svg>${SCRIPT}</svg>`).toString('base64'),
        },
      ],
      structuredContent: { html: SCRIPT },
    });
    const state = connected(await connectTo(w.evil, ctx));
    const { result } = await callTool(state, ctx, 'read', {});
    expect(result.isError).toBe(false);
    expect(result.content[0]).toEqual({ type: 'text', text: expect.stringContaining(SCRIPT) });
    expect(result.content[1]).toMatchObject({ type: 'image', mimeType: 'image/svg+xml' });
    await stillServes();
  });

  it('a 10 MB tool list (JSON) is cut off at the MCP body limit', async () => {
    const tools = Array.from({ length: 20_000 }, (_, i) => ({
      name: `t${i}`,
      description: 'x'.repeat(500),
      inputSchema: { type: 'object' },
    }));
    toolsList(tools);
    const outcome = failure(await connectTo(w.evil, ctx));
    expect(outcome.step).toBe('tools');
    expectClear(outcome, 'response_too_large', /evil\/mcp is larger than the 5 MiB limit/);
    await stillServes();
  });

  it('a 10 MB tool list (event stream) is cut off at the limit at once, not at the request timeout', async () => {
    w.mcp.set('tools/list', (m, res) =>
      stream(
        res,
        'text/event-stream',
        10 * MB,
        `event: message\ndata: {"jsonrpc":"2.0","id":${m.id},"result":{"tools":[{"name":"`,
        '","inputSchema":{"type":"object"}}]}}\n\n',
      ),
    );
    const started = Date.now();
    const outcome = failure(await connectTo(w.evil, ctx));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.step).toBe('tools');
    expectClear(outcome, 'response_too_large', /Event stream from .* is larger than the 5 MiB limit/);
    await stillServes();
  });

  it('a 10 MB tool result is refused, and the session stays connected for the next call', async () => {
    toolsList([{ name: 'read', inputSchema: { type: 'object' }, annotations: readOnly }]);
    const state = connected(await connectTo(w.evil, ctx));
    w.mcp.set('tools/call', (m, res) =>
      stream(
        res,
        'text/event-stream',
        10 * MB,
        `data: {"jsonrpc":"2.0","id":${m.id},"result":{"content":[{"type":"text","text":"`,
        '"}]}}\n\n',
      ),
    );
    const big = await callTool(state, ctx, 'read', {});
    expect(big.result.isError).toBe(true);
    expectClear(
      { ...big.result.error!, state: big.state },
      'response_too_large',
      /larger than the 5 MiB limit/,
    );
    expect(big.state.step).toBe('connected');
    toolResult({ content: [{ type: 'text', text: 'small' }] });
    const next = await callTool(big.state, ctx, 'read', {});
    expect(next.result.content).toEqual([{ type: 'text', text: 'small' }]);
    await stillServes();
  });

  it('a tool list nested 5,000 levels deep is cut at 32 levels, with a warning, and the state still serialises', async () => {
    toolsListText(
      `{"tools":[{"name":"deep","inputSchema":${deepSchemaText(5_000)},"annotations":{"readOnlyHint":true}}]}`,
    );
    const state = connected(await connectTo(w.evil, ctx));
    const listed = state.records
      .find((r) => r.id === 'tools')
      ?.checks.find((c) => c.id === 'mcp.tools-listed');
    expect(listed?.status).toBe('warn');
    expect(listed?.message).toMatch(/nested more than 32 levels deep were cut for display: deep/);
    expect(JSON.stringify(state)).toContain(CUT_MARKER);
    expect(() => JSON.stringify(toView(state))).not.toThrow();
    await stillServes();
  });

  it('a structured result nested 5,000 levels deep is cut too', async () => {
    toolsList([{ name: 'read', inputSchema: { type: 'object' }, annotations: readOnly }]);
    const state = connected(await connectTo(w.evil, ctx));
    w.mcp.set('tools/call', (m, res) =>
      sendJson(
        res,
        `{"jsonrpc":"2.0","id":${m.id},"result":{"content":[],"structuredContent":${deepSchemaText(5_000)}}}`,
      ),
    );
    const { result } = await callTool(state, ctx, 'read', {});
    expect(result.isError).toBe(false);
    expect(JSON.stringify(result)).toContain(CUT_MARKER);
    await stillServes();
  });

  it('cyclic and dangling $ref in input and output schemas: listed, and the tool runs', async () => {
    toolsList([
      {
        name: 'cyclic',
        inputSchema: { type: 'object', properties: { self: { $ref: '#' }, a: { $ref: '#/properties/a' } } },
        outputSchema: {
          type: 'object',
          $ref: '#/$defs/x',
          $defs: { x: { $ref: '#/$defs/y' }, y: { $ref: '#/$defs/x' } },
        },
        annotations: readOnly,
      },
      {
        name: 'dangling',
        inputSchema: { type: 'object' },
        outputSchema: { type: 'object', properties: { a: { $ref: '#/$defs/missing' } } },
        annotations: readOnly,
      },
    ]);
    toolResult({ content: [{ type: 'text', text: 'ok' }], structuredContent: { a: 1 } });
    const state = connected(await connectTo(w.evil, ctx));
    expect(state.tools.map((t) => t.name)).toEqual(['cyclic', 'dangling']);
    const { result } = await callTool(state, ctx, 'cyclic', { self: {} });
    expect(result.isError).toBe(false);
    await stillServes();
  });

  it('an output schema with a catastrophic regex does not stall the process', async () => {
    toolsList([
      {
        name: 'redos',
        inputSchema: { type: 'object' },
        outputSchema: { type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } },
        annotations: readOnly,
      },
    ]);
    toolResult({ content: [], structuredContent: { s: `${'a'.repeat(40)}!` } });
    const state = connected(await connectTo(w.evil, ctx));
    const started = Date.now();
    const { result } = await callTool(state, ctx, 'redos', {});
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.isError).toBe(false);
    await stillServes();
  });

  it(`more than ${MAX_TOOLS} tools: the first ${MAX_TOOLS} are kept, with a warning`, async () => {
    toolsList(Array.from({ length: 1_500 }, (_, i) => ({ name: `t${i}`, inputSchema: { type: 'object' } })));
    const state = connected(await connectTo(w.evil, ctx));
    expect(state.tools).toHaveLength(MAX_TOOLS);
    const listed = state.records
      .find((r) => r.id === 'tools')
      ?.checks.find((c) => c.id === 'mcp.tools-listed');
    expect(listed?.status).toBe('warn');
    expect(listed?.message).toMatch(/stopped at the inspector’s limit \(20 pages, 1000 tools\)/);
    await stillServes();
  });

  it('a tool call whose stream never ends is stopped by the step budget, naming the step and the budget', async () => {
    toolsList([{ name: 'slow', inputSchema: { type: 'object' }, annotations: readOnly }]);
    const state = connected(await connectTo(w.evil, ctx));
    w.mcp.set('tools/call', (_m, res) => trickle(res, 'text/event-stream', ': still working\n\n'));
    const started = Date.now();
    const slow = await callTool(state, ctx, 'slow', {});
    expect(Date.now() - started).toBeLessThan(4_000);
    expectClear(
      { ...slow.result.error! },
      'timeout',
      /“Tools” step did not finish within its 2\.5 s time budget/,
    );
    expect(slow.state.step).toBe('connected');
    await stillServes();
  });

  it('tools/list answers with the wrong types', async () => {
    toolsListText('{"tools":"<script>alert(1)</script>"}');
    const outcome = failure(await connectTo(w.evil, ctx));
    expect(outcome.step).toBe('tools');
    expectClear(outcome, 'mcp_failed', /tools/);
    await stillServes();
  });

  it('a JSON-RPC error with markup in its message is reported as text', async () => {
    w.mcp.set('tools/list', (m: JsonRpcMessage, res) =>
      sendJson(res, { jsonrpc: '2.0', id: m.id, error: { code: -32000, message: `Boom ${SCRIPT}` } }),
    );
    const outcome = failure(await connectTo(w.evil, ctx));
    expectClear(outcome, 'mcp_failed', /JSON-RPC error: .*Boom <script>/);
    await stillServes();
  });

  it('the MCP endpoint redirects tool calls in a loop: a few same-origin hops, then refused', async () => {
    toolsList([{ name: 'read', inputSchema: { type: 'object' }, annotations: readOnly }]);
    const state = connected(await connectTo(w.evil, ctx));
    w.mcp.set('tools/call', (_m, res) => {
      res.writeHead(307, { location: `${w.origin}/evil/mcp` });
      res.end();
    });
    const before = state.records.find((r) => r.id === 'tools')?.exchanges.length ?? 0;
    const looped = await callTool(state, ctx, 'read', {});
    expectClear(
      { ...looped.result.error! },
      'mcp_failed',
      /answered HTTP 307: it redirected to http:\/\/127\.0\.0\.1:\d+\/evil\/mcp, and the inspector did not follow: it follows an MCP endpoint's redirects only within the same origin, keeping the method, at most 5 times\..*the server redirects in a loop\./,
    );
    expect(looped.result.error?.message).not.toMatch(/redirectPolicy/);
    const calls = looped.state.records.find((r) => r.id === 'tools')?.exchanges.slice(before) ?? [];
    // The SDK follows same-origin redirects up to 5 times (each hop through the traced fetch, checked).
    expect(calls.filter((e) => e.response?.status === 307).length).toBeLessThanOrEqual(6);
    await stillServes();
  });
});

/**
 * Hosted mode at the engine level: the servers are a fake world reached through an injected base
 * fetch (no DNS here), so what is tested is the traced fetch's address policy on every URL the
 * engine derives from remote metadata. Resolution-time checks (names resolving to internal
 * addresses, rebinding) are in lib/http/hostile.test.ts.
 */
describe('engine, hosted mode: internal addresses named by remote metadata are refused', () => {
  const world = createFakeWorld();
  const overrides = new Map<string, () => Response>();
  const base: FetchLike = async (input, init) => overrides.get(String(input))?.() ?? world.fetch(input, init);
  const hostedCtx: FlowContext = { fetch: base, policy: { mode: 'hosted' } };
  const json = (body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json', ...headers } });

  async function hostedServes() {
    overrides.clear();
    const state = connected(await connectTo(world, hostedCtx));
    const { result } = await callTool(state, hostedCtx, 'get_time', {});
    expect(result.isError).toBe(false);
  }

  const run = async (overrides: Partial<Parameters<typeof optionsFor>[1]> = {}) =>
    connectTo(world, hostedCtx, { ...optionsFor(world), ...overrides });

  it('an MCP URL at the cloud metadata address', async () => {
    const outcome = failure(await run({ serverUrl: 'https://169.254.169.254/latest/meta-data/' }));
    expectClear(outcome, 'blocked_address', /cloud metadata service/);
    await hostedServes();
  });

  it.each(['http://mcp.example.com/mcp', 'http://127.0.0.1:3000/mcp'])(
    'a plain-http MCP URL (%s): the hint is about http, not about loopback',
    async (serverUrl) => {
      const outcome = failure(await run({ serverUrl }));
      expect(outcome.step).toBe('probe');
      expect(outcome.message).toMatch(/only makes https:\/\/ requests/);
      expect(outcome.hint).toMatch(
        /^The hosted inspector only sends requests over https:\/\/, so tokens and codes never cross the network in clear\. Use the server’s https:\/\/ URL/,
      );
      expect(outcome.hint).not.toMatch(/loopback/);
      await hostedServes();
    },
  );

  it('a challenge whose resource_metadata is loopback in IPv4-mapped IPv6: refused, the flow goes on', async () => {
    overrides.set(
      world.mcpUrl,
      () =>
        new Response(null, {
          status: 401,
          headers: { 'www-authenticate': 'Bearer resource_metadata="https://[::ffff:7f00:1]/prm"' },
        }),
    );
    const state = await run();
    overrides.clear();
    const refused = state.records
      .flatMap((r) => r.exchanges)
      .find((e) => e.request.url.startsWith('https://[::ffff:7f00:1]'));
    expect(refused?.error?.code).toBe('blocked_address');
    expect(refused?.error?.message).toMatch(/loopback/);
    await hostedServes();
  });

  it('PRM naming an authorization server on a private address', async () => {
    overrides.set(world.prmUrl, () =>
      json({ resource: world.mcpUrl, authorization_servers: ['https://10.0.0.1/'] }),
    );
    const outcome = failure(await run());
    expect(outcome.step).toBe('as-metadata');
    expectClear(outcome, 'as_metadata_not_found', /Refused https:\/\/10\.0\.0\.1\/.*private \(RFC 1918\)/);
    await hostedServes();
  });

  it('AS metadata whose registration endpoint is in 192.168/16', async () => {
    overrides.set(`${world.issuer}/.well-known/oauth-authorization-server`, () =>
      json({ ...world.metadata, registration_endpoint: 'https://192.168.1.1/register' }),
    );
    const outcome = failure(await run());
    expect(outcome.step).toBe('registration');
    expect(outcome.message).toMatch(/192\.168\.1\.1/);
    expect(outcome.code).toBe('blocked_address');
    await hostedServes();
  });

  it('AS metadata whose token endpoint is loopback in hex (0x7f.1)', async () => {
    overrides.set(`${world.issuer}/.well-known/oauth-authorization-server`, () =>
      json({ ...world.metadata, token_endpoint: 'https://0x7f.1/token' }),
    );
    const paused = await runUntilPause(createFlow(optionsFor(world)), hostedCtx);
    if (paused.step !== 'awaiting-callback') throw new Error(paused.step);
    const { handleCallback } = await import('./index');
    const outcome = failure(
      await runUntilPause(
        await handleCallback(paused, world.authorize(paused.authorization.url), hostedCtx),
        hostedCtx,
      ),
    );
    expect(outcome.step).toBe('token');
    expectClear(outcome, 'blocked_address', /127\.0\.0\.1.*loopback/);
    await hostedServes();
  });

  it('an MCP server that redirects a tool call to the metadata service: never requested', async () => {
    const state = connected(await run());
    overrides.set(
      world.mcpUrl,
      () => new Response(null, { status: 307, headers: { location: 'https://169.254.169.254/latest' } }),
    );
    const { state: after, result } = await callTool(state, hostedCtx, 'get_time', {});
    expectClear(
      { ...result.error! },
      'mcp_failed',
      /it redirected to https:\/\/169\.254\.169\.254\/latest, and the inspector did not follow/,
    );
    const urls = after.records.flatMap((r) => r.exchanges).map((e) => e.request.url);
    expect(urls.some((u) => u.includes('169.254.169.254'))).toBe(false);
    await hostedServes();
  });
});
