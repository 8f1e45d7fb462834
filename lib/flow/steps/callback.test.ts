import { describe, expect, it } from 'vitest';
import { handleCallback, runUntilPause } from '../engine';
import { createFlow, type FlowState } from '../state';
import { check } from '../testing/drive';
import { createFakeWorld, type FakeWorldOptions } from '../testing/fake-world';
import { contextFor, optionsFor } from '../testing/options';
import type { SpecVersion } from '../types';

async function waiting(worldOpts: FakeWorldOptions = {}, specVersion: SpecVersion = '2025-11-25') {
  const world = createFakeWorld(worldOpts);
  const ctx = contextFor(world);
  const state = await runUntilPause(createFlow(optionsFor(world, { specVersion })), ctx);
  if (state.step !== 'awaiting-callback') throw new Error(`at ${state.step}`);
  return { world, ctx, state };
}

const failed = (s: FlowState) => {
  if (s.step !== 'failed') throw new Error(`expected failed, got ${s.step}`);
  return s;
};

describe('handleCallback()', () => {
  it('accepts a callback with matching state and iss, keeps the code server-side, and moves to token', async () => {
    const { world, ctx, state } = await waiting();
    const cb = world.authorize(state.authorization.url);
    const next = await handleCallback(state, cb, ctx);
    expect(next.step).toBe('token');
    expect(next.secrets.authorizationCode).toBe(cb.searchParams.get('code'));
    const record = next.records.find((r) => r.id === 'callback');
    expect(record?.status).toBe('passed');
    expect(JSON.stringify(record)).not.toContain(cb.searchParams.get('code'));
    expect(check(next, 'callback.state-match').status).toBe('pass');
    expect(check(next, 'callback.iss-match')).toMatchObject({
      status: 'pass',
      expected: world.issuer,
      actual: world.issuer,
    });
  });

  it('accepts URLSearchParams as well as a URL', async () => {
    const { world, ctx, state } = await waiting();
    const next = await handleCallback(state, world.authorize(state.authorization.url).searchParams, ctx);
    expect(next.step).toBe('token');
  });

  it('fails a state mismatch with redacted expected and actual', async () => {
    const { world, ctx, state } = await waiting();
    const cb = world.authorize(state.authorization.url);
    cb.searchParams.set('state', 'forged-state-value-0123456789');
    const s = failed(await handleCallback(state, cb, ctx));
    expect(s.failedStep).toBe('callback');
    expect(s.error.code).toBe('state_mismatch');
    expect(s.error.actual).toBe('forg…6789 (29 chars)');
    expect(s.error.expected).not.toContain(state.secrets.state!);
    expect(s.secrets.authorizationCode).toBeUndefined();
  });

  it('fails a missing state', async () => {
    const { world, ctx, state } = await waiting();
    const cb = world.authorize(state.authorization.url);
    cb.searchParams.delete('state');
    const s = failed(await handleCallback(state, cb, ctx));
    expect(s.error).toMatchObject({ code: 'state_mismatch', actual: '(absent)' });
  });

  it('fails an iss that names another authorization server (mix-up)', async () => {
    const { world, ctx, state } = await waiting({ callbackIss: 'wrong' });
    const s = failed(await handleCallback(state, world.authorize(state.authorization.url), ctx));
    expect(s.error).toMatchObject({
      code: 'iss_mismatch',
      expected: world.issuer,
      actual: 'https://evil.example.com',
    });
    expect(check(s, 'callback.iss-match').status).toBe('fail');
  });

  it('fails a missing iss when the AS advertises RFC 9207 support', async () => {
    const { world, ctx, state } = await waiting({ callbackIss: 'missing' });
    const s = failed(await handleCallback(state, world.authorize(state.authorization.url), ctx));
    expect(s.error).toMatchObject({ code: 'iss_mismatch', actual: '(absent)' });
  });

  it('tolerates a missing iss when not advertised: skip before 2026-07-28, warn under it', async () => {
    const a = await waiting({ callbackIss: 'missing', issParameterSupported: false });
    const okA = await handleCallback(a.state, a.world.authorize(a.state.authorization.url), a.ctx);
    expect(okA.step).toBe('token');
    expect(check(okA, 'callback.iss-match').status).toBe('skip');
    const b = await waiting({ callbackIss: 'missing', issParameterSupported: false }, '2026-07-28');
    const okB = await handleCallback(b.state, b.world.authorize(b.state.authorization.url), b.ctx);
    expect(check(okB, 'callback.iss-match').status).toBe('warn');
  });

  it('turns access_denied into a clear authorization_denied failure', async () => {
    const { world, ctx, state } = await waiting();
    const s = failed(await handleCallback(state, world.authorize(state.authorization.url, 'deny'), ctx));
    expect(s.error.code).toBe('authorization_denied');
    expect(s.error.message).toBe(
      'The authorization server returned access_denied: The user denied the request.',
    );
    expect(s.error.hint).toContain('declined consent');
    expect(check(s, 'callback.error')).toMatchObject({ status: 'fail', actual: 'error=access_denied' });
  });

  it('shows an error that came back without state, and that violation, without calling it forged', async () => {
    const { world, ctx, state } = await waiting();
    const cb = world.authorize(state.authorization.url, 'deny');
    cb.searchParams.delete('state');
    const s = failed(await handleCallback(state, cb, ctx));
    expect(s.error.code).toBe('authorization_denied');
    expect(s.error.message).toMatch(
      /^The authorization server returned access_denied: The user denied the request\. The error response has no state/,
    );
    expect(s.error.specRef).toBe('RFC 6749 §4.1.2.1');
    expect(check(s, 'callback.error')).toMatchObject({
      status: 'fail',
      actual: 'error=access_denied, no state',
    });
    expect(check(s, 'callback.state-match')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('RFC 6749 §4.1.2.1 requires it'),
    });
    expect(JSON.stringify(s.records)).not.toMatch(/forged|CSRF/);
  });

  it('refuses a callback when not waiting for one, leaving the flow untouched', async () => {
    const { world, ctx, state } = await waiting();
    const cb = world.authorize(state.authorization.url);
    const next = await handleCallback(state, cb, ctx);
    await expect(handleCallback(next, cb, ctx)).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
