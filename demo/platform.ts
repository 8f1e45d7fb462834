/**
 * A workload platform's token service (SEP-1933 workload identity federation), the way cloud platforms
 * give workloads a signed identity token from a local metadata endpoint: `GET /token?audience=X`
 * answers a short-lived JWT (iss = this platform, sub = the workload, aud = X) and `/jwks` publishes
 * the key authorization servers verify it with. Only the workload may ask it for a token; in the demo
 * that is the inspector's server, which fetches it server-side, never the browser.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { importJWK, type JWK, SignJWT } from 'jose';
import { requestUrl, sendJson } from './http';

export const WORKLOAD_SUBJECT = 'workload:demo-reporter';
const TOKEN_TTL = 300;

export interface WorkloadPlatform {
  issuer: string;
  jwksUri: string;
  /** The metadata endpoint a workload asks for its identity token, for the given audience. */
  tokenUrl(audience: string): string;
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function createWorkloadPlatform(origin: string): WorkloadPlatform {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('base64url');
  const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'ES256' };
  const { d: _d, ...publicJwk } = privateJwk;
  const issuer = origin;

  async function mint(audience: string): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid })
      .setIssuer(issuer)
      .setSubject(WORKLOAD_SUBJECT)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_TTL}s`)
      .sign(await importJWK(privateJwk, 'ES256'));
  }

  return {
    issuer,
    jwksUri: `${origin}/jwks`,
    tokenUrl: (audience) => `${origin}/token?${new URLSearchParams({ audience })}`,
    async handle(req, res) {
      const url = requestUrl(req, origin);
      if (url.pathname === '/jwks' && req.method === 'GET') {
        sendJson(res, 200, { keys: [{ ...publicJwk, use: 'sig' }] });
        return true;
      }
      if (url.pathname === '/token' && req.method === 'GET') {
        const audience = url.searchParams.get('audience');
        if (!audience) {
          sendJson(res, 400, { error: 'invalid_request', error_description: 'audience is required' });
          return true;
        }
        sendJson(
          res,
          200,
          { token: await mint(audience), expires_in: TOKEN_TTL },
          { 'Cache-Control': 'no-store' },
        );
        return true;
      }
      return false;
    },
  };
}
