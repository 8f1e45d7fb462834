import type { FetchLike } from '../../http/types';

export type Handler = (req: {
  url: string;
  method: string;
  headers: Headers;
  body?: string;
}) => Response | Promise<Response>;

/**
 * A base fetch answering canned responses per "METHOD URL" (or just "URL" for any method); anything
 * else is a 404. Records every request it saw.
 */
export function routes(table: Record<string, Handler | Response | (() => never)>) {
  const seen: Array<{ method: string; url: string; headers: Headers; body?: string }> = [];
  const fetch: FetchLike = async (input, init) => {
    const url = String(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === 'string' ? init.body : init?.body ? String(init.body) : undefined;
    const req = { url, method, headers, ...(body !== undefined ? { body } : {}) };
    seen.push(req);
    const h = table[`${method} ${url}`] ?? table[url];
    if (!h) return new Response('not found', { status: 404, headers: { 'content-type': 'text/plain' } });
    return typeof h === 'function' ? h(req) : h.clone();
  };
  return { fetch, seen };
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A network failure the way Node's fetch reports it. */
export function refused(): never {
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  throw new TypeError('fetch failed', { cause });
}
