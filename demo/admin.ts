/**
 * Admin switches of the demo (no auth: loopback only). POSTs need `Content-Type: application/json`, so a
 * web page cannot flip switches with a simple cross-site request, and the Host must be a loopback name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, isLoopbackHost, readBody, requestUrl, sendJson } from './http';
import {
  BREAK_ROWS,
  type BreakRow,
  type DemoState,
  MCP_SCOPES,
  type McpScope,
  TOOL_NAMES,
  type ToolName,
} from './state';

export interface AdminOptions {
  origin: string;
  /** e.g. `/admin` */
  basePath: string;
  /** The host the demo was bound to; accepted in the Host header besides loopback names. */
  bindHost: string;
  state: DemoState;
}

function badRequest(description: string): never {
  throw Object.assign(new HttpError(400, 'invalid_request'), { description });
}

async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(contentType)) {
    throw Object.assign(new HttpError(415, 'unsupported_media_type'), {
      description: 'Send Content-Type: application/json (an empty body or {} is fine).',
    });
  }
  const raw = (await readBody(req, 64 * 1024)).toString('utf8').trim();
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    badRequest('The body is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    badRequest('The body must be an object.');
  return value as Record<string, unknown>;
}

function parseScopes(value: unknown): McpScope[] {
  if (value === null || value === undefined || value === '') return [];
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(' ').filter(Boolean)
      : null;
  if (!list?.every((s): s is McpScope => (MCP_SCOPES as readonly unknown[]).includes(s))) {
    badRequest(
      `scope must be one or more of: ${MCP_SCOPES.join(', ')} (a space-separated string or an array).`,
    );
  }
  return list;
}

export function createAdminHandler(options: AdminOptions) {
  const { state, basePath } = options;
  const bindHost = options.bindHost.toLowerCase();

  type Route = (body: Record<string, unknown>) => Promise<unknown> | unknown;
  const posts: Record<string, Route> = {
    '/expire-tokens': () => {
      state.expireTokens();
      return state.view();
    },
    '/revoke-all': async () => {
      await state.revokeAll();
      return state.view();
    },
    '/require-scope': (body) => {
      const { tool } = body;
      if (typeof tool !== 'string' || !(TOOL_NAMES as readonly string[]).includes(tool)) {
        badRequest(`tool must be one of: ${TOOL_NAMES.join(', ')}.`);
      }
      state.setRequiredScope(tool as ToolName, parseScopes(body.scope));
      return state.view();
    },
    '/token-ttl': (body) => {
      const { seconds } = body;
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
        badRequest('seconds must be an integer from 1 to 86400.');
      }
      state.setAccessTokenTtl(seconds);
      return state.view();
    },
    '/break': (body) => {
      const { row, on } = body;
      if (typeof row !== 'string' || !(BREAK_ROWS as readonly string[]).includes(row)) {
        badRequest(`row must be one of: ${BREAK_ROWS.join(', ')}.`);
      }
      if (typeof on !== 'boolean') badRequest('on must be true or false.');
      state.setBreak(row as BreakRow, on);
      return state.view();
    },
    '/reset': () => {
      state.reset();
      return state.view();
    },
    '/calls/clear': () => {
      state.clearCalls();
      return state.view();
    },
  };
  const gets: Record<string, () => unknown> = {
    '': () => ({
      state: `${options.origin}${basePath}/state`,
      calls: `${options.origin}${basePath}/calls`,
      cimdFetches: `${options.origin}${basePath}/cimd-fetches`,
      post: Object.keys(posts).map((path) => `${options.origin}${basePath}${path}`),
    }),
    '/state': () => state.view(),
    '/calls': () => ({ calls: state.listCalls() }),
    /** Client ID Metadata Documents the authorization servers fetched: did the AS really fetch it? */
    '/cimd-fetches': () => ({ fetches: state.listDocumentFetches() }),
    /** Raw token values the demo issued or received: lets e2e tests prove none reaches the browser. */
    '/issued-tokens': () => state.issuedTokenValues(),
  };

  return async function handleAdmin(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = requestUrl(req, options.origin);
    if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return false;
    const path = url.pathname.slice(basePath.length).replace(/\/$/, '');

    const hostname = new URL(`http://${req.headers.host ?? 'invalid'}`).hostname.toLowerCase();
    if (!isLoopbackHost(hostname) && hostname !== bindHost) {
      sendJson(res, 403, {
        error: 'forbidden',
        error_description: 'The admin API answers loopback hosts only.',
      });
      return true;
    }

    try {
      const get = gets[path];
      const post = posts[path];
      if (req.method === 'GET' && get) {
        sendJson(res, 200, get());
      } else if (req.method === 'POST' && post) {
        sendJson(res, 200, await post(await readJsonObject(req)));
      } else if (get || post) {
        sendJson(res, 405, { error: 'method_not_allowed' }, { Allow: get ? 'GET' : 'POST' });
      } else {
        sendJson(res, 404, { error: 'not_found', routes: gets['']?.() });
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const { description } = error as HttpError & { description?: string };
      sendJson(res, error.status, { error: error.message, error_description: description });
    }
    return true;
  };
}
