/**
 * A real loopback HTTP server for hostile-input tests: two fake worlds (a well-behaved one and one
 * whose MCP answers can be replaced per JSON-RPC method) served over node:http, plus per-path
 * overrides for anything hostile. The engine reaches it through the real traced fetch (undici,
 * time and size limits), not an injected fetch.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleCallback, runUntilPause } from '../engine';
import { createFlow, type FlowState, type StateAt } from '../state';
import type { FlowContext } from '../step-run';
import type { FlowOptions } from '../types';
import { createFakeWorld, type FakeWorld } from './fake-world';
import { REDIRECT_URI } from './options';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface JsonRpcMessage {
  jsonrpc: '2.0';
  id?: number | string;
  method: string;
  params?: Record<string, unknown>;
}

export type McpOverride = (message: JsonRpcMessage, res: ServerResponse, req: IncomingMessage) => void;

export interface HostileWorld {
  origin: string;
  /** Well-behaved: MCP at /mcp, its authorization server at /as. */
  good: FakeWorld;
  /** MCP at /evil/mcp (authorization server /evil-as); `mcp` replaces its answers per method. */
  evil: FakeWorld;
  /** Exact pathname → handler, consulted before the worlds. */
  routes: Map<string, RouteHandler>;
  /** JSON-RPC method → answer of /evil/mcp (after the token was accepted by the fake world). */
  mcp: Map<string, McpOverride>;
  close(): Promise<void>;
}

const MAX_REQUEST_BODY = 1_048_576;

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function relay(world: FakeWorld, url: URL, req: IncomingMessage, body: string): Promise<Response> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
  return world.fetch(url.href, {
    method: req.method,
    headers,
    ...(body && req.method !== 'GET' ? { body } : {}),
  });
}

async function send(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    headers[k] = v;
  });
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

export async function startHostileWorld(): Promise<HostileWorld> {
  const routes = new Map<string, RouteHandler>();
  const mcp = new Map<string, McpOverride>();
  let good: FakeWorld | undefined;
  let evil: FakeWorld | undefined;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const route = routes.get(url.pathname);
    if (route) return route(req, res);
    void (async () => {
      const body = await readBody(req);
      if (url.pathname === '/evil/mcp' && req.method === 'POST' && req.headers.authorization) {
        const message = JSON.parse(body) as JsonRpcMessage;
        const override = mcp.get(message.method);
        if (override) return override(message, res, req);
      }
      await send(res, await relay(url.pathname.includes('evil') ? evil! : good!, url, req, body));
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  good = createFakeWorld({ mcpUrl: `${origin}/mcp`, issuer: `${origin}/as` });
  evil = createFakeWorld({ mcpUrl: `${origin}/evil/mcp`, issuer: `${origin}/evil-as` });
  return {
    origin,
    good,
    evil,
    routes,
    mcp,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A world's answer as a route may rewrite it before it is sent. */
export interface RelayedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A route that lets `world` answer the request, then sends what `rewrite` makes of the answer (a
 * hostile content type, an echoed secret, a nested member). `rewrite` also sees the request body.
 */
export function relayThrough(
  world: () => FakeWorld,
  rewrite: (
    answer: RelayedAnswer,
    request: { body: string; headers: IncomingMessage['headers'] },
  ) => RelayedAnswer,
): RouteHandler {
  return (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const response = await relay(world(), url, req, body);
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        if (k !== 'content-length') headers[k] = v;
      });
      const out = rewrite(
        { status: response.status, headers, body: await response.text() },
        { body, headers: req.headers },
      );
      res.writeHead(out.status, out.headers);
      res.end(out.body);
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  };
}

export function hostileOptions(serverUrl: string, overrides: Partial<FlowOptions> = {}): FlowOptions {
  return {
    serverUrl,
    specVersion: '2025-11-25',
    redirectUri: REDIRECT_URI,
    registration: 'auto',
    clientName: 'MCP Auth Inspector (hostile-input test)',
    ...overrides,
  };
}

/** The whole flow against one world, consent given by the fake authorization server. */
export async function connectTo(
  world: FakeWorld,
  ctx: FlowContext,
  overrides: Partial<FlowOptions> = {},
): Promise<FlowState> {
  const paused = await runUntilPause(createFlow(hostileOptions(world.mcpUrl, overrides)), ctx);
  if (paused.step !== 'awaiting-callback') return paused;
  return runUntilPause(await handleCallback(paused, world.authorize(paused.authorization.url), ctx), ctx);
}

export function connected(state: FlowState): StateAt<'connected'> {
  if (state.step !== 'connected') {
    throw new Error(
      `expected connected, got ${state.step}${state.step === 'failed' ? `: ${JSON.stringify(state.error)}` : ''}`,
    );
  }
  return state;
}

/** Writes one JSON-RPC result, as JSON or as a single-event SSE stream. */
export function answer(
  res: ServerResponse,
  message: JsonRpcMessage,
  result: unknown,
  as: 'json' | 'sse' = 'json',
): void {
  const text = JSON.stringify({ jsonrpc: '2.0', id: message.id, result });
  if (as === 'json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(text);
  } else {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(`event: message\ndata: ${text}\n\n`);
  }
}
