import { describe, expect, it } from 'vitest';
import type { McpWire } from './client';
import { judgeDiscover, judgeRejection, judgeRevision, judgeVersionRejection } from './negotiation';

const modern: McpWire = {
  era: 'modern',
  protocolVersion: '2026-07-28',
  discover: {
    resultType: 'complete',
    supportedVersions: ['2026-07-28'],
    capabilities: { tools: {} },
    _meta: { 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } },
  } as unknown as McpWire['discover'],
};
const legacy: McpWire = { era: 'legacy', protocolVersion: '2025-11-25', sessionId: 'abc' };
const rejection = (supported?: unknown) => ({
  status: 400,
  error: {
    code: -32022,
    message: 'Unsupported protocol version',
    ...(supported ? { data: { supported } } : {}),
  },
});

describe('judgeRevision()', () => {
  it('passes a server at the judged revision and warns on an older one', () => {
    expect(judgeRevision(modern, '2026-07-28')).toMatchObject({ status: 'pass' });
    const old = judgeRevision(legacy, '2026-07-28');
    expect(old).toMatchObject({ status: 'warn', expected: '2026-07-28', actual: '2025-11-25' });
    expect(old.message).toMatch(/fell back to initialize/);
    expect(judgeRevision(legacy, '2025-06-18')).toMatchObject({ status: 'pass' });
  });
});

describe('judgeRejection()', () => {
  it('passes 400 -32022 with a supported list that names the spoken revision', () => {
    expect(judgeRejection(rejection(['2026-07-28']), '1900-01-01', '2026-07-28').status).toBe('pass');
  });

  it('fails what a client cannot recover from: no list, another code, another status, a list without the spoken version', () => {
    expect(judgeRejection(rejection(), '1900-01-01', '2026-07-28').message).toMatch(/no data\.supported/);
    expect(judgeRejection({ status: 400, error: { code: -32600 } }, 'x', undefined).message).toMatch(
      /code -32600, not -32022/,
    );
    expect(judgeRejection({ status: 200 }, 'x', undefined).message).toMatch(/HTTP 200, not 400/);
    expect(judgeRejection(rejection(['2025-11-25']), 'x', '2026-07-28')).toMatchObject({
      status: 'fail',
      expected: 'supported includes 2026-07-28',
    });
  });
});

describe('judgeVersionRejection()', () => {
  it('is not applicable to a legacy server that refused the modern request without a modern error', () => {
    const v = judgeVersionRejection(
      legacy,
      [{ rpcMethod: 'server/discover', status: 400, error: { code: -32000 } }],
      undefined,
    );
    expect(v.status).toBe('skip');
    expect(v.message).toMatch(/Not applicable.*HTTP 400 \(code -32000\).*fell back to initialize/);
  });

  it('judges a modern server on the deliberate request when negotiation saw no rejection, and says so when there was none', () => {
    expect(judgeVersionRejection(modern, [], rejection(['2026-07-28'])).status).toBe('pass');
    expect(judgeVersionRejection(modern, [], undefined)).toMatchObject({ status: 'skip' });
  });

  it('fails a server that sent -32022 without a list, although it then fell back to legacy', () => {
    const v = judgeVersionRejection(
      legacy,
      [{ rpcMethod: 'server/discover', protocolVersion: '2026-07-28', ...rejection() }],
      undefined,
    );
    expect(v.status).toBe('fail');
  });
});

describe('judgeDiscover()', () => {
  it('passes a discover result, skips legacy servers, fails a modern server without one', () => {
    expect(judgeDiscover(modern).status).toBe('pass');
    expect(judgeDiscover(legacy).status).toBe('skip');
    expect(judgeDiscover({ era: 'modern', protocolVersion: '2026-07-28' }).status).toBe('fail');
  });
});
