'use client';

import { useId, useState } from 'react';
import { useInspector } from './inspector-provider';

const field =
  'w-full rounded-md border border-line bg-panel px-3 py-2 text-sm text-fg placeholder:text-muted focus:border-accent';

type Grant = 'authorization_code' | 'client_credentials' | 'jwt_bearer' | 'id_jag';

interface RoutesOffered {
  clientCredentials?: boolean;
  jwtBearer?: boolean;
  dpop?: boolean;
}

const GRANTS: Array<{ value: Grant; label: string; needs?: keyof RoutesOffered }> = [
  { value: 'authorization_code', label: 'Sign in in the browser (authorization code + PKCE)' },
  {
    value: 'client_credentials',
    label: 'Client credentials (a machine client, no user)',
    needs: 'clientCredentials',
  },
  { value: 'id_jag', label: 'Enterprise-managed (sign in at the company IdP, ID-JAG)', needs: 'jwtBearer' },
  { value: 'jwt_bearer', label: 'Workload identity (a platform token, JWT bearer)', needs: 'jwtBearer' },
];

/** What the last run's authorization server advertised (the authorize step's `routesOffered` fact). */
function useRoutesOffered(): RoutesOffered | undefined {
  return useInspector((s) => s.view?.steps.find((step) => step.id === 'authorize')?.facts?.routesOffered) as
    | RoutesOffered
    | undefined;
}

/**
 * The route through the flow: the grant, the client's private key, the enterprise IdP, DPoP. Uncontrolled
 * fields like the other options; the private key and secrets go to the inspector's server only, which
 * keeps them in the encrypted session. After a run, each route says whether that server advertised it.
 */
export function RouteOptions() {
  const ids = useId();
  const offered = useRoutesOffered();
  const [grant, setGrant] = useState<Grant>('authorization_code');
  const advertised = (needs?: keyof RoutesOffered) =>
    !offered || !needs
      ? ''
      : offered[needs]
        ? ' — advertised by the last server'
        : ' — not advertised by the last server';
  return (
    <fieldset className="grid gap-4 sm:col-span-2 sm:grid-cols-2">
      <legend className="mb-1 font-medium">Route</legend>
      <label className="flex flex-col gap-1">
        <span className="font-medium">Grant</span>
        <select
          name="grant"
          value={grant}
          onChange={(e) => setGrant(e.target.value as Grant)}
          aria-describedby={`${ids}-grant`}
          className={field}
        >
          {GRANTS.map((g) => (
            <option key={g.value} value={g.value}>
              {g.label}
              {advertised(g.needs)}
            </option>
          ))}
        </select>
        <span id={`${ids}-grant`} className="text-xs text-muted">
          {grant === 'authorization_code'
            ? 'The usual MCP flow.'
            : grant === 'client_credentials'
              ? 'Needs the pre-registered client id with its secret or private key.'
              : grant === 'id_jag'
                ? 'Needs the client id (and secret) at this server’s authorization server and the IdP below; you sign in at the IdP, no token to paste.'
                : 'The assertion comes from the workload’s platform, not from a person: the demo scenarios provide it; for your own workload use the CLI’s --assertion-file.'}
        </span>
      </label>
      <label className="inline-flex items-center gap-2 self-end">
        <input type="checkbox" name="dpop" />
        Ask for DPoP-bound tokens (RFC 9449){advertised('dpop')}
      </label>
      <label className="flex flex-col gap-1 sm:col-span-2">
        <span className="font-medium">Client private key (private_key_jwt, PKCS#8 PEM)</span>
        <textarea
          name="clientPrivateKey"
          rows={3}
          autoComplete="off"
          spellCheck={false}
          placeholder="-----BEGIN PRIVATE KEY-----"
          className={`${field} font-mono`}
        />
        <span className="text-xs text-muted">
          With token endpoint authentication private_key_jwt. Kept only in the encrypted server-side session;
          never shown again.
        </span>
      </label>
      {grant === 'id_jag' ? (
        <>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Enterprise IdP issuer</span>
            <input
              name="idpIssuer"
              type="url"
              spellCheck={false}
              placeholder="https://idp.example.com"
              className={`${field} font-mono`}
            />
          </label>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Client ID at the IdP</span>
            <input
              name="idpClientId"
              autoComplete="off"
              spellCheck={false}
              className={`${field} font-mono`}
            />
          </label>
        </>
      ) : null}
    </fieldset>
  );
}
