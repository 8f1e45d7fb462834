import type { DemoScenario } from '../demo/index';
import { expect, test } from './fixtures';
import { RoutesPage } from './pages/routes-page';

/**
 * The routes beyond the browser sign-in, chosen in the web app's Options (not only by demo scenarios),
 * and the replay row of the access audit. Real Chromium, the real demo authorization servers.
 */
function scenarioOf(scenarios: DemoScenario[], id: string): DemoScenario {
  const found = scenarios.find((s) => s.id === id);
  if (!found) throw new Error(`the demo has no scenario ${id}`);
  return found;
}

test('enterprise-managed from the Options: the user signs in at the IdP, no token pasted, and connects', async ({
  inspectorPage,
  servers,
}) => {
  const s = scenarioOf(servers.demo.scenarios, 'enterprise-managed');
  const inspector = RoutesPage.from(inspectorPage);
  await inspector.open();
  await inspector.chooseRoute({
    grant: 'Enterprise-managed',
    clientId: s.preRegistered!.clientId,
    clientSecret: s.preRegistered!.clientSecret!,
    authMethod: 'client_secret_basic',
    idp: s.idp!,
  });
  await inspector.startWalkthrough(s.mcpUrl);
  // The Authorize button leads to the enterprise IdP, not to the MCP server's authorization server.
  await expect(inspector.page.getByText(new URL(s.idp!.issuer).origin).first()).toBeVisible();
  await inspector.authorizeAtDemo();
  await inspector.expectConnected();
  await expect(inspector.doctor.getByTestId('count-fail')).toContainText('0 failed');
  await inspector.showStep('Token exchange');
  await expect(inspector.stepDetail.locator('[data-check-id="token.id-jag"]')).toContainText('Pass');
  await expect(inspector.stepDetail.locator('[data-check-id="token.assertion-claims"]')).toContainText(
    'Pass',
  );
  // The ID token, the ID-JAG and the access token stayed on the inspector's server: no signed JWT on
  // the page or in the report a user would attach to a ticket.
  const signedJwt = /eyJ[\w-]{20,}\.eyJ[\w-]{20,}\.[\w-]{20,}/;
  await expect(inspector.page.locator('body')).not.toContainText(signedJwt);
  const { text } = await inspector.downloadReport();
  expect(text).toContain('token.id-jag');
  expect(text).not.toMatch(signedJwt);
});

test('workload identity from the Options, outside the demo: says the assertion comes from the platform and names the CLI flag', async ({
  inspectorPage,
  servers,
}) => {
  const s = scenarioOf(servers.demo.scenarios, 'workload-identity');
  const inspector = RoutesPage.from(inspectorPage);
  await inspector.open();
  await inspector.chooseRoute({ grant: 'Workload identity', clientId: s.preRegistered!.clientId });
  await expect(inspector.page.getByText(/comes from the workload’s platform/)).toBeVisible();
  await inspector.startWalkthrough(s.mcpUrl);
  await expect(inspector.outcome).toContainText(/--assertion-file/);
});

/** Starts a demo scenario with its Try button, connects, and runs the access audit. */
async function auditScenario(inspector: RoutesPage, scenario: DemoScenario) {
  await inspector.open();
  await inspector.page.getByRole('button', { name: `Try scenario: ${scenario.title}` }).click();
  await inspector.expectConnected();
  await inspector.runAudit();
  return inspector.auditCheck('audit.assertion-replay');
}

test('the replay audit: a replayed private_key_jwt assertion accepted is a warning (a MAY), and the key stays on the server', async ({
  inspectorPage,
  servers,
}) => {
  const replay = scenarioOf(servers.demo.scenarios, 'client-credentials-replay');
  const inspector = RoutesPage.from(inspectorPage);
  const row = await auditScenario(inspector, replay);
  await expect(row).toContainText('Warn');
  await expect(row).toContainText(/MAY/);
  const keyBody = replay.preRegistered!.privateKeyPem!.split('\n')[1]!;
  expect(await inspector.page.content()).not.toContain(keyBody);
});

test('the audience test on a client credentials route asks the token endpoint, with no sign-in, and the session stays', async ({
  inspectorPage,
  servers,
}) => {
  const inspector = RoutesPage.from(inspectorPage);
  await auditScenario(inspector, scenarioOf(servers.demo.scenarios, 'client-credentials-replay'));
  await inspector.testAudienceWithoutBrowser();
  // This AS issues a token for the made-up resource; the MCP server must refuse it.
  const asRow = inspector.auditCheck('audit.audience-as-restricted');
  await expect(asRow).toContainText('Pass');
  await expect(asRow).toContainText(/issued a token with aud .*audit-audience/);
  const serverRow = inspector.auditCheck('audit.audience-restricted');
  await expect(serverRow).toContainText('Pass');
  await expect(serverRow).toContainText('got 401');
  expect(new URL(inspector.page.url()).origin).toBe(new URL(inspectorPage.baseUrl).origin);
  await inspector.expectConnected();
});

test('the replay audit: a strict server refuses the workload token it already redeemed', async ({
  inspectorPage,
  servers,
}) => {
  const row = await auditScenario(
    RoutesPage.from(inspectorPage),
    scenarioOf(servers.demo.scenarios, 'workload-identity'),
  );
  await expect(row).toContainText('Pass');
});

test('after a run, the Options say which routes that server advertises', async ({
  inspectorPage,
  servers,
}) => {
  const s = scenarioOf(servers.demo.scenarios, 'client-credentials');
  const inspector = RoutesPage.from(inspectorPage);
  await inspector.open();
  await inspector.page.getByRole('button', { name: `Try scenario: ${s.title}` }).click();
  await inspector.expectConnected();
  await inspector.openOptions();
  await expect(inspector.grantSelect.locator('option', { hasText: 'Client credentials' })).toContainText(
    'advertised by the last server',
  );
});
