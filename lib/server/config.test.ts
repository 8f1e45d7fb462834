import { describe, expect, it, vi } from 'vitest';

vi.mock('server-only', () => ({}));
const { readConfig } = await import('./config');

/** The variables given, and nothing else (NODE_ENV included: readConfig reads only its own). */
const env = (vars: Record<string, string>) => vars as unknown as NodeJS.ProcessEnv;

const SECRET = 'config-test-secret-0123456789-abcdefghijkl';

describe('INSPECTOR_REDIS_URL', () => {
  it('selects Redis for a redis:// or rediss:// URL', () => {
    expect(
      readConfig(env({ INSPECTOR_SESSION_SECRET: SECRET, INSPECTOR_REDIS_URL: 'redis://127.0.0.1:6379' }))
        .redisUrl,
    ).toBe('redis://127.0.0.1:6379');
    expect(
      readConfig(env({ INSPECTOR_SESSION_SECRET: SECRET, INSPECTOR_REDIS_URL: 'rediss://r.example:6380/2' }))
        .redisUrl,
    ).toBe('rediss://r.example:6380/2');
    expect(readConfig(env({ INSPECTOR_SESSION_SECRET: SECRET })).redisUrl).toBeUndefined();
  });

  it('refuses what is not a Redis URL, naming the variable and an example', () => {
    expect(() =>
      readConfig(env({ INSPECTOR_SESSION_SECRET: SECRET, INSPECTOR_REDIS_URL: '127.0.0.1:6379' })),
    ).toThrow(
      /INSPECTOR_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL \(e\.g\. redis:\/\/127\.0\.0\.1:6379\), got "127\.0\.0\.1:6379"/,
    );
  });

  it('refuses to share sessions without a shared secret (a generated one differs per process)', () => {
    expect(() => readConfig(env({ INSPECTOR_REDIS_URL: 'redis://127.0.0.1:6379' }))).toThrow(
      /set INSPECTOR_SESSION_SECRET .* to the same value on each/,
    );
  });
});
