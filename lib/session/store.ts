/** Where sealed session values live. Only ciphertext ever reaches a store. */
export interface SessionStore {
  get(id: string): Promise<string | undefined>;
  set(id: string, sealed: string, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
}

interface Entry {
  sealed: string;
  expiresAt: number;
}

/**
 * The default store: process memory with expiry and a size cap (oldest evicted first), so a flood of
 * new sessions cannot grow memory without bound.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async get(id: string): Promise<string | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.sealed;
  }

  async set(id: string, sealed: string, ttlMs: number): Promise<void> {
    this.#entries.delete(id);
    this.#entries.set(id, { sealed, expiresAt: this.#now() + ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}
