export { describeRedisUrl, type SharedRedis, sharedRedis } from './redis-client';
export {
  type RedisScripting,
  RedisSessionStore,
  type RedisStoreOptions,
  SessionBusyError,
} from './redis-store';
export { createKeyring, deriveKey, type Keyring, seal, unseal } from './seal';
export {
  DEFAULT_SESSION_TIMES,
  isSessionId,
  type LoadedSession,
  newSessionId,
  SessionManager,
  type SessionTimes,
} from './sessions';
export {
  LocalLocks,
  MemorySessionStore,
  type MemoryStoreLimits,
  type SessionSetOptions,
  type SessionStore,
  SessionStoreFullError,
  SessionStoreUnavailableError,
} from './store';
