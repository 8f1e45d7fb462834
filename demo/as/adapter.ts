/**
 * In-memory storage for one demo authorization server. oidc-provider's bundled memory adapter shares one
 * process-wide LRU between all providers; the demo runs several, and needs to list grants to revoke them all.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** epoch ms; Infinity when the model has no expiry */
  expiresAt: number;
}

const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);

export class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  /** grantId -> keys of the tokens issued under it */
  private readonly grants = new Map<string, Set<string>>();
  private readonly sessionUids = new Map<string, string>();
  private readonly userCodes = new Map<string, string>();

  get(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(model: string, id: string, payload: AdapterPayload, expiresIn?: number): void {
    const key = `${model}:${id}`;
    this.delete(key);
    const expiresAt =
      typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
    this.entries.set(key, { payload, expiresAt });
    if (model === 'Session' && payload.uid) this.sessionUids.set(payload.uid, id);
    if (payload.userCode) this.userCodes.set(payload.userCode, id);
    if (GRANTABLE.has(model) && payload.grantId) {
      const members = this.grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.grants.set(payload.grantId, members);
    }
    if (this.entries.size % 256 === 0) this.sweep();
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const { payload } = entry;
    if (payload.uid && this.sessionUids.get(payload.uid) === key.slice(key.indexOf(':') + 1)) {
      this.sessionUids.delete(payload.uid);
    }
    if (payload.userCode) this.userCodes.delete(payload.userCode);
    if (payload.grantId) {
      const members = this.grants.get(payload.grantId);
      members?.delete(key);
      if (members?.size === 0) this.grants.delete(payload.grantId);
    }
  }

  revokeByGrantId(grantId: string): void {
    for (const key of this.grants.get(grantId) ?? []) this.delete(key);
    this.grants.delete(grantId);
  }

  idBySessionUid(uid: string): string | undefined {
    return this.sessionUids.get(uid);
  }

  idByUserCode(userCode: string): string | undefined {
    return this.userCodes.get(userCode);
  }

  /** Ids of the stored (unexpired) entries of one model. */
  ids(model: string): string[] {
    const prefix = `${model}:`;
    return [...this.entries.keys()]
      .filter((key) => key.startsWith(prefix) && this.get(key) !== undefined)
      .map((key) => key.slice(prefix.length));
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.delete(key);
  }
}

export type ClientLookup = (id: string) => Promise<AdapterPayload | undefined>;

/**
 * An oidc-provider adapter factory over one store. `clientFallback` resolves client ids the store does not
 * know (the Client ID Metadata Document scenario).
 */
export function createAdapterFactory(
  store: MemoryStore,
  clientFallback?: ClientLookup,
): (model: string) => Adapter {
  return (model) => ({
    async upsert(id, payload, expiresIn) {
      store.set(model, id, { ...payload }, expiresIn);
    },
    async find(id) {
      const found = store.get(`${model}:${id}`);
      if (found || model !== 'Client' || !clientFallback) return found;
      return clientFallback(id);
    },
    async findByUid(uid) {
      const id = store.idBySessionUid(uid);
      return id === undefined ? undefined : store.get(`${model}:${id}`);
    },
    async findByUserCode(userCode) {
      const id = store.idByUserCode(userCode);
      return id === undefined ? undefined : store.get(`${model}:${id}`);
    },
    async consume(id) {
      const found = store.get(`${model}:${id}`);
      if (found) found.consumed = Math.floor(Date.now() / 1000);
    },
    async destroy(id) {
      store.delete(`${model}:${id}`);
    },
    async revokeByGrantId(grantId) {
      store.revokeByGrantId(grantId);
    },
  });
}
