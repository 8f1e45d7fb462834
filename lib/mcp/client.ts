import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  LATEST_PROTOCOL_VERSION,
  McpError,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import type { FetchLike } from '../http/types';
import { isOutboundError, type OutboundErrorCode } from '../oauth/errors';
import { type BearerChallenge, parseBearerChallenge } from '../oauth/www-authenticate';
import { MCP_REQUEST_TIMEOUT_MS } from './tools';

export const INSPECTOR_CLIENT_INFO = { name: 'mcp-auth-inspector', version: '0.1.0' } as const;

/**
 * The protocol version to put on the wire for a spec revision the user judges against. Revisions the
 * SDK does not speak yet (2026-07-28) use the SDK's latest, since the transport rules are unchanged.
 */
export function wireProtocolVersion(specVersion: string): string {
  return (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(specVersion)
    ? specVersion
    : LATEST_PROTOCOL_VERSION;
}

/** The last HTTP answer the MCP server gave, kept so a 401/403 can be explained from its challenge. */
export interface LastHttpResponse {
  method: string;
  status: number;
  wwwAuthenticate?: string;
}

export interface McpConnection {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Set once the server has answered at least one request. */
  lastResponse(): LastHttpResponse | undefined;
  /**
   * Rejects when a streamed answer fails in the traced fetch (e.g. over the size limit). The SDK only
   * logs a broken stream and waits for its request timeout, so callers race their request with this.
   */
  failed: Promise<never>;
  close(): Promise<void>;
}

export interface McpConnectOptions {
  url: string;
  /** The traced fetch; purpose labels are added per JSON-RPC method through `withPurpose`. */
  fetch: FetchLike;
  accessToken: string;
  /** Reuse an existing MCP session: the SDK then skips `initialize` (see `connectMcp`). */
  sessionId?: string;
  protocolVersion?: string;
  /** Labels a request for the exchange log, e.g. "MCP tools/list". */
  label?: (init: RequestInit | undefined, jsonRpcMethod: string | undefined) => RequestInit | undefined;
  /** Told about every answer, also when `connect` itself fails (the error carries no status details). */
  onResponse?: (last: LastHttpResponse) => void;
}

function jsonRpcMethodOf(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const msg = JSON.parse(body) as { method?: unknown } | Array<{ method?: unknown }>;
    const first = Array.isArray(msg) ? msg[0] : msg;
    return typeof first?.method === 'string' ? first.method : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Connects the SDK client over Streamable HTTP with the access token in the Authorization header
 * only (never in the URL), and without an authProvider: the engine, not the transport, decides what
 * a 401 or 403 means.
 *
 * Session reuse: when `sessionId` is given, the transport sends it as `Mcp-Session-Id` and the
 * SDK's `Client.connect` skips `initialize` (sdk 1.32 dist/esm/client/index.js: "When transport
 * sessionId is already set this means we are trying to reconnect"). The negotiated protocol version
 * is restored with `setProtocolVersion` so `MCP-Protocol-Version` is still sent.
 *
 * The optional standalone GET SSE stream (the SDK opens it after `notifications/initialized`) is
 * answered locally with 405, which the SDK treats as "server offers no stream": the inspector makes
 * request/response calls only, and a never-ending stream would outlive the HTTP request that runs
 * the step. Clients MAY skip that stream (MCP 2025-11-25 §Listening for Messages from the Server).
 *
 * @see MCP 2025-11-25 §Token Requirements; §Transports (Streamable HTTP, Session Management)
 */
export async function connectMcp(opts: McpConnectOptions): Promise<McpConnection> {
  let last: LastHttpResponse | undefined;
  let fail: (error: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);
  const bearerFetch: FetchLike = async (input, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    if (method === 'GET' && (headers.get('accept') ?? '').includes('text/event-stream')) {
      return new Response(null, {
        status: 405,
        statusText: 'Standalone SSE stream not opened by the inspector',
      });
    }
    headers.set('authorization', `Bearer ${opts.accessToken}`);
    const labelled = opts.label
      ? opts.label({ ...init, headers }, jsonRpcMethodOf(init?.body))
      : { ...init, headers };
    const response = watchStream(await opts.fetch(input, labelled), fail);
    last = {
      method,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined,
    };
    opts.onResponse?.(last);
    return response;
  };

  const transport = new StreamableHTTPClientTransport(new URL(opts.url), {
    fetch: bearerFetch,
    ...(opts.sessionId ? { sessionId: opts.sessionId } : {}),
  });
  if (opts.sessionId && opts.protocolVersion) transport.setProtocolVersion(opts.protocolVersion);
  // The inspector judges no output schemas; compiling untrusted ones (Ajv) on a shared server would
  // let a server break tools/list with a bad $ref or stall the process with a hostile pattern.
  const client = new Client(INSPECTOR_CLIENT_INFO, { capabilities: {}, jsonSchemaValidator: acceptAnything });
  try {
    await Promise.race([client.connect(transport, { timeout: MCP_REQUEST_TIMEOUT_MS }), failed]);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return {
    client,
    transport,
    lastResponse: () => last,
    failed,
    close: async () => {
      // Closing aborts the transport only; the server-side session stays for later requests.
      await client.close().catch(() => undefined);
    },
  };
}

const acceptAnything: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};

/**
 * Passes an event-stream body through, telling `onFailure` when the traced fetch fails it with an
 * OutboundError (size limit, time budget). Other bodies are returned as they are.
 */
function watchStream(response: Response, onFailure: (error: unknown) => void): Response {
  if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await reader.read();
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          if (isOutboundError(error)) onFailure(error);
          controller.error(error);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  const watched = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(watched, 'url', { value: response.url });
  return watched;
}

/** What went wrong talking to the MCP server, with the challenge when there was one. */
export type McpFailure =
  | { kind: 'unauthorized'; status: 401; challenge?: BearerChallenge; message: string }
  | { kind: 'insufficient_scope'; status: 403; challenge?: BearerChallenge; message: string }
  | { kind: 'forbidden'; status: 403; challenge?: BearerChallenge; message: string }
  | { kind: 'session_expired'; status: 404; message: string }
  | { kind: 'http'; status: number; message: string }
  | { kind: 'protocol'; code: number; message: string }
  | { kind: 'outbound'; outboundCode: OutboundErrorCode; message: string }
  | { kind: 'other'; message: string };

/**
 * Classifies an SDK error. The transport only says "Streamable HTTP error: …" with a status code;
 * the challenge comes from the last response seen by our own wrapping fetch.
 * @see MCP 2025-11-25 §Error Handling, §Scope Challenge Handling; RFC 6750 §3.1
 */
export function describeMcpFailure(err: unknown, last: LastHttpResponse | undefined): McpFailure {
  if (isOutboundError(err)) return { kind: 'outbound', outboundCode: err.code, message: err.message };
  const cause = err instanceof Error && err.cause ? err.cause : undefined;
  if (cause && isOutboundError(cause))
    return { kind: 'outbound', outboundCode: cause.code, message: cause.message };
  const status =
    err instanceof StreamableHTTPError && typeof err.code === 'number' && err.code > 0
      ? err.code
      : last?.status;
  const challenge = parseBearerChallenge(last?.wwwAuthenticate);
  const described = challenge?.error
    ? ` (error="${challenge.error}"${challenge.errorDescription ? `: ${challenge.errorDescription}` : ''})`
    : '';
  if (err instanceof StreamableHTTPError || (err instanceof Error && err.name === 'UnauthorizedError')) {
    if (status === 401) {
      return { kind: 'unauthorized', status, challenge, message: `The MCP server answered 401${described}.` };
    }
    if (status === 403) {
      if (challenge?.error === 'insufficient_scope') {
        return {
          kind: 'insufficient_scope',
          status,
          challenge,
          message: `The MCP server answered 403${described}.`,
        };
      }
      return { kind: 'forbidden', status, challenge, message: `The MCP server answered 403${described}.` };
    }
    if (status === 404 && last?.method === 'POST') {
      return {
        kind: 'session_expired',
        status,
        message: 'The MCP server answered 404: the session is gone.',
      };
    }
    if (status)
      return { kind: 'http', status, message: `The MCP server answered HTTP ${status}: ${err.message}` };
  }
  if (err instanceof McpError) return { kind: 'protocol', code: err.code, message: err.message };
  const issues = schemaIssues(err);
  if (issues) return { kind: 'other', message: `the answer does not match the MCP schema (${issues})` };
  return { kind: 'other', message: err instanceof Error ? err.message : String(err) };
}

/** "tools: Invalid input: expected array, received string" for a zod error from the SDK's result schemas. */
function schemaIssues(err: unknown): string | undefined {
  const issues = (err as { issues?: unknown })?.issues;
  if (!(err instanceof Error) || !Array.isArray(issues) || issues.length === 0) return undefined;
  return issues
    .slice(0, 3)
    .map(
      (i: { path?: unknown[]; message?: string }) => `${(i.path ?? []).join('.') || '(root)'}: ${i.message}`,
    )
    .join('; ');
}
