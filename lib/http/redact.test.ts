import { describe, expect, it } from 'vitest';
import { Redactor, redactHeaderValue, redactJwts, redactPairs, redactValue, TOO_DEEP } from './redact';

const TOKEN = 'tok_0123456789abcdefghijklmnopqrstuvwxyz';
const JWT =
  'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2FzLmV4YW1wbGUiLCJzdWIiOiJ1MSJ9.c2lnbmF0dXJlX2J5dGVz';

describe('redactValue()', () => {
  it.each([
    [TOKEN, 'tok_…wxyz (40 chars)'],
    ['a'.repeat(20), 'aaaa…aaaa (20 chars)'],
    ['a'.repeat(19), '•••• (19 chars)'],
    ['secret', '•••• (6 chars)'],
    ['', '•••• (0 chars)'],
    ['tok_…wxyz (40 chars)', 'tok_…wxyz (40 chars)'],
    ['•••• (6 chars)', '•••• (6 chars)'],
    ['ünïcødé-sëcret-välüe-ok', 'ünïc…e-ok (23 chars)'],
  ])('%j → %j', (input, expected) => {
    expect(redactValue(input)).toBe(expected);
  });
});

describe('redactHeaderValue()', () => {
  it.each([
    ['Authorization', `Bearer ${TOKEN}`, 'Bearer tok_…wxyz (40 chars)'],
    ['authorization', 'Basic Y2xpZW50OnMzY3JldC12YWx1ZS1sb25nLWVub3VnaA==', 'Basic Y2xp…aA== (44 chars)'],
    ['authorization', `DPoP ${TOKEN}`, 'DPoP tok_…wxyz (40 chars)'],
    ['authorization', 'opaque', '•••• (6 chars)'],
    ['proxy-authorization', 'Basic dXNlcjpwYXNz', 'Basic •••• (12 chars)'],
    ['Cookie', 'sid=abc; theme=dark', 'sid=•••• (3 chars); theme=•••• (4 chars)'],
    [
      'set-cookie',
      'sid=abc; Path=/; HttpOnly; SameSite=Lax',
      'sid=•••• (3 chars); Path=/; HttpOnly; SameSite=Lax',
    ],
    ['X-API-Key', TOKEN, 'tok_…wxyz (40 chars)'],
    ['content-type', 'application/json', 'application/json'],
    [
      'www-authenticate',
      'Bearer resource_metadata="https://x/.well-known/oauth-protected-resource"',
      'Bearer resource_metadata="https://x/.well-known/oauth-protected-resource"',
    ],
  ])('%s: %s', (name, value, expected) => {
    expect(redactHeaderValue(name, value)).toBe(expected);
  });
});

describe('redactPairs()', () => {
  it.each([
    ['grant_type=authorization_code&code=abc123', 'grant_type=authorization_code&code=•••• (6 chars)'],
    [`refresh_token=${TOKEN}&client_id=app`, 'refresh_token=tok_…wxyz (40 chars)&client_id=app'],
    ['CLIENT_SECRET=s3cr3t%2Bplus', 'CLIENT_SECRET=•••• (11 chars)'],
    ['code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'code_verifier=dBjf…EjXk (43 chars)'],
    ['state=xyz&scope=read+write', 'state=xyz&scope=read+write'],
    ['flag&password=hunter2', 'flag&password=•••• (7 chars)'],
    ['', ''],
  ])('%s', (input, expected) => {
    expect(redactPairs(input)).toBe(expected);
  });
});

describe('redactJwts()', () => {
  it('redacts JWS and JWE compact forms in free text, not lookalikes', () => {
    const jwe = 'eyJhbGciOiJSU0EtT0FFUCJ9.a2V5.aXY.Y2lwaGVy.dGFn';
    expect(redactJwts(`id ${JWT}.`)).toBe(`id ${redactValue(JWT)}.`);
    expect(redactJwts(jwe)).toBe(redactValue(jwe));
    expect(redactJwts('eyJust kidding.not.a.jwt')).toBe('eyJust kidding.not.a.jwt');
  });
});

describe('Redactor.body()', () => {
  const redactor = new Redactor();

  it('redacts credential keys at any depth in JSON and pretty-prints with 2 spaces', () => {
    const body = JSON.stringify({
      access_token: TOKEN,
      token_type: 'Bearer',
      expires_in: 3600,
      nested: [{ Refresh_Token: 'short' }],
      error: { code: -32600 },
    });
    expect(redactor.body(body, 'application/json')).toBe(
      JSON.stringify(
        {
          access_token: 'tok_…wxyz (40 chars)',
          token_type: 'Bearer',
          expires_in: 3600,
          nested: [{ Refresh_Token: '•••• (5 chars)' }],
          error: { code: -32600 },
        },
        null,
        2,
      ),
    );
  });

  it('recognises JSON served with a wrong content type', () => {
    expect(redactor.body('{"id_token":"abcdefgh"}', 'text/plain')).toBe(
      '{\n  "id_token": "•••• (8 chars)"\n}',
    );
  });

  it('keeps HTML that claims to be JSON as text', () => {
    const html = '<!doctype html><h1>502 Bad Gateway</h1>';
    expect(redactor.body(html, 'application/json')).toBe(html);
  });

  it('redacts form bodies without re-encoding them', () => {
    expect(
      redactor.body('grant_type=refresh_token&refresh_token=abc%20def', 'application/x-www-form-urlencoded'),
    ).toBe('grant_type=refresh_token&refresh_token=•••• (7 chars)');
  });

  it('redacts JSON inside event-stream data lines and keeps the framing', () => {
    const sse = 'event: message\ndata: {"result":{"access_token":"abcdefgh"}}\n\n';
    expect(redactor.body(sse, 'text/event-stream')).toBe(
      'event: message\ndata: {"result":{"access_token":"•••• (8 chars)"}}\n\n',
    );
  });

  it('redacts JWTs in plain text', () => {
    expect(redactor.body(`token: ${JWT}`, 'text/plain')).toBe(`token: ${redactValue(JWT)}`);
  });
});

describe('Redactor.url()', () => {
  it.each([
    [
      'https://app.example/cb?code=abc123&state=s1&iss=https%3A%2F%2Fas',
      'https://app.example/cb?code=•••• (6 chars)&state=s1&iss=https%3A%2F%2Fas',
    ],
    [
      `https://app.example/cb#access_token=${TOKEN}&token_type=bearer`,
      'https://app.example/cb#access_token=tok_…wxyz (40 chars)&token_type=bearer',
    ],
    ['https://user:pa55word@host.example/x', 'https://•••• (4 chars):•••• (8 chars)@host.example/x'],
    [
      'https://host.example/.well-known/oauth-protected-resource/mcp',
      'https://host.example/.well-known/oauth-protected-resource/mcp',
    ],
    ['not a url', 'not a url'],
  ])('%s', (input, expected) => {
    expect(new Redactor().url(input)).toBe(expected);
  });
});

describe('Redactor registry', () => {
  it('scrubs known secret values anywhere, raw and URL-encoded', () => {
    const secret = 'client-secret value/+=xyz';
    const redactor = new Redactor([secret]);
    const shown = redactValue(secret);
    expect(redactor.text(`failed with ${secret}!`)).toBe(`failed with ${shown}!`);
    expect(redactor.url(`https://h.example/p/${encodeURIComponent(secret)}`)).toBe(
      `https://h.example/p/${shown}`,
    );
    expect(redactor.header('x-custom', secret)).toBe(shown);
    expect(redactor.body(`{"note":"${secret}"}`, 'application/json')).toBe(`{\n  "note": "${shown}"\n}`);
  });

  it('replaces the longer of two overlapping secrets whole', () => {
    const redactor = new Redactor(['abcdefgh', 'abcdefgh-ijklmnop-qrstuvwx']);
    expect(redactor.text('x abcdefgh-ijklmnop-qrstuvwx y')).toBe(
      `x ${redactValue('abcdefgh-ijklmnop-qrstuvwx')} y`,
    );
  });

  it('ignores values too short to scrub safely as substrings', () => {
    const redactor = new Redactor();
    redactor.addSecret('secret');
    redactor.addSecret(undefined);
    expect(redactor.text('client_secret is a secret')).toBe('client_secret is a secret');
  });

  it('turns Headers into a redacted record, one Set-Cookie at a time', () => {
    const headers = new Headers([
      ['Content-Type', 'application/json'],
      ['Set-Cookie', 'a=1; Path=/'],
      ['Set-Cookie', 'b=2; Secure'],
      ['Authorization', `Bearer ${TOKEN}`],
    ]);
    expect(new Redactor().headers(headers)).toEqual({
      authorization: 'Bearer tok_…wxyz (40 chars)',
      'content-type': 'application/json',
      'set-cookie': 'a=•••• (1 chars); Path=/, b=•••• (1 chars); Secure',
    });
  });
});

describe('Redactor.body() whatever the content type says', () => {
  const doc = JSON.stringify({ access_token: TOKEN, refresh_token: `r-${TOKEN}`, token_type: 'Bearer' });
  it.each(['text/event-stream', 'application/x-www-form-urlencoded', 'text/plain', 'text/html', undefined])(
    'a JSON token response labelled %s is redacted structurally',
    (type) => {
      const shown = new Redactor().body(doc, type);
      expect(shown).not.toContain(TOKEN);
      expect(shown).toContain('"token_type": "Bearer"');
    },
  );

  it('a document nested 20,000 levels deep is redacted, the part past the cap replaced, never raw', () => {
    const depth = 20_000;
    const body = `{"access_token":"${TOKEN}","extra":${'['.repeat(depth)}"${TOKEN}"${']'.repeat(depth)}}`;
    const shown = new Redactor().body(body, 'application/json');
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain(TOO_DEEP);
    expect(shown.length).toBeLessThan(10_000);
  });

  it('event-stream data split over several lines is joined and redacted', () => {
    const lines = JSON.stringify(JSON.parse(doc), null, 1).split('\n');
    const shown = new Redactor().body(
      `event: message\n${lines.map((l) => `data: ${l}`).join('\n')}\n\n`,
      'text/plain',
    );
    expect(shown).not.toContain(TOKEN);
    expect(shown).toMatch(/^event: message\ndata: \{"access_token":/);
  });

  it('credential keys in text that is not a document (a cut JSON, an HTML page) are still scrubbed', () => {
    const cut = `{"access_token": "${TOKEN}", "scope": "a b`;
    expect(new Redactor().body(cut, 'application/json')).toBe(
      `{"access_token": "${redactValue(TOKEN)}", "scope": "a b`,
    );
    const html = `<p>your code=${TOKEN} and <b>client_secret=${TOKEN}</b></p>`;
    expect(new Redactor().body(html, 'text/html')).not.toContain(TOKEN);
  });
});

describe('Redactor registry: encoded forms, deep values', () => {
  const secret = 'canary-secret-0123456789-abcdef';
  const redactor = new Redactor([secret]);
  it.each([
    ['raw', secret],
    ['base64', Buffer.from(secret).toString('base64')],
    ['base64url', Buffer.from(secret).toString('base64url')],
    ['base64 inside a longer value', Buffer.from(`${secret}:and-more`).toString('base64')],
    ['URL-encoded', encodeURIComponent(`${secret} x`)],
  ])('%s', (_label, form) => {
    expect(redactor.text(`before ${form} after`)).not.toContain(form.slice(0, 30));
  });

  it('deep() scrubs every string and key at any depth, and leaves other values alone', () => {
    let nested: unknown = { [secret]: secret, code: 'unreachable', n: 1 };
    for (let i = 0; i < 5_000; i++) nested = [nested];
    const out = JSON.stringify(redactor.deep({ a: { b: [`x ${secret}`] }, code: 'token_failed', nested }));
    expect(out).not.toContain(secret);
    expect(out).toContain('"code":"token_failed"');
  });

  it('deep() keeps keys named __proto__ as plain keys', () => {
    const value = JSON.parse(`{"__proto__": {"x": "${secret}"}}`) as Record<string, unknown>;
    const out = redactor.deep(value);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe(`{"__proto__":{"x":"${redactValue(secret)}"}}`);
  });
});
