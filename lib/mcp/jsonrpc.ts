/**
 * Reading JSON-RPC messages out of HTTP bodies: one reader for every answer the inspector reads
 * itself (the probe, the audit, negotiation's rejections), so they agree on what a body says.
 * A leaf module: no other MCP code is imported here.
 */
import { eventStreamData, isEventStream, looksLikeEventStream } from '../http/content-type';

/** A JSON-RPC error object as a body carried it (fields unchecked: the judges check them). */
export interface JsonRpcErrorShape {
  code: unknown;
  message: unknown;
  data: unknown;
}

/**
 * The first JSON-RPC message a body carries, for every hand-made request and every answer the
 * inspector reads itself: a JSON object, the first of a batch, or the first event of an event stream
 * (by content type, or by SSE framing whatever the type says) whose data is one. `jsonrpc` is not
 * required here (a missing one is for the judges to name, not a reason to miss the error); see
 * `isJsonRpc`.
 */
export function jsonRpcMessageIn(
  body: string,
  contentType: string | null,
): Record<string, unknown> | undefined {
  const candidates =
    isEventStream(contentType) || looksLikeEventStream(body) ? eventStreamData(body) : [body];
  for (const text of candidates) {
    const message = firstObject(text);
    if (message) return message;
  }
  return undefined;
}

/** The JSON-RPC error in a body (see jsonRpcMessageIn), if its first message is an error. */
export function jsonRpcErrorIn(body: string, contentType: string | null): JsonRpcErrorShape | undefined {
  const error = jsonRpcMessageIn(body, contentType)?.error;
  if (!error || typeof error !== 'object' || Array.isArray(error)) return undefined;
  const e = error as Record<string, unknown>;
  return { code: e.code, message: e.message, data: e.data };
}

/** A message that says it is JSON-RPC 2.0. */
export function isJsonRpc(message: Record<string, unknown> | undefined): boolean {
  return message?.jsonrpc === '2.0';
}

function firstObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const first = Array.isArray(value) ? value[0] : value;
  return first && typeof first === 'object' && !Array.isArray(first)
    ? (first as Record<string, unknown>)
    : undefined;
}
