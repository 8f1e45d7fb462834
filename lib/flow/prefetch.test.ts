import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../http/types';
import { runNextStep, runUntilPause } from './engine';
import { createFlow } from './state';
import { json } from './testing/routes';
import type { FlowOptions } from './types';

const MCP = 'https://mcp.example.com/mcp';
const PATH_AWARE = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
const ROOT = 'https://mcp.example.com/.well-known/oauth-protected-resource';
const AS = 'https://auth.example.com';

const options = (discovery?: 'matrix' | 'client'): FlowOptions => ({
  serverUrl: MCP,
  specVersion: '2025-11-25',
  redirectUri: 'https://inspector.example/cb',
  registration: 'auto',
  clientName: 'test',
  ...(discovery ? { discovery } : {}),
});

/** A server where every answer takes 30 ms; logs when each request starts and whether the probe had answered. */
function slowWorld() {
  const log: Array<{ url: string; method: string; probeAnswered: boolean }> = [];
  let probeAnswered = false;
  const fetch: FetchLike = async (input, init) => {
    const url = String(input);
    const method = (init?.method ?? 'GET').toUpperCase();
    log.push({ url, method, probeAnswered });
    await new Promise((r) => setTimeout(r, 30));
    if (method === 'POST' && url === MCP) {
      probeAnswered = true;
      return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer scope="read"' } });
    }
    if (url === ROOT) return json({ resource: 'https://mcp.example.com', authorization_servers: [AS] });
    return new Response('not found', { status: 404 });
  };
  return { fetch, log };
}

describe('run all: well-known metadata requested together with the probe', () => {
  it('sends the path-aware and root PRM requests before the probe answers, once each, and notes it', async () => {
    const world = slowWorld();
    const state = await runUntilPause(createFlow(options()), {
      fetch: world.fetch,
      policy: { mode: 'local' },
    });
    const prm = world.log.filter((r) => r.url === PATH_AWARE || r.url === ROOT);
    expect(prm.map((r) => r.url).sort()).toEqual([PATH_AWARE, ROOT].sort());
    expect(prm.every((r) => !r.probeAnswered)).toBe(true);
    const record = state.records.find((r) => r.id === 'prm');
    expect(record?.exchanges.map((e) => e.request.url).sort()).toEqual([PATH_AWARE, ROOT].sort());
    expect(record?.facts?.requestedEarly).toContain('together with the probe');
    expect(record?.status).not.toBe('pending');
  });

  it('does not speculate in guided mode (one step at a time) or in strict client discovery', async () => {
    const guided = slowWorld();
    const afterProbe = await runNextStep(createFlow(options()), {
      fetch: guided.fetch,
      policy: { mode: 'local' },
    });
    expect(guided.log.map((r) => r.url)).toEqual([MCP]);
    await runNextStep(afterProbe, { fetch: guided.fetch, policy: { mode: 'local' } });
    expect(guided.log.filter((r) => r.url !== MCP).every((r) => r.probeAnswered)).toBe(true);

    const strict = slowWorld();
    await runUntilPause(createFlow(options('client')), { fetch: strict.fetch, policy: { mode: 'local' } });
    expect(strict.log.filter((r) => r.url !== MCP).every((r) => r.probeAnswered)).toBe(true);
  });

  it('sends early requests through the same address policy: hosted mode sends nothing to an http server', async () => {
    const world = slowWorld();
    const state = await runUntilPause(createFlow({ ...options(), serverUrl: 'http://mcp.example.com/mcp' }), {
      fetch: world.fetch,
      policy: { mode: 'hosted' },
    });
    expect(state.step).toBe('failed');
    await new Promise((r) => setTimeout(r, 50));
    expect(world.log).toEqual([]);
  });
});
