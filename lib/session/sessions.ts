import { randomBytes } from 'node:crypto';
import { DEFAULT_OPENED_LIMITS, type OpenedLimits, OpenedSessions } from './opened';
import { type Keyring, seal, unseal } from './seal';
import type { SessionStore } from './store';

export interface SessionTimes {
  /** Session ends after this long without use. */
  idleMs: number;
  /** Session ends this long after it began, however busy. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_TIMES: SessionTimes = {
  idleMs: 2 * 60 * 60 * 1000,
  absoluteMs: 12 * 60 * 60 * 1000,
};

interface Envelope<T> {
  createdAt: number;
  lastSeenAt: number;
  data: T;
}

export interface LoadedSession<T> {
  id: string;
  createdAt: number;
  data: T;
}

/** 256 bits of randomness, base64url: the only thing the browser's cookie holds. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The shape of an id newSessionId() makes (43 base64url characters). */
export function isSessionId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * Sealed, expiring sessions over any store. Ids that are malformed, unknown, expired, or whose value
 * does not open are all treated the same way: no session.
 */
export class SessionManager<T> {
  /** What this process opened or saved lately, decoded (see opened.ts): used while the store holds that very value. */
  readonly #opened: OpenedSessions<Envelope<T>>;

  constructor(
    private readonly store: SessionStore,
    private readonly keyring: Keyring,
    private readonly times: SessionTimes = DEFAULT_SESSION_TIMES,
    private readonly now: () => number = Date.now,
    /** Whether a session completed authorization: the store never evicts those for anonymous ones. */
    private readonly signedIn: (data: T) => boolean = () => false,
    opened: OpenedLimits = DEFAULT_OPENED_LIMITS,
  ) {
    this.#opened = new OpenedSessions(opened);
  }

  async load(id: string | undefined): Promise<LoadedSession<T> | undefined> {
    if (!id || !isSessionId(id)) return undefined;
    const sealed = await this.store.get(id);
    if (!sealed) {
      this.#opened.delete(id);
      return undefined;
    }
    const envelope = this.#opened.open(id, sealed, () => unseal<Envelope<T>>(sealed, this.keyring, id));
    if (!envelope) return undefined;
    const now = this.now();
    if (now - envelope.lastSeenAt > this.times.idleMs || now - envelope.createdAt > this.times.absoluteMs) {
      this.#opened.delete(id);
      await this.store.delete(id);
      return undefined;
    }
    return { id, createdAt: envelope.createdAt, data: envelope.data };
  }

  async save(session: LoadedSession<T>): Promise<void> {
    const now = this.now();
    const envelope: Envelope<T> = { createdAt: session.createdAt, lastSeenAt: now, data: session.data };
    const remaining = Math.min(this.times.idleMs, session.createdAt + this.times.absoluteMs - now);
    const sealed = seal(envelope, this.keyring, session.id);
    await this.store.set(session.id, sealed, Math.max(remaining, 1), {
      signedIn: this.signedIn(session.data),
    });
    // Remembered only once stored. Whatever a refused or half-done save left in the store, a kept
    // copy is used only for the very value the store holds.
    this.#opened.saved(session.id, sealed, envelope);
  }

  /**
   * A new session. `id` reuses an id the browser already carries (set before any session existed, so
   * the first action need not set a cookie); anything that is not a well-formed id gets a fresh one.
   */
  create(data: T, id?: string): LoadedSession<T> {
    return { id: id && isSessionId(id) ? id : newSessionId(), createdAt: this.now(), data };
  }

  /** A new id for the same data, the old id forgotten: used when authorization completes (no fixation). */
  async rotate(session: LoadedSession<T>): Promise<LoadedSession<T>> {
    this.#opened.delete(session.id);
    await this.store.delete(session.id);
    const rotated = { ...session, id: newSessionId() };
    await this.save(rotated);
    return rotated;
  }

  async destroy(id: string): Promise<void> {
    this.#opened.delete(id);
    await this.store.delete(id);
  }

  /** One operation on the session at a time, in every process sharing the store (see SessionStore). */
  withLock<R>(id: string, fn: () => Promise<R>): Promise<R> {
    return this.store.withLock(id, fn);
  }

  /** Single use across processes: true the first time `key` is consumed within `ttlMs`. */
  consumeOnce(key: string, ttlMs: number): Promise<boolean> {
    return this.store.consumeOnce(key, ttlMs);
  }
}
