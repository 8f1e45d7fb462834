import { describe, expect, it } from 'vitest';
import { buildPrmCandidates, compareResource, parsePrmDocument } from './protected-resource';

describe('buildPrmCandidates()', () => {
  it('follows the checklist order for https://mcp.example.com/mcp without a header', () => {
    expect(buildPrmCandidates('https://mcp.example.com/mcp')).toEqual([
      {
        url: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
        source: 'path-aware',
        expectedResource: 'https://mcp.example.com/mcp',
      },
      {
        url: 'https://mcp.example.com/.well-known/oauth-protected-resource',
        source: 'root',
        expectedResource: 'https://mcp.example.com',
      },
    ]);
  });

  it('puts the header URL first and expects the requested URL as resource', () => {
    const c = buildPrmCandidates('https://mcp.example.com/mcp', 'https://meta.example.com/prm');
    expect(c.map((x) => [x.source, x.url, x.expectedResource])).toEqual([
      ['header', 'https://meta.example.com/prm', 'https://mcp.example.com/mcp'],
      [
        'path-aware',
        'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
        'https://mcp.example.com/mcp',
      ],
      ['root', 'https://mcp.example.com/.well-known/oauth-protected-resource', 'https://mcp.example.com'],
    ]);
  });

  it('does not probe the same URL twice when the header names the path-aware URL', () => {
    const header = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';
    const c = buildPrmCandidates('https://mcp.example.com/mcp', header);
    expect(c.map((x) => x.source)).toEqual(['header', 'root']);
  });

  it('has only the root URL for a server at the origin', () => {
    expect(buildPrmCandidates('https://mcp.example.com/').map((x) => x.url)).toEqual([
      'https://mcp.example.com/.well-known/oauth-protected-resource',
    ]);
  });

  it('drops a terminating slash and keeps nested paths', () => {
    expect(buildPrmCandidates('https://x.example/a/b/').map((x) => x.url)[0]).toBe(
      'https://x.example/.well-known/oauth-protected-resource/a/b',
    );
  });

  it('resolves a relative header URL against the server URL', () => {
    expect(buildPrmCandidates('https://x.example/mcp', '/meta')[0]?.url).toBe('https://x.example/meta');
  });
});

describe('compareResource()', () => {
  const server = 'https://mcp.example.com/mcp';
  const [pathAware, root] = buildPrmCandidates(server);
  it.each([
    ['https://mcp.example.com/mcp', 'exact'],
    ['https://mcp.example.com/mcp/', 'trailing-slash'],
    ['https://mcp.example.com', 'prefix'],
    ['https://mcp.example.com/other', 'mismatch'],
    ['https://evil.example.com/mcp', 'mismatch'],
    ['not a url', 'mismatch'],
  ] as const)('path-aware doc with resource %s → %s', (actual, expected) => {
    expect(compareResource(actual, pathAware!, server)).toBe(expected);
  });

  it('flags a root document naming the server URL instead of the origin', () => {
    expect(compareResource('https://mcp.example.com', root!, server)).toBe('exact');
    expect(compareResource('https://mcp.example.com/mcp', root!, server)).toBe('server-url-at-root');
  });
});

describe('parsePrmDocument()', () => {
  it('accepts a JSON object with resource', () => {
    expect(parsePrmDocument(200, '{"resource":"https://a"}')).toEqual({
      ok: true,
      document: { resource: 'https://a' },
    });
  });
  it.each([
    [404, '', 'answered HTTP 404'],
    [200, '<html>', 'not JSON'],
    [200, '[]', 'not a JSON object'],
    [200, '{"authorization_servers":[]}', 'no "resource"'],
  ])('rejects %s %s', (status, body, problem) => {
    const r = parsePrmDocument(status, body);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });
});
