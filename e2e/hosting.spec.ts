import { test as base, expect } from '@playwright/test';
import { type DemoHandle, type DemoScenario, startDemo } from '../demo/index';
import { type Hosting, httpsGet, startHosting } from '../scripts/hosting-process';
import { HostingPage } from './pages/hosting-page';

/**
 * Hosted as a support team runs it: two `next start` instances in hosted mode on one Redis, nginx in
 * front with TLS and plain round robin (no stickiness). Each test gets a fresh stack (about a second to
 * start), so a killed instance or a restarted Redis never leaks into the next test.
 */
const NEW_SECRET = 'hosting-e2e-secret-new-0123456789-abcdefghij';
const OLD_SECRET = 'hosting-e2e-secret-old-0123456789-abcdefghij';

const test = base.extend<
  { secrets: string | [string, string]; hosting: Hosting; inspector: HostingPage },
  { demo: DemoHandle }
>({
  secrets: [`${NEW_SECRET},${OLD_SECRET}`, { option: true }],
  demo: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      const demo = await startDemo({ host: '127.0.0.1' });
      await use(demo);
      await demo.close();
    },
    { scope: 'worker' },
  ],
  hosting: async ({ demo, secrets }, use) => {
    // Hosted mode refuses loopback and plain http; the operator's allow list is how the demo's loopback
    // servers (the default and cimd scenarios' MCP and authorization servers) are let in, exactly as
    // internal servers would be.
    const cimd = scenarioOf(demo, 'cimd').mcpUrl;
    const allow = new Set(
      [demo.mcpUrl, demo.issuer, cimd, await authorizationServerOf(cimd)].map((u) => new URL(u).origin),
    );
    const hosting = await startHosting({
      secrets,
      quiet: !process.env.E2E_VERBOSE,
      env: {
        INSPECTOR_ALLOW_HOSTS: [...allow].join(','),
        INSPECTOR_DEMO: JSON.stringify({
          mcpUrl: demo.mcpUrl,
          adminUrl: demo.adminUrl,
          scenarios: demo.scenarios,
        }),
        // Every request of this suite comes from one client (127.0.0.1); the hosted defaults (30
        // outbound operations a minute) would throttle the suite itself, not what it tests.
        INSPECTOR_RATE_ACTIONS: '1000',
        INSPECTOR_RATE_OUTBOUND: '1000',
      },
    });
    // The stack's certificate is made per run: the demo's authorization servers trust it for their
    // Client ID Metadata Document fetches only, while this stack runs.
    await demo.trustCa(hosting.ca);
    try {
      await use(hosting);
    } finally {
      await demo.trustCa(undefined);
      await hosting.stop();
    }
  },
  inspector: async ({ page, hosting }, use) => {
    await use(new HostingPage(page, hosting.url));
  },
});

test.use({ ignoreHTTPSErrors: true });

function scenarioOf(demo: DemoHandle, id: string): DemoScenario {
  const found = demo.scenarios.find((s) => s.id === id);
  if (!found) throw new Error(`the demo has no scenario ${id}`);
  return found;
}

/** The first authorization server an MCP server's (path-aware) protected resource metadata names. */
async function authorizationServerOf(mcpUrl: string): Promise<string> {
  const url = new URL(mcpUrl);
  const response = await fetch(`${url.origin}/.well-known/oauth-protected-resource${url.pathname}`);
  const metadata = (await response.json()) as { authorization_servers?: string[] };
  const issuer = metadata.authorization_servers?.[0];
  if (!issuer) throw new Error(`${mcpUrl} names no authorization server`);
  return issuer;
}

async function demoAdminGet<T>(demo: DemoHandle, path: string): Promise<T> {
  const response = await fetch(`${demo.adminUrl}${path}`);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function demoAdmin(demo: DemoHandle, path: string, body: unknown = {}) {
  const response = await fetch(`${demo.adminUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

/** Start on whichever instance nginx picks; the callback is steered to the other one and must work there. */
async function connectAcrossInstances(inspector: HostingPage, hosting: Hosting, demo: DemoHandle) {
  await inspector.open();
  const startedOn = await inspector.startOn(demo.mcpUrl);
  const first = hosting.instanceOf(startedOn);
  expect(first, `Start was answered by an instance (${startedOn})`).toBeGreaterThanOrEqual(0);
  const callback = await inspector.authorizeRecorded(() => hosting.steerNextTo(1 - first));
  expect(hosting.instanceOf(callback.upstream), 'the callback is served by the other instance').toBe(
    1 - first,
  );
  await inspector.expectConnected();
  return { first, callback };
}

test.afterEach(async ({ demo }) => {
  await demoAdmin(demo, '/reset');
});

test('the whole walkthrough through nginx: callback, tool, reconnect, step-up and disconnect on either instance', async ({
  inspector,
  hosting,
  demo,
}) => {
  await connectAcrossInstances(inspector, hosting, demo);
  await expect(inspector.doctor.getByTestId('count-fail')).toContainText('0 failed');
  await expect(await inspector.runTool('echo', { message: 'through nginx' })).toContainText('through nginx');

  // Reconnect: the grant is revoked, the banner offers one click, the same call succeeds.
  await demoAdmin(demo, '/revoke-all');
  await inspector.runTool('echo', { message: 'interrupted call' });
  await expect(inspector.reconnectBanner.getByRole('heading')).toHaveText(/Access was revoked/);
  await inspector.reconnect();
  await inspector.expectConnected();
  await expect(inspector.tool('echo').getByRole('region', { name: 'Result of echo' })).toContainText(
    'interrupted call',
  );

  // Step-up: a 403 insufficient_scope, re-authorize with more scopes, the call succeeds.
  await inspector.demoSwitch('Require mcp:admin for search_notes');
  await expect(await inspector.runTool('search_notes', { query: 'launch' })).toContainText(
    'insufficient_scope',
  );
  await inspector.reauthorizeWithMoreScopes();
  await inspector.expectConnected();
  await expect(
    inspector.tool('search_notes').getByRole('region', { name: 'Result of search_notes' }),
  ).toContainText('of demo match "launch"');

  await inspector.disconnect();
  await expect(inspector.outcome).toContainText('accepted the revocation of the refresh token');

  // No stickiness: both instances answered this one browser's actions, and none failed.
  expect(inspector.actionUpstreams()).toEqual(new Set([hosting.upstream(0), hosting.upstream(1)]));
  expect(inspector.actions.filter((a) => a.status !== 200)).toEqual([]);
});

test('an instance killed mid-walkthrough: the user goes on on the other one, nothing lost', async ({
  inspector,
  hosting,
  demo,
}) => {
  await inspector.open();
  const first = hosting.instanceOf(await inspector.startOn(demo.mcpUrl));
  const other = 1 - first;
  // The instance that began the sign-in dies while the user is at the authorization server.
  const callback = await inspector.authorizeRecorded(() => hosting.killInstance(first));
  expect(hosting.instanceOf(callback.upstream)).toBe(other);
  await inspector.expectConnected();
  await expect(await inspector.runTool('echo', { message: 'on the survivor' })).toContainText(
    'on the survivor',
  );
  expect(hosting.instanceOf(inspector.actions.at(-1)?.upstream)).toBe(other);

  // Back up, the restarted instance serves the same session (the trace of both calls included).
  await hosting.startInstance(first);
  await hosting.steerNextTo(first);
  await expect(await inspector.runTool('echo', { message: 'back on the first' })).toContainText(
    'back on the first',
  );
  expect(hosting.instanceOf(inspector.actions.at(-1)?.upstream)).toBe(first);
  await inspector.expectReportHolds(['on the survivor', 'back on the first']);
});

test('Redis down, then restarted empty: the page says so, and a fresh Start works', async ({
  inspector,
  hosting,
  demo,
}) => {
  await connectAcrossInstances(inspector, hosting, demo);

  await hosting.killRedis();
  for (const instance of hosting.instances) {
    const health = await fetch(`${instance?.url}/api/health`);
    expect(health.status, `${instance?.url}/api/health reports the store down`).toBe(503);
  }
  await inspector.runTool('echo', { message: 'while Redis is down' });
  await expect(inspector.toolAlert('echo')).toContainText(
    /session store is not answering .*try again in a few seconds/,
  );

  await hosting.startRedisAgain();
  await inspector.runTool('echo', { message: 'after the restart' });
  await expect(inspector.toolAlert('echo')).toContainText(
    /session expired, or the inspector’s session store was restarted\. Enter the server URL and press Start/,
  );

  await inspector.open();
  await inspector.startWalkthrough(demo.mcpUrl, 'run-all');
  await inspector.authorizeAgainAtDemo();
  await inspector.expectConnected();
  await expect(await inspector.runTool('echo', { message: 'a fresh start' })).toContainText('a fresh start');
});

test('two tabs clicking at once on the two instances: both calls complete, the session holds both', async ({
  inspector,
  hosting,
  demo,
  context,
}) => {
  await connectAcrossInstances(inspector, hosting, demo);
  const second = new HostingPage(await context.newPage(), hosting.url);
  await second.open();
  await second.expectConnected();

  // Two requests at once through one round robin: one to each instance, each instance holding the
  // session's lock in turn. Two clicks in one browser are not always in flight together (the pages
  // may share a renderer's main thread), so the pair is clicked again, up to three times, until a
  // pair was: the test must have tested concurrency to pass.
  const sent: string[] = [];
  let overlapped = false;
  for (let attempt = 1; attempt <= 3 && !overlapped; attempt++) {
    const messages = [`from tab one #${attempt}`, `from tab two #${attempt}`] as const;
    sent.push(...messages);
    const one = await inspector.prepareTool('echo', { message: messages[0] });
    const two = await second.prepareTool('echo', { message: messages[1] });
    await Promise.all([one.run.click(), two.run.click()]);
    await expect(one.result).toContainText(messages[0]);
    await expect(two.result).toContainText(messages[1]);
    const calls = [inspector.actions.at(-1), second.actions.at(-1)];
    expect(new Set(calls.map((c) => hosting.instanceOf(c?.upstream)))).toEqual(new Set([0, 1]));
    // In flight together: each was sent before the other was answered.
    const [a, b] = calls as [NonNullable<(typeof calls)[0]>, NonNullable<(typeof calls)[0]>];
    overlapped = a.sentAt < b.answeredAt && b.sentAt < a.answeredAt;
  }
  expect(overlapped, 'no pair of clicks was in flight together in three tries').toBe(true);

  // A third view of the session, loaded afresh, has both calls: neither save overwrote the other.
  const third = new HostingPage(await context.newPage(), hosting.url);
  await third.open();
  await third.expectReportHolds(sent);
});

test('a callback URL sent again, to the other instance, gets the "already used" page', async ({
  inspector,
  hosting,
  demo,
}) => {
  const { callback } = await connectAcrossInstances(inspector, hosting, demo);
  const servedFirst = hosting.instanceOf(callback.upstream);

  await hosting.steerNextTo(1 - servedFirst);
  const replay = await inspector.openDirectly(callback.url);
  expect(hosting.instanceOf(replay.upstream), 'the replay lands on the other instance').toBe(1 - servedFirst);
  expect(replay.status).toBe(400);
  await expect(replay.heading).toHaveText('This authorization response was already used');

  // The walkthrough is left as it was.
  await inspector.open();
  await inspector.expectConnected();
});

test('a Client ID Metadata Document registration: the AS fetches the document through nginx, the callback lands on the other instance', async ({
  inspector,
  hosting,
  demo,
}) => {
  const scenario = scenarioOf(demo, 'cimd');
  // Hosted mode names its document after INSPECTOR_PUBLIC_URL: the proxy's https origin, not an instance.
  const documentUrl = `${hosting.url}/oauth/client-metadata.json`;

  // Either instance serves the same document, byte for byte, and so does the proxy in front of them.
  const direct = await Promise.all(
    hosting.instances.map(async (instance) => {
      const response = await fetch(`${instance?.url}/oauth/client-metadata.json`);
      expect(response.status, `${instance?.url} serves the document`).toBe(200);
      return response.text();
    }),
  );
  expect(direct[1], 'both instances serve the same document').toBe(direct[0]);
  expect(JSON.parse(direct[0] ?? '')).toMatchObject({
    client_id: documentUrl,
    redirect_uris: [`${hosting.url}/api/oauth/callback`],
    token_endpoint_auth_method: 'none',
  });
  const proxied = await httpsGet(documentUrl, hosting.ca);
  expect(proxied?.status).toBe(200);
  expect(proxied?.body).toBe(direct[0]);

  // Start the cimd scenario: registration is the document URL as client_id, nothing registered.
  await inspector.open();
  const first = hosting.instanceOf(await inspector.startScenarioOn(scenario.title));
  expect(first, 'Start was answered by an instance').toBeGreaterThanOrEqual(0);
  await expect(await inspector.registrationCheck('registration.route-available')).toContainText(
    'Using the Client ID Metadata Document',
  );
  // The instance cannot check its own document from here (hosted mode refuses a loopback address), so
  // this check warns; the AS, which matters, fetches it below.
  await expect(await inspector.registrationCheck('registration.cimd')).toContainText(
    `client_id is the document URL ${documentUrl}`,
  );

  // The AS fetches the document over the proxy's TLS when the browser arrives; consent, then the
  // callback is steered to the other instance.
  const callback = await inspector.authorizeRecorded(() => hosting.steerNextTo(1 - first));
  expect(hosting.instanceOf(callback.upstream), 'the callback is served by the other instance').toBe(
    1 - first,
  );
  await inspector.expectConnected();
  await expect(inspector.doctor.getByTestId('count-fail')).toContainText('0 failed');
  await expect(await inspector.runTool('echo', { message: 'a CIMD client' })).toContainText('a CIMD client');

  // The demo's side: it fetched that document and accepted it (no failed fetch), and the tool call
  // came with a token issued to the document URL as client_id.
  const { fetches } = await demoAdminGet<{ fetches: Array<{ clientId: string; error: string | null }> }>(
    demo,
    '/cimd-fetches',
  );
  expect(fetches.length, 'the authorization server fetched the document').toBeGreaterThan(0);
  for (const fetched of fetches) expect(fetched).toMatchObject({ clientId: documentUrl, error: null });
  const { calls } = await demoAdminGet<{
    calls: Array<{ tool: string; clientId: string; scenario: string }>;
  }>(demo, '/calls');
  expect(calls.at(-1)).toMatchObject({ tool: 'echo', scenario: 'cimd', clientId: documentUrl });
  expect(inspector.actions.filter((a) => a.status !== 200)).toEqual([]);
});

test.describe('in the middle of a rolling secret rotation', () => {
  // Phase one put the new secret on every instance as an opener only (`old,new`); phase two, under
  // way, makes it the sealer one instance at a time (`new,old`). Each instance opens what the other sealed.
  test.use({ secrets: [`${OLD_SECRET},${NEW_SECRET}`, `${NEW_SECRET},${OLD_SECRET}`] });

  test('sessions sealed by either instance open on the other', async ({ inspector, hosting, demo }) => {
    const { first } = await connectAcrossInstances(inspector, hosting, demo);
    for (const i of [first, 1 - first]) {
      await hosting.steerNextTo(i);
      const message = `sealed by instance ${i}`;
      await expect(await inspector.runTool('echo', { message })).toContainText(message);
      expect(hosting.instanceOf(inspector.actions.at(-1)?.upstream)).toBe(i);
    }
    await inspector.expectReportHolds(['sealed by instance 0', 'sealed by instance 1']);
  });
});
