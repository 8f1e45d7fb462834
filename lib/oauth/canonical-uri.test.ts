import { describe, expect, it } from 'vitest';
import { canonicalResourceUri, classifyUrlSecurity, isLoopbackUrl } from './canonical-uri';

describe('canonicalResourceUri()', () => {
  it.each([
    ['https://MCP.Example.com/mcp', 'https://mcp.example.com/mcp'],
    ['HTTPS://mcp.example.com/mcp#frag', 'https://mcp.example.com/mcp'],
    ['https://mcp.example.com/', 'https://mcp.example.com'],
    ['https://mcp.example.com', 'https://mcp.example.com'],
    ['https://mcp.example.com:443/mcp', 'https://mcp.example.com/mcp'],
    ['http://127.0.0.1:8080/mcp/', 'http://127.0.0.1:8080/mcp/'],
    ['https://mcp.example.com/Path/Case', 'https://mcp.example.com/Path/Case'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalResourceUri(input)).toBe(expected);
  });
});

describe('isLoopbackUrl() and classifyUrlSecurity()', () => {
  it.each([
    ['http://localhost:3000/cb', true],
    ['http://127.0.0.1/cb', true],
    ['http://[::1]:9/x', true],
    ['http://example.com/', false],
    ['not a url', false],
  ])('%s loopback=%s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });

  it.each([
    ['https://as.example.com/token', 'https'],
    ['http://localhost:4000/token', 'http-loopback'],
    ['http://as.example.com/token', 'insecure'],
    [undefined, 'invalid'],
    ['::', 'invalid'],
  ] as const)('%s is %s', (url, expected) => {
    expect(classifyUrlSecurity(url)).toBe(expected);
  });
});
