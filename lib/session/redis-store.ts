import { randomBytes } from 'node:crypto';
import {
  LocalLocks,
  type MemoryStoreLimits,
  type SessionSetOptions,
  type SessionStore,
  SessionStoreFullError,
  SessionStoreUnavailableError,
} from './store';

/**
 * What the store needs of a Redis client: every command it sends is a script, so one method is the
 * whole surface (node-redis's `eval`, or a fake that fails on purpose in tests).
 */
export interface RedisScripting {
  eval(script: string, options: { keys?: string[]; arguments?: string[] }): Promise<unknown>;
}

export interface RedisStoreOptions {
  /** Key prefix, so one Redis can hold several inspectors (or tests) apart. Default "inspector:". */
  prefix?: string;
  limits?: MemoryStoreLimits;
  /** How long a lock is held without renewal before Redis lets it go (a crashed holder). Default 15 s. */
  lockLeaseMs?: number;
  /** How long an operation waits for another one on the same session. Default 90 s. */
  lockWaitMs?: number;
  /** A command that has not answered after this long counts as "store unavailable". Default 5 s. */
  commandTimeoutMs?: number;
}

/**
 * Removes one session and its bookkeeping, and sweeps the ones whose keys Redis expired (settling
 * the counters). Prepended to the scripts below, so the counters stay right whichever one runs.
 */
const REMOVE = `
local p = ARGV[1]
local function remove(victim)
  local s = tonumber(redis.call('HGET', p .. 'size', victim))
  if s then
    redis.call('HINCRBY', p .. 'meta', 'bytes', -s)
    if redis.call('ZSCORE', p .. 'anon', victim) then redis.call('HINCRBY', p .. 'meta', 'anonBytes', -s) end
    redis.call('HDEL', p .. 'size', victim)
  end
  redis.call('ZREM', p .. 'anon', victim)
  redis.call('ZREM', p .. 'signed', victim)
  redis.call('ZREM', p .. 'exp', victim)
  redis.call('DEL', p .. 's:' .. victim)
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function sweep()
  for _, v in ipairs(redis.call('ZRANGEBYSCORE', p .. 'exp', '-inf', now, 'LIMIT', 0, 1000)) do remove(v) end
end
`;

/**
 * The memory store's policy, atomically in Redis: expired sessions are swept (their keys expired by
 * TTL; this settles the counters), then anonymous sessions are evicted least recently saved first,
 * then — for a signed-in session only — signed-in ones. 'full' when it cannot fit; the previous value
 * of the session is then left as it was.
 * ARGV: prefix, id, sealed, ttlMs, signedIn (1/0), maxEntries, maxBytes, maxAnonymous, maxAnonymousBytes.
 */
const SET = `${REMOVE}
local id, sealed, ttl, signed = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5] == '1'
local maxEntries, maxBytes = tonumber(ARGV[6]), tonumber(ARGV[7])
local maxAnon, maxAnonBytes = tonumber(ARGV[8]), tonumber(ARGV[9])
local size = string.len(sealed)
sweep()

local prevSize = tonumber(redis.call('HGET', p .. 'size', id)) or 0
local prevExists = redis.call('ZSCORE', p .. 'exp', id) ~= false
local prevAnon = redis.call('ZSCORE', p .. 'anon', id) ~= false
local function fits()
  local n = redis.call('ZCARD', p .. 'exp')
  local b = tonumber(redis.call('HGET', p .. 'meta', 'bytes')) or 0
  local a = redis.call('ZCARD', p .. 'anon')
  local ab = tonumber(redis.call('HGET', p .. 'meta', 'anonBytes')) or 0
  if prevExists then
    n = n - 1; b = b - prevSize
    if prevAnon then a = a - 1; ab = ab - prevSize end
  end
  if n + 1 > maxEntries then return false end
  if b + size > maxBytes and n > 0 then return false end
  if not signed then
    if a + 1 > maxAnon then return false end
    if ab + size > maxAnonBytes and a > 0 then return false end
  end
  return true
end
local function oldest(set)
  local first = redis.call('ZRANGE', p .. set, 0, 1)
  if first[1] == id then return first[2] end
  return first[1]
end
while not fits() do
  local victim = oldest('anon')
  if not victim and signed then victim = oldest('signed') end
  if not victim then return 'full' end
  remove(victim)
end
remove(id)
redis.call('SET', p .. 's:' .. id, sealed, 'PX', ttl)
redis.call('ZADD', p .. 'exp', now + ttl, id)
redis.call('ZADD', p .. (signed and 'signed' or 'anon'), now, id)
redis.call('HSET', p .. 'size', id, size)
redis.call('HINCRBY', p .. 'meta', 'bytes', size)
if not signed then redis.call('HINCRBY', p .. 'meta', 'anonBytes', size) end
return 'ok'
`;

const GET = `return redis.call('GET', ARGV[1] .. 's:' .. ARGV[2])`;
const DELETE = `${REMOVE}
remove(ARGV[2])
return 'ok'`;
/** ARGV: prefix, key, token, leaseMs. */
const ACQUIRE = `return redis.call('SET', ARGV[1] .. 'lock:' .. ARGV[2], ARGV[3], 'NX', 'PX', ARGV[4]) and 1 or 0`;
const RENEW = `if redis.call('GET', ARGV[1] .. 'lock:' .. ARGV[2]) == ARGV[3] then
  return redis.call('PEXPIRE', ARGV[1] .. 'lock:' .. ARGV[2], ARGV[4]) else return 0 end`;
const RELEASE = `if redis.call('GET', ARGV[1] .. 'lock:' .. ARGV[2]) == ARGV[3] then
  return redis.call('DEL', ARGV[1] .. 'lock:' .. ARGV[2]) else return 0 end`;
/** ARGV: prefix, key, ttlMs. */
const CONSUME = `return redis.call('SET', ARGV[1] .. 'once:' .. ARGV[2], '1', 'NX', 'PX', ARGV[3]) and 1 or 0`;
const STATS = `${REMOVE}
sweep()
return {redis.call('ZCARD', ARGV[1] .. 'exp'), redis.call('ZCARD', ARGV[1] .. 'signed'),
  tonumber(redis.call('HGET', ARGV[1] .. 'meta', 'bytes')) or 0}`;

/** Another operation held the session's lock for longer than an operation may wait. */
export class SessionBusyError extends Error {
  override name = 'SessionBusyError';
  readonly code = 'session_busy';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sessions in Redis, for several inspector processes behind one proxy: only sealed values are
 * stored, expiry is Redis's own (PX on every save), and the per-session lock and single-use marks
 * are Redis keys, so any instance may serve any request. A Redis that is down or restarting gives
 * SessionStoreUnavailableError (a sentence for the user), never a crash; a restarted Redis without
 * persistence simply has no sessions, which users meet as "the walkthrough ended, start again".
 * One Redis (not a cluster): the scripts touch keys derived from the prefix.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: RedisScripting;
  readonly #prefix: string;
  readonly #limits: Required<MemoryStoreLimits>;
  readonly #leaseMs: number;
  readonly #waitMs: number;
  readonly #timeoutMs: number;
  readonly #local = new LocalLocks();

  constructor(redis: RedisScripting, options: RedisStoreOptions = {}) {
    this.#redis = redis;
    this.#prefix = options.prefix ?? 'inspector:';
    const l = options.limits ?? {};
    this.#limits = {
      maxEntries: l.maxEntries ?? 10_000,
      maxBytes: l.maxBytes ?? 512 * 1_048_576,
      maxAnonymous: l.maxAnonymous ?? 5_000,
      maxAnonymousBytes: l.maxAnonymousBytes ?? 128 * 1_048_576,
    };
    this.#leaseMs = options.lockLeaseMs ?? 15_000;
    this.#waitMs = options.lockWaitMs ?? 90_000;
    this.#timeoutMs = options.commandTimeoutMs ?? 5_000;
  }

  /** One script, with the prefix as its first argument; failures to reach Redis become one error. */
  async #run(script: string, args: Array<string | number>): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      const call = this.#redis.eval(script, { arguments: [this.#prefix, ...args.map(String)] });
      return await Promise.race([call, timeout]);
    } catch (error) {
      throw new SessionStoreUnavailableError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  async get(id: string): Promise<string | undefined> {
    const value = await this.#run(GET, [id]);
    return typeof value === 'string' ? value : undefined;
  }

  async set(id: string, sealed: string, ttlMs: number, options: SessionSetOptions = {}): Promise<void> {
    const l = this.#limits;
    const outcome = await this.#run(SET, [
      id,
      sealed,
      Math.max(1, Math.round(ttlMs)),
      options.signedIn ? 1 : 0,
      l.maxEntries,
      l.maxBytes,
      l.maxAnonymous,
      l.maxAnonymousBytes,
    ]);
    if (outcome === 'full') {
      throw new SessionStoreFullError(
        'The inspector is at its limit of sessions and keeps the ones signed in. Try again in a few minutes.',
      );
    }
  }

  async delete(id: string): Promise<void> {
    await this.#run(DELETE, [id]);
  }

  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#run(CONSUME, [key, Math.max(1, Math.round(ttlMs))])) === 1;
  }

  /**
   * In this process, waiters queue behind each other (no polling against ourselves); across
   * processes, a Redis key with a random token and a lease, renewed while `fn` runs and released
   * only by its holder. A holder that crashed lets go when its lease runs out.
   */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#local.run(id, async () => {
      const token = randomBytes(16).toString('base64url');
      await this.#acquire(id, token);
      const renew = setInterval(
        () => {
          this.#run(RENEW, [id, token, this.#leaseMs]).catch(() => {
            // Redis away: the lease runs out there anyway; the operation finishes and saves as usual.
          });
        },
        Math.max(50, Math.floor(this.#leaseMs / 3)),
      );
      renew.unref();
      try {
        return await fn();
      } finally {
        clearInterval(renew);
        await this.#run(RELEASE, [id, token]).catch(() => undefined);
      }
    });
  }

  async #acquire(id: string, token: string): Promise<void> {
    const deadline = Date.now() + this.#waitMs;
    let pause = 10;
    while ((await this.#run(ACQUIRE, [id, token, this.#leaseMs])) !== 1) {
      if (Date.now() >= deadline) {
        throw new SessionBusyError(
          'Another tab or window is still working on this walkthrough (on another instance of the inspector). Wait for it to finish, then try again.',
        );
      }
      await sleep(pause + Math.random() * pause);
      pause = Math.min(pause * 2, 200);
    }
  }

  /** Sessions held, signed-in ones, and the characters of sealed values (for tests and health). */
  async stats(): Promise<{ size: number; signedIn: number; bytes: number }> {
    const [size, signedIn, bytes] = (await this.#run(STATS, [])) as number[];
    return { size: Number(size), signedIn: Number(signedIn), bytes: Number(bytes) };
  }
}
