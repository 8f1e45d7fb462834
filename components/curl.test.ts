import { describe, expect, it } from 'vitest';
import type { Exchange } from '@/lib/http/types';
import { toCurl } from './curl';

const base: Exchange = {
  id: 'x1',
  stepId: 'probe',
  startedAt: 0,
  durationMs: 3,
  request: { method: 'GET', url: 'https://a.example/x', headers: {} },
};

describe('toCurl()', () => {
  it('writes a GET without -X', () => {
    expect(toCurl(base)).toBe("curl -i 'https://a.example/x'");
  });

  it('quotes single quotes in headers and bodies so the command stays one shell word each', () => {
    const cmd = toCurl({
      ...base,
      request: {
        method: 'POST',
        url: 'https://a.example/token',
        headers: { 'content-type': 'application/json' },
        body: `{"name":"it's"}`,
      },
    });
    expect(cmd).toBe(
      `curl -i -X POST 'https://a.example/token' -H 'content-type: application/json' --data-raw '{"name":"it'\\''s"}'`,
    );
  });
});
