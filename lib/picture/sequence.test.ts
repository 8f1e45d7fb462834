import { describe, expect, it } from 'vitest';
import { STEP_ORDER, type StepRecord } from '../flow/types';
import type { FlowView } from '../flow/view';
import type { Exchange } from '../http/types';
import { buildSequence } from './sequence';
import { pictureSvg } from './svg';
import { buildTimeline } from './timeline';

const MCP = 'https://mcp.example.com/mcp';
const AS = 'https://auth.example.com';

function exchange(
  id: string,
  stepId: string,
  method: string,
  url: string,
  at: number,
  ms: number,
  status?: number,
): Exchange {
  return {
    id,
    stepId,
    startedAt: at,
    durationMs: ms,
    request: { method, url, headers: {} },
    ...(status
      ? {
          response: {
            status,
            statusText: status === 200 ? 'OK' : 'Not Found',
            headers: {},
            size: 0,
            truncated: false,
          },
        }
      : { error: { code: 'timeout', message: 'no answer within 10 s' } }),
  };
}

function view(
  records: Partial<Record<string, Partial<StepRecord>>>,
  step: FlowView['step'] = 'connected',
): FlowView {
  return {
    step,
    options: {
      serverUrl: MCP,
      specVersion: '2026-07-28',
      redirectUri: 'http://localhost/cb',
      registration: 'auto',
      clientName: 'x',
    },
    steps: STEP_ORDER.map(
      (id) => ({ id, status: 'pending', checks: [], exchanges: [], ...records[id] }) as StepRecord,
    ),
    tools: [],
    discovery: { issuer: AS },
    summary: { pass: 0, warn: 0, fail: 0, skip: 0 },
    ...(step === 'failed' ? { failedStep: 'as-metadata' as const } : {}),
  };
}

describe('buildSequence()', () => {
  it('draws a request and a response arrow per exchange, parallel probes in one frame, a lane per party', () => {
    const v = view({
      probe: { status: 'passed', startedAt: 0, exchanges: [exchange('p', 'probe', 'POST', MCP, 0, 10, 401)] },
      'as-metadata': {
        status: 'passed',
        startedAt: 20,
        exchanges: [
          exchange('a1', 'as-metadata', 'GET', `${AS}/.well-known/oauth-authorization-server`, 20, 15, 200),
          exchange('a2', 'as-metadata', 'GET', `${AS}/.well-known/openid-configuration`, 21, 5, 404),
          exchange('j', 'as-metadata', 'GET', 'https://keys.example.net/jwks', 22, 3),
        ],
      },
    });
    const model = buildSequence(v);
    expect(model.lanes.map((l) => l.title)).toEqual([
      'Browser',
      'Inspector',
      'MCP server',
      'Authorization server',
      'Other host',
    ]);
    expect(model.arrows.filter((a) => a.kind === 'request')).toHaveLength(4);
    expect(model.arrows.filter((a) => a.kind === 'response')).toHaveLength(4);
    expect(model.controls.map((c) => c.name)).toEqual([
      'POST /mcp → 401',
      'GET /.well-known/oauth-authorization-server → 200',
      'GET /.well-known/openid-configuration → 404',
      'GET /jwks → timeout',
    ]);
    expect(model.body).toContain('par · 3 requests in parallel');
    expect(model.body).toContain('✕ timeout');
    expect(model.title).toMatch(/^Sequence diagram: 4 exchanges between Browser, Inspector/);
  });

  it('marks the exchange behind the check that stopped the flow, in words', () => {
    const v = view(
      {
        'as-metadata': {
          status: 'failed',
          startedAt: 0,
          exchanges: [
            exchange('a1', 'as-metadata', 'GET', `${AS}/.well-known/oauth-authorization-server`, 0, 5, 200),
          ],
          checks: [
            {
              id: 'as.issuer-match',
              status: 'fail',
              title: 't',
              message: 'm',
              specRef: 'RFC 8414 §3.3',
              exchangeIds: ['a1'],
            },
          ],
        },
      },
      'failed',
    );
    const response = buildSequence(v).arrows.find((a) => a.kind === 'response');
    expect(response?.mark).toBe('✕ Failed as.issuer-match (the flow stopped here)');
    expect(response?.stop).toBe(true);
  });

  it('draws the browser going to the authorization server and back once the callback arrived', () => {
    const v = view({
      authorize: {
        status: 'passed',
        startedAt: 100,
        durationMs: 2,
        facts: { authorizationUrl: `${AS}/authorize?x=1` },
      },
      callback: { status: 'passed', startedAt: 5000, facts: { received: { error: null } } },
    });
    const redirects = buildSequence(v).arrows.filter((a) => a.kind === 'redirect');
    expect(redirects.map((a) => `${a.from}→${a.to}`)).toEqual([
      'inspector→browser',
      'browser→as',
      'as→browser',
      'browser→inspector',
    ]);
  });

  it('draws no browser for a route without one (client credentials, JWT bearer): no authorization URL, no redirect', () => {
    const v = view({
      authorize: { status: 'passed', startedAt: 100, durationMs: 1, facts: {} },
      token: {
        status: 'passed',
        startedAt: 110,
        exchanges: [exchange('t', 'token', 'POST', `${AS}/token`, 110, 5, 200)],
      },
    });
    expect(buildSequence(v).arrows.filter((a) => a.kind === 'redirect')).toEqual([]);
  });

  it('draws the sign-in at an enterprise IdP on the IdP’s lane, not the authorization server’s', () => {
    const v = view({
      authorize: {
        status: 'passed',
        startedAt: 100,
        durationMs: 2,
        facts: { authorizationUrl: 'https://idp.example.org/auth?x=1' },
      },
      callback: { status: 'passed', startedAt: 5000, facts: { received: {} } },
    });
    const model = buildSequence(v);
    const redirects = model.arrows.filter((a) => a.kind === 'redirect');
    expect(redirects.map((a) => `${a.from}→${a.to}`)).toEqual([
      'inspector→browser',
      'browser→host:idp.example.org',
      'host:idp.example.org→browser',
      'browser→inspector',
    ]);
    expect(model.lanes.map((l) => l.host)).toContain('idp.example.org');
  });

  it('escapes what servers send: no markup from a response reaches the drawing', () => {
    const hostile = exchange('p', 'probe', 'GET', MCP, 0, 1, 200);
    hostile.response!.statusText = '<script>alert(1)</script>';
    const v = view({ probe: { status: 'passed', startedAt: 0, exchanges: [hostile] } });
    const svg = pictureSvg(buildSequence(v));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });
});

describe('buildTimeline()', () => {
  it('a bar per exchange, idle time cut out and labelled', () => {
    const v = view({
      probe: { status: 'passed', startedAt: 0, exchanges: [exchange('p', 'probe', 'POST', MCP, 0, 10, 401)] },
      token: {
        status: 'passed',
        startedAt: 60_000,
        exchanges: [exchange('t', 'token', 'POST', `${AS}/token`, 60_000, 20, 200)],
      },
    });
    const t = buildTimeline(v);
    expect(t.controls).toHaveLength(2);
    expect(t.body.match(/data-bar=/g)).toHaveLength(2);
    expect(t.body).toContain('60.0 s idle');
    expect(t.title).toBe('Timeline of 2 exchanges, 1 idle stretch cut out');
  });
});
