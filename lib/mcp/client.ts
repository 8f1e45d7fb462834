import {
  Client,
  type DiscoverResult,
  type Implementation,
  type JsonSchemaValidator,
  type jsonSchemaValidator,
  type ListToolsResult,
  ProtocolError,
  type RequestOptions,
  SdkHttpError,
  type ServerCapabilities,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client';
import type { FetchLike } from '../http/types';
import { type DpopKeys, dpopProof } from '../oauth/dpop';
import { isOutboundError, type OutboundErrorCode } from '../oauth/errors';
import { type BearerChallenge, parseBearerChallenge } from '../oauth/www-authenticate';
import { xMcpHeaderProblem } from './headers';
import { jsonRpcErrorIn } from './jsonrpc';
import { cutDeepJson, MCP_REQUEST_TIMEOUT_MS } from './tools';

export const INSPECTOR_CLIENT_INFO = { name: 'mcp-auth-inspector', version: '0.1.0' } as const;

/** The modern wire revision the inspector speaks first (MCP 2026-07-28 §Versioning). */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
/** The newest revision of the `initialize` era, used when a server turns out to be legacy. */
export const LEGACY_PROTOCOL_VERSION = '2025-11-25';

/**
 * What the inspector can answer when a server asks for input (2026-07-28 §Multi Round-Trip Requests):
 * form elicitation through the user, sampling through the user typing a reply (there is no model),
 * roots with none. Declared on every request's `_meta` so servers know they may ask.
 */
export const INSPECTOR_CLIENT_CAPABILITIES = {
  elicitation: { form: {} },
  sampling: {},
  roots: {},
} as const;

/**
 * `modern`: 2026-07-28 and later, stateless, every request carries `_meta`. `legacy`: the
 * `initialize` handshake of 2025-11-25 and earlier (MCP 2026-07-28 §Versioning, Terminology).
 */
export type McpEra = 'modern' | 'legacy';

/** What a connection learned about the server's wire, kept in the session so later calls skip the probe. */
export interface McpWire {
  era: McpEra;
  protocolVersion?: string;
  /** The server/discover result (modern servers), replayed to the SDK as its cached era verdict. */
  discover?: DiscoverResult;
  /** `Mcp-Session-Id` of a stateful legacy server. */
  sessionId?: string;
  serverInfo?: Implementation;
  capabilities?: ServerCapabilities;
  instructions?: string;
}

/** A listed tool the client must not offer: its definition cannot be mirrored into headers. */
export interface ExcludedTool {
  name: string;
  reason: string;
}

/** The last HTTP answer the MCP server gave, kept so a 401/403 can be explained from its challenge. */
export interface LastHttpResponse {
  method: string;
  status: number;
  wwwAuthenticate?: string;
}

/** One request of the connection as the wire saw it: the evidence for the era and version checks. */
export interface WireAttempt {
  /** JSON-RPC method of the POST body. */
  rpcMethod?: string;
  /** `MCP-Protocol-Version` sent. */
  protocolVersion?: string;
  status: number;
  /** A JSON-RPC error in a 4xx JSON body, when there was one. */
  error?: { code: unknown; message?: unknown; data?: unknown };
}

export interface McpConnection {
  client: InspectorClient;
  transport: StreamableHTTPClientTransport;
  wire: McpWire;
  /** Every POST of this connection with its status, in order. */
  attempts: WireAttempt[];
  /** Methods whose 2026-07-28 result came without `resultType` (read as complete). */
  missingResultType: Set<string>;
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
  /** The traced fetch; purpose labels are added per JSON-RPC method through `label`. */
  fetch: FetchLike;
  /** Undefined only for a server that requires no authorization: no Authorization header is sent. */
  accessToken: string | undefined;
  /** The token is DPoP-bound: send it as `DPoP <token>` with a fresh proof per request (RFC 9449 §7). */
  dpop?: DpopKeys;
  /** What an earlier connection learned: reuse its era (and legacy session) instead of probing again. */
  resume?: McpWire;
  /** Labels a request for the exchange log, e.g. "MCP tools/list". */
  label?: (init: RequestInit | undefined, jsonRpcMethod: string | undefined) => RequestInit | undefined;
  /** Told about every answer, also when `connect` itself fails (the error carries no status details). */
  onResponse?: (last: LastHttpResponse) => void;
  /**
   * The first JSON-RPC id of this connection. Each operation runs on a new client, whose ids would
   * start at 0 again; a retry (input-required, refresh) MUST use a new id (MCP 2026-07-28 §Multi
   * Round-Trip Requests), so the engine passes a number that grows across the session.
   */
  firstRequestId?: number;
}

/**
 * The SDK's client with one addition: resuming a legacy `Mcp-Session-Id`. Given a transport that
 * already holds a session id, the SDK (2.4) skips `initialize` but then knows no server
 * capabilities, and `listTools()` answers an empty list for a server that "does not advertise
 * tools". The inspector runs each operation in its own HTTP request, so it restores what the
 * session's `initialize` said before connecting.
 */
export class InspectorClient extends Client {
  resumeLegacySession(wire: McpWire): void {
    const self = this as unknown as Record<string, unknown>;
    self._serverCapabilities = wire.capabilities;
    self._serverVersion = wire.serverInfo;
    self._instructions = wire.instructions;
    self._negotiatedProtocolVersion = wire.protocolVersion;
  }

  /** The SDK numbers requests from 0 per client (`_requestMessageId`, private in 2.4). */
  startRequestIdsAt(id: number): void {
    (this as unknown as { _requestMessageId: number })._requestMessageId = id;
  }

  /**
   * One page of tools/list. The SDK's `listTools()` without a cursor walks every page itself; the
   * inspector pages on its own to count pages and stop at its limits. SEP-2243's gate still applies.
   * @see MCP 2026-07-28 §Tools (Listing Tools); §Pagination
   */
  async listToolsPage(cursor: string | undefined, options?: RequestOptions): Promise<ListToolsResult> {
    const page = await this.request({ method: 'tools/list', params: cursor ? { cursor } : {} }, options);
    const listed = [...page.tools];
    // The SDK's own gate (private in 2.4): it drops what the transport cannot mirror into headers.
    (
      this as unknown as { _excludeInvalidXMcpHeaderTools(r: ListToolsResult): void }
    )._excludeInvalidXMcpHeaderTools(page);
    const kept = new Set(page.tools);
    for (const tool of listed) {
      if (kept.has(tool)) continue;
      this.excludedTools.push({
        name: tool.name,
        reason: xMcpHeaderProblem(tool.inputSchema) ?? 'its x-mcp-header declarations are invalid (SEP-2243)',
      });
    }
    return page;
  }

  /** Tools the SDK excluded from tools/list for an invalid `x-mcp-header` (SEP-2243), with the reason. */
  readonly excludedTools: ExcludedTool[] = [];
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

/** A JSON-RPC error from a small JSON 4xx body; the body stays readable for the SDK. */
async function jsonRpcErrorOf(response: Response): Promise<WireAttempt['error']> {
  if (response.status < 400 || response.status >= 500) return undefined;
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  const text = await response
    .clone()
    .text()
    .catch(() => '');
  return text.length > 64 * 1024 ? undefined : jsonRpcErrorIn(text, response.headers.get('content-type'));
}

/**
 * Connects the SDK client over Streamable HTTP with the access token in the Authorization header
 * only (never in the URL), and without an authProvider: the engine, not the transport, decides what
 * a 401 or 403 means.
 *
 * Era: a first connection lets the SDK negotiate (`versionNegotiation: 'auto'`): `server/discover`
 * at 2026-07-28 first; a recognised modern error (-32022 with `supported`) retries with a mutual
 * version; any other 4xx falls back to `initialize` (MCP 2026-07-28 §Streamable HTTP, Backward
 * Compatibility). Later connections replay the verdict (`prior`), so they cost no round trip; a
 * legacy session id is resumed without a new `initialize`.
 *
 * Input-required results are not fulfilled by the SDK (`autoFulfill: false`): the engine shows them
 * to the user and repeats the call with the answers.
 *
 * The optional standalone GET SSE stream of legacy sessions is answered locally with 405, which the
 * SDK treats as "server offers no stream": a never-ending stream would outlive the HTTP request that
 * runs the step. Clients MAY skip it (MCP 2025-11-25 §Listening for Messages from the Server).
 *
 * @see MCP 2026-07-28 §Versioning; §Streamable HTTP (Request Metadata, Backward Compatibility);
 *   MCP 2025-11-25 §Token Requirements
 */
export async function connectMcp(opts: McpConnectOptions): Promise<McpConnection> {
  let last: LastHttpResponse | undefined;
  const attempts: WireAttempt[] = [];
  const missingResultType = new Set<string>();
  let dpopNonce: string | undefined;
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
    const rpcMethod = jsonRpcMethodOf(init?.body);
    const send = async (nonce?: string) => {
      if (opts.accessToken !== undefined && opts.dpop) {
        headers.set('authorization', `DPoP ${opts.accessToken}`);
        headers.set(
          'dpop',
          await dpopProof({
            keys: opts.dpop,
            method,
            url: String(input),
            accessToken: opts.accessToken,
            nonce,
          }),
        );
      } else if (opts.accessToken !== undefined) {
        headers.set('authorization', `Bearer ${opts.accessToken}`);
      }
      const labelled = opts.label ? opts.label({ ...init, headers }, rpcMethod) : { ...init, headers };
      return opts.fetch(input, labelled);
    };
    let raw = await send(dpopNonce);
    // The resource server wants a nonce in the proof: it sends one; ask again with it (RFC 9449 §9).
    const nonce = raw.headers.get('dpop-nonce');
    if (
      opts.dpop &&
      raw.status === 401 &&
      nonce &&
      /use_dpop_nonce/.test(raw.headers.get('www-authenticate') ?? '')
    ) {
      dpopNonce = nonce;
      await raw.body?.cancel();
      raw = await send(nonce);
    } else if (opts.dpop && nonce) {
      dpopNonce = nonce;
    }
    const modern = (headers.get('mcp-protocol-version') ?? '') >= MODERN_PROTOCOL_VERSION;
    const response = await prepareForSdk(watchStream(raw, fail), (text) =>
      prepareMessage(text, modern, () => {
        missingResultType.add(rpcMethod ?? '(unknown)');
      }),
    );
    last = {
      method,
      status: response.status,
      wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined,
    };
    if (method === 'POST') {
      const error = await jsonRpcErrorOf(response);
      attempts.push({
        ...(rpcMethod ? { rpcMethod } : {}),
        ...(headers.get('mcp-protocol-version')
          ? { protocolVersion: headers.get('mcp-protocol-version') ?? undefined }
          : {}),
        status: response.status,
        ...(error ? { error } : {}),
      });
    }
    opts.onResponse?.(last);
    return response;
  };

  const resume = opts.resume;
  const resumeSession = resume?.era === 'legacy' && resume.sessionId ? resume.sessionId : undefined;
  const transport = new StreamableHTTPClientTransport(new URL(opts.url), {
    fetch: bearerFetch,
    ...(resumeSession ? { sessionId: resumeSession } : {}),
  });
  const client = new InspectorClient(INSPECTOR_CLIENT_INFO, {
    capabilities: INSPECTOR_CLIENT_CAPABILITIES,
    // The inspector judges no output schemas; compiling untrusted ones (Ajv) on a shared server would
    // let a server break tools/list with a bad $ref or stall the process with a hostile pattern.
    jsonSchemaValidator: acceptAnything,
    versionNegotiation: { mode: 'auto', probe: { timeoutMs: MCP_REQUEST_TIMEOUT_MS } },
    inputRequired: { autoFulfill: false },
  });
  // Legacy sessions may send requests on a response stream: decline and answer with nothing.
  client.setRequestHandler('elicitation/create', async () => ({ action: 'decline' }));
  client.setRequestHandler('roots/list', async () => ({ roots: [] }));
  if (resumeSession && resume) client.resumeLegacySession(resume);
  if (opts.firstRequestId !== undefined) client.startRequestIdsAt(opts.firstRequestId);
  const prior =
    resume?.era === 'modern' && resume.discover
      ? { kind: 'modern' as const, discover: resume.discover }
      : resume?.era === 'legacy' && !resumeSession
        ? { kind: 'legacy' as const }
        : undefined;
  try {
    await Promise.race([
      client.connect(transport, { timeout: MCP_REQUEST_TIMEOUT_MS, ...(prior ? { prior } : {}) }),
      failed,
    ]);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  const wire: McpWire = resumeSession && resume ? { ...resume } : wireOf(client, transport);
  return {
    client,
    transport,
    wire,
    attempts,
    missingResultType,
    lastResponse: () => last,
    failed,
    close: async () => {
      // Closing aborts the transport only; a legacy server-side session stays for later requests.
      await client.close().catch(() => undefined);
    },
  };
}

function wireOf(client: Client, transport: StreamableHTTPClientTransport): McpWire {
  const era: McpEra = client.getProtocolEra() === 'modern' ? 'modern' : 'legacy';
  const discover = client.getDiscoverResult();
  const serverInfo = client.getServerVersion();
  const capabilities = client.getServerCapabilities();
  const instructions = client.getInstructions();
  const protocolVersion = client.getNegotiatedProtocolVersion();
  return {
    era,
    ...(protocolVersion ? { protocolVersion } : {}),
    ...(discover ? { discover } : {}),
    ...(era === 'legacy' && transport.sessionId ? { sessionId: transport.sessionId } : {}),
    ...(serverInfo ? { serverInfo } : {}),
    ...(capabilities ? { capabilities } : {}),
    ...(instructions ? { instructions } : {}),
  };
}

const acceptAnything: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};

/**
 * Nesting the SDK can still validate. Its result schemas check JSON values recursively (zod), so a
 * 5,000-level document overflows the stack before the inspector sees it. Deeper messages are cut
 * here, well below that, and above MAX_JSON_DEPTH, so the tool view still notices and warns.
 */
export const WIRE_MAX_DEPTH = 64;

/** Whether `value` nests deeper than `limit` (iterative: the value may be thousands of levels deep). */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, d: d + 1 });
  }
  return false;
}

/**
 * A JSON-RPC message text as the SDK can take it: cut below WIRE_MAX_DEPTH when it nests deeper, and,
 * on the modern wire, a result without `resultType` read as complete. 2026-07-28 servers MUST send
 * it; the SDK refuses the result otherwise, but a client that tolerates the omission still works
 * (results of earlier revisions omit it and mean complete), so the inspector reads it that way and
 * reports the omission (`onMissingResultType`). Other text is returned unchanged.
 */
function prepareMessage(text: string, modern: boolean, onMissingResultType: () => void): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return text;
  }
  let changed = false;
  const message = value as { id?: unknown; result?: Record<string, unknown> } | null;
  if (
    modern &&
    message &&
    typeof message.result === 'object' &&
    message.result &&
    !('resultType' in message.result)
  ) {
    message.result = { ...message.result, resultType: 'complete' };
    onMissingResultType();
    changed = true;
  }
  if (deeperThan(value, WIRE_MAX_DEPTH)) return JSON.stringify(cutDeepJson(value, WIRE_MAX_DEPTH).value);
  return changed ? JSON.stringify(value) : text;
}

/** Applies `prepareMessage` to a JSON body, or to each `data:` line of an event stream. */
async function prepareForSdk(response: Response, prepare: (text: string) => string): Promise<Response> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body) return response;
  let body: BodyInit;
  if (type.includes('application/json')) {
    body = prepare(await response.text());
  } else if (type.includes('text/event-stream')) {
    let pending = '';
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const lines = (chunk: string, controller: TransformStreamDefaultController<Uint8Array>) => {
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        const out = line.startsWith('data:') ? `data: ${prepare(line.slice(5).trim())}` : line;
        controller.enqueue(encoder.encode(`${out}\n`));
      }
    };
    body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => lines(decoder.decode(chunk, { stream: true }), controller),
        flush: (controller) => {
          lines(`${decoder.decode()}\n`, controller);
        },
      }),
    );
  } else {
    return response;
  }
  return withBody(response, body);
}

/** The same answer (status, headers, url) with another body. */
function withBody(response: Response, body: BodyInit): Response {
  const next = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(next, 'url', { value: response.url });
  return next;
}

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
  return withBody(response, body);
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

/** The HTTP status an SDK error carries, if it is about an HTTP answer. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof SdkHttpError) return err.status;
  if (err instanceof UnauthorizedError) return 401;
  return undefined;
}

/**
 * Classifies an SDK error. The transport's errors name a status at most; the challenge comes from
 * the last response seen by our own wrapping fetch.
 * @see MCP 2025-11-25 §Error Handling, §Scope Challenge Handling; RFC 6750 §3.1
 */
export function describeMcpFailure(
  err: unknown,
  last: LastHttpResponse | undefined,
  /** Whether the request carried an `Mcp-Session-Id`: only then does a 404 mean the session is gone. */
  inSession = true,
): McpFailure {
  if (isOutboundError(err)) return { kind: 'outbound', outboundCode: err.code, message: err.message };
  const cause = err instanceof Error && err.cause ? err.cause : undefined;
  if (cause && isOutboundError(cause))
    return { kind: 'outbound', outboundCode: cause.code, message: cause.message };
  // A JSON-RPC error is the server's answer even when it came with a 4xx; anything else that failed
  // on an HTTP error status is judged by that status.
  const status =
    err instanceof ProtocolError
      ? undefined
      : (httpStatusOf(err) ?? (last && last.status >= 400 ? last.status : undefined));
  const challenge = parseBearerChallenge(last?.wwwAuthenticate);
  const described = challenge?.error
    ? ` (error="${challenge.error}"${challenge.errorDescription ? `: ${challenge.errorDescription}` : ''})`
    : '';
  if (status === 401) {
    return { kind: 'unauthorized', status, challenge, message: `The MCP server answered 401${described}.` };
  }
  if (status === 403) {
    const kind = challenge?.error === 'insufficient_scope' ? 'insufficient_scope' : 'forbidden';
    return { kind, status, challenge, message: `The MCP server answered 403${described}.` };
  }
  if (status === 404 && inSession && last?.method === 'POST') {
    return { kind: 'session_expired', status, message: 'The MCP server answered 404: the session is gone.' };
  }
  if (status !== undefined) {
    return { kind: 'http', status, message: `The MCP server answered HTTP ${status}: ${errorText(err)}` };
  }
  if (err instanceof ProtocolError) return { kind: 'protocol', code: err.code, message: err.message };
  const issues = schemaIssues(err);
  if (issues) return { kind: 'other', message: `the answer does not match the MCP schema (${issues})` };
  return { kind: 'other', message: errorText(err) };
}

/**
 * The SDK's error text, with its redirect wording (which quotes its own option, "redirectPolicy:
 * 'same-origin'", and reads as if the redirect left the origin even when it did not) replaced by a
 * sentence saying what the inspector follows and what to do.
 */
export function errorText(err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/ \(redirectPolicy: '[^']*'\)/, '')
    .replace(/^Error (?:POSTing to|GETing|DELETEing) endpoint(?: \(HTTP \d+\))?: (?=Redirect )/, '');
  const toHttp = /^Redirect from https to plain http not followed; try (\S+) as the endpoint$/.exec(message);
  if (toHttp) {
    return `it redirected from https to plain http, which the inspector never follows (tokens would cross the network in clear). If the server also answers at ${toHttp[1]}, enter that as the server URL.`;
  }
  const elsewhere =
    /^Redirect to (\S+) not followed; use that URL as the endpoint if it is the intended server$/.exec(
      message,
    );
  if (elsewhere) {
    return `it redirected to ${elsewhere[1]}, and the inspector did not follow: it follows an MCP endpoint's redirects only within the same origin, keeping the method, at most 5 times. If ${elsewhere[1]} is the MCP endpoint, enter it as the server URL; if it is the same URL, the server redirects in a loop.`;
  }
  if (/^Redirect not followed: this runtime does not expose where it points$/.test(message)) {
    return 'it answered with a redirect, which the inspector does not follow for MCP requests. Enter the URL the server redirects to as the server URL.';
  }
  return message;
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
