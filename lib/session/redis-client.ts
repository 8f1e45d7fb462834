import { createClient } from 'redis';
import type { RedisScripting } from './redis-store';

/**
 * One Redis connection per process and URL (on globalThis: it survives dev-server module reloads and
 * is shared by proxy.ts and the server actions). Commands fail at once while the connection is down
 * (no offline queue): a restarting Redis must give users a sentence now, not a request that hangs;
 * the client reconnects by itself, backing off to one attempt every 2 s.
 */
export interface SharedRedis extends RedisScripting {
  /** PING with a deadline: for /api/health. */
  ping(timeoutMs?: number): Promise<{ ok: true } | { ok: false; error: string }>;
  close(): Promise<void>;
}

const globalKey = Symbol.for('mcp-auth-inspector.redis');
type GlobalWithRedis = typeof globalThis & { [globalKey]?: Map<string, SharedRedis> };

/** "redis://user:pass@host:6379/0" → "redis://host:6379/0": a URL safe to print. */
export function describeRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

export function sharedRedis(url: string): SharedRedis {
  const g = globalThis as GlobalWithRedis;
  g[globalKey] ??= new Map();
  const existing = g[globalKey].get(url);
  if (existing) return existing;
  const made = connect(url);
  g[globalKey].set(url, made);
  return made;
}

function connect(url: string): SharedRedis {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2_000),
    },
  });
  let lastLogged = 0;
  client.on('error', (error: Error) => {
    // Logged at most every 10 s: a Redis that is down would otherwise log every reconnect attempt.
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    console.error(`[inspector] Redis at ${describeRedisUrl(url)}: ${error.message}`);
  });
  // The first connection: later commands wait for it; after it, node-redis reconnects on its own.
  let connecting: Promise<unknown> | undefined = client.connect().catch(() => undefined);
  const ready = async () => {
    if (connecting) {
      await connecting;
      connecting = undefined;
    }
  };
  return {
    async eval(script, options) {
      await ready();
      return client.eval(script, options);
    },
    async ping(timeoutMs = 1_000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await ready();
        const answer = await Promise.race([
          client.ping(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
          }),
        ]);
        return answer === 'PONG' ? { ok: true } : { ok: false, error: `answered ${String(answer)}` };
      } catch (error) {
        return { ok: false, error: error instanceof Error ? error.message : String(error) };
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await ready();
      if (client.isOpen) await client.close();
    },
  };
}
