/**
 * Small helpers over node:http shared by the demo servers. No framework: every demo server is a plain
 * `http.Server` whose handler is attached after it listens (the issuer and resource URLs contain the port
 * that was picked at run time).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
export type Logger = (line: string) => void;

export interface Listening {
  /** e.g. `http://127.0.0.1:4123` (no trailing slash). */
  readonly origin: string;
  readonly port: number;
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Host names a browser or client may use for a loopback server. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function originFor(host: string, port: number): string {
  // A wildcard bind address is not something a client can connect to: advertise loopback instead.
  const advertised = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${advertised.includes(':') ? `[${advertised}]` : advertised}:${port}`;
}

/**
 * Starts an HTTP server on host:port (0 = any free port). Requests are answered 503 until a handler is set.
 * Each response is logged as one terse line (path only: query strings can carry codes and tokens).
 */
export async function listen(name: string, host: string, port: number, log?: Logger): Promise<Listening> {
  let handler: Handler | undefined;
  const server: Server = createServer((req, res) => {
    const started = performance.now();
    if (log) {
      const path = (req.url ?? '/').split('?')[0];
      res.on('finish', () => {
        log(`${name} ${req.method} ${path} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
      });
    }
    if (!handler) {
      sendJson(res, 503, { error: 'starting' });
      return;
    }
    Promise.resolve()
      .then(() => handler?.(req, res))
      .catch((error: unknown) => {
        if (error instanceof HttpError) {
          if (!res.headersSent) sendJson(res, error.status, { error: error.message });
          else res.end();
          return;
        }
        log?.(`${name} error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
        else res.end();
      });
  });
  // Keep-alive sockets must not hold close() hostage; idle ones are closed quickly anyway.
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;

  return {
    origin: originFor(host, actualPort),
    port: actualPort,
    setHandler(next) {
      handler = next;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export function requestUrl(req: IncomingMessage, origin: string): URL {
  return new URL(req.url ?? '/', origin);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function sendHtml(
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(html),
    ...headers,
  });
  res.end(html);
}

export function notFound(res: ServerResponse): void {
  sendJson(res, 404, { error: 'not_found' });
}

/** Reads a request body up to `limit` bytes; larger bodies are refused with 413. */
export async function readBody(req: IncomingMessage, limit = 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
}

/** CORS for public, credential-less endpoints (metadata, the MCP endpoint). */
export const PUBLIC_CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'WWW-Authenticate, Mcp-Session-Id, MCP-Protocol-Version',
};

/**
 * Answers a CORS preflight. Besides the fixed MCP headers it allows whatever `Mcp-Param-*` headers
 * (SEP-2243, named by the tools' `x-mcp-header`) the browser asks for in `Access-Control-Request-Headers`.
 */
export function sendPreflight(res: ServerResponse, methods: string, requestedHeaders?: string): void {
  const params = (requestedHeaders ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => /^mcp-param-[!#$%&'*+.^_`|~0-9a-z-]+$/i.test(name));
  res.writeHead(204, {
    ...PUBLIC_CORS_HEADERS,
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Allow-Headers': [
      'Authorization, Content-Type, Accept, Mcp-Session-Id, MCP-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID',
      ...params,
    ].join(', '),
    'Access-Control-Max-Age': '600',
  });
  res.end();
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
