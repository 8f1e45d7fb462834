import { describe, expect, it } from 'vitest';
import { audienceList, decodeJwtPayloadUnverified } from './jwt';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('decodeJwtPayloadUnverified()', () => {
  it('decodes the payload of a JWS, including UTF-8', () => {
    expect(
      decodeJwtPayloadUnverified(`${enc({ alg: 'ES256' })}.${enc({ aud: 'x', name: 'Zoë' })}.sig`),
    ).toEqual({ aud: 'x', name: 'Zoë' });
  });
  it.each(['opaque-token', 'a.b', 'a.!!!.c', `${enc({})}.${enc([1])}.s`])('is undefined for %s', (t) => {
    expect(decodeJwtPayloadUnverified(t)).toBeUndefined();
  });
});

describe('audienceList()', () => {
  it('accepts a string or an array', () => {
    expect(audienceList('a')).toEqual(['a']);
    expect(audienceList(['a', 1, 'b'])).toEqual(['a', 'b']);
    expect(audienceList(undefined)).toEqual([]);
  });
});
