import type { DemoScenario } from '../demo/index';
import { expect, test } from './fixtures';
import type { InspectorPage } from './pages/inspector-page';
import { SessionsPage } from './pages/sessions-page';

/**
 * Every bundled demo scenario, started from the start page's scenario list with one click, ends where a
 * spec-compliant client should: connected (and a read-only tool runs), or stopped at the right step
 * with the right check failed and its message on screen.
 */

/** Per scenario: the discovery URL each matrix marks as used (a URL suffix), when discovery got there. */
const USED: Record<string, { prm?: string; as?: string }> = {
  default: {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'prm-root-only': {
    prm: '/.well-known/oauth-protected-resource',
    as: '/.well-known/oauth-authorization-server',
  },
  'prm-header-only': { prm: '/meta/resource.json', as: '/.well-known/oauth-authorization-server' },
  'issuer-path-oidc-only': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/tenant1/.well-known/openid-configuration',
  },
  'no-dcr-preregistered': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'no-dcr-confidential': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  cimd: { prm: '/.well-known/oauth-protected-resource/mcp', as: '/.well-known/oauth-authorization-server' },
  'dual-era': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'legacy-2025-11-25': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'input-required': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'x-mcp-header': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  // No PRM anywhere (nothing used); the AS metadata comes from the MCP server's origin.
  'legacy-2025-03-26': { as: '/.well-known/oauth-authorization-server' },
  'issuer-mismatch': { prm: '/.well-known/oauth-protected-resource/mcp' },
  'no-s256': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'resource-mismatch': {},
  'no-401': {},
  'not-mcp': {},
  'multiple-as': { prm: '/.well-known/oauth-protected-resource/mcp' },
  'client-credentials': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  dpop: {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'client-credentials-replay': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'workload-identity': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'workload-wrong-audience': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'enterprise-managed': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
  'enterprise-wrong-audience': {
    prm: '/.well-known/oauth-protected-resource/mcp',
    as: '/.well-known/oauth-authorization-server',
  },
};
const SCENARIO_IDS = Object.keys(USED);

/** What the connected banner says the server speaks, per demo wire (a dual-era server is used at 2026-07-28). */
const SPOKEN: Record<NonNullable<DemoScenario['wire']>, string> = {
  modern: 'Speaks MCP 2026-07-28 (stateless).',
  dual: 'Speaks MCP 2026-07-28 (stateless).',
  legacy: 'Speaks MCP 2025-11-25 (initialize, session).',
};

/** Scenarios that answer without a token: when they connect, they do so without OAuth. */
const UNPROTECTED = new Set(['no-401']);
/** Scenarios whose client gets its own token (client credentials): OAuth without a browser or consent. */
const NO_BROWSER = new Set([
  'client-credentials',
  'dpop',
  'client-credentials-replay',
  'workload-identity',
  'workload-wrong-audience',
]);
/** Failing scenarios whose failure comes after the user signed in (at the enterprise IdP). */
const SIGN_IN_FIRST = new Set(['enterprise-wrong-audience']);

const STEP_TITLE: Record<string, string> = {
  probe: 'Unauthenticated probe',
  prm: 'Protected resource metadata',
  'as-metadata': 'Authorization server metadata',
  registration: 'Client registration',
  token: 'Token exchange',
};

function scenarioOf(scenarios: DemoScenario[], id: string): DemoScenario {
  const found = scenarios.find((s) => s.id === id);
  if (!found) throw new Error(`the demo has no scenario ${id}`);
  return found;
}

/** One click on the start page: the big button for the default server, "Try" for the others. */
async function startScenario(inspector: InspectorPage, scenario: DemoScenario) {
  const button =
    scenario.id === 'default'
      ? inspector.page.getByRole('button', { name: 'Inspect the demo server' })
      : inspector.page.getByRole('button', { name: `Try scenario: ${scenario.title}` });
  await button.click();
}

/** Opens a discovery step and checks its probe matrix: every row has a URL and a status, and which was used. */
async function expectProbeMatrix(inspector: InspectorPage, step: 'prm' | 'as-metadata', usedSuffix?: string) {
  await inspector.stepButton(STEP_TITLE[step]!).click();
  await expect(inspector.stepDetail.getByRole('heading', { name: STEP_TITLE[step] })).toBeVisible();
  const table = inspector.stepDetail.getByRole('table', { name: 'Probes' });
  await expect(table).toBeVisible();
  for (const column of ['Url', 'Status', 'Used', 'Why']) {
    await expect(table.getByRole('columnheader', { name: column, exact: true })).toBeVisible();
  }
  const rows = table.locator('tbody tr');
  expect(await rows.count()).toBeGreaterThan(0);
  await expect(rows.first().locator('td').first()).toContainText(/^https?:\/\//);
  const used = rows.filter({ has: inspector.page.getByRole('cell', { name: 'yes', exact: true }) });
  if (usedSuffix) {
    await expect(used).toHaveCount(1);
    await expect(used.locator('td').first()).toHaveText(new RegExp(`${escapeRegExp(usedSuffix)}$`));
    await expect(used).toContainText(/used/);
  } else {
    await expect(used).toHaveCount(0);
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('the scenario table covers every demo scenario', ({ servers }) => {
  expect(servers.demo.scenarios.map((s) => s.id).sort()).toEqual([...SCENARIO_IDS].sort());
});

for (const id of SCENARIO_IDS) {
  test(`scenario ${id}`, async ({ inspectorPage: inspector, servers }) => {
    const scenario = scenarioOf(servers.demo.scenarios, id);
    await inspector.open();
    await startScenario(inspector, scenario);
    const { page, doctor } = inspector;
    await expect(doctor).toContainText(`judged against ${scenario.specVersion ?? '2026-07-28'}`);

    if (scenario.expect.outcome === 'connected' && UNPROTECTED.has(id)) {
      // Authorization is optional in MCP: no OAuth to walk through, a warning, and tools without a token.
      await inspector.expectConnected();
      await expect(page.getByRole('button', { name: 'Authorize', exact: true })).toHaveCount(0);
      await expect(doctor.getByText('probe.unauthorized', { exact: true })).toBeVisible();
      await expect(doctor.getByTestId('count-fail')).toContainText('0 failed');
      await inspector.showView('Audit');
      await expect(SessionsPage.from(inspector).audit).toContainText('Not applicable');
      if (scenario.wire) await expect(inspector.spokenWire).toHaveText(SPOKEN[scenario.wire]);
      const result = await inspector.runTool('echo', { message: `hello from ${id}` });
      await expect(result).toContainText(`hello from ${id}`);
    } else if (scenario.expect.outcome === 'connected') {
      if (NO_BROWSER.has(id)) {
        await expect(page.getByRole('button', { name: 'Authorize', exact: true })).toHaveCount(0);
      } else {
        await expect(page.getByRole('button', { name: 'Authorize', exact: true })).toBeVisible();
        await inspector.authorizeAtDemo();
      }
      await inspector.expectConnected();
      await expect(doctor.getByTestId('count-fail')).toContainText('0 failed');
      if (scenario.wire) await expect(inspector.spokenWire).toHaveText(SPOKEN[scenario.wire]);
      const result = await inspector.runTool('echo', { message: `hello from ${id}` });
      await expect(result).toContainText(`hello from ${id}`);
    } else {
      const { step, checkId } = scenario.expect;
      if (SIGN_IN_FIRST.has(id)) await inspector.authorizeAtDemo();
      // The flow stops at the expected step …
      await expect(page.getByRole('region', { name: 'Outcome' }).getByRole('alert').first()).toBeVisible();
      await expect(inspector.stepButton(STEP_TITLE[step]!)).toContainText('Failed');
      // … the Doctor strip spells out the failed check with its message …
      await expect(doctor.getByTestId('count-fail')).not.toContainText(' 0 failed');
      await expect(doctor.getByText(checkId, { exact: true })).toBeVisible();
      // … and the failed step's detail shows that check as failed, with a message saying why.
      const failedCheck = inspector.stepDetail.locator(`[data-check-id="${checkId}"]`);
      await expect(failedCheck).toContainText('Fail');
      const message = (await failedCheck.locator('p').first().textContent()) ?? '';
      expect(message.length).toBeGreaterThan(30);
      await expect(doctor).toContainText(message);
      // A grant without a code is described as what it does, not as a code exchange.
      if (NO_BROWSER.has(id) && step === 'token') {
        await expect(inspector.stepDetail).not.toContainText('Exchange the code for tokens');
        await expect(inspector.stepDetail).toContainText(/JWT bearer grant|client’s own credentials/);
      }
    }

    const used = USED[id]!;
    const ranPrm = !['no-401', 'not-mcp'].includes(id);
    const ranAs = ranPrm && id !== 'resource-mismatch';
    if (ranPrm) await expectProbeMatrix(inspector, 'prm', used.prm);
    if (ranAs) await expectProbeMatrix(inspector, 'as-metadata', used.as);
  });
}

test('the 2025-03-26 server under the latest revision fails prm (only 2025-03-26-style discovery), then connects the 2025-03-26 way', async ({
  inspectorPage: inspector,
  servers,
}) => {
  const scenario = scenarioOf(servers.demo.scenarios, 'legacy-2025-03-26');
  await inspector.open();
  await inspector.startWalkthrough(scenario.mcpUrl);
  await expect(inspector.doctor).toContainText('judged against 2026-07-28');
  await expect(inspector.stepButton('Protected resource metadata')).toContainText('Failed');
  // The verdict against 2026-07-28: no PRM, and why …
  await expect(inspector.doctor.getByTestId('count-fail')).toContainText('2 failed');
  await expect(inspector.doctor.getByText('prm.found', { exact: true })).toBeVisible();
  const check = inspector.stepDetail.locator('[data-check-id="prm.legacy-mode"]');
  await expect(check).toContainText('Fail');
  await expect(check).toContainText(/only supports 2025-03-26-style discovery/);
  await expect(check).toContainText('goes on the 2025-03-26 way, as dual-era clients do');
  await expect(inspector.stepDetail.locator('[data-check-id="prm.found"]')).toContainText('Fail');
  await expectProbeMatrix(inspector, 'prm');
  // … and the way forward: the origin as the authorization server, through to the tools.
  await inspector.authorizeAtDemo();
  await inspector.expectConnected();
  await expect(inspector.doctor.getByTestId('count-fail')).toContainText('2 failed');
  await expect(inspector.spokenWire).toHaveText(SPOKEN.legacy);
  const result = await inspector.runTool('echo', { message: 'the 2025-03-26 way' });
  await expect(result).toContainText('the 2025-03-26 way');
});

test.describe('several authorization servers', () => {
  test('run all: discovery fails with the first; choosing the second connects', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    const scenario = scenarioOf(servers.demo.scenarios, 'multiple-as');
    await inspector.open();
    await startScenario(inspector, scenario);
    await expect(inspector.stepButton('Authorization server metadata')).toContainText('Failed');

    const choice = inspector.page.getByRole('region', { name: 'Choose an authorization server' });
    await expect(choice).toContainText('lists 2 authorization servers');
    await expect(choice).toContainText(`${new URL(scenario.mcpUrl).origin}/retired-as`);
    await expect(choice).toContainText('In use');
    await choice.getByRole('button', { name: `Use authorization server ${servers.demo.issuer}` }).click();

    await expect(inspector.page.getByRole('button', { name: 'Authorize', exact: true })).toBeVisible();
    await expect(choice).toHaveCount(0);
    await inspector.stepButton('Protected resource metadata').click();
    await expect(
      inspector.stepDetail.locator('[data-check-id="prm.authorization-server-choice"]'),
    ).toContainText(`Using ${servers.demo.issuer} (2 of 2)`);
    await inspector.authorizeAtDemo();
    await inspector.expectConnected();
    await expect(inspector.doctor.getByTestId('count-fail')).toContainText('0 failed');
    const result = await inspector.runTool('echo', { message: 'through the second AS' });
    await expect(result).toContainText('through the second AS');
  });

  test('guided: paused before AS discovery, the user picks the second and discovery uses it', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    const scenario = scenarioOf(servers.demo.scenarios, 'multiple-as');
    await inspector.open();
    await inspector.chooseMode('guided');
    await startScenario(inspector, scenario);
    await expect(inspector.stepDetail.getByRole('heading', { name: 'Unauthenticated probe' })).toBeVisible();
    await inspector.next();
    await expect(
      inspector.stepDetail.getByRole('heading', { name: 'Protected resource metadata' }),
    ).toBeVisible();

    const choice = inspector.page.getByRole('region', { name: 'Choose an authorization server' });
    await expect(choice).toContainText('Which authorization server?');
    // The same choice is offered in the resource metadata step's detail.
    await expect(inspector.stepDetail.getByRole('region', { name: 'Authorization servers' })).toBeVisible();
    await choice.getByRole('button', { name: `Use authorization server ${servers.demo.issuer}` }).click();
    await expect(choice.getByRole('listitem').nth(1)).toContainText('In use');
    await expect(inspector.stepButton('Authorization server metadata')).toContainText('Pending');

    await inspector.next();
    await expect(
      inspector.stepDetail.getByRole('heading', { name: 'Authorization server metadata' }),
    ).toBeVisible();
    await expect(inspector.stepButton('Authorization server metadata')).not.toContainText('Failed');
    await expect(inspector.stepDetail.locator('[data-check-id="as.issuer-match"]')).toContainText(
      `issuer is exactly ${servers.demo.issuer}`,
    );
  });
});
