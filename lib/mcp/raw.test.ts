import { describe, expect, it } from 'vitest';
import { encodeHeaderValue, rawMcpRequest } from './raw';

describe('encodeHeaderValue()', () => {
  it('follows the spec’s encoding table', () => {
    expect(encodeHeaderValue('us-west1')).toBe('us-west1');
    expect(encodeHeaderValue('Hello, 世界')).toBe('=?base64?SGVsbG8sIOS4lueVjA==?=');
    expect(encodeHeaderValue(' padded ')).toBe('=?base64?IHBhZGRlZCA=?=');
    expect(encodeHeaderValue('line1\nline2')).toBe('=?base64?bGluZTEKbGluZTI=?=');
    expect(encodeHeaderValue('=?base64?literal?=')).toBe('=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=');
  });
});

describe('rawMcpRequest()', () => {
  it('modern: headers mirror the body, _meta carries version, capabilities and client info', () => {
    const { headers, body } = rawMcpRequest({
      era: 'modern',
      method: 'tools/call',
      params: { name: 'get weather' },
    });
    expect(headers).toMatchObject({
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'get weather',
    });
    expect(headers['mcp-session-id']).toBeUndefined();
    expect(JSON.parse(body).params._meta).toMatchObject({
      'io.modelcontextprotocol/protocolVersion': '2026-07-28',
      'io.modelcontextprotocol/clientInfo': { name: 'mcp-auth-inspector' },
      'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
    });
  });

  it('a contradicting Mcp-Method header when asked (the audit row), the body unchanged', () => {
    const { headers, body } = rawMcpRequest({
      era: 'modern',
      method: 'tools/list',
      mcpMethodHeader: 'tools/call',
    });
    expect(headers['mcp-method']).toBe('tools/call');
    expect(JSON.parse(body).method).toBe('tools/list');
  });

  it('legacy: initialize carries the version in params, later requests the session id, no _meta', () => {
    const init = JSON.parse(rawMcpRequest({ era: 'legacy', method: 'initialize' }).body);
    expect(init.params).toMatchObject({
      protocolVersion: '2025-11-25',
      clientInfo: { name: 'mcp-auth-inspector' },
    });
    const list = rawMcpRequest({ era: 'legacy', method: 'tools/list', sessionId: 's-1' });
    expect(list.headers).toMatchObject({ 'mcp-session-id': 's-1', 'mcp-protocol-version': '2025-11-25' });
    expect(list.headers['mcp-method']).toBeUndefined();
    expect(JSON.parse(list.body).params._meta).toBeUndefined();
  });
});
