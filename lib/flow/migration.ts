/**
 * Authorization-server binding and migration (SEP-2352): registrations and tokens belong to the
 * issuer that issued them. When a 401 arrives, the resource's metadata is read again; if its
 * authorization server is no longer the one the session signed in with, the next sign-in registers
 * with the new one and sends it nothing from the old.
 * @see MCP 2026-07-28 §Authorization (Client Registration: credentials bound to the authorization server)
 */
import { authorizationServersOf, type ProtectedResourceMetadata } from '../oauth/protected-resource';
import type { FlowState, RecoveryOffer, ResourceDiscovery, SignedIn, StateAt } from './state';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from './step-run';
import { FlowError, type FlowErrorInfo } from './types';

const RULE =
  'MCP 2026-07-28 §Client Registration (SEP-2352: credentials are bound to their authorization server)';

/** What changed: the issuer the session used, and the resource metadata that no longer lists it. */
export interface AuthorizationServerChange {
  from: string;
  to: string;
  resource: Extract<ResourceDiscovery, { mode: 'prm' }>;
}

/**
 * After a 401: reads the protected resource metadata again (the URL the session found it at) and
 * says whether it still lists the issuer the session signed in with. Undefined when it does, when
 * the session found no metadata (2025-03-26 discovery), or when the document cannot be read: then
 * the 401 is only about the token. The request is recorded in `run` with this purpose.
 */
export async function authorizationServerChange(
  run: StepRun,
  state: Pick<SignedIn, 'resource' | 'authorizationServer'>,
): Promise<AuthorizationServerChange | undefined> {
  const resource = state.resource;
  if (resource.mode !== 'prm') return undefined;
  const from = state.authorizationServer.issuer;
  const call = run.traced(
    `${RULE} — protected resource metadata again after a 401: is ${from} still its authorization server?`,
  );
  let document: ProtectedResourceMetadata;
  try {
    const response = await call.fetch(resource.metadataUrl, {
      headers: { accept: 'application/json' },
      redirect: 'manual',
    });
    if (!response.ok) return undefined;
    document = JSON.parse(await response.text()) as ProtectedResourceMetadata;
  } catch {
    return undefined;
  }
  const servers = authorizationServersOf(document);
  if (servers.length === 0 || servers.includes(from)) return undefined;
  const to = servers[0]!;
  run.check(
    'prm.authorization-server-binding',
    'warn',
    `The resource's metadata now names ${servers.join(', ')} instead of ${from}, which issued this session's registration and tokens. Those are bound to ${from}: the inspector registers with ${to} and sends it nothing from ${from}.`,
    { expected: from, actual: servers.join(' '), exchangeIds: call.exchangeIds },
  );
  return {
    from,
    to,
    resource: { ...resource, document, authorizationServers: servers, issuer: to },
  };
}

/** The offer after the authorization server changed: reconnect, which registers with the new one. */
export function migrationOffer(
  change: AuthorizationServerChange,
  base: Partial<RecoveryOffer>,
): RecoveryOffer {
  return {
    action: 'reconnect',
    reason: 'authorization-server-changed',
    message: `The server moved to another authorization server: ${change.to} instead of ${change.from}. Reconnect registers with ${change.to} and signs in there; nothing from ${change.from} is sent to it.`,
    attempts: 0,
    ...base,
    migrateTo: { from: change.from, resource: change.resource },
  };
}

/**
 * The flow that signs in at the new authorization server: back to its metadata, with no client,
 * token or secret from the old one, and no pre-registered client id (it was issued by the old one).
 */
export function beginMigration(state: FlowState): StateAt<'as-metadata'> {
  const offer = state.recovery;
  const target = offer?.migrateTo;
  const probe = (state as Partial<SignedIn>).probe;
  if (!offer || !target || !probe) {
    throw new FlowError({
      code: 'invalid_state',
      message: 'There is no authorization-server change to follow.',
    });
  }
  const { preRegistered: _preRegistered, clientSecret: _clientSecret, ...options } = state.options;
  const { migrateTo: _done, ...reauth } = offer;
  return {
    step: 'as-metadata',
    options: {
      ...options,
      // A pre-registered client was registered with the old server; the new one gets CIMD or DCR.
      ...(options.registration === 'pre-registered' ? { registration: 'auto' as const } : {}),
      authorizationServerIndex: target.resource.authorizationServers.indexOf(target.resource.issuer),
    },
    records: state.records,
    seq: state.seq,
    // Everything the old authorization server issued stays behind: tokens, client secret, codes.
    secrets: {},
    probe,
    resource: target.resource,
    reauth: { ...reauth, reason: 'authorization-server-changed' },
  };
}

/**
 * For a 401 a refresh could not fix, in a connected session: reads the metadata again, recorded in
 * the tools record, and returns the state with that exchange plus the change, if there was one.
 */
export async function checkAuthorizationServer<S extends SignedIn>(
  state: S,
  ctx: FlowContext,
): Promise<{ state: S; change?: AuthorizationServerChange }> {
  if (state.resource.mode !== 'prm') return { state };
  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  const change = await authorizationServerChange(run, state);
  const record = orderedRecord(run.finish());
  if (existing?.durationMs !== undefined) record.durationMs = existing.durationMs;
  return {
    state: { ...state, records: upsertRecord(state.records, record), seq: run.nextSeq },
    ...(change ? { change } : {}),
  };
}

/** A 401 during the walkthrough's MCP steps that a changed authorization server explains. */
export class AuthorizationServerChangedError extends FlowError {
  constructor(
    info: FlowErrorInfo,
    readonly change: AuthorizationServerChange,
  ) {
    super({
      ...info,
      message: `${info.message} The resource now names ${change.to} as its authorization server instead of ${change.from}.`,
      hint: `Reconnect: the inspector registers with ${change.to} and signs in there, sending it nothing from ${change.from}.`,
      specRef: RULE,
    });
  }
}
