import 'server-only';
import { type DemoAdminState, demoSwitchSchema } from '../contract';
import { createTracedFetch } from '../http/traced-fetch';
import { config } from './config';

export { type DemoAdminState, type DemoSwitch, demoSwitchSchema } from '../contract';

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
