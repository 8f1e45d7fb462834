/**
 * Strict IP literal parsing for the outbound guard.
 *
 * Only canonical forms are accepted here: the WHATWG URL parser has already turned `2130706433`,
 * `0177.0.0.1`, `0x7f.1` and `127.1` into `127.0.0.1`, and the resolver returns canonical forms.
 * Anything this module cannot parse is treated as "not an IP" and the guard fails closed.
 */

/** An IPv4 address as an unsigned 32-bit number. */
export type IPv4 = number;

/** An IPv6 address as eight 16-bit groups. */
export type IPv6 = readonly number[];

/** Parses dotted-decimal IPv4 (`a.b.c.d`, each 0–255, no leading zeros). */
export function parseIPv4(text: string): IPv4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    // Leading zeros would mean octal to some parsers and decimal to others: refuse the ambiguity.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/**
 * Parses IPv6 text (`::` compression, embedded dotted IPv4 tail, optional `%zone`, optional
 * brackets) into eight groups.
 */
export function parseIPv6(text: string): IPv6 | undefined {
  let body = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  if (!body.includes(':')) return undefined;

  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;

  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const missing = 8 - head.length - tail.length;
  // `::` stands for at least one zero group.
  if (missing < 1) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Parses colon-separated hex groups; a final dotted IPv4 counts as two groups. */
function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const pieces = text.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (index === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIPv4(piece);
      if (v4 === undefined) return undefined;
      groups.push(Math.floor(v4 / 0x10000), v4 % 0x10000);
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
      groups.push(Number.parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

/** Formats an IPv4 number as dotted decimal, for messages. */
export function formatIPv4(value: IPv4): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** True when `value` lies in `start/prefix`. */
export function inIPv4Range(value: IPv4, start: IPv4, prefix: number): boolean {
  return value >= start && value < start + 2 ** (32 - prefix);
}

/** True when the first `prefix` bits of `address` equal those of `base` (given as groups). */
export function inIPv6Range(address: IPv6, base: readonly number[], prefix: number): boolean {
  for (let bit = 0; bit < prefix; bit += 16) {
    const index = bit / 16;
    const width = Math.min(16, prefix - bit);
    const mask = (0xffff << (16 - width)) & 0xffff;
    if (((address[index] ?? 0) & mask) !== ((base[index] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address held in two consecutive groups (for mapped, NAT64 and 6to4 forms). */
export function embeddedIPv4(address: IPv6, firstGroup: number): IPv4 {
  return (address[firstGroup] ?? 0) * 0x10000 + (address[firstGroup + 1] ?? 0);
}
