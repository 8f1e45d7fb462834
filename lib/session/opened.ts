/**
 * Sessions this process opened or saved lately, kept decoded next to the sealed value they are. When
 * the store still holds exactly that sealed value, loading skips the decryption and JSON.parse, and
 * hands back the same objects the last action produced: unchanged parts keep their identity from one
 * action to the next, so work memoized on them (the browser view of a recorded exchange) is done once.
 *
 * Correct by construction, not by care:
 * - An entry is used only when the store's value is the very string it was made from, so a session
 *   another instance saved, or that expired, or that was deleted, is opened from the store again.
 * - What is kept is frozen, deeply, so code that changed a loaded session in place (instead of
 *   returning a new one) would throw instead of leaving this copy different from the stored one.
 * - What is kept is exactly what unsealing would give back: plain JSON (objects, arrays, strings,
 *   finite numbers, booleans, null), without the undefined members JSON drops. A value JSON would
 *   change in any other way (a Date, a Buffer) is not kept, and the next load unseals it.
 */

/** Objects already settled (plain JSON, frozen): a subtree shared with an earlier save is not walked again. */
const settledObjects = new WeakSet<object>();

/**
 * `value` as unsealing it would give it back, frozen deeply: the same objects where they already are
 * plain JSON, copies without the members JSON drops (undefined ones) where not. Undefined for a
 * value JSON would change in other ways (a Date, a Buffer, a Map, a function, a non-finite number,
 * -0, an undefined or missing array element): such a session is not kept decoded. Walks only what
 * it has not settled before, iteratively (a document may nest deeply).
 */
export function settleJson<T>(value: T): T | undefined {
  /**
   * Objects not settled yet, each after all of its children (post-order): an object two parents
   * share is settled before either of them is, so both point at its settled form.
   */
  const order: object[] = [];
  const seen = new Set<object>();
  /** A value to walk, or (done) an object whose children have all been walked. */
  const stack: Array<{ v: unknown; done?: true }> = [{ v: value }];
  while (stack.length > 0) {
    const { v, done } = stack.pop()!;
    if (done) {
      order.push(v as object);
      continue;
    }
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v) || Object.is(v, -0)) return undefined;
      continue;
    }
    if (typeof v !== 'object') return undefined;
    if (settledObjects.has(v) || seen.has(v)) continue;
    seen.add(v);
    stack.push({ v, done: true });
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v) || v[i] === undefined) return undefined;
        stack.push({ v: v[i] });
      }
    } else {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return undefined;
      for (const member of Object.values(v)) if (member !== undefined) stack.push({ v: member });
    }
  }
  const settled = new Map<object, object>();
  const settledOf = (child: unknown) =>
    child !== null && typeof child === 'object' ? (settled.get(child) ?? child) : child;
  for (const v of order) {
    let out: object = v;
    if (Array.isArray(v)) {
      if (v.some((child) => settledOf(child) !== child)) out = v.map(settledOf);
    } else {
      const entries = Object.entries(v);
      if (entries.some(([, child]) => child === undefined || settledOf(child) !== child)) {
        const copy: Record<string, unknown> = Object.getPrototypeOf(v) === null ? Object.create(null) : {};
        for (const [key, child] of entries) {
          if (child === undefined) continue;
          Object.defineProperty(copy, key, {
            value: settledOf(child),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        }
        out = copy;
      }
    }
    Object.freeze(out);
    settledObjects.add(out);
    settled.set(v, out);
  }
  return settledOf(value) as T;
}

/**
 * What the process remembers of one session: its decoded value with the sealed value it is, or, for
 * a session another process saves too, only the end of the last sealed value seen (its GCM tag,
 * unique per sealing) and that it is shared.
 */
interface Entry<V> {
  sealed: string;
  value?: V;
  /** Another process saved this session since this one last did: keeping decoded copies is wasted. */
  shared: boolean;
}

export interface OpenedLimits {
  /** Most sessions remembered. */
  maxEntries: number;
  /** Most characters of sealed value the kept sessions stand for together (their decoded size is a few times this). */
  maxSealedChars: number;
}

export const DEFAULT_OPENED_LIMITS: OpenedLimits = { maxEntries: 256, maxSealedChars: 16 * 1_048_576 };

/** Enough of a sealed value to tell it from any other: its end holds the GCM tag (random IV per sealing). */
const markOf = (sealed: string) => sealed.slice(-32);

/**
 * The decoded sessions, least recently used first; bounded by count and by size. A session that
 * several processes take turns on (round robin, no stickiness) is only marked, not kept: each of
 * them would decode and freeze a copy that the next action, on the other process, makes stale.
 * Once this process finds its own last save still in the store, it keeps the session again.
 */
export class OpenedSessions<V> {
  readonly #entries = new Map<string, Entry<V>>();
  #chars = 0;

  constructor(private readonly limits: OpenedLimits = DEFAULT_OPENED_LIMITS) {}

  /**
   * The session whose store value is `sealed`: the kept copy when it is exactly that value, else
   * what `unseal` gives (undefined: it does not open), which is kept unless the session is shared.
   */
  open(id: string, sealed: string, unseal: () => V | undefined): V | undefined {
    const entry = this.#entries.get(id);
    if (entry?.value !== undefined && entry.sealed === sealed) {
      this.#touch(id, entry);
      return entry.value;
    }
    const value = unseal();
    if (value === undefined) {
      this.delete(id);
      return undefined;
    }
    if (!entry) this.#keep(id, sealed, value);
    else if (entry.value === undefined && entry.sealed === markOf(sealed)) {
      // This process's own last save is still what the store holds: the session is served here again.
      this.#keep(id, sealed, value);
    } else this.#mark(id, sealed);
    return value;
  }

  /** This process saved `value` as `sealed`: kept, unless other processes take turns on the session. */
  saved(id: string, sealed: string, value: V): void {
    if (this.#entries.get(id)?.shared) this.#mark(id, sealed);
    else this.#keep(id, sealed, value);
  }

  /** Whether a decoded copy of the session is kept. */
  keeps(id: string): boolean {
    return this.#entries.get(id)?.value !== undefined;
  }

  delete(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.#chars -= entry.sealed.length;
  }

  get size(): number {
    return this.#entries.size;
  }

  #touch(id: string, entry: Entry<V>): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
  }

  /** Keeps `value` as the decoded form of `sealed`, settled (see settleJson), when JSON can stand for it. */
  #keep(id: string, sealed: string, value: V): void {
    const settled = sealed.length > this.limits.maxSealedChars ? undefined : settleJson(value);
    if (settled === undefined) {
      // Too large, or not plain JSON: remembered as this process's own, so it is not taken for shared.
      this.#put(id, { sealed: markOf(sealed), shared: false });
      return;
    }
    this.#put(id, { sealed, value: settled, shared: false });
  }

  #mark(id: string, sealed: string): void {
    this.#put(id, { sealed: markOf(sealed), shared: true });
  }

  #put(id: string, entry: Entry<V>): void {
    this.delete(id);
    this.#entries.set(id, entry);
    this.#chars += entry.sealed.length;
    for (const [oldest, old] of this.#entries) {
      if (this.#entries.size <= this.limits.maxEntries && this.#chars <= this.limits.maxSealedChars) break;
      this.#entries.delete(oldest);
      this.#chars -= old.sealed.length;
    }
  }
}
