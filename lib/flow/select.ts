import type { FlowState } from './state';
import { FlowError } from './types';

/**
 * Switches to another of the authorization servers the resource metadata lists (RFC 9728 §7.6: the
 * client chooses). Only before AS metadata discovery has used the current choice, i.e. at
 * 'as-metadata'; later, start a new flow with `options.authorizationServerIndex`.
 */
export function selectAuthorizationServer(state: FlowState, index: number): FlowState {
  if (state.step !== 'as-metadata' || state.resource.mode !== 'prm') {
    throw new FlowError({
      code: 'invalid_state',
      message: 'An authorization server can be chosen right after the resource metadata step.',
      hint: 'Start again with the authorization server index set in the options.',
    });
  }
  const issuer = state.resource.authorizationServers[index];
  if (issuer === undefined) {
    throw new FlowError({
      code: 'invalid_options',
      message: `There is no authorization server number ${index + 1}; the metadata lists ${state.resource.authorizationServers.length}.`,
    });
  }
  return {
    ...state,
    options: { ...state.options, authorizationServerIndex: index },
    resource: { ...state.resource, issuer },
  };
}
