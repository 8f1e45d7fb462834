/** How long the demo's authorization servers reuse a fetched Client ID Metadata Document. */
import { describe, expect, it } from 'vitest';
import { documentCacheMs } from './cimd';

describe('documentCacheMs()', () => {
  it('keeps a document without cache headers a few seconds', () => {
    expect(documentCacheMs(null)).toBe(5_000);
    expect(documentCacheMs('public')).toBe(5_000);
  });

  it('keeps it for its max-age, at most ten minutes', () => {
    expect(documentCacheMs('public, max-age=300')).toBe(300_000);
    expect(documentCacheMs('Max-Age=30')).toBe(30_000);
    expect(documentCacheMs('max-age=86400')).toBe(600_000);
    expect(documentCacheMs('max-age=0')).toBe(0);
  });

  it('does not keep a no-store or no-cache document', () => {
    expect(documentCacheMs('no-store')).toBe(0);
    expect(documentCacheMs('max-age=300, no-cache')).toBe(0);
  });
});
