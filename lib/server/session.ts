import 'server-only';
import { cookies, headers } from 'next/headers';
import type { FlowState } from '../flow';
import { createKeyring, type LoadedSession, MemorySessionStore, SessionManager } from '../session';
import { config } from './config';

export type WalkthroughMode = 'guided' | 'run-all';

/** What one browser's session holds. Sealed before it reaches the store. */
export interface InspectorSessionData {
  mode: WalkthroughMode;
  flow?: FlowState;
}

export const SESSION_COOKIE = 'inspector_sid';

const globalKey = Symbol.for('mcp-auth-inspector.sessions');
type GlobalWithSessions = typeof globalThis & { [globalKey]?: SessionManager<InspectorSessionData> };

export function sessionManager(): SessionManager<InspectorSessionData> {
  const g = globalThis as GlobalWithSessions;
  if (!g[globalKey]) {
    g[globalKey] = new SessionManager(new MemorySessionStore(), createKeyring(config().sessionSecrets));
  }
  return g[globalKey];
}

async function isHttps(): Promise<boolean> {
  const publicUrl = config().publicUrl;
  if (publicUrl) return publicUrl.startsWith('https://');
  const h = await headers();
  return h.get('x-forwarded-proto') === 'https';
}

/** Reads the session without creating one (safe in server components, which cannot set cookies). */
export async function readSession(): Promise<LoadedSession<InspectorSessionData> | undefined> {
  const id = (await cookies()).get(SESSION_COOKIE)?.value;
  return sessionManager().load(id);
}

export async function setSessionCookie(id: string): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, id, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await isHttps(),
    path: '/',
  });
}

const locks = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` with this browser's session, creating it if needed, one operation per session at a time
 * (two tabs clicking at once must not interleave half-finished flows). Saves what `fn` returns.
 */
export async function withSession<R>(
  fn: (
    session: LoadedSession<InspectorSessionData>,
  ) => Promise<{ data: InspectorSessionData; result: R; rotate?: boolean }>,
): Promise<R> {
  const manager = sessionManager();
  let session = await readSession();
  if (!session) {
    session = manager.create({ mode: 'run-all' });
    await setSessionCookie(session.id);
  }
  const current = session;
  const previous = locks.get(current.id) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const fresh = (await manager.load(current.id)) ?? current;
      const outcome = await fn(fresh);
      let saved: LoadedSession<InspectorSessionData> = { ...fresh, data: outcome.data };
      if (outcome.rotate) {
        saved = await manager.rotate(saved);
        await setSessionCookie(saved.id);
      } else {
        await manager.save(saved);
      }
      return outcome.result;
    });
  locks.set(current.id, run);
  try {
    return await run;
  } finally {
    if (locks.get(current.id) === run) locks.delete(current.id);
  }
}
