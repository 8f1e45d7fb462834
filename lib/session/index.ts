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
  MemorySessionStore,
  type MemoryStoreLimits,
  type SessionSetOptions,
  type SessionStore,
  SessionStoreFullError,
} from './store';
