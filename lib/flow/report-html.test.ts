import { describe, expect, it } from 'vitest';
import type { Exchange } from '../http/types';
import { toReport } from './report';
import { toHtmlReport } from './report-html';
import { STEP_ORDER, type StepRecord } from './types';
import type { FlowView } from './view';

const probe: Exchange = {
  id: 'probe.1.1',
  stepId: 'probe',
  startedAt: 0,
  durationMs: 12,
  purpose: 'server/discover without a token',
  request: {
    method: 'POST',
    url: 'https://mcp.example.com/mcp',
    headers: { authorization: 'Bearer eyJh…Zz9 (812 chars)' },
  },
  response: {
    status: 401,
    statusText: '<img src=x onerror=alert(1)>',
    headers: { 'www-authenticate': 'Bearer resource_metadata="https://mcp.example.com/.well-known/x"' },
    body: '</pre><script>alert(2)</script>',
    size: 30,
    truncated: false,
  },
};

function view(): FlowView {
  return {
    step: 'failed',
    failedStep: 'probe',
    error: { code: 'not_mcp', message: 'Not an MCP server.' },
    options: {
      serverUrl: 'https://mcp.example.com/mcp',
      specVersion: '2026-07-28',
      redirectUri: 'http://localhost/cb',
      registration: 'auto',
      clientName: 'x',
    },
    steps: STEP_ORDER.map(
      (id): StepRecord =>
        id === 'probe'
          ? {
              id,
              status: 'failed',
              startedAt: 0,
              durationMs: 12,
              exchanges: [probe],
              checks: [
                {
                  id: 'probe.unauthorized',
                  status: 'fail',
                  title: 'A request without a token gets 401',
                  message: 'It did <b>not</b>.',
                  specRef: 'MCP §Error Handling',
                  exchangeIds: ['probe.1.1'],
                },
              ],
            }
          : { id, status: 'pending', checks: [], exchanges: [] },
    ),
    tools: [],
    discovery: {},
    summary: { pass: 0, warn: 0, fail: 1, skip: 0 },
  };
}

describe('toHtmlReport()', () => {
  const html = toHtmlReport(toReport(view(), new Date('2026-12-01T10:00:00Z')));

  it('is one page with no scripts and no outside requests (a CSP that forbids both)', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<iframe|src="http|href="http/i);
  });

  it('holds the doctor summary, the sequence diagram, each step that ran and each exchange', () => {
    expect(html).toContain('Doctor: <span class="fail">✕ Stopped at Unauthenticated probe</span>');
    expect(html).toMatch(/aria-label="Sequence diagram: 1 exchange between/);
    expect(html).toContain('href="#exchange-probe.1.1"');
    expect(html).toContain('id="exchange-probe.1.1"');
    expect(html).toContain('data-check-id="probe.unauthorized"');
    expect(html).not.toContain('id="step-token"');
  });

  it('escapes everything a server sent', () => {
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<b>not</b>');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });
});
