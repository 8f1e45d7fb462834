import type { LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockedAddressError } from './errors';
import {
  type AddressPolicy,
  checkUrl,
  createCheckedLookup,
  createGuardedDispatcher,
  type HostLookup,
  isBlockedAddress,
  parseAllowedHost,
  type ResolvedAddress,
} from './guard';
import { startServer, type TestServer } from './test-support';

describe('isBlockedAddress()', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private (RFC 1918)'],
    ['172.16.0.1', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'the cloud metadata service (link-local)'],
    ['169.254.1.1', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT shared space (RFC 6598)'],
    ['100.100.100.200', 'carrier-grade NAT shared space (RFC 6598)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['255.255.255.255', 'the broadcast address'],
    ['224.0.0.251', 'multicast'],
    ['192.0.0.8', 'IETF protocol assignments (RFC 6890)'],
    ['198.18.0.1', 'benchmarking (RFC 2544)'],
    ['198.19.255.255', 'benchmarking (RFC 2544)'],
    ['203.0.113.9', 'documentation (TEST-NET-3)'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local (private)'],
    ['fd00:ec2::254', 'unique-local (private)'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped 127.0.0.1, loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped 127.0.0.1, loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped 169.254.169.254, the cloud metadata service (link-local)'],
    ['::7f00:1', 'IPv4-compatible (deprecated) 127.0.0.1, loopback'],
    ['::8.8.8.8', 'IPv4-compatible (deprecated)'],
    ['64:ff9b::10.0.0.1', 'NAT64 10.0.0.1, private (RFC 1918)'],
    ['64:ff9b:1::1', 'local-use NAT64 (RFC 8215)'],
    ['2002:7f00:1::', '6to4 127.0.0.1, loopback'],
    ['2002:c0a8:101::1', '6to4 192.168.1.1, private (RFC 1918)'],
    ['2001:db8::1', 'documentation'],
    ['2001::1', 'Teredo tunnelling'],
    ['not-an-ip', 'not an IP address'],
    ['0177.0.0.1', 'not an IP address'],
    ['1::2::3', 'not an IP address'],
  ])('blocks %s (%s)', (ip, reason) => {
    expect(isBlockedAddress(ip)).toEqual({ blocked: true, reason });
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('allows public %s', (ip) => {
    expect(isBlockedAddress(ip)).toEqual({ blocked: false });
  });
});

describe('checkUrl()', () => {
  const hosted: AddressPolicy = { mode: 'hosted' };

  it.each([
    ['https://2130706433/', '127.0.0.1 is loopback'],
    ['https://0177.0.0.1/', '127.0.0.1 is loopback'],
    ['https://0x7f.1/', '127.0.0.1 is loopback'],
    ['https://127.1/', '127.0.0.1 is loopback'],
    ['https://[::ffff:127.0.0.1]/', '[::ffff:7f00:1] is IPv4-mapped 127.0.0.1, loopback'],
    ['https://[0:0:0:0:0:0:0:1]/', '[::1] is loopback'],
    [
      'https://169.254.169.254/latest/meta-data/',
      '169.254.169.254 is the cloud metadata service (link-local)',
    ],
    [
      'https://metadata.google.internal/computeMetadata/v1/',
      'metadata.google.internal is a cloud metadata host name',
    ],
    ['https://METADATA.GOOGLE.INTERNAL./', 'metadata.google.internal is a cloud metadata host name'],
    ['https://localhost:3000/', 'localhost is a localhost name'],
    ['https://app.localhost/', 'app.localhost is a localhost name'],
    ['http://example.com/', 'the hosted inspector only makes https:// requests'],
  ])('hosted refuses %s', (url, reason) => {
    expect(checkUrl(url, hosted)).toEqual({ ok: false, code: 'blocked_address', reason });
  });

  it.each([
    ['not a url', 'it is not a valid absolute URL'],
    ['/relative/path', 'it is not a valid absolute URL'],
    ['file:///etc/passwd', 'only http and https are supported, not file:'],
    ['ftp://example.com/', 'only http and https are supported, not ftp:'],
    ['https://user:pass@example.com/', 'URLs with embedded credentials are not sent'],
  ])('refuses %s as invalid in both modes', (url, reason) => {
    expect(checkUrl(url, hosted)).toEqual({ ok: false, code: 'invalid_url', reason });
    expect(checkUrl(url, { mode: 'local' })).toEqual({ ok: false, code: 'invalid_url', reason });
  });

  it('allows public https and, in local mode, anything http(s)', () => {
    expect(checkUrl('https://example.com/mcp', hosted)).toMatchObject({ ok: true });
    expect(checkUrl('http://127.0.0.1:3000/mcp', { mode: 'local' })).toMatchObject({ ok: true });
  });

  it('lets allowHosts through: a host alone is https on 443, host:port https there, http only as http://host:port', () => {
    const policy: AddressPolicy = {
      mode: 'hosted',
      allowHosts: [
        'internal.example',
        'api.internal.example:8443',
        'http://127.0.0.1:8080',
        '[::1]',
        'https://10.0.0.5:9443',
      ],
    };
    expect(checkUrl('https://INTERNAL.example/', policy)).toMatchObject({ ok: true });
    expect(checkUrl('https://internal.example:443/mcp', policy)).toMatchObject({ ok: true });
    // The entry names a port: the same address on another port is internal as ever.
    expect(checkUrl('https://10.0.0.5/', policy)).toMatchObject({ ok: false });
    expect(checkUrl('http://internal.example/', policy)).toMatchObject({
      ok: false,
      reason: 'the hosted inspector only makes https:// requests',
    });
    expect(checkUrl('https://api.internal.example:8443/', policy)).toMatchObject({ ok: true });
    expect(checkUrl('http://api.internal.example:8443/', policy)).toMatchObject({ ok: false });
    expect(checkUrl('http://127.0.0.1:8080/', policy)).toMatchObject({ ok: true });
    expect(checkUrl('https://127.0.0.1:8080/', policy)).toMatchObject({ ok: false });
    expect(checkUrl('http://127.0.0.1:8081/', policy)).toMatchObject({ ok: false });
    expect(checkUrl('https://[::1]/', policy)).toMatchObject({ ok: true });
    expect(checkUrl('https://10.0.0.5:9443/', policy)).toMatchObject({ ok: true });
  });

  it.each([
    ['internal.example', { protocol: 'https:', host: 'internal.example', port: '443' }],
    ['Internal.Example:8443', { protocol: 'https:', host: 'internal.example', port: '8443' }],
    ['http://127.0.0.1:8080', { protocol: 'http:', host: '127.0.0.1', port: '8080' }],
    ['https://[::1]', { protocol: 'https:', host: '[::1]', port: '443' }],
    ['http://internal.example', undefined],
    ['ftp://internal.example', undefined],
    ['internal.example/path', undefined],
    ['', undefined],
  ])('parseAllowedHost(%j)', (entry, expected) => {
    expect(parseAllowedHost(entry)).toEqual(expected);
  });
});

/** A resolver that gives each answer in turn and then repeats the last, counting calls. */
function scriptedLookup(...answers: ResolvedAddress[][]): HostLookup & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    return answers[Math.min(calls.length, answers.length) - 1] ?? [];
  };
  return Object.assign(lookup, { calls });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

function callLookup(lookup: HostLookup, all: boolean) {
  return new Promise<{ error: Error | null; address: string | LookupAddress[]; family?: number }>(
    (resolve) => {
      createCheckedLookup(lookup)('rebind.test', { all }, (error, address, family) =>
        resolve({ error, address, family }),
      );
    },
  );
}

describe('createCheckedLookup()', () => {
  it('hands the socket exactly the answer it checked, and refuses a rebound one', async () => {
    const lookup = scriptedLookup([v4('93.184.215.14')], [v4('127.0.0.1')]);
    expect(await callLookup(lookup, false)).toEqual({ error: null, address: '93.184.215.14', family: 4 });
    const second = await callLookup(lookup, false);
    expect(second.error).toBeInstanceOf(BlockedAddressError);
    expect(second.error?.message).toBe(
      'rebind.test resolves only to internal addresses: 127.0.0.1 (loopback)',
    );
    expect(lookup.calls).toEqual(['rebind.test', 'rebind.test']);
  });

  it('passes only the allowed addresses when net asks for all of them', async () => {
    const lookup = scriptedLookup([v4('10.0.0.7'), v4('93.184.215.14'), { address: '::1', family: 6 }]);
    expect(await callLookup(lookup, true)).toMatchObject({ error: null, address: [v4('93.184.215.14')] });
  });

  it('reports an empty answer as ENOTFOUND', async () => {
    const result = await callLookup(scriptedLookup([]), false);
    expect(result.error).toMatchObject({ code: 'ENOTFOUND', hostname: 'rebind.test' });
  });
});

describe('createGuardedDispatcher()', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => res.end('ok'));
  });
  afterAll(() => server.close());

  /** fetch through a dispatcher; resolves to the response text or the fetch error's cause. */
  async function attempt(url: string, dispatcher: Agent | ReturnType<typeof createGuardedDispatcher>) {
    try {
      const response = await fetch(url, { dispatcher, signal: AbortSignal.timeout(2000) } as RequestInit);
      return await response.text();
    } catch (error) {
      return (error as Error).cause ?? error;
    }
  }

  it('connects anywhere in local mode, through an injected resolver', async () => {
    const dispatcher = createGuardedDispatcher({ mode: 'local' }, scriptedLookup([v4('127.0.0.1')]));
    expect(await attempt(`http://app.test:${server.port}/`, dispatcher)).toBe('ok');
  });

  it('refuses a host name that resolves to loopback in hosted mode, before connecting', async () => {
    const before = server.requests.length;
    const dispatcher = createGuardedDispatcher({ mode: 'hosted' }, scriptedLookup([v4('127.0.0.1')]));
    const cause = await attempt(`http://loopback.test:${server.port}/`, dispatcher);
    expect(cause).toBeInstanceOf(BlockedAddressError);
    expect((cause as Error).message).toBe(
      'loopback.test resolves only to internal addresses: 127.0.0.1 (loopback)',
    );
    expect(server.requests.length).toBe(before);
  });

  it('refuses literal internal addresses even without the URL check', async () => {
    const dispatcher = createGuardedDispatcher({ mode: 'hosted' });
    const cause = await attempt(`${server.origin}/`, dispatcher);
    expect(cause).toBeInstanceOf(BlockedAddressError);
    expect((cause as Error).message).toBe('127.0.0.1 is loopback');
  });

  it('refuses metadata host names without resolving them', async () => {
    const lookup = scriptedLookup([v4('93.184.215.14')]);
    const cause = await attempt(
      'http://metadata.google.internal/',
      createGuardedDispatcher({ mode: 'hosted' }, lookup),
    );
    expect(cause).toBeInstanceOf(BlockedAddressError);
    expect(lookup.calls).toEqual([]);
  });

  it('lets allowHosts through, by host:port and by name', async () => {
    const byPort = createGuardedDispatcher({
      mode: 'hosted',
      allowHosts: [`http://127.0.0.1:${server.port}`],
    });
    expect(await attempt(`${server.origin}/`, byPort)).toBe('ok');
    const https = createGuardedDispatcher({ mode: 'hosted', allowHosts: [`127.0.0.1:${server.port}`] });
    expect(await attempt(`${server.origin}/`, https)).toBeInstanceOf(BlockedAddressError);
    const byName = createGuardedDispatcher(
      { mode: 'hosted', allowHosts: [`http://intranet.test:${server.port}`] },
      scriptedLookup([v4('127.0.0.1')]),
    );
    expect(await attempt(`http://intranet.test:${server.port}/`, byName)).toBe('ok');
  });

  it('pins each connection to the answer it checked (DNS rebinding: public first, then 127.0.0.1)', async () => {
    const url = `http://rebind.test:${server.port}/`;
    const before = server.requests.length;

    // Control: a check followed by a connection that resolves again reaches the loopback server.
    const naive = scriptedLookup([v4('93.184.215.14')], [v4('127.0.0.1')]);
    const [checked] = await naive('rebind.test');
    expect(isBlockedAddress(checked?.address ?? '').blocked).toBe(false);
    const naiveAgent = new Agent({
      connect: {
        lookup: (host, options, callback) =>
          void naive(host).then((answer) =>
            options.all ? callback(null, answer) : callback(null, answer[0]?.address ?? '', 4),
          ),
      },
    });
    expect(await attempt(url, naiveAgent)).toBe('ok');
    expect(server.requests.length).toBe(before + 1);
    await naiveAgent.close();

    // Guarded: the one resolution per connection is the one that is checked and used.
    const rebinding = scriptedLookup([v4('93.184.215.14')], [v4('127.0.0.1')]);
    const dispatcher = createGuardedDispatcher({ mode: 'hosted' }, rebinding);
    await attempt(url, dispatcher); // goes to the public address (refused or timing out here), not to us
    expect(rebinding.calls).toEqual(['rebind.test']);
    const second = await attempt(url, dispatcher);
    expect(second).toBeInstanceOf(BlockedAddressError);
    expect(rebinding.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(server.requests.length).toBe(before + 1);
  });
});
