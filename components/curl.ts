import type { Exchange } from '@/lib/http/types';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A curl command for a recorded (already redacted) exchange: secrets stay redacted in the copy too. */
export function toCurl(exchange: Exchange): string {
  const { method, url, headers, body } = exchange.request;
  const parts = ['curl', '-i'];
  if (method !== 'GET') parts.push('-X', method);
  parts.push(shellQuote(url));
  for (const [name, value] of Object.entries(headers)) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (body) parts.push('--data-raw', shellQuote(body));
  return parts.join(' ');
}
