/**
 * Hostile-input corpus for the traced fetch in hosted mode: every SSRF spelling, hostile servers
 * (huge, slow, looping, bloated headers) and a wrong content type. Each failure must come back as
 * an OutboundError with a clear code and message, be recorded, and leave the same traced fetch
 * able to serve a normal request right after.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboundError, type OutboundErrorCode } from './errors';
import type { HostLookup } from './guard';
import { MemorySink, startServer, type TestServer } from './test-support';
import { createTracedFetch, type TracedFetch, withPurpose } from './traced-fetch';

const MB = 1024 * 1024;

/** Fake DNS: these names resolve to internal addresses; anything else does not exist. */
const lookup: HostLookup = async (hostname) => {
  const answers: Record<string, { address: string; family: number }[]> = {
    'loopback.test': [{ address: '127.0.0.1', family: 4 }],
    'mapped.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
    'internal.test': [{ address: '10.0.0.5', family: 4 }],
    'metadata-alias.test': [{ address: '169.254.169.254', family: 4 }],
  };
  return answers[hostname] ?? [];
};

/** Streams `total` bytes, respecting backpressure, and reports how many were written before close. */
function streamBytes(res: ServerResponse, total: number, declare: boolean, onClose: (sent: number) => void) {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    ...(declare ? { 'content-length': String(total) } : {}),
  });
  const chunk = Buffer.alloc(64 * 1024, 97);
  let sent = 0;
  res.on('close', () => onClose(sent));
  const write = () => {
    while (sent < total) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', write);
        return;
      }
    }
    res.end();
  };
  write();
}

let server: TestServer;
let closedPort: number;
let traced: TracedFetch;
const sink = new MemorySink();
const hugeSent: number[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = req.url ?? '/';
    if (path === '/ok') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (path === '/huge') {
      streamBytes(res, 50 * MB, false, (sent) => hugeSent.push(sent));
    } else if (path === '/huge-declared') {
      streamBytes(res, 50 * MB, true, (sent) => hugeSent.push(sent));
    } else if (path === '/trickle') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.flushHeaders();
      const timer = setInterval(() => res.write('x'), 200);
      res.on('close', () => clearInterval(timer));
    } else if (path === '/hang') {
      // Never answers.
    } else if (path === '/loop/a' || path === '/loop/b') {
      res.writeHead(302, { location: path === '/loop/a' ? '/loop/b' : '/loop/a' });
      res.end();
    } else if (path === '/big-headers') {
      res.writeHead(200, { 'x-padding': 'a'.repeat(100_000) });
      res.end('hi');
    } else if (path === '/html') {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('<!doctype html><title>502 Bad Gateway</title><h1>Bad Gateway</h1>');
    } else if (path.startsWith('/redirect?to=')) {
      res.writeHead(302, { location: decodeURIComponent(path.slice('/redirect?to='.length)) });
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const closed = await startServer(() => {});
  closedPort = closed.port;
  await closed.close();

  traced = createTracedFetch({
    stepId: 'probe',
    sink,
    idPrefix: 'h',
    // The test servers are on loopback; allowHosts is the hosted deployment's explicit escape hatch.
    policy: {
      mode: 'hosted',
      allowHosts: [`http://127.0.0.1:${server.port}`, `http://127.0.0.1:${closedPort}`],
    },
    lookup,
    limits: { timeoutMs: 1000 },
  });
});

afterAll(() => server.close());

async function expectStillServes() {
  const response = await traced(`${server.origin}/ok`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ ok: true });
}

const via = (to: string) => `ORIGIN/redirect?to=${encodeURIComponent(to)}`;

const cases: [name: string, url: string, code: OutboundErrorCode, message: RegExp][] = [
  [
    'decimal IPv4',
    'https://2130706433/',
    'blocked_address',
    /^Refused https:\/\/127\.0\.0\.1\/: 127\.0\.0\.1 is loopback$/,
  ],
  ['octal IPv4', 'https://0177.0.0.1/', 'blocked_address', /127\.0\.0\.1 is loopback$/],
  ['hex IPv4', 'https://0x7f.1/', 'blocked_address', /127\.0\.0\.1 is loopback$/],
  ['short IPv4', 'https://127.1/', 'blocked_address', /127\.0\.0\.1 is loopback$/],
  ['IPv6 loopback', 'https://[::1]/', 'blocked_address', /\[::1\] is loopback$/],
  [
    'IPv4-mapped IPv6',
    'https://[::ffff:127.0.0.1]/',
    'blocked_address',
    /IPv4-mapped 127\.0\.0\.1, loopback$/,
  ],
  [
    'IPv4-mapped IPv6, hex',
    'https://[::ffff:7f00:1]/',
    'blocked_address',
    /IPv4-mapped 127\.0\.0\.1, loopback$/,
  ],
  [
    'link-local metadata',
    'https://169.254.169.254/latest/meta-data/',
    'blocked_address',
    /cloud metadata service/,
  ],
  [
    'metadata host name',
    'https://metadata.google.internal/computeMetadata/v1/',
    'blocked_address',
    /cloud metadata host name/,
  ],
  ['CGNAT', 'https://100.64.0.1/', 'blocked_address', /carrier-grade NAT/],
  ['unique-local IPv6', 'https://[fd00::1]/', 'blocked_address', /unique-local/],
  ['link-local IPv6', 'https://[fe80::1]/', 'blocked_address', /link-local$/],
  ['unspecified 0.0.0.0', 'https://0.0.0.0/', 'blocked_address', /unspecified/],
  ['unspecified IPv6', 'https://[::]/', 'blocked_address', /\[::\] is unspecified$/],
  ['private 10/8', 'https://10.0.0.1/', 'blocked_address', /private \(RFC 1918\)/],
  ['private 172.16/12', 'https://172.16.5.4/', 'blocked_address', /private \(RFC 1918\)/],
  ['private 192.168/16', 'https://192.168.1.1/', 'blocked_address', /private \(RFC 1918\)/],
  ['NAT64 of loopback', 'https://[64:ff9b::7f00:1]/', 'blocked_address', /NAT64 127\.0\.0\.1, loopback$/],
  [
    '6to4 of metadata',
    'https://[2002:a9fe:a9fe::]/',
    'blocked_address',
    /6to4 169\.254\.169\.254, the cloud metadata/,
  ],
  ['localhost by name', 'https://localhost:8443/', 'blocked_address', /localhost is a localhost name$/],
  [
    'name resolving to loopback',
    'https://loopback.test/',
    'blocked_address',
    /^Refused https:\/\/loopback\.test\/: loopback\.test resolves only to internal addresses: 127\.0\.0\.1 \(loopback\)/,
  ],
  [
    'name resolving to IPv4-mapped loopback',
    'https://mapped.test/',
    'blocked_address',
    /::ffff:127\.0\.0\.1 \(IPv4-mapped/,
  ],
  [
    'name resolving to the metadata address',
    'https://metadata-alias.test/',
    'blocked_address',
    /169\.254\.169\.254/,
  ],
  [
    'redirect to a private literal',
    via('https://10.0.0.8/admin'),
    'blocked_address',
    /Refused https:\/\/10\.0\.0\.8\/admin/,
  ],
  [
    'redirect to a name resolving privately',
    via('https://internal.test/'),
    'blocked_address',
    /10\.0\.0\.5 \(private/,
  ],
  [
    'redirect to loopback over http',
    via('http://127.0.0.1:1/'),
    'blocked_address',
    /only makes https:\/\/ requests/,
  ],
  ['http:// in hosted mode', 'http://example.com/', 'blocked_address', /only makes https:\/\/ requests/],
  ['unknown host', 'https://missing.test/', 'unreachable', /Host name missing\.test not found \(ENOTFOUND\)/],
  ['refused connection', 'CLOSED/', 'unreachable', /Connection refused by 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/],
  ['not a URL', 'not a url', 'invalid_url', /it is not a valid absolute URL/],
  [
    'javascript: URL',
    'javascript:alert(1)',
    'invalid_url',
    /only http and https are supported, not javascript:/,
  ],
  ['file: URL', 'file:///etc/passwd', 'invalid_url', /not file:/],
  ['credentials in URL', 'https://admin:hunter2@example.com/', 'invalid_url', /embedded credentials/],
  [
    '50 MB streamed body',
    'ORIGIN/huge',
    'response_too_large',
    /larger than the 1 MiB limit \(stopped after \d+ bytes\)/,
  ],
  [
    '50 MB declared body',
    'ORIGIN/huge-declared',
    'response_too_large',
    /declares 52428800 bytes \(Content-Length\)/,
  ],
  [
    'slow trickle',
    'ORIGIN/trickle',
    'timeout',
    /^Response from http:\/\/127\.0\.0\.1:\d+\/trickle did not finish within 1 s$/,
  ],
  [
    'no answer at all',
    'ORIGIN/hang',
    'timeout',
    /^No response from http:\/\/127\.0\.0\.1:\d+\/hang within 1 s$/,
  ],
  ['redirect loop', 'ORIGIN/loop/a', 'redirect_limit', /redirected more than 5 times$/],
  [
    'enormous response headers',
    'ORIGIN/big-headers',
    'response_too_large',
    /Response headers from .* exceed the 16 KiB limit/,
  ],
];

describe('traced fetch, hosted mode, hostile inputs', () => {
  it.each(cases)('%s → %s', async (_name, template, code, message) => {
    const url = template.replace('ORIGIN', server.origin).replace('CLOSED', `http://127.0.0.1:${closedPort}`);
    const error = await traced(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect(sink.last?.error).toEqual({ code, message: (error as Error).message });
    await expectStillServes();
  });

  it('stops a 50 MB body early: the server is cut off and memory stays bounded', async () => {
    const before = process.memoryUsage();
    hugeSent.length = 0;
    await expect(traced(`${server.origin}/huge`)).rejects.toMatchObject({ code: 'response_too_large' });
    await expect.poll(() => hugeSent.length).toBe(1);
    const after = process.memoryUsage();
    // Socket buffers let a few MB through before the close arrives; the full 50 MB never does.
    expect(hugeSent[0]).toBeLessThan(12 * MB);
    const grown = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
    expect(grown).toBeLessThan(24 * MB);
    expect(sink.last?.response?.size).toBeLessThanOrEqual(MB + 64 * 1024);
    await expectStillServes();
  });

  it('records every hop of a redirect to a private address, the refused one last', async () => {
    const start = sink.exchanges.length;
    await traced(`${server.origin}/redirect?to=${encodeURIComponent('https://internal.test/secrets')}`).catch(
      () => {},
    );
    expect(
      sink.exchanges.slice(start).map((e) => [e.request.url, e.response?.status, e.error?.code]),
    ).toEqual([
      [`${server.origin}/redirect?to=https%3A%2F%2Finternal.test%2Fsecrets`, 302, undefined],
      ['https://internal.test/secrets', undefined, 'blocked_address'],
    ]);
  });

  it('records HTML served where JSON was expected, and hands it back unchanged', async () => {
    const response = await traced(
      `${server.origin}/html`,
      withPurpose(undefined, 'RFC 9728 §3 — resource metadata'),
    );
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.clone().json()).rejects.toThrow(SyntaxError);
    expect(await response.text()).toContain('<h1>Bad Gateway</h1>');
    expect(sink.last).toMatchObject({
      purpose: 'RFC 9728 §3 — resource metadata',
      response: {
        status: 502,
        body: '<!doctype html><title>502 Bad Gateway</title><h1>Bad Gateway</h1>',
        truncated: false,
      },
    });
    expect(sink.last?.error).toBeUndefined();
  });
});
