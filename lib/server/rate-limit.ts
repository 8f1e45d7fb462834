/**
 * Fairness under abuse: per-client request budgets, a global cap on concurrent outbound work, and the
 * sentences a person sees when they hit one. Framework-free and without 'server-only', so proxy.ts
 * (which answers 429 before any action runs) and the actions share it. The per-client counters live
 * in Redis when INSPECTOR_REDIS_URL is set (every instance counts against one budget), else on
 * globalThis, one set per process; the concurrent outbound cap is per process (it protects the
 * process's own sockets and memory).
 */
import { sharedRedis } from '../session/redis-client';
import type { RedisScripting } from '../session/redis-store';

export interface AbuseLimits {
  /** Server actions (and other POSTs) one client may send per minute; 0: no limit (local mode's default). */
  actionsPerMinute: number;
  /** Operations that send requests to other servers (start, next, run a tool, callback…) per client per minute; 0: no limit. */
  outboundPerMinute: number;
  /** Operations sending outbound requests at once, for all clients together; 0: no limit. */
  maxConcurrentOutbound: number;
  /**
   * How many proxies in front of the app append to X-Forwarded-For: the client is the entry that many
   * places from the right (1: the last one, appended by your proxy, or by Next.js itself when there is
   * no proxy and the request carried none).
   */
  proxyHops: number;
  /** Largest request body accepted (a server action's arguments), in bytes. */
  maxActionBytes: number;
}

export const DEFAULT_ABUSE_LIMITS: Readonly<AbuseLimits> = Object.freeze({
  actionsPerMinute: 120,
  outboundPerMinute: 30,
  maxConcurrentOutbound: 16,
  proxyHops: 1,
  maxActionBytes: 256 * 1024,
});

function count(env: Record<string, string | undefined>, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name} must be a whole number (${min} or more), got "${raw}".`);
  }
  return n;
}

/**
 * The limits from the environment (see README, Configuration). The per-client budgets are on by
 * default in hosted mode only: a local inspector has one user, on their own machine, whose test
 * suite or walkthroughs should not be throttled. The outbound cap and the body cap apply in both.
 */
export function abuseLimitsFromEnv(env: Record<string, string | undefined> = process.env): AbuseLimits {
  const hosted = env.INSPECTOR_MODE === 'hosted';
  return {
    actionsPerMinute: count(
      env,
      'INSPECTOR_RATE_ACTIONS',
      hosted ? DEFAULT_ABUSE_LIMITS.actionsPerMinute : 0,
    ),
    outboundPerMinute: count(
      env,
      'INSPECTOR_RATE_OUTBOUND',
      hosted ? DEFAULT_ABUSE_LIMITS.outboundPerMinute : 0,
    ),
    maxConcurrentOutbound: count(
      env,
      'INSPECTOR_MAX_CONCURRENT_OUTBOUND',
      DEFAULT_ABUSE_LIMITS.maxConcurrentOutbound,
    ),
    proxyHops: count(env, 'INSPECTOR_PROXY_HOPS', DEFAULT_ABUSE_LIMITS.proxyHops, 1),
    maxActionBytes: count(env, 'INSPECTOR_MAX_ACTION_BYTES', DEFAULT_ABUSE_LIMITS.maxActionBytes, 1024),
  };
}

export interface RateDecision {
  ok: boolean;
  /** Whole seconds until the client may try again (0 when ok). */
  retryAfterS: number;
}

/**
 * A fixed one-window counter per key. Keys are bounded: past `maxKeys` the least recently reset
 * ones are dropped, so a flood of made-up client addresses costs a bounded amount of memory.
 */
export class WindowLimiter implements RateBudget {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs = 60_000,
    private readonly maxKeys = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): RateDecision {
    if (this.limit <= 0) return { ok: true, retryAfterS: 0 };
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.#windows.delete(key);
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
      while (this.#windows.size > this.maxKeys) {
        const oldest = this.#windows.keys().next().value;
        if (oldest === undefined) break;
        this.#windows.delete(oldest);
      }
    }
    if (window.count >= this.limit) {
      return { ok: false, retryAfterS: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) };
    }
    window.count++;
    return { ok: true, retryAfterS: 0 };
  }

  get keys(): number {
    return this.#windows.size;
  }
}

/** A per-client budget: the memory one (WindowLimiter) or the shared one (RedisWindowLimiter). */
export interface RateBudget {
  readonly limit: number;
  take(key: string): RateDecision | Promise<RateDecision>;
}

/** ARGV: key, windowMs. The window starts at the first request and ends with the key's expiry. */
const TAKE = `local n = redis.call('INCR', ARGV[1])
if n == 1 then redis.call('PEXPIRE', ARGV[1], ARGV[2]) end
local ttl = redis.call('PTTL', ARGV[1])
if ttl < 0 then redis.call('PEXPIRE', ARGV[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {n, ttl}`;

/**
 * The same fixed window as WindowLimiter, counted in Redis so that a client's budget is one budget
 * however many instances serve it. While Redis does not answer it counts in this process instead
 * (the session store refuses the action anyway, with its own sentence): never a crash, never no limit.
 */
export class RedisWindowLimiter implements RateBudget {
  readonly #fallback: WindowLimiter;

  constructor(
    private readonly redis: RedisScripting,
    readonly limit: number,
    private readonly name: string,
    readonly windowMs = 60_000,
    private readonly prefix = 'inspector:',
  ) {
    this.#fallback = new WindowLimiter(limit, windowMs);
  }

  async take(key: string): Promise<RateDecision> {
    if (this.limit <= 0) return { ok: true, retryAfterS: 0 };
    let answer: unknown;
    try {
      answer = await this.redis.eval(TAKE, {
        arguments: [`${this.prefix}rate:${this.name}:${key}`, String(this.windowMs)],
      });
    } catch {
      return this.#fallback.take(key);
    }
    const [count, ttlMs] = (answer as number[]).map(Number) as [number, number];
    if (count <= this.limit) return { ok: true, retryAfterS: 0 };
    return { ok: false, retryAfterS: Math.max(1, Math.ceil(ttlMs / 1000)) };
  }
}

/** How many operations may send outbound requests at once; excess is refused at once, never queued. */
export class OutboundGate {
  #inFlight = 0;
  constructor(readonly max: number) {}

  tryEnter(): boolean {
    if (this.max > 0 && this.#inFlight >= this.max) return false;
    this.#inFlight++;
    return true;
  }

  leave(): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
  }

  get inFlight(): number {
    return this.#inFlight;
  }
}

/** The client a request comes from, by X-Forwarded-For and the configured proxy hops. */
export function clientKey(forwardedFor: string | null, proxyHops: number): string {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[Math.max(0, hops.length - proxyHops)] ?? 'unknown';
}

export function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

export const tooManyActions = (limit: number, retryAfterS: number) =>
  `Too many requests from your address: the inspector takes at most ${limit} actions a minute from one client. Wait ${seconds(retryAfterS)}, then try again.`;

export const tooManyOutbound = (limit: number, retryAfterS: number) =>
  `Too many walkthrough steps from your address: the inspector contacts other servers for at most ${limit} operations a minute from one client. Wait ${seconds(retryAfterS)}, then try again.`;

export const tooLargeRequest = (size: number, max: number) =>
  `Too large a request: ${Math.ceil(size / 1024).toLocaleString('en-US')} KB, and the inspector takes at most ${Math.floor(max / 1024).toLocaleString('en-US')} KB per action. Shorten what you entered (a server URL is at most 2,048 characters) and try again.`;

export const tooBusy = (max: number) =>
  `The inspector is busy: it is already contacting other servers for ${max === 1 ? '1 operation' : `${max} operations`}, its limit. Try again in a few seconds.`;

interface AbuseState {
  limits: AbuseLimits;
  actions: RateBudget;
  outbound: RateBudget;
  gate: OutboundGate;
}

const globalKey = Symbol.for('mcp-auth-inspector.abuse');
type GlobalWithAbuse = typeof globalThis & { [globalKey]?: AbuseState };

/** The process's limiters (one set, shared by proxy.ts and the actions). */
export function abuseState(): AbuseState {
  const g = globalThis as GlobalWithAbuse;
  if (!g[globalKey]) {
    const limits = abuseLimitsFromEnv();
    const redisUrl = process.env.INSPECTOR_REDIS_URL?.trim();
    const budget = (name: string, limit: number): RateBudget =>
      redisUrl ? new RedisWindowLimiter(sharedRedis(redisUrl), limit, name) : new WindowLimiter(limit);
    g[globalKey] = {
      limits,
      actions: budget('actions', limits.actionsPerMinute),
      outbound: budget('outbound', limits.outboundPerMinute),
      gate: new OutboundGate(limits.maxConcurrentOutbound),
    };
  }
  return g[globalKey];
}

/** Thrown by an operation refused because the inspector is at its concurrent outbound cap. */
export class InspectorBusyError extends Error {
  override name = 'InspectorBusyError';
}

/** Runs `work` holding one of the global outbound slots, or throws InspectorBusyError at once. */
export async function withOutboundSlot<T>(work: () => Promise<T>): Promise<T> {
  const { gate } = abuseState();
  if (!gate.tryEnter()) throw new InspectorBusyError(tooBusy(gate.max));
  try {
    return await work();
  } finally {
    gate.leave();
  }
}
