import type { FlowContext } from '../step-run';
import type { FlowOptions } from '../types';
import type { FakeWorld } from './fake-world';

export const REDIRECT_URI = 'http://127.0.0.1:3000/api/oauth/callback';

export function optionsFor(world: FakeWorld, overrides: Partial<FlowOptions> = {}): FlowOptions {
  return {
    serverUrl: world.mcpUrl,
    specVersion: '2025-11-25',
    redirectUri: REDIRECT_URI,
    registration: 'auto',
    clientName: 'MCP Auth Inspector (test)',
    ...overrides,
  };
}

export function contextFor(world: FakeWorld): FlowContext {
  let t = 1_700_000_000_000;
  return { fetch: world.fetch, policy: { mode: 'local' }, now: () => (t += 5) };
}
