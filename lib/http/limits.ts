/** Per-request limits the traced fetch enforces on every outbound call. */
export interface OutboundLimits {
  /** Whole request, from sending to the last body byte (for SSE: until the headers arrive). */
  timeoutMs: number;
  /** Response body cap; metadata documents are small, so 1 MiB is generous. */
  maxBodyBytes: number;
  /** Hops followed when the caller asked for `redirect: 'follow'`. */
  maxRedirects: number;
  /** Characters of body kept in the recorded exchange. */
  displayBodyChars: number;
}

export const DEFAULT_LIMITS: Readonly<OutboundLimits> = Object.freeze({
  timeoutMs: 10_000,
  maxBodyBytes: 1_048_576,
  maxRedirects: 5,
  displayBodyChars: 64_000,
});

/**
 * Fills in defaults and rejects nonsense early: a negative or NaN limit would silently disable the
 * check it configures, which is worse than failing at construction.
 */
export function resolveLimits(overrides: Partial<OutboundLimits> = {}): OutboundLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof OutboundLimits)[]) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`Outbound limit ${key} must be a non-negative integer, got ${value}`);
    }
    limits[key] = value;
  }
  return limits;
}

/** "10 s", "0.5 s" — for messages that name the limit. */
export function formatSeconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** "1 MiB", "16 KiB", "512 bytes" — for messages that name the limit. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_048_576 && bytes % 1_048_576 === 0) return `${bytes / 1_048_576} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
