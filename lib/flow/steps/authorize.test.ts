import { describe, expect, it } from 'vitest';
import { runNextStep } from '../engine';
import type { FlowState } from '../state';
import { check, driveTo } from '../testing/drive';
import { createFakeWorld, type FakeWorldOptions } from '../testing/fake-world';
import { contextFor, optionsFor } from '../testing/options';
import type { FlowOptions } from '../types';

async function authorize(worldOpts: FakeWorldOptions = {}, options: Partial<FlowOptions> = {}) {
  const world = createFakeWorld(worldOpts);
  const ctx = contextFor(world);
  const before = await driveTo(optionsFor(world, options), ctx, 'authorize');
  expect(before.step).toBe('authorize');
  const state = await runNextStep(before, ctx);
  if (state.step !== 'awaiting-callback') throw new Error(`at ${state.step}`);
  return { state, params: new URL(state.authorization.url).searchParams };
}

describe('authorize step', () => {
  it('builds a code + PKCE S256 request with state and the canonical resource; secrets stay server-side', async () => {
    const { state, params } = await authorize({}, { serverUrl: 'https://MCP.example.com/mcp' });
    expect(params.get('response_type')).toBe('code');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('state')).toBe(state.secrets.state);
    expect(params.get('resource')).toBe('https://mcp.example.com/mcp');
    expect(params.get('redirect_uri')).toBe('http://127.0.0.1:3000/api/oauth/callback');
    expect(state.secrets.codeVerifier).toMatch(/^[\w-]{43}$/);
    expect(state.authorization.url).not.toContain(state.secrets.codeVerifier!);
    expect(state.records.find((r) => r.id === 'callback')?.status).toBe('waiting');
    expect(check(state, 'authorize.pkce').status).toBe('pass');
    expect(check(state, 'authorize.state').status).toBe('pass');
    expect(check(state, 'authorize.resource')).toMatchObject({
      status: 'pass',
      actual: 'https://mcp.example.com/mcp',
    });
  });

  it('picks scope by the spec strategy: option, then challenge, then scopes_supported, else none (warn)', async () => {
    const option = await authorize({ challengeScope: 'files:write' }, { scope: 'custom:scope' });
    expect(option.params.get('scope')).toBe('custom:scope');
    const challenge = await authorize({ challengeScope: 'files:write', scopesSupported: ['files:read'] });
    expect(challenge.params.get('scope')).toBe('files:write');
    expect(check(challenge.state, 'authorize.scope-selection').message).toContain('401 challenge');
    const prm = await authorize({ scopesSupported: ['a', 'b'] });
    expect(prm.params.get('scope')).toBe('a b');
    const none = await authorize({ scopesSupported: [] });
    expect(none.params.has('scope')).toBe(false);
    expect(check(none.state, 'authorize.scope-selection').status).toBe('warn');
  });

  it('leaves resource out with the real-world switch, and warns', async () => {
    const { state, params } = await authorize({}, { omitResource: true });
    expect(params.has('resource')).toBe(false);
    expect(check(state, 'authorize.resource')).toMatchObject({ status: 'warn', actual: '(omitted)' });
  });

  it('appends extra parameters but never lets them replace state or PKCE', async () => {
    const { state, params } = await authorize(
      {},
      { extraAuthParams: { audience: 'api', state: 'attacker', prompt: 'consent' } },
    );
    expect(params.get('audience')).toBe('api');
    expect(params.get('prompt')).toBe('consent');
    expect(params.get('state')).toBe(state.secrets.state);
    expect(check(state, 'authorize.scope-selection').message).toContain('Ignored (set by the flow): state');
  });

  it('makes a fresh verifier and state every time', async () => {
    const a = (await authorize()).state as Extract<FlowState, { step: 'awaiting-callback' }>;
    const b = (await authorize()).state as Extract<FlowState, { step: 'awaiting-callback' }>;
    expect(a.secrets.state).not.toBe(b.secrets.state);
    expect(a.secrets.codeVerifier).not.toBe(b.secrets.codeVerifier);
  });
});
