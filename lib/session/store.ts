/**
 * Where sealed session values live. Only ciphertext ever reaches a store. Everything that several
 * inspector processes sharing one store must agree on lives behind this interface: the values, the
 * per-session lock and the single-use marks.
 */
export interface SessionStore {
  get(id: string): Promise<string | undefined>;
  /** Throws SessionStoreFullError when an anonymous session cannot be kept without evicting a signed-in one. */
  set(id: string, sealed: string, ttlMs: number, options?: SessionSetOptions): Promise<void>;
  delete(id: string): Promise<void>;
  /**
   * Runs `fn` holding the session's lock, for every process sharing the store: two tabs (on two
   * instances) never interleave half-finished operations on one session. Waiters run in turn.
   */
  withLock<T>(id: string, fn: () => Promise<T>): Promise<T>;
  /** True the first time `key` is consumed (within `ttlMs`), false every time after: single use. */
  consumeOnce(key: string, ttlMs: number): Promise<boolean>;
}

/** The store could not be reached (Redis down or restarting): nothing was read or saved. */
export class SessionStoreUnavailableError extends Error {
  override name = 'SessionStoreUnavailableError';
  readonly code = 'store_unavailable';
  constructor(cause?: unknown) {
    super(
      'The inspector’s session store is not answering (it may be restarting). Nothing was changed; try again in a few seconds.',
      { cause },
    );
  }
}

/**
 * One operation per key at a time within this process: each caller waits for the one before it.
 * The memory store's whole lock, and the Redis store's first stage (so one process does not poll
 * Redis against itself).
 */
export class LocalLocks {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(fn);
    this.#tails.set(key, run);
    try {
      return await run;
    } finally {
      if (this.#tails.get(key) === run) this.#tails.delete(key);
    }
  }

  get held(): number {
    return this.#tails.size;
  }
}

/** Single-use marks with expiry, bounded: past `max` the oldest marks go first. */
class LocalMarks {
  readonly #marks = new Map<string, number>();
  constructor(
    private readonly now: () => number,
    private readonly max = 100_000,
  ) {}

  consume(key: string, ttlMs: number): boolean {
    const now = this.now();
    const until = this.#marks.get(key);
    if (until !== undefined && until > now) return false;
    this.#marks.delete(key);
    this.#marks.set(key, now + ttlMs);
    for (const [k, expires] of this.#marks) {
      if (this.#marks.size <= this.max && expires > now) break;
      this.#marks.delete(k);
    }
    return true;
  }
}

export interface SessionSetOptions {
  /**
   * The session completed authorization (it holds tokens): it is never evicted to make room for an
   * anonymous one. Default false.
   */
  signedIn?: boolean;
}

/** The store is full of sessions it must keep; a new anonymous session is refused rather than evict one. */
export class SessionStoreFullError extends Error {
  override name = 'SessionStoreFullError';
  readonly code = 'store_full';
}

export interface MemoryStoreLimits {
  /** All sessions together. Default 10,000. */
  maxEntries?: number;
  /** All sealed values together, in characters (≈ bytes). Default 512 MiB. */
  maxBytes?: number;
  /** Sessions that have not completed authorization. Default 5,000. */
  maxAnonymous?: number;
  /** Their sealed values together. Default 128 MiB. */
  maxAnonymousBytes?: number;
}

interface Entry {
  sealed: string;
  expiresAt: number;
  signedIn: boolean;
}

/**
 * The default store: process memory with expiry and caps on the number of sessions and on their
 * total size, so a flood of new sessions, or of sessions holding huge traces, cannot grow memory
 * without bound. Under pressure anonymous sessions go first, least recently saved first: a flood
 * of anonymous requests never signs anybody out. A signed-in session is only ever evicted to make
 * room for another signed-in one; when only signed-in sessions are left, a new anonymous one is
 * refused (SessionStoreFullError).
 */
export class MemorySessionStore implements SessionStore {
  /** Insertion order is save order: the first entry of each class is its least recently saved. */
  readonly #anonymous = new Map<string, Entry>();
  readonly #signedIn = new Map<string, Entry>();
  readonly #limits: Required<MemoryStoreLimits>;
  readonly #now: () => number;
  readonly #locks = new LocalLocks();
  readonly #marks: LocalMarks;
  #bytes = 0;
  #anonymousBytes = 0;

  constructor(options: MemoryStoreLimits & { now?: () => number } = {}) {
    this.#limits = {
      maxEntries: options.maxEntries ?? 10_000,
      maxBytes: options.maxBytes ?? 512 * 1_048_576,
      maxAnonymous: options.maxAnonymous ?? 5_000,
      maxAnonymousBytes: options.maxAnonymousBytes ?? 128 * 1_048_576,
    };
    this.#now = options.now ?? Date.now;
    this.#marks = new LocalMarks(this.#now);
  }

  withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(id, fn);
  }

  async consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.#marks.consume(key, ttlMs);
  }

  async get(id: string): Promise<string | undefined> {
    const entry = this.#anonymous.get(id) ?? this.#signedIn.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(id);
      return undefined;
    }
    return entry.sealed;
  }

  async set(id: string, sealed: string, ttlMs: number, options: SessionSetOptions = {}): Promise<void> {
    const signedIn = options.signedIn === true;
    const previous = this.#anonymous.get(id) ?? this.#signedIn.get(id);
    this.#remove(id);
    if (!this.#makeRoom(id, sealed.length, signedIn)) {
      // Keep what was there: refusing a save must not lose the session's last good state.
      if (previous) this.#insert(id, previous);
      throw new SessionStoreFullError(
        'The inspector is at its limit of sessions and keeps the ones signed in. Try again in a few minutes.',
      );
    }
    this.#insert(id, { sealed, expiresAt: this.#now() + ttlMs, signedIn });
  }

  async delete(id: string): Promise<void> {
    this.#remove(id);
  }

  /**
   * Evicts until an entry of `size` fits: expired entries, then anonymous ones (least recently saved
   * first), then — only for a signed-in entry — signed-in ones. False when it cannot fit.
   */
  #makeRoom(id: string, size: number, signedIn: boolean): boolean {
    const l = this.#limits;
    const fits = () =>
      this.size + 1 <= l.maxEntries &&
      (this.#bytes + size <= l.maxBytes || this.size === 0) &&
      (signedIn ||
        (this.#anonymous.size + 1 <= l.maxAnonymous &&
          (this.#anonymousBytes + size <= l.maxAnonymousBytes || this.#anonymous.size === 0)));
    if (fits()) return true;
    this.#sweepExpired();
    while (!fits()) {
      const victim =
        this.#anonymous.keys().next().value ?? (signedIn ? this.#signedIn.keys().next().value : undefined);
      if (victim === undefined || victim === id) return false;
      this.#remove(victim);
    }
    return true;
  }

  #sweepExpired(): void {
    const now = this.#now();
    for (const map of [this.#anonymous, this.#signedIn]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) this.#remove(key);
    }
  }

  #insert(id: string, entry: Entry): void {
    (entry.signedIn ? this.#signedIn : this.#anonymous).set(id, entry);
    this.#bytes += entry.sealed.length;
    if (!entry.signedIn) this.#anonymousBytes += entry.sealed.length;
  }

  #remove(id: string): void {
    const entry = this.#anonymous.get(id) ?? this.#signedIn.get(id);
    if (!entry) return;
    this.#bytes -= entry.sealed.length;
    if (!entry.signedIn) this.#anonymousBytes -= entry.sealed.length;
    (entry.signedIn ? this.#signedIn : this.#anonymous).delete(id);
  }

  /** Characters of sealed values held (≈ bytes: sealed values are base64url). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#anonymous.size + this.#signedIn.size;
  }

  /** How many of the sessions held have completed authorization. */
  get signedInCount(): number {
    return this.#signedIn.size;
  }
}
