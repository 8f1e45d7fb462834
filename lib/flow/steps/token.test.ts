import { describe, expect, it } from 'vitest';
import { handleCallback, runNextStep, runUntilPause } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check } from '../testing/drive';
import { createFakeWorld, type FakeWorldOptions } from '../testing/fake-world';
import { contextFor, optionsFor } from '../testing/options';
import type { FlowOptions } from '../types';

async function exchanged(
  worldOpts: FakeWorldOptions = {},
  options: Partial<FlowOptions> = {},
  tamper?: (s: FlowState) => FlowState,
) {
  const world = createFakeWorld(worldOpts);
  const ctx = contextFor(world);
  const paused = await runUntilPause(createFlow(optionsFor(world, options)), ctx);
  if (paused.step !== 'awaiting-callback') throw new Error(`at ${paused.step}`);
  let atToken = await handleCallback(paused, world.authorize(paused.authorization.url), ctx);
  if (tamper) atToken = tamper(atToken);
  const state = await runNextStep(atToken, ctx);
  return { world, state };
}

describe('token step', () => {
  it('exchanges the code with code_verifier, redirect_uri and resource; tokens go to secrets only', async () => {
    const { world, state } = await exchanged();
    expect(state.step).toBe('mcp-init');
    if (state.step !== 'mcp-init' || 'unprotected' in state) return;
    const req = new URLSearchParams(world.log.find((r) => r.url.endsWith('/token'))?.body);
    expect(req.get('grant_type')).toBe('authorization_code');
    expect(req.get('code_verifier')).toMatch(/^[\w-]{43}$/);
    expect(req.get('resource')).toBe('https://mcp.example.com/mcp');
    expect(req.get('redirect_uri')).toBe('http://127.0.0.1:3000/api/oauth/callback');
    expect(state.secrets.accessToken).toBeDefined();
    expect(state.secrets.refreshToken).toBeDefined();
    expect(state.secrets.authorizationCode).toBeUndefined();
    expect(state.secrets.codeVerifier).toBeUndefined();
    const publicPart = JSON.stringify({ ...state, secrets: undefined });
    expect(publicPart).not.toContain(state.secrets.accessToken!);
    expect(publicPart).not.toContain(state.secrets.refreshToken!);
    expect(state.token).toMatchObject({
      tokenType: 'Bearer',
      isJwt: true,
      hasRefreshToken: true,
      resource: 'https://mcp.example.com/mcp',
    });
    expect(check(state, 'token.audience')).toMatchObject({
      status: 'pass',
      expected: 'https://mcp.example.com/mcp',
    });
    expect(check(state, 'token.audience').message).toContain('without verifying the signature');
    expect(check(state, 'token.expires-in').status).toBe('pass');
  });

  it('fails the audience check when the JWT is for another resource', async () => {
    const { state } = await exchanged({ tokenAudience: 'https://api.other.example' });
    expect(state.step).toBe('mcp-init');
    expect(check(state, 'token.audience')).toMatchObject({
      status: 'fail',
      expected: 'https://mcp.example.com/mcp',
      actual: 'https://api.other.example',
    });
  });

  it('skips the audience check for opaque tokens and says why', async () => {
    const { state } = await exchanged({ opaqueToken: true });
    expect(check(state, 'token.audience').status).toBe('skip');
    expect(check(state, 'token.audience').message).toContain('opaque');
  });

  it('warns when no refresh token is issued', async () => {
    const { state } = await exchanged({ refreshToken: false });
    expect(check(state, 'token.refresh-token').status).toBe('warn');
  });

  it('maps invalid_grant (wrong PKCE verifier) to token_failed with the server’s answer', async () => {
    const { state } = await exchanged({}, {}, (s) => ({
      ...s,
      secrets: { ...s.secrets, codeVerifier: 'x'.repeat(43) },
    }));
    expect(state.step).toBe('failed');
    if (state.step !== 'failed') return;
    expect(state.failedStep).toBe('token');
    expect(state.error).toMatchObject({
      code: 'token_failed',
      actual: '400 invalid_grant: PKCE verification failed',
    });
    expect(state.error.hint).toContain('PKCE code_verifier');
    expect(check(state, 'token.exchange').status).toBe('fail');
  });

  it('sends no resource when the switch omits it, and the audience check says so', async () => {
    const { world, state } = await exchanged({}, { omitResource: true });
    expect(new URLSearchParams(world.log.find((r) => r.url.endsWith('/token'))?.body).has('resource')).toBe(
      false,
    );
    expect(check(state, 'token.audience').status).toBe('warn');
  });
});
