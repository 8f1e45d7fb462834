import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
import { BlockedAddressError } from './errors';
import {
  embeddedIPv4,
  formatIPv4,
  type IPv4,
  type IPv6,
  inIPv4Range,
  inIPv6Range,
  parseIPv4,
  parseIPv6,
} from './ip-address';

/**
 * Where outbound requests may go. Local mode (development, `npm run demo`) allows everything so
 * people can inspect servers on their own machine; hosted mode serves strangers and must not become
 * a proxy into its own network.
 */
export type AddressPolicy = { mode: 'local' } | { mode: 'hosted'; allowHosts?: string[] };

export interface AddressVerdict {
  blocked: boolean;
  reason?: string;
}

interface IPv4Rule {
  start: IPv4;
  prefix: number;
  reason: string;
}

/** Parses a rule's base once, at module load; a typo in the table fails loudly. */
function ipv4Rule(base: string, prefix: number, reason: string): IPv4Rule {
  const start = parseIPv4(base);
  if (start === undefined) throw new Error(`bad IPv4 rule ${base}`);
  return { start, prefix, reason };
}

/** IPv4 ranges that are not the public internet. More specific entries come first for better reasons. */
const IPV4_RULES: readonly IPv4Rule[] = [
  ipv4Rule('169.254.169.254', 32, 'the cloud metadata service (link-local)'),
  ipv4Rule('255.255.255.255', 32, 'the broadcast address'),
  ipv4Rule('0.0.0.0', 8, 'unspecified ("this network")'),
  ipv4Rule('10.0.0.0', 8, 'private (RFC 1918)'),
  ipv4Rule('100.64.0.0', 10, 'carrier-grade NAT shared space (RFC 6598)'),
  ipv4Rule('127.0.0.0', 8, 'loopback'),
  ipv4Rule('169.254.0.0', 16, 'link-local'),
  ipv4Rule('172.16.0.0', 12, 'private (RFC 1918)'),
  ipv4Rule('192.0.0.0', 24, 'IETF protocol assignments (RFC 6890)'),
  ipv4Rule('192.0.2.0', 24, 'documentation (TEST-NET-1)'),
  ipv4Rule('192.88.99.0', 24, '6to4 relay anycast (deprecated)'),
  ipv4Rule('192.168.0.0', 16, 'private (RFC 1918)'),
  ipv4Rule('198.18.0.0', 15, 'benchmarking (RFC 2544)'),
  ipv4Rule('198.51.100.0', 24, 'documentation (TEST-NET-2)'),
  ipv4Rule('203.0.113.0', 24, 'documentation (TEST-NET-3)'),
  ipv4Rule('224.0.0.0', 4, 'multicast'),
  ipv4Rule('240.0.0.0', 4, 'reserved'),
];

interface IPv6Rule {
  base: IPv6;
  prefix: number;
  reason: string;
  /**
   * For forms that carry the IPv4 address the packet really goes to (mapped, compatible, NAT64,
   * 6to4): where it sits, and whether a public one is fine.
   */
  embedded?: { at: number; publicAllowed: boolean };
}

function ipv6Rule(base: string, prefix: number, reason: string, embedded?: IPv6Rule['embedded']): IPv6Rule {
  const groups = parseIPv6(base);
  if (!groups) throw new Error(`bad IPv6 rule ${base}`);
  return { base: groups, prefix, reason, embedded };
}

const IPV6_RULES: readonly IPv6Rule[] = [
  ipv6Rule('::', 128, 'unspecified'),
  ipv6Rule('::1', 128, 'loopback'),
  ipv6Rule('::ffff:0:0', 96, 'IPv4-mapped', { at: 6, publicAllowed: true }),
  // Deprecated (RFC 4291 §2.5.5.1): nothing legitimate is reached this way.
  ipv6Rule('::', 96, 'IPv4-compatible (deprecated)', { at: 6, publicAllowed: false }),
  ipv6Rule('64:ff9b::', 96, 'NAT64', { at: 6, publicAllowed: true }),
  ipv6Rule('64:ff9b:1::', 48, 'local-use NAT64 (RFC 8215)'),
  ipv6Rule('100::', 64, 'discard-only (RFC 6666)'),
  ipv6Rule('2001::', 32, 'Teredo tunnelling'),
  ipv6Rule('2001:2::', 48, 'benchmarking (RFC 5180)'),
  ipv6Rule('2001:db8::', 32, 'documentation'),
  ipv6Rule('2002::', 16, '6to4', { at: 1, publicAllowed: true }),
  ipv6Rule('3fff::', 20, 'documentation (RFC 9637)'),
  ipv6Rule('fc00::', 7, 'unique-local (private)'),
  ipv6Rule('fe80::', 10, 'link-local'),
  ipv6Rule('fec0::', 10, 'site-local (deprecated)'),
  ipv6Rule('ff00::', 8, 'multicast'),
];

/** Why an IPv4 address is not public; undefined when it is. */
function ipv4Reason(value: IPv4): string | undefined {
  return IPV4_RULES.find((rule) => inIPv4Range(value, rule.start, rule.prefix))?.reason;
}

function ipv6Verdict(address: IPv6): AddressVerdict {
  const rule = IPV6_RULES.find((r) => inIPv6Range(address, r.base, r.prefix));
  if (!rule) return { blocked: false };
  if (!rule.embedded) return { blocked: true, reason: rule.reason };
  const inner = embeddedIPv4(address, rule.embedded.at);
  const innerReason = ipv4Reason(inner);
  if (innerReason) return { blocked: true, reason: `${rule.reason} ${formatIPv4(inner)}, ${innerReason}` };
  return rule.embedded.publicAllowed ? { blocked: false } : { blocked: true, reason: rule.reason };
}

/**
 * Judges one IP address (v4 or v6, bracketed or not, with or without a zone). Anything that does
 * not parse as an IP is blocked: the guard fails closed.
 */
export function isBlockedAddress(ip: string): AddressVerdict {
  const v4 = parseIPv4(ip);
  if (v4 !== undefined) {
    const reason = ipv4Reason(v4);
    return reason ? { blocked: true, reason } : { blocked: false };
  }
  const v6 = parseIPv6(ip);
  if (v6) return ipv6Verdict(v6);
  return { blocked: true, reason: 'not an IP address' };
}

/** Names that reach internal services whatever they resolve to (RFC 6761 localhost, cloud metadata). */
const BLOCKED_HOSTNAMES = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
]);

function blockedHostnameReason(hostname: string): string | undefined {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a localhost name';
  if (BLOCKED_HOSTNAMES.has(name)) return 'a cloud metadata host name';
  return undefined;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** URL host names bracket IPv6 literals (`[::1]`); resolvers and isIP want them bare. */
function unbracket(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}

/** `[::1]` and `::1` compare equal; names compare case-insensitively without a trailing dot. */
function canonicalHost(hostname: string): string {
  const bare = hostname.toLowerCase().replace(/\.+$/, '');
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

export interface AllowedHost {
  protocol: 'http:' | 'https:';
  /** Lower case, IPv6 in brackets. */
  host: string;
  port: string;
}

/**
 * One INSPECTOR_ALLOW_HOSTS entry: `host` (https on 443), `host:port` (https on that port), or
 * `http://host:port` / `https://host[:port]` for the scheme named. Plain http is only ever allowed by
 * an entry that says `http://` and a port: an operator lets one plain-http service in, never a whole
 * host. Undefined when the entry is none of these.
 */
export function parseAllowedHost(entry: string): AllowedHost | undefined {
  const text = entry.trim();
  if (!text) return undefined;
  const explicit = /^(https?):\/\//i.exec(text);
  let url: URL;
  try {
    url = new URL(explicit ? text : `https://${text}`);
  } catch {
    return undefined;
  }
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    return undefined;
  }
  if (url.protocol === 'http:' && !url.port) return undefined;
  const protocol = url.protocol === 'http:' ? 'http:' : 'https:';
  return {
    protocol,
    host: canonicalHost(unbracket(url.hostname)),
    port: url.port || DEFAULT_PORTS[protocol] || '',
  };
}

/** True when an allowHosts entry names this scheme, host and port (see parseAllowedHost). */
export function isAllowedHost(
  policy: AddressPolicy,
  hostname: string,
  port: string | number | undefined,
  protocol: string,
): boolean {
  if (policy.mode !== 'hosted' || !policy.allowHosts?.length) return false;
  const host = canonicalHost(unbracket(hostname));
  const effectivePort = String(port || DEFAULT_PORTS[protocol] || '');
  return policy.allowHosts.some((entry) => {
    const allowed = parseAllowedHost(entry);
    return allowed?.protocol === protocol && allowed.host === host && allowed.port === effectivePort;
  });
}

export type UrlVerdict =
  | { ok: true; url: URL }
  | { ok: false; code: 'invalid_url' | 'blocked_address'; reason: string };

/**
 * URL-level checks, before any connection: scheme, embedded credentials, and in hosted mode https
 * only, literal addresses (every spelling, since the WHATWG parser canonicalises `0x7f.1`,
 * `2130706433` and friends to dotted decimal first) and known internal host names. Host names that
 * resolve to internal addresses are caught later, at connect time, by the guarded dispatcher.
 */
export function checkUrl(input: string | URL, policy: AddressPolicy): UrlVerdict {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return { ok: false, code: 'invalid_url', reason: 'it is not a valid absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return {
      ok: false,
      code: 'invalid_url',
      reason: `only http and https are supported, not ${url.protocol}`,
    };
  }
  if (url.username || url.password) {
    return { ok: false, code: 'invalid_url', reason: 'URLs with embedded credentials are not sent' };
  }
  if (policy.mode === 'local' || isAllowedHost(policy, url.hostname, url.port, url.protocol)) {
    return { ok: true, url };
  }
  if (url.protocol !== 'https:') {
    return {
      ok: false,
      code: 'blocked_address',
      reason: 'the hosted inspector only makes https:// requests',
    };
  }
  const bare = unbracket(url.hostname);
  if (isIP(bare)) {
    const verdict = isBlockedAddress(bare);
    if (verdict.blocked) {
      return { ok: false, code: 'blocked_address', reason: `${url.hostname} is ${verdict.reason}` };
    }
    return { ok: true, url };
  }
  const nameReason = blockedHostnameReason(bare);
  if (nameReason) {
    return { ok: false, code: 'blocked_address', reason: `${bare.replace(/\.+$/, '')} is ${nameReason}` };
  }
  return { ok: true, url };
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses. Injectable so tests can play a rebinding DNS server. */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** The operating system's resolver, every address, in the order it returned them. */
export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

function notFound(hostname: string): Error {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
    code: 'ENOTFOUND',
    hostname,
  });
}

function wantedFamily(family: number | string | undefined): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return typeof family === 'number' ? family : 0;
}

/**
 * Adapts a HostLookup to the callback shape `net.connect` expects. Every resolved address is judged
 * and only allowed ones are handed to the socket: the address that was checked is the address
 * connected to, so a DNS answer that changes between a check and a connect (rebinding) gets no
 * second chance. `net.connect` asks with `all: true` when it races address families.
 */
export function createCheckedLookup(lookup: HostLookup): LookupFunction {
  return netLookup(lookup, true);
}

function netLookup(lookup: HostLookup, check: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname)
      .then((answers) => {
        const family = wantedFamily(options.family);
        const candidates = answers.filter((a) => family === 0 || a.family === family);
        if (candidates.length === 0) throw notFound(hostname);
        const allowed = check ? candidates.filter((a) => !isBlockedAddress(a.address).blocked) : candidates;
        const first = allowed[0];
        if (!first) {
          const reasons = candidates.map((a) => `${a.address} (${isBlockedAddress(a.address).reason})`);
          throw new BlockedAddressError(
            hostname,
            `${hostname} resolves only to internal addresses: ${reasons.join(', ')}`,
          );
        }
        if (options.all) callback(null, allowed);
        else callback(null, first.address, first.family);
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, ''));
  };
}

/**
 * An undici Agent that enforces the address policy where the socket is opened. Literal IPs are
 * judged directly (net.connect skips the resolver for them); names go through the checked lookup,
 * so resolution happens exactly once per connection and the connection is pinned to the answer
 * that passed. Names in allowHosts, and everything in local mode, connect unchecked.
 */
export function createGuardedDispatcher(
  policy: AddressPolicy,
  lookup: HostLookup = systemLookup,
): Dispatcher {
  const custom = lookup !== systemLookup;
  const checked = buildConnector({ lookup: createCheckedLookup(lookup) });
  // Unchecked connections still use an injected resolver, so fake host names work in local mode tests.
  const direct = buildConnector(custom ? { lookup: netLookup(lookup, false) } : {});

  const connect: buildConnector.connector = (options, callback) => {
    const host = unbracket(options.hostname);
    if (policy.mode === 'local' || isAllowedHost(policy, host, options.port, options.protocol)) {
      return direct(options, callback);
    }
    if (isIP(host)) {
      const verdict = isBlockedAddress(host);
      if (verdict.blocked)
        return callback(new BlockedAddressError(host, `${host} is ${verdict.reason}`), null);
      return direct(options, callback);
    }
    const nameReason = blockedHostnameReason(host);
    if (nameReason) return callback(new BlockedAddressError(host, `${host} is ${nameReason}`), null);
    return checked(options, callback);
  };
  return new Agent({ connect });
}
