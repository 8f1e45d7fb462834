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
 * The default store: process memory with expiry and caps on the number of sessions and on their
 * total size (oldest evicted first), so a flood of new sessions, or of sessions holding huge traces,
 * cannot grow memory without bound.
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  readonly #now: () => number;
  #bytes = 0;

  constructor(options: { maxEntries?: number; maxBytes?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#maxBytes = options.maxBytes ?? 512 * 1_048_576;
    this.#now = options.now ?? Date.now;
  }

  async get(id: string): Promise<string | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#remove(id);
      return undefined;
    }
    return entry.sealed;
  }

  async set(id: string, sealed: string, ttlMs: number): Promise<void> {
    this.#remove(id);
    this.#entries.set(id, { sealed, expiresAt: this.#now() + ttlMs });
    this.#bytes += sealed.length;
    // The entry just set stays even when it alone is over the byte cap: its owner is using it.
    while (
      this.#entries.size > this.#maxEntries ||
      (this.#bytes > this.#maxBytes && this.#entries.size > 1)
    ) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined || oldest === id) break;
      this.#remove(oldest);
    }
  }

  async delete(id: string): Promise<void> {
    this.#remove(id);
  }

  #remove(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#bytes -= entry.sealed.length;
    this.#entries.delete(id);
  }

  /** Characters of sealed values held (≈ bytes: sealed values are base64url). */
  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#entries.size;
  }
}
