import 'server-only';
import { cookies, headers } from 'next/headers';
import type { WalkthroughMode } from '../contract';
import type { FlowState } from '../flow';
import {
  createKeyring,
  DEFAULT_SESSION_TIMES,
  describeRedisUrl,
  isSessionId,
  type LoadedSession,
  MemorySessionStore,
  newSessionId,
  RedisSessionStore,
  SessionManager,
  type SessionStore,
  SessionStoreUnavailableError,
  sharedRedis,
} from '../session';
import { config } from './config';

export type { WalkthroughMode } from '../contract';

/** What one browser's session holds. Sealed before it reaches the store. */
export interface InspectorSessionData {
  mode: WalkthroughMode;
  flow?: FlowState;
}

export const SESSION_COOKIE = 'inspector_sid';

const globalKey = Symbol.for('mcp-auth-inspector.sessions');
type GlobalWithSessions = typeof globalThis & { [globalKey]?: SessionManager<InspectorSessionData> };

/** A session holds tokens once authorization completed: the store keeps those under pressure. */
export function isSignedIn(data: InspectorSessionData): boolean {
  return Boolean(data.flow?.secrets.accessToken || data.flow?.secrets.refreshToken);
}

/** Redis when INSPECTOR_REDIS_URL is set (several instances share it), else this process's memory. */
function sessionStore(): SessionStore {
  const c = config();
  return c.redisUrl
    ? new RedisSessionStore(sharedRedis(c.redisUrl), { limits: c.sessions })
    : new MemorySessionStore(c.sessions);
}

export function sessionManager(): SessionManager<InspectorSessionData> {
  const g = globalThis as GlobalWithSessions;
  if (!g[globalKey]) {
    g[globalKey] = new SessionManager(
      sessionStore(),
      createKeyring(config().sessionSecrets),
      DEFAULT_SESSION_TIMES,
      Date.now,
      isSignedIn,
    );
  }
  return g[globalKey];
}

export const TOO_DEEP_TO_SAVE =
  'A server sent a JSON document nested too deeply for the inspector to keep (it would overflow the stack when the session is saved), so this step was not saved and the walkthrough is where it was. Ask the server’s operator to send documents a few levels deep, as metadata is.';

/** Thrown by an operation that needs this browser's session when it has none. */
export class NoSessionError extends Error {
  override name = 'NoSessionError';
}

/** What a browser whose session is gone is told, whatever ended it. */
export const NO_SESSION =
  'This walkthrough has ended: its session expired, or the inspector’s session store was restarted. Enter the server URL and press Start to begin again.';

/** For /api/health: whether the session store answers. */
export async function sessionStoreHealth(): Promise<
  { ok: true; store: 'memory' | 'redis' } | { ok: false; store: 'redis'; error: string }
> {
  const url = config().redisUrl;
  if (!url) return { ok: true, store: 'memory' };
  const answer = await sharedRedis(url).ping();
  return answer.ok
    ? { ok: true, store: 'redis' }
    : {
        ok: false,
        store: 'redis',
        error: `Redis at ${describeRedisUrl(url)} does not answer: ${answer.error}`,
      };
}

async function isHttps(): Promise<boolean> {
  const publicUrl = config().publicUrl;
  if (publicUrl) return publicUrl.startsWith('https://');
  const h = await headers();
  return h.get('x-forwarded-proto') === 'https';
}

/** Reads the session without creating one (safe in server components, which cannot set cookies). */
export async function readSession(): Promise<LoadedSession<InspectorSessionData> | undefined> {
  return sessionManager().load(await cookieSessionId());
}

/** The id the browser's cookie carries, stored or not (the proxy may have set it before any session). */
async function cookieSessionId(): Promise<string | undefined> {
  return (await cookies()).get(SESSION_COOKIE)?.value;
}

export async function setSessionCookie(id: string): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await isHttps(),
    path: '/',
  });
}

/**
 * Runs `fn` with this browser's session, one operation per session at a time across every instance
 * sharing the store (two tabs clicking at once must not interleave half-finished flows). Saves what
 * `fn` returns. Only an operation that starts something (`create: true`: a new walkthrough) makes a
 * session; any other throws NoSessionError when there is none, so a flood of requests without a
 * cookie stores nothing. The session is read inside the lock: what another tab (or instance)
 * saved meanwhile is what `fn` sees, and a session that ended meanwhile is not brought back.
 */
export async function withSession<R>(
  fn: (
    session: LoadedSession<InspectorSessionData>,
  ) => Promise<{ data: InspectorSessionData; result: R; rotate?: boolean }>,
  options: { create?: boolean } = {},
): Promise<R> {
  const manager = sessionManager();
  // The id the browser carries (the proxy sets one on the first page load) is the session's id, made
  // or not: then no cookie is set here, and Next.js does not re-render the page after the action.
  // The session is opened once, inside the lock.
  const carried = await cookieSessionId();
  const wellFormed = carried !== undefined && isSessionId(carried);
  if (!wellFormed && !options.create) throw new NoSessionError(NO_SESSION);
  const id = wellFormed ? carried : newSessionId();
  /** The browser does not carry this session's id yet. */
  const setCookie = id !== carried;
  return manager.withLock(id, async () => {
    let fresh = wellFormed ? await manager.load(id) : undefined;
    if (!fresh) {
      if (!options.create) throw new NoSessionError(NO_SESSION);
      fresh = manager.create({ mode: 'run-all' }, id);
    }
    const outcome = await fn(fresh);
    let saved: LoadedSession<InspectorSessionData> = { ...fresh, data: outcome.data };
    try {
      if (outcome.rotate) {
        saved = await manager.rotate(saved);
        await setSessionCookie(saved.id);
      } else {
        // A new session is stored (which may be refused when the store is full) before its cookie is set.
        await manager.save(saved);
        if (setCookie) await setSessionCookie(saved.id);
      }
    } catch (error) {
      // Sealing serialises the whole flow: a document nested deeper than the stack allows (one no
      // check cut) ends here. Nothing is saved, so the walkthrough stays where it was.
      if (error instanceof RangeError) throw new Error(TOO_DEEP_TO_SAVE, { cause: error });
      throw error;
    }
    return outcome.result;
  });
}

export { SessionStoreUnavailableError };
