import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, formatBytes, formatSeconds, resolveLimits } from './limits';

describe('resolveLimits()', () => {
  it('fills in the defaults', () => {
    expect(resolveLimits()).toEqual({
      timeoutMs: 10_000,
      maxBodyBytes: 1_048_576,
      maxRedirects: 5,
      displayBodyChars: 64_000,
    });
    expect(resolveLimits({ maxRedirects: 0 })).toEqual({ ...DEFAULT_LIMITS, maxRedirects: 0 });
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects %s rather than silently disabling a check',
    (value) => {
      expect(() => resolveLimits({ timeoutMs: value })).toThrow(RangeError);
    },
  );
});

describe('formatSeconds() and formatBytes()', () => {
  it.each([
    [10_000, '10 s'],
    [1_000, '1 s'],
    [250, '0.25 s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatSeconds(ms)).toBe(text);
  });

  it.each([
    [1_048_576, '1 MiB'],
    [16_384, '16 KiB'],
    [1_500, '1500 bytes'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
