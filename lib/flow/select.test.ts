import { describe, expect, it } from 'vitest';
import { parseBearerChallenge } from '../oauth/www-authenticate';
import { runNextStep } from './engine';
import { selectAuthorizationServer } from './select';
import { createFlow, type FlowState } from './state';
import { check } from './testing/drive';
import { json, routes } from './testing/routes';

const MCP = 'https://mcp.example.com/mcp';
const PRM = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const FIRST = 'https://retired-as.example.com';
const SECOND = 'https://auth.example.com';

async function atAsMetadata(): Promise<FlowState> {
  const www = `Bearer resource_metadata="${PRM}"`;
  const atPrm: FlowState = {
    ...createFlow({
      serverUrl: MCP,
      specVersion: '2025-11-25',
      redirectUri: 'https://inspector.example/cb',
      registration: 'auto',
      clientName: 'test',
    }),
    step: 'prm',
    probe: { status: 401, wwwAuthenticate: www, challenge: parseBearerChallenge(www) },
  };
  const r = routes({ [PRM]: json({ resource: MCP, authorization_servers: [FIRST, SECOND] }) });
  return runNextStep(atPrm, { fetch: r.fetch, policy: { mode: 'local' } });
}

describe('selectAuthorizationServer', () => {
  it('switches the issuer at as-metadata and updates the resource metadata step’s record', async () => {
    const before = await atAsMetadata();
    expect(before.step === 'as-metadata' && before.resource.issuer).toBe(FIRST);
    const after = selectAuthorizationServer(before, 1);
    expect(after.step === 'as-metadata' && after.resource.issuer).toBe(SECOND);
    expect(after.options.authorizationServerIndex).toBe(1);
    expect(check(after, 'prm.authorization-server-choice')).toMatchObject({
      actual: SECOND,
      message: expect.stringContaining('2 of 2'),
    });
    expect(after.records.find((r) => r.id === 'prm')?.facts?.chosenAuthorizationServer).toBe(SECOND);
    // The original state is untouched (states are values).
    expect(check(before, 'prm.authorization-server-choice').actual).toBe(FIRST);
  });

  it('refuses an index out of range, and any step but as-metadata', async () => {
    const state = await atAsMetadata();
    expect(() => selectAuthorizationServer(state, 2)).toThrow(/no authorization server number 3/);
    const probe = createFlow(state.options);
    expect(() => selectAuthorizationServer(probe, 0)).toThrow(/right after the resource metadata step/);
  });
});
