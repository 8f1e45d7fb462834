import type { FlowState } from './state';
import { FlowError, type StepRecord } from './types';

/**
 * Switches to another of the authorization servers the resource metadata lists (RFC 9728 §7.6: the
 * client chooses). Only before AS metadata discovery has used the current choice, i.e. at
 * 'as-metadata'; later, start a new flow with `options.authorizationServerIndex`. The resource
 * metadata step's record is updated to name the new choice.
 */
export function selectAuthorizationServer(state: FlowState, index: number): FlowState {
  if (state.step !== 'as-metadata' || state.resource.mode !== 'prm') {
    throw new FlowError({
      code: 'invalid_state',
      message: 'An authorization server can be chosen right after the resource metadata step.',
      hint: 'Start again with the authorization server index set in the options.',
    });
  }
  const servers = state.resource.authorizationServers;
  const issuer = servers[index];
  if (issuer === undefined) {
    throw new FlowError({
      code: 'invalid_options',
      message: `There is no authorization server number ${index + 1}; the metadata lists ${servers.length}.`,
    });
  }
  const records = state.records.map(
    (r): StepRecord =>
      r.id !== 'prm'
        ? r
        : {
            ...r,
            facts: { ...r.facts, chosenAuthorizationServer: issuer },
            checks: r.checks.map((c) =>
              c.id === 'prm.authorization-server-choice'
                ? {
                    ...c,
                    actual: issuer,
                    message: `Using ${issuer} (${index + 1} of ${servers.length}), chosen by you. The client decides (RFC 9728 §7.6); the TypeScript SDK always takes the first.`,
                  }
                : c,
            ),
          },
  );
  return {
    ...state,
    records,
    options: { ...state.options, authorizationServerIndex: index },
    resource: { ...state.resource, issuer },
  };
}
