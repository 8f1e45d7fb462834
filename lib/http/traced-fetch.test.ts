import { describe, expect, it } from 'vitest';
import { OutboundError } from './errors';
import { Redactor, redactValue } from './redact';
import { MemorySink, startServer } from './test-support';
import { createTracedFetch, PURPOSE_HEADER, type TracedFetchOptions, withPurpose } from './traced-fetch';
import type { FetchLike } from './types';

const TOKEN = 'at_0123456789abcdefghijklmnopqrstuvwxyz';

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
  redirect: RequestRedirect | undefined;
}

/** A fake network: answers from a route table, keeps what was sent. */
function fakeNetwork(route: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const sent: Sent[] = [];
  const base: FetchLike = async (input, init = {}) => {
    const url = String(input);
    const body = init.body;
    sent.push({
      url,
      method: init.method ?? 'GET',
      headers: new Headers(init.headers),
      body: typeof body === 'string' || body instanceof URLSearchParams ? String(body) : undefined,
      redirect: init.redirect,
    });
    return route(url, init);
  };
  return { base, sent };
}

function json(value: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(value), {
    ...init,
    headers: { 'content-type': 'application/json', ...init.headers },
  });
}

function setup(route: Parameters<typeof fakeNetwork>[0], options: Partial<TracedFetchOptions> = {}) {
  const network = fakeNetwork(route);
  const sink = new MemorySink();
  let clock = 1_000;
  const fetch = createTracedFetch({
    stepId: 'prm',
    sink,
    base: network.base,
    idPrefix: 'x',
    now: () => (clock += 5),
    ...options,
  });
  return { fetch, sink, sent: network.sent };
}

describe('createTracedFetch() w/ a JSON response', () => {
  it('returns a Response that behaves like the original and records a redacted exchange', async () => {
    const { fetch, sink, sent } = setup(() =>
      json(
        { access_token: TOKEN, token_type: 'Bearer' },
        { status: 201, statusText: 'Created', headers: { etag: '"1"' } },
      ),
    );
    const response = await fetch(
      'https://as.example/token',
      withPurpose(
        {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
          body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: TOKEN }),
        },
        'RFC 6749 §6 — refresh',
      ),
    );

    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Created');
    expect(response.headers.get('etag')).toBe('"1"');
    expect(response.url).toBe('https://as.example/token');
    expect(await response.json()).toEqual({ access_token: TOKEN, token_type: 'Bearer' });
    expect(response.bodyUsed).toBe(true);

    expect(sent[0]?.headers.has(PURPOSE_HEADER)).toBe(false);
    expect(sent[0]?.redirect).toBe('manual');
    expect(sink.exchanges).toEqual([
      {
        id: 'x1',
        stepId: 'prm',
        purpose: 'RFC 6749 §6 — refresh',
        startedAt: 1_005,
        durationMs: 5,
        request: {
          method: 'POST',
          url: 'https://as.example/token',
          headers: {
            authorization: `Bearer ${redactValue(TOKEN)}`,
            'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
          },
          body: `grant_type=refresh_token&refresh_token=${redactValue(TOKEN)}`,
        },
        response: {
          status: 201,
          statusText: 'Created',
          headers: { 'content-type': 'application/json', etag: '"1"' },
          body: `{\n  "access_token": "${redactValue(TOKEN)}",\n  "token_type": "Bearer"\n}`,
          size: JSON.stringify({ access_token: TOKEN, token_type: 'Bearer' }).length,
          truncated: false,
        },
      },
    ]);
  });

  it('numbers exchanges uniquely and keeps a random prefix by default', async () => {
    const { fetch, sink } = setup(() => new Response('ok'), { idPrefix: undefined });
    await fetch('https://h.example/a');
    await fetch('https://h.example/b');
    const [a, b] = sink.exchanges.map((e) => e.id);
    expect(a).toMatch(/^prm-[0-9a-f]{8}-1$/);
    expect(b).toBe(a?.replace(/1$/, '2'));
  });

  it('caps the recorded body for display, after redaction, and says so', async () => {
    const big = { items: Array.from({ length: 200 }, (_, i) => ({ i, code: `code-${i}-abcdefghijklmnop` })) };
    const { fetch, sink } = setup(() => json(big), { limits: { displayBodyChars: 500 } });
    const response = await fetch('https://h.example/big');
    expect((await response.json()).items).toHaveLength(200);
    expect(sink.last?.response?.body).toHaveLength(500);
    expect(sink.last?.response?.body).not.toContain('abcdefghijklmnop');
    expect(sink.last?.response?.truncated).toBe(true);
  });

  it('records non-JSON and binary bodies sensibly', async () => {
    const { fetch, sink } = setup((url) =>
      url.endsWith('png')
        ? new Response(new Uint8Array([137, 80, 78, 71]), { headers: { 'content-type': 'image/png' } })
        : new Response('<h1>Not JSON</h1>', { headers: { 'content-type': 'application/json' } }),
    );
    await fetch('https://h.example/x.png');
    expect(sink.last?.response?.body).toBe('[binary 4 bytes]');
    await fetch('https://h.example/x.json');
    expect(sink.last?.response?.body).toBe('<h1>Not JSON</h1>');
  });

  it('passes null-body statuses through', async () => {
    const { fetch, sink } = setup(() => new Response(null, { status: 204 }));
    const response = await fetch('https://h.example/', { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(sink.last?.response).toMatchObject({ status: 204, size: 0 });
    expect(sink.last?.response?.body).toBeUndefined();
  });
});

describe('createTracedFetch() request recording', () => {
  it('accepts a Request and records its method, headers and body', async () => {
    const { fetch, sink, sent } = setup(() => json({ ok: true }));
    const request = new Request('https://mcp.example/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2025-11-25' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { password: 'hunter2' } }),
    });
    await fetch(request);
    expect(sent[0]?.method).toBe('POST');
    expect(JSON.parse(sent[0]?.body ?? '')).toMatchObject({ method: 'initialize' });
    expect(sink.last?.request).toMatchObject({
      method: 'POST',
      url: 'https://mcp.example/mcp',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2025-11-25' },
    });
    expect(sink.last?.request.body).toContain('"password": "•••• (7 chars)"');
  });

  it('records binary and other bodies by size only', async () => {
    const { fetch, sink } = setup(() => new Response('ok'));
    await fetch('https://h.example/', { method: 'PUT', body: new Uint8Array(10) });
    expect(sink.last?.request.body).toBe('[binary 10 bytes]');
    await fetch('https://h.example/', { method: 'PUT', body: new Blob(['abc']) });
    expect(sink.last?.request.body).toBe('[binary 3 bytes]');
  });

  it('scrubs registered secrets from URLs, bodies and error messages', async () => {
    const secret = 'registered-secret-value-123';
    const redactor = new Redactor([secret]);
    const { fetch, sink } = setup(
      () => {
        throw new TypeError('fetch failed', { cause: new Error(`bad thing near ${secret}`) });
      },
      { redactor },
    );
    const error = await fetch(`https://h.example/cb/${secret}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    const serialised = JSON.stringify([
      sink.exchanges,
      (error as Error).message,
      (error as OutboundError).url,
    ]);
    expect(serialised).not.toContain(secret);
    expect(serialised).toContain(redactValue(secret));
  });
});

describe('createTracedFetch() w/ redirects', () => {
  it('follows hop by hop by default, recording each hop, 303 turning POST into GET', async () => {
    const { fetch, sink, sent } = setup((url) => {
      if (url === 'https://a.example/start')
        return new Response(null, { status: 303, headers: { location: '/next' } });
      if (url === 'https://a.example/next')
        return new Response(null, { status: 307, headers: { location: 'https://b.example/final' } });
      return json({ done: true });
    });
    const response = await fetch('https://a.example/start', {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await response.json()).toEqual({ done: true });
    expect(response.redirected).toBe(true);
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST https://a.example/start',
      'GET https://a.example/next',
      'GET https://b.example/final',
    ]);
    expect(sent[1]?.body).toBeUndefined();
    expect(sent[1]?.headers.has('content-type')).toBe(false);
    expect(sent[1]?.headers.has('authorization')).toBe(true);
    // Credentials stay with their origin.
    expect(sent[2]?.headers.has('authorization')).toBe(false);
    expect(sink.exchanges.map((e) => [e.id, e.response?.status])).toEqual([
      ['x1', 303],
      ['x2', 307],
      ['x3', 200],
    ]);
  });

  it("passes a 3xx through untouched with redirect: 'manual'", async () => {
    const { fetch, sink } = setup(
      () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }),
    );
    const response = await fetch('https://as.example/authorize', { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://evil.example/');
    expect(sink.exchanges).toHaveLength(1);
  });

  it("refuses to follow with redirect: 'error'", async () => {
    const { fetch, sink } = setup(() => new Response(null, { status: 301, headers: { location: '/x' } }));
    await expect(fetch('https://h.example/', { redirect: 'error' })).rejects.toMatchObject({
      code: 'redirect_limit',
      message: "https://h.example/ was redirected, and the request said redirect: 'error'",
    });
    expect(sink.last?.error?.code).toBe('redirect_limit');
    expect(sink.last?.response?.status).toBe(301);
  });

  it('re-checks every hop against the policy', async () => {
    const { fetch, sink, sent } = setup(
      () =>
        new Response(null, {
          status: 302,
          headers: { location: 'https://169.254.169.254/latest/meta-data/' },
        }),
      { policy: { mode: 'hosted' } },
    );
    await expect(fetch('https://public.example/')).rejects.toMatchObject({ code: 'blocked_address' });
    expect(sent).toHaveLength(1);
    expect(sink.exchanges.map((e) => e.error?.code)).toEqual([undefined, 'blocked_address']);
    expect(sink.last?.request.url).toBe('https://169.254.169.254/latest/meta-data/');
  });
});

describe('createTracedFetch() limits and failures', () => {
  it('refuses before sending when the policy says no', async () => {
    const { fetch, sink, sent } = setup(() => new Response('never'));
    await expect(fetch('http://public.example/')).rejects.toMatchObject({
      name: 'OutboundError',
      code: 'blocked_address',
      url: 'http://public.example/',
      message: 'Refused http://public.example/: the hosted inspector only makes https:// requests',
    });
    expect(sent).toHaveLength(0);
    expect(sink.last).toMatchObject({
      request: { url: 'http://public.example/' },
      error: { code: 'blocked_address' },
    });
  });

  it('times out a base that never answers, naming the URL and the limit', async () => {
    const { fetch, sink } = setup(() => new Promise<Response>(() => {}), { limits: { timeoutMs: 100 } });
    await expect(fetch('https://slow.example/x')).rejects.toMatchObject({
      code: 'timeout',
      message: 'No response from https://slow.example/x within 0.1 s',
    });
    expect(sink.last?.error?.code).toBe('timeout');
  });

  it("rethrows the caller's abort as is and records it", async () => {
    const { fetch, sink } = setup(() => new Promise<Response>(() => {}));
    const controller = new AbortController();
    const pending = fetch('https://slow.example/x', { signal: controller.signal });
    controller.abort(new DOMException('user left', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', message: 'user left' });
    expect(sink.last?.error).toEqual({
      code: 'aborted',
      message: 'The caller cancelled the request to https://slow.example/x',
    });
  });

  it('fails early on a Content-Length over the limit', async () => {
    const { fetch, sink } = setup(
      () => new Response('x'.repeat(2048), { headers: { 'content-length': '2048' } }),
      {
        limits: { maxBodyBytes: 1024 },
      },
    );
    await expect(fetch('https://h.example/big')).rejects.toMatchObject({
      code: 'response_too_large',
      message:
        'Response from https://h.example/big declares 2048 bytes (Content-Length), over the 1 KiB limit',
    });
    expect(sink.last?.response?.status).toBe(200);
  });

  it('counts streamed bytes and stops past the limit', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(512));
      },
    });
    const { fetch, sink } = setup(() => new Response(endless), { limits: { maxBodyBytes: 2048 } });
    await expect(fetch('https://h.example/endless')).rejects.toMatchObject({
      code: 'response_too_large',
      message:
        'Response from https://h.example/endless is larger than the 2 KiB limit (stopped after 2560 bytes)',
    });
    expect(pulled).toBeLessThan(10);
    expect(sink.last?.response).toMatchObject({ size: 2560, truncated: true });
  });

  it.each([
    [
      'ECONNREFUSED',
      'unreachable',
      'Connection refused by h.example (ECONNREFUSED): nothing listens at https://h.example/',
    ],
    ['ENOTFOUND', 'unreachable', 'Host name h.example not found (ENOTFOUND) for https://h.example/'],
    [
      'ECONNRESET',
      'unreachable',
      'Connection to h.example was reset (ECONNRESET) while requesting https://h.example/',
    ],
    [
      'CERT_HAS_EXPIRED',
      'unreachable',
      'TLS with h.example failed (CERT_HAS_EXPIRED): boom for https://h.example/',
    ],
    [
      'UND_ERR_CONNECT_TIMEOUT',
      'timeout',
      'Could not connect to h.example in time (UND_ERR_CONNECT_TIMEOUT) for https://h.example/',
    ],
  ])('maps %s to %s', async (code, expected, message) => {
    const cause = Object.assign(new Error('boom'), { code });
    const { fetch } = setup(() => {
      throw new TypeError('fetch failed', { cause });
    });
    const error = await fetch('https://h.example/').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OutboundError', code: expected, message });
    expect((error as Error).cause).toMatchObject({ message: 'fetch failed', cause });
  });

  it("maps fetch's bad-port refusal to invalid_url", async () => {
    const { fetch } = setup(() => {
      throw new TypeError('fetch failed', { cause: new Error('bad port') });
    });
    await expect(fetch('https://h.example:6000/')).rejects.toMatchObject({
      code: 'invalid_url',
      message: 'fetch refuses the port of https://h.example:6000/ (a "bad port" in the Fetch standard)',
    });
  });
});

describe('createTracedFetch() w/ text/event-stream', () => {
  const encoder = new TextEncoder();

  /** A server-sent event stream under test control. */
  function eventSource() {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
      cancel() {
        cancelled = true;
      },
    });
    return {
      stream,
      send: (text: string) => controller.enqueue(encoder.encode(text)),
      end: () => controller.close(),
      get cancelled() {
        return cancelled;
      },
    };
  }

  const sse = (stream: ReadableStream<Uint8Array>) =>
    new Response(stream, { headers: { 'content-type': 'text/event-stream' } });

  it('returns at once and records when the stream ends', async () => {
    const source = eventSource();
    const { fetch, sink } = setup(() => sse(source.stream));
    const response = await fetch('https://mcp.example/mcp', { method: 'POST', body: '{}' });
    expect(sink.exchanges).toHaveLength(0);

    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const event = 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{}}\n\n';
    source.send(event);
    expect((await reader.read()).value).toContain('"result"');
    source.end();
    expect((await reader.read()).done).toBe(true);

    expect(sink.last?.response).toMatchObject({
      status: 200,
      body: event,
      truncated: false,
      size: event.length,
    });
  });

  it('records an endless stream once the cap is reached, then stops copying', async () => {
    const source = eventSource();
    const { fetch, sink } = setup(() => sse(source.stream), { limits: { displayBodyChars: 100 } });
    const response = await fetch('https://mcp.example/mcp');
    const reader = response.body!.getReader();
    const event = `data: ${'x'.repeat(44)}\n\n`; // 52 bytes
    for (let i = 0; i < 50; i++) {
      source.send(event);
      await reader.read();
    }
    expect(sink.exchanges).toHaveLength(1);
    expect(sink.last?.response).toMatchObject({ truncated: true, size: 104 });
    expect(sink.last?.response?.body).toHaveLength(100);
    await reader.cancel();
    expect(source.cancelled).toBe(true);
    expect(sink.exchanges).toHaveLength(1);
  });

  it('records what was received when the caller cancels, and closes the source', async () => {
    const source = eventSource();
    const { fetch, sink } = setup(() => sse(source.stream));
    const response = await fetch('https://mcp.example/mcp');
    const reader = response.body!.getReader();
    source.send('data: {"access_token":"abcdefgh"}\n\n');
    await reader.read();
    await reader.cancel();
    expect(source.cancelled).toBe(true);
    expect(sink.last?.response?.body).toBe('data: {"access_token":"•••• (8 chars)"}\n\n');
    expect(sink.last?.error).toBeUndefined();
  });

  it('records a stream that breaks off with an error', async () => {
    let fail!: (reason: unknown) => void;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('data: one\n\n'));
        fail = (reason) => controller.error(reason);
      },
    });
    const { fetch, sink } = setup(() => sse(stream));
    const reader = (await fetch('https://mcp.example/mcp')).body!.getReader();
    await reader.read();
    fail(new Error('socket hang up'));
    await expect(reader.read()).rejects.toThrow('socket hang up');
    expect(sink.last).toMatchObject({
      response: { body: 'data: one\n\n', size: 11 },
      error: {
        code: 'unreachable',
        message: 'Event stream from https://mcp.example/mcp broke off: Error: socket hang up',
      },
    });
  });

  it('is not subject to the request time limit once the headers are in', async () => {
    const source = eventSource();
    const { fetch } = setup(() => sse(source.stream), { limits: { timeoutMs: 50 } });
    const response = await fetch('https://mcp.example/mcp');
    const reader = response.body!.getReader();
    await new Promise((resolve) => setTimeout(resolve, 120));
    source.send('data: late\n\n');
    expect((await reader.read()).done).toBe(false);
  });
});

describe('createTracedFetch() w/ the default base (global fetch over the guarded dispatcher)', () => {
  it('reaches a loopback server in local mode and refuses it in hosted mode', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"resource":"https://mcp.example"}');
    });
    try {
      const sink = new MemorySink();
      const local = createTracedFetch({ stepId: 'prm', sink, policy: { mode: 'local' } });
      const response = await local(`${server.origin}/.well-known/oauth-protected-resource`);
      expect(await response.json()).toEqual({ resource: 'https://mcp.example' });
      expect(response.url).toBe(`${server.origin}/.well-known/oauth-protected-resource`);
      expect(sink.last?.response?.body).toBe('{\n  "resource": "https://mcp.example"\n}');

      const hosted = createTracedFetch({ stepId: 'prm', sink });
      await expect(hosted(`${server.origin}/`)).rejects.toMatchObject({ code: 'blocked_address' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
