import type { ReactNode } from 'react';

/** The URL when it is http(s), else undefined: the only links the inspector makes from remote data. */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
}

/**
 * A link to a URL that a remote server supplied (metadata, documentation). Only http(s) becomes a
 * link, opened in a new tab without an opener or a referrer; anything else (javascript:, data:) is
 * shown as text.
 */
export function ExternalLink({ href, children }: { href: string; children?: ReactNode }) {
  const safe = safeHttpUrl(href);
  if (!safe) return <span className="break-all font-mono">{children ?? href}</span>;
  return (
    <a href={safe} target="_blank" rel="noopener noreferrer" className="break-all font-mono underline">
      {children ?? href}
    </a>
  );
}
