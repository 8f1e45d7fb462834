import { z } from 'zod';
import type { ToolCallView } from '../flow/tool-call';
import { LATEST_SPEC, SPEC_VERSIONS, type SpecVersion } from '../flow/types';
import type { LiveView } from '../flow/view';
import type { Holding, ViewUpdate } from './view-update';

export type { Held, Holding, ViewUpdate } from './view-update';

/**
 * The contract at the client boundary: the types and input schemas that server actions, lib/server
 * and the client components share. Framework-free (no Next.js, no React, no server-only code), so a
 * client component may import it; the schemas run on the server, where every input is parsed.
 */

export type WalkthroughMode = 'guided' | 'run-all';

/**
 * What the page is rendered with: the live view (never a secret; exchanges collapsed), the
 * fingerprints of its parts for the updates that follow (lib/contract/view-update), and the mode.
 */
export interface InspectorSnapshot extends Holding {
  view: LiveView | null;
  mode: WalkthroughMode;
}

/** What every operation answers: what changed in the view since the holding the page sent, and the mode. */
export interface InspectorAnswer {
  update: ViewUpdate;
  mode: WalkthroughMode;
}

export type ActionResult<T = InspectorAnswer> = { ok: true; value: T } | { ok: false; error: string };

export interface ToolCallOutcome extends InspectorAnswer {
  result: ToolCallView;
}

/** Longest server URL accepted; real MCP URLs are far shorter, and every byte is stored and echoed. */
export const MAX_URL_CHARS = 2048;

/** `n` characters, grouped: "900,000 characters". */
const chars = (n: number) => `${n.toLocaleString('en-US')} characters`;

/** One message per problem, the first that applies: an empty field is not also "not a URL". */
const serverUrlSchema = z
  .string({ error: 'Enter the URL of an MCP server, e.g. https://mcp.example.com/mcp.' })
  .trim()
  .superRefine((v, ctx) => {
    const problem = !v
      ? 'Enter the URL of an MCP server, e.g. https://mcp.example.com/mcp.'
      : v.length > MAX_URL_CHARS
        ? `That URL is ${chars(v.length)} long; the inspector accepts server URLs of up to ${chars(MAX_URL_CHARS)}.`
        : !URL.canParse(v)
          ? 'That is not a URL. Include the scheme, e.g. https://mcp.example.com/mcp.'
          : !['http:', 'https:'].includes(new URL(v).protocol)
            ? `Only http:// and https:// MCP servers can be inspected, not ${new URL(v).protocol}//.`
            : undefined;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A text field with a cap and a message that names the field and the cap. */
const capped = (field: string, max: number) =>
  z.string().max(max, {
    error: (issue) =>
      `${field} is ${chars(String(issue.input ?? '').length)} long; the limit is ${chars(max)}.`,
  });

export const startInputSchema = z.object({
  serverUrl: serverUrlSchema,
  mode: z.enum(['guided', 'run-all']).default('run-all'),
  specVersion: z.enum(SPEC_VERSIONS as [SpecVersion, ...SpecVersion[]]).default(LATEST_SPEC),
  registration: z.enum(['auto', 'pre-registered', 'cimd', 'dcr']).default('auto'),
  scope: capped('The scope', 2000).trim().optional(),
  omitResource: z.boolean().default(false),
  extraAuthParams: capped('The extra authorization parameters', 4000).trim().optional(),
  clientId: capped('The client id', 2000).trim().optional(),
  clientSecret: capped('The client secret', 4000).optional(),
  tokenEndpointAuthMethod: z
    .enum(['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'])
    .optional(),
  /** A pre-registered client's private key (PKCS#8 PEM) for private_key_jwt; kept server-side like the secret. */
  clientPrivateKey: capped('The private key', 20_000).trim().optional(),
  /**
   * `client_credentials`: the client's own token (no user, no browser); needs a pre-registered client.
   * `id_jag`: enterprise-managed, the user signs in at the enterprise IdP (`idpIssuer`, `idpClientId`).
   * `jwt_bearer`: workload identity; its assertion comes from the workload's platform (demo: server-side).
   */
  grant: z
    .enum(['authorization_code', 'client_credentials', 'jwt_bearer', 'id_jag'])
    .default('authorization_code'),
  /** Enterprise-managed: the IdP's issuer and this app's client id there. */
  idpIssuer: capped('The IdP issuer', 2000).trim().optional(),
  idpClientId: capped('The IdP client id', 2000).trim().optional(),
  /** Ask for DPoP-bound tokens (RFC 9449). */
  dpop: z.boolean().default(false),
  authorizationServerIndex: z.number().int().min(0).max(20).optional(),
  /** A bundled demo scenario: its pre-registered client (if any) is filled in here, never sent to the browser. */
  demoScenario: capped('The demo scenario', 100).optional(),
});
export type StartInput = z.input<typeof startInputSchema>;

export interface DemoScenarioInfo {
  id: string;
  title: string;
  description: string;
  mcpUrl: string;
  expect: { outcome: 'connected' } | { outcome: 'failed'; step: string; checkId: string };
  /** The spec revision to judge the scenario against to reach `expect` (default: the latest). */
  specVersion?: SpecVersion;
  preRegistered?: {
    clientId: string;
    clientSecret?: string;
    privateKeyPem?: string;
    tokenEndpointAuthMethod?: 'none' | 'client_secret_basic' | 'private_key_jwt';
  };
  /** The grant the scenario's client uses (client credentials: no user, no browser). */
  grant?: 'authorization_code' | 'client_credentials' | 'jwt_bearer' | 'id_jag';
  /** Workload identity: the platform endpoint the inspector's server asks for the workload's token. */
  workload?: { assertionUrl: string };
  /** Enterprise-managed: the IdP the user signs in at. */
  idp?: { issuer: string; clientId: string };
  /** The scenario's resource server takes DPoP-bound tokens: the inspector asks for one. */
  dpop?: boolean;
}

export interface DemoInfo {
  mcpUrl: string;
  adminUrl?: string;
  scenarios: DemoScenarioInfo[];
}

/**
 * The bundled demo's admin switches, flipped from the inspector's server (never from the browser):
 * only when the app was started with the demo (`INSPECTOR_DEMO` with an `adminUrl`), and only these.
 */
export const demoSwitchSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('expire-tokens') }),
  z.object({ op: z.literal('revoke-all') }),
  z.object({
    op: z.literal('require-scope'),
    tool: z.string().regex(/^[a-z_]{1,50}$/),
    scope: z.string().regex(/^(?:[a-z:]{1,30}(?: [a-z:]{1,30}){0,4})?$/),
  }),
  z.object({ op: z.literal('token-ttl'), seconds: z.number().int().min(1).max(86_400) }),
  z.object({
    op: z.literal('break'),
    row: z.enum([
      'query-token',
      'session-without-auth',
      'no-audience-check',
      'leak-internals',
      'no-revocation-check',
      'bad-403',
      'no-header-check',
      'bad-token-500',
      'no-cors',
      'dpop-as-bearer',
    ]),
    on: z.boolean(),
  }),
  z.object({ op: z.literal('reset') }),
]);
export type DemoSwitch = z.infer<typeof demoSwitchSchema>;

/** The demo's state as its admin API reports it (GET /state). */
export interface DemoAdminState {
  accessTokenTtl: number;
  requiredScopes: Record<string, string[]>;
  breaks: Record<string, boolean>;
  tokensExpiredAt: string | null;
  grantsRevokedAt: string | null;
}
