import type { Dispatcher } from 'undici';
import { displayBody, raceAbort, readLimited, recordingStream, type StreamRecord } from './body';
import { isEventStream, isTextual } from './content-type';
import { OutboundError, type OutboundErrorCode } from './errors';
import {
  type AddressPolicy,
  checkUrl,
  createGuardedDispatcher,
  type HostLookup,
  systemLookup,
} from './guard';
import { formatBytes, formatSeconds, type OutboundLimits, resolveLimits } from './limits';
import { describeNetworkError } from './network-errors';
import { Redactor } from './redact';
import type { Exchange, ExchangeSink, FetchLike } from './types';

/**
 * Internal header carrying why a request is made. Set with `withPurpose`, removed before sending,
 * recorded as `Exchange.purpose`. URI-encoded because header values must be Latin-1 and purposes
 * quote specs ("RFC 9728 §3 — …").
 */
export const PURPOSE_HEADER = 'x-inspector-purpose';

/** Returns a copy of `init` that tells the traced fetch why this request is made. */
export function withPurpose(init: RequestInit | undefined, purpose: string): RequestInit {
  const headers = new Headers(init?.headers);
  headers.set(PURPOSE_HEADER, encodeURIComponent(purpose));
  return { ...init, headers };
}

/** A FetchLike that also takes a Request, as the MCP SDK and oauth4webapi may pass one. */
export type TracedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface TracedFetchOptions {
  /** Which flow step the recorded exchanges belong to. */
  stepId: string;
  sink?: ExchangeSink;
  /** The fetch that really sends; default: the global fetch over the guarded dispatcher. */
  base?: FetchLike;
  /** Default: hosted, the safe choice; the server layer opts into local mode. */
  policy?: AddressPolicy;
  /** Resolver for the default base's guarded dispatcher (tests inject a fake DNS). */
  lookup?: HostLookup;
  limits?: Partial<OutboundLimits>;
  redactor?: Redactor;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
  /** Exchange ids are `${idPrefix}${n}`; default `${stepId}-<random>-`. */
  idPrefix?: string;
  /**
   * A time budget shared by every request of this traced fetch (a flow step's total): once `signal`
   * aborts, requests in flight fail and new ones are refused, as a timeout naming `label` and `ms`.
   */
  budget?: StepBudget;
}

export interface StepBudget {
  signal: AbortSignal;
  ms: number;
  /** What the budget belongs to, e.g. "the “Resource metadata” step". */
  label: string;
}

/** One request as it will be sent: init's headers already a Headers, the purpose header removed. */
interface Outgoing {
  url: string;
  init: RequestInit & { headers: Headers };
  purpose?: string;
}

interface Context {
  stepId: string;
  sink?: ExchangeSink;
  base: FetchLike;
  policy: AddressPolicy;
  limits: OutboundLimits;
  redactor: Redactor;
  now: () => number;
  nextId: () => string;
  budget?: StepBudget;
}

const dispatchers = new Map<string, Dispatcher>();

/**
 * Dispatchers for the system resolver are shared per policy, so connections are pooled across
 * traced fetches instead of one pool per step. An injected resolver gets its own.
 */
function dispatcherFor(policy: AddressPolicy, lookup: HostLookup): Dispatcher {
  if (lookup !== systemLookup) return createGuardedDispatcher(policy, lookup);
  const key = JSON.stringify(policy);
  let dispatcher = dispatchers.get(key);
  if (!dispatcher) {
    dispatcher = createGuardedDispatcher(policy);
    dispatchers.set(key, dispatcher);
  }
  return dispatcher;
}

/** The global fetch bound to the guarded dispatcher. */
export function guardedFetch(policy: AddressPolicy, lookup: HostLookup = systemLookup): FetchLike {
  const dispatcher = dispatcherFor(policy, lookup);
  // `dispatcher` is undici's extension to RequestInit; Node's fetch honours it.
  return (input, init) => globalThis.fetch(input, { ...init, dispatcher } as RequestInit);
}

/**
 * Creates the traced fetch for one step: the only caller of the global fetch. It enforces the
 * address policy, a time limit, a body size limit and the redirect policy, records every hop as a
 * redacted Exchange, and hands back a Response that behaves like the original.
 */
export function createTracedFetch(options: TracedFetchOptions): TracedFetch {
  const policy = options.policy ?? { mode: 'hosted' };
  const prefix = options.idPrefix ?? `${options.stepId}-${globalThis.crypto.randomUUID().slice(0, 8)}-`;
  let counter = 0;
  const context: Context = {
    stepId: options.stepId,
    sink: options.sink,
    base: options.base ?? guardedFetch(policy, options.lookup),
    policy,
    limits: resolveLimits(options.limits),
    redactor: options.redactor ?? new Redactor(),
    now: options.now ?? Date.now,
    nextId: () => `${prefix}${++counter}`,
    budget: options.budget,
  };

  return async (input, init) => {
    let request = await toOutgoing(input, init);
    const mode = request.init.redirect ?? 'follow';
    if (mode === 'manual') return exchange(context, request);
    // 'error' is following with no hop allowed.
    const maxHops = mode === 'error' ? 0 : context.limits.maxRedirects;
    for (let hop = 0; ; hop++) {
      const limitMessage =
        hop < maxHops
          ? undefined
          : mode === 'error'
            ? `was redirected, and the request said redirect: 'error'`
            : `redirected more than ${maxHops} times`;
      const response = await exchange(context, request, limitMessage);
      const next = isRedirect(response.status) ? nextHop(request, response) : undefined;
      if (!next) return hop > 0 ? markRedirected(response) : response;
      request = next;
    }
  };
}

function isRequest(input: unknown): input is Request {
  return typeof input === 'object' && input !== null && !(input instanceof URL) && 'method' in input;
}

/** Normalises (input, init) to url + init, reading a Request's body so it can be recorded and replayed. */
async function toOutgoing(input: string | URL | Request, init: RequestInit | undefined): Promise<Outgoing> {
  let url: string;
  let merged: RequestInit;
  if (isRequest(input)) {
    url = input.url;
    let body: BodyInit | undefined;
    if (init?.body === undefined && input.body) {
      body = isTextual(input.headers.get('content-type')) ? await input.text() : await input.arrayBuffer();
    }
    merged = {
      method: input.method,
      headers: input.headers,
      body,
      signal: input.signal,
      redirect: input.redirect,
      ...init,
    };
  } else {
    url = String(input);
    merged = { ...init };
  }
  const headers = new Headers(merged.headers);
  const purpose = headers.get(PURPOSE_HEADER);
  headers.delete(PURPOSE_HEADER);
  return { url, init: { ...merged, headers }, purpose: purpose === null ? undefined : safeDecode(purpose) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

function isRedirect(status: number): boolean {
  return REDIRECT_STATUSES.has(status);
}

/**
 * The request for the next hop, per the Fetch standard's HTTP-redirect fetch: 303 (and 301/302
 * after POST) become a GET without body; credentials are not carried to another origin.
 */
function nextHop(request: Outgoing, response: Response): Outgoing | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  let url: string;
  try {
    url = new URL(location, request.url).href;
  } catch {
    url = location; // the next exchange refuses it as invalid_url, on the record
  }
  const headers = new Headers(request.init.headers);
  const init: Outgoing['init'] = { ...request.init, headers };
  const method = (init.method ?? 'GET').toUpperCase();
  const toGet =
    (response.status === 303 && method !== 'GET' && method !== 'HEAD') ||
    ((response.status === 301 || response.status === 302) && method === 'POST');
  if (toGet) {
    init.method = 'GET';
    init.body = undefined;
    for (const name of BODY_HEADERS) headers.delete(name);
  }
  if (originOf(url) !== originOf(request.url)) {
    for (const name of CREDENTIAL_HEADERS) headers.delete(name);
  }
  return { url, init, purpose: request.purpose };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The content type fetch itself would send for a body the caller did not label. */
function impliedContentType(body: BodyInit | null | undefined): string | null {
  if (typeof body === 'string') return 'text/plain;charset=UTF-8';
  if (body instanceof URLSearchParams) return 'application/x-www-form-urlencoded;charset=UTF-8';
  if (body instanceof Blob && body.type) return body.type;
  return null;
}

/** Strings, URLSearchParams and JSON are recorded redacted; anything else only by size. */
function describeRequestBody(
  body: BodyInit | null | undefined,
  contentType: string | null,
  context: Context,
): { body?: string; truncated?: boolean } {
  if (body === null || body === undefined) return {};
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof URLSearchParams) text = body.toString();
  else if (body instanceof ArrayBuffer || ArrayBuffer.isView(body))
    return { body: `[binary ${body.byteLength} bytes]` };
  else if (body instanceof Blob) return { body: `[binary ${body.size} bytes]` };
  else if (body instanceof FormData) return { body: '[multipart form data]' };
  else return { body: '[streamed body]' };
  const shown = displayBody(
    new TextEncoder().encode(text),
    contentType ?? 'text/plain',
    context.redactor,
    context.limits.displayBodyChars,
  );
  return shown.truncated ? shown : { body: shown.body };
}

function recordRequest(request: Outgoing, context: Context): Exchange['request'] {
  const headers = new Headers(request.init.headers);
  const implied = impliedContentType(request.init.body);
  if (implied && !headers.has('content-type')) headers.set('content-type', implied);
  return {
    method: (request.init.method ?? 'GET').toUpperCase(),
    url: context.redactor.url(request.url),
    headers: context.redactor.headers(headers),
    ...describeRequestBody(request.init.body, headers.get('content-type'), context),
  };
}

/** Marks the reason a request's own timer fired, to tell it from the caller's abort. */
class TimeLimitReached extends Error {}

type ResponseRecord = NonNullable<Exchange['response']>;
type ResponseHead = Pick<ResponseRecord, 'status' | 'statusText' | 'headers'>;

/** Records one hop exactly once, whichever way it ends. */
interface HopRecorder {
  /** The redacted URL, for messages and OutboundError.url. */
  shownUrl: string;
  record(parts: Pick<Exchange, 'response' | 'error'>): void;
  /** Records the failure and returns the OutboundError to throw. */
  fail(code: OutboundErrorCode, message: string, cause?: unknown, response?: ResponseRecord): OutboundError;
}

function startHop(context: Context, request: Outgoing): HopRecorder {
  const { redactor } = context;
  const startedAt = context.now();
  const shownUrl = redactor.url(request.url);
  const base: Exchange = {
    id: context.nextId(),
    stepId: context.stepId,
    ...(request.purpose === undefined ? {} : { purpose: request.purpose }),
    startedAt,
    durationMs: 0,
    request: recordRequest(request, context),
  };
  const record: HopRecorder['record'] = (parts) =>
    context.sink?.record({ ...base, ...parts, durationMs: context.now() - startedAt });
  return {
    shownUrl,
    record,
    fail(code, message, cause, response) {
      const shown = redactor.text(message);
      record({ response, error: { code, message: shown } });
      return new OutboundError(code, shownUrl, shown, { cause });
    },
  };
}

/**
 * One hop: check, send, read (or pass through an event stream), record. Every outcome is recorded
 * exactly once; failures are recorded with `error` and thrown as OutboundError, except the
 * caller's own abort, which is rethrown as is.
 */
async function exchange(context: Context, request: Outgoing, redirectLimit?: string): Promise<Response> {
  const { limits } = context;
  const hop = startHop(context, request);
  const { shownUrl } = hop;

  const verdict = checkUrl(request.url, context.policy);
  if (!verdict.ok) throw hop.fail(verdict.code, `Refused ${shownUrl}: ${verdict.reason}`);
  const { budget } = context;
  const overBudget = () =>
    `${budget?.label} used up its ${formatSeconds(budget?.ms ?? 0)} time budget before ${shownUrl} answered`;
  if (budget?.signal.aborted) throw hop.fail('timeout', overBudget());

  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(new TimeLimitReached()), limits.timeoutMs);
  const callerSignal = request.init.signal ?? undefined;
  const signals = [callerSignal, timer.signal, budget?.signal].filter((x): x is AbortSignal => !!x);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : timer.signal;
  /** Records and returns what to throw for an error of the underlying fetch or body read. */
  const failure = (error: unknown, phase: 'headers' | 'body', response?: ResponseRecord) => {
    if (error instanceof OutboundError) return error;
    if (callerSignal?.aborted) {
      hop.record({
        response,
        error: { code: 'aborted', message: `The caller cancelled the request to ${shownUrl}` },
      });
      return callerSignal.reason ?? error;
    }
    if (budget?.signal.aborted) return hop.fail('timeout', overBudget(), error, response);
    if (timer.signal.aborted) {
      const within = formatSeconds(limits.timeoutMs);
      const message =
        phase === 'headers'
          ? `No response from ${shownUrl} within ${within}`
          : `Response from ${shownUrl} did not finish within ${within}`;
      return hop.fail('timeout', message, error, response);
    }
    const mapped = describeNetworkError(error, shownUrl, verdict.url.host);
    return hop.fail(mapped.code, mapped.message, error, response);
  };

  let response: Response;
  try {
    response = await raceAbort(
      context.base(verdict.url.href, { ...request.init, signal, redirect: 'manual' }),
      signal,
    );
  } catch (error) {
    clearTimeout(timeout);
    throw failure(error, 'headers');
  }

  const head: ResponseHead = {
    status: response.status,
    statusText: response.statusText,
    headers: context.redactor.headers(response.headers),
  };
  const refuse = (code: OutboundErrorCode, message: string) => {
    clearTimeout(timeout);
    response.body?.cancel().catch(() => {});
    return hop.fail(code, message, undefined, { ...head, size: 0, truncated: false });
  };

  if (redirectLimit && isRedirect(response.status) && response.headers.has('location')) {
    throw refuse('redirect_limit', `${shownUrl} ${redirectLimit}`);
  }
  const contentType = response.headers.get('content-type');
  if (response.body && isEventStream(contentType)) {
    // The stream may rightly stay open for minutes: the time limit covered getting the headers.
    clearTimeout(timeout);
    const body = recordEventStream(context, hop, response.body, contentType, head, callerSignal);
    // The budget still covers the stream: it is read with the same signal.
    return rebuild(response, body, verdict.url.href);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBodyBytes) {
    throw refuse(
      'response_too_large',
      `Response from ${shownUrl} declares ${declared} bytes (Content-Length), over the ${formatBytes(limits.maxBodyBytes)} limit`,
    );
  }

  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readLimited(response.body, limits.maxBodyBytes, signal, (received) =>
      hop.fail(
        'response_too_large',
        `Response from ${shownUrl} is larger than the ${formatBytes(limits.maxBodyBytes)} limit (stopped after ${received} bytes)`,
        undefined,
        { ...head, size: received, truncated: true },
      ),
    );
  } catch (error) {
    throw failure(error, 'body', { ...head, size: 0, truncated: false });
  } finally {
    clearTimeout(timeout);
  }

  const shown = displayBody(
    bytes,
    response.headers.get('content-type'),
    context.redactor,
    limits.displayBodyChars,
  );
  hop.record({ response: { ...head, body: shown.body, size: bytes.byteLength, truncated: shown.truncated } });
  return rebuild(response, NULL_BODY_STATUSES.has(response.status) ? null : bytes, verdict.url.href);
}

/**
 * The body the caller gets for an event stream: passed through as it arrives, recorded when it
 * ends, when the caller cancels, or once the display cap is reached. A stream that breaks off is
 * recorded with an error; the caller's own abort is a normal end for a stream.
 */
function recordEventStream(
  context: Context,
  hop: HopRecorder,
  body: ReadableStream<Uint8Array>,
  contentType: string | null,
  head: ResponseHead,
  callerSignal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const { redactor, limits } = context;
  const tooLarge = (received: number) =>
    new OutboundError(
      'response_too_large',
      hop.shownUrl,
      `Event stream from ${hop.shownUrl} is larger than the ${formatBytes(limits.maxBodyBytes)} limit (stopped after ${received} bytes)`,
    );
  const record = (stream: StreamRecord) => {
    const shown = displayBody(stream.captured, contentType, redactor, limits.displayBodyChars);
    const broken = stream.error !== undefined && !callerSignal?.aborted;
    hop.record({
      response: {
        ...head,
        body: shown.body,
        size: stream.size,
        truncated: stream.truncated || shown.truncated,
      },
      error: !broken
        ? undefined
        : stream.error instanceof OutboundError
          ? { code: stream.error.code, message: redactor.text(stream.error.message) }
          : {
              code: 'unreachable',
              message: redactor.text(`Event stream from ${hop.shownUrl} broke off: ${String(stream.error)}`),
            },
    });
  };
  return recordingStream(body, limits.displayBodyChars, record, { maxBytes: limits.maxBodyBytes, tooLarge });
}

/**
 * A fresh Response with the original status and headers over the buffered (or passed-through)
 * body. `url` is kept because callers resolve relative links against it.
 */
function rebuild(original: Response, body: BodyInit | null, url: string): Response {
  const response = new Response(body, {
    status: original.status,
    statusText: original.statusText,
    headers: original.headers,
  });
  Object.defineProperty(response, 'url', { value: original.url || url });
  return response;
}

function markRedirected(response: Response): Response {
  Object.defineProperty(response, 'redirected', { value: true });
  return response;
}
