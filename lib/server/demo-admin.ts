import 'server-only';
import { z } from 'zod';
import { createTracedFetch } from '../http/traced-fetch';
import { config } from './config';

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

function adminUrl(): string {
  const url = config().demo?.adminUrl;
  if (!url)
    throw new Error('This inspector was not started with the bundled demo, so there are no demo switches.');
  return url.replace(/\/+$/, '');
}

/** Loopback only (the demo binds there), through the one traced fetch; nothing is recorded. */
function demoFetch() {
  return createTracedFetch({ stepId: 'demo-admin', policy: { mode: 'local' }, limits: { timeoutMs: 5000 } });
}

async function readState(response: Response): Promise<DemoAdminState> {
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new Error(
      `The demo refused the switch (HTTP ${response.status}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}).`,
    );
  }
  return body as unknown as DemoAdminState;
}

export async function demoAdminState(): Promise<DemoAdminState> {
  return readState(await demoFetch()(`${adminUrl()}/state`, { method: 'GET' }));
}

export async function flipDemoSwitch(raw: unknown): Promise<DemoAdminState> {
  const input = demoSwitchSchema.parse(raw);
  const { op, ...body } = input;
  const response = await demoFetch()(`${adminUrl()}/${op}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return readState(response);
}
