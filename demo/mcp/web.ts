/**
 * node:http ↔ Fetch API glue for the v2 MCP SDK, whose HTTP entry points take a web `Request` and answer a
 * web `Response` (`@modelcontextprotocol/node` would do this too; the demo needs only these two functions).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A web `Request` for a node request whose body was already read. `headers` overrides (or, with `null`,
 * removes) request headers. The request's signal aborts when the client goes away before the answer ends,
 * which the SDK treats as cancellation.
 */
export function toWebRequest(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer | undefined,
  headers: Record<string, string | null> = {},
): Request {
  const merged = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) merged.append(name, one);
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) merged.delete(name);
    else merged.set(name, value);
  }
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborted.abort();
  });
  const method = req.method ?? 'GET';
  return new Request(url, {
    method,
    headers: merged,
    body: method === 'GET' || method === 'HEAD' ? undefined : new Uint8Array(body ?? Buffer.alloc(0)),
    signal: aborted.signal,
  });
}

/** Writes a web `Response` to a node response, streaming the body (SSE answers stay open until they end). */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  // An SSE answer may stay silent for a while (a session's GET stream until its first keep-alive): send the
  // status and headers now, not with the first chunk.
  res.flushHeaders();
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
    }
  } catch {
    // the client went away, or the stream was cancelled: nothing left to send
  } finally {
    res.off('close', stop);
    res.end();
  }
}
