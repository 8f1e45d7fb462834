import type { DemoScenario } from '../demo/index';
import { expect, test } from './fixtures';
import type { InspectorPage } from './pages/inspector-page';
import { SessionsPage } from './pages/sessions-page';

/**
 * The MCP 2026-07-28 wire as a user meets it: which revision a server speaks, a tool that asks back
 * before it answers (input required), and tools whose arguments travel in Mcp-Param headers.
 */

function scenarioOf(scenarios: DemoScenario[], id: string): DemoScenario {
  const found = scenarios.find((s) => s.id === id);
  if (!found) throw new Error(`the demo has no scenario ${id}`);
  return found;
}

async function connect(inspector: InspectorPage, mcpUrl: string) {
  await inspector.open();
  await inspector.startWalkthrough(mcpUrl, 'run-all');
  await inspector.authorizeAtDemo();
  await inspector.expectConnected();
}

async function toolCalls(adminUrl: string): Promise<string[]> {
  const body = (await (await fetch(`${adminUrl}/calls`)).json()) as { calls: Array<{ tool: string }> };
  return body.calls.map((c) => c.tool);
}

test.describe('input required (2026-07-28)', () => {
  test('get_temperature asks "Which unit?"; the answer repeats the call and gets the temperature', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await connect(inspector, servers.demo.mcpUrl);
    await inspector.runTool('get_temperature', { city: 'Berlin' });

    const ask = inspector.inputRequest('get_temperature');
    await expect(ask).toBeVisible();
    await expect(ask.getByRole('heading')).toHaveText('get_temperature asks for input before it answers');
    await expect(ask).toContainText('elicitation/create');
    await expect(ask).toContainText('Which unit?');
    await expect(ask.getByLabel('Unit')).toContainText('fahrenheit');

    const result = await inspector.answerInput('get_temperature', 'unit', { Unit: 'fahrenheit' });
    await expect(result).toContainText(/It is -?\d+(\.\d+)? °F in Berlin\./);
    await expect(result).not.toContainText('The tool reported an error');
    await expect(ask).toHaveCount(0);
  });

  test('Decline sends the decline, and the tool answers with its error result', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await connect(inspector, servers.demo.mcpUrl);
    await inspector.runTool('get_temperature', { city: 'Berlin' });
    await expect(inspector.inputRequest('get_temperature')).toContainText('Which unit?');

    const result = await inspector.declineInput('get_temperature');
    await expect(result).toContainText(
      'You declined the question "Which unit?", so no temperature was looked up for Berlin.',
    );
    await expect(result).toContainText('The tool reported an error');
    await expect(inspector.inputRequest('get_temperature')).toHaveCount(0);
  });

  test('the input-required scenario asks the same way', async ({ inspectorPage: inspector, servers }) => {
    await connect(inspector, scenarioOf(servers.demo.scenarios, 'input-required').mcpUrl);
    await inspector.runTool('get_temperature', { city: 'Berlin' });
    const result = await inspector.answerInput('get_temperature', 'unit', { Unit: 'celsius' });
    await expect(result).toContainText(/It is -?\d+(\.\d+)? °C in Berlin\./);
  });
});

test.describe('which revision a server speaks', () => {
  test('default: 2026-07-28, stateless, in the banner and the MCP step', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await connect(inspector, servers.demo.mcpUrl);
    await expect(inspector.spokenWire).toHaveText('Speaks MCP 2026-07-28 (stateless).');
    await expect(await inspector.mcpStepWire()).toHaveText('Speaks MCP 2026-07-28 (stateless)');
    await expect(inspector.stepDetail.locator('[data-check-id="mcp.protocol-revision"]')).toContainText(
      'Pass',
    );
  });

  test('legacy-2025-11-25: 2025-11-25 through initialize, with a session, and a warning for it', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await connect(inspector, scenarioOf(servers.demo.scenarios, 'legacy-2025-11-25').mcpUrl);
    await expect(inspector.spokenWire).toHaveText('Speaks MCP 2025-11-25 (initialize, session).');
    await expect(await inspector.mcpStepWire()).toHaveText('Speaks MCP 2025-11-25 (initialize, session)');
    const revision = inspector.stepDetail.locator('[data-check-id="mcp.protocol-revision"]');
    await expect(revision).toContainText('Warning');
    await expect(revision).toContainText('older than the 2026-07-28 revision judged');
    await expect(revision).toContainText('fell back to initialize');
    // Tools still run over the session.
    await expect(await inspector.runTool('whoami')).toContainText('sub: demo');
  });

  test('dual-era: the inspector uses 2026-07-28', async ({ inspectorPage: inspector, servers }) => {
    await connect(inspector, scenarioOf(servers.demo.scenarios, 'dual-era').mcpUrl);
    await expect(inspector.spokenWire).toHaveText('Speaks MCP 2026-07-28 (stateless).');
    await expect(await inspector.mcpStepWire()).toHaveText('Speaks MCP 2026-07-28 (stateless)');
    await expect(inspector.stepDetail.locator('[data-check-id="mcp.protocol-revision"]')).toContainText(
      'Pass',
    );
  });

  test('legacy-2025-11-25 audit: the session row is tested, the 2026-07-28 rows do not apply', async ({
    inspectorPage,
    servers,
  }) => {
    const inspector = SessionsPage.from(inspectorPage);
    await connect(inspector, scenarioOf(servers.demo.scenarios, 'legacy-2025-11-25').mcpUrl);
    await inspector.runAudit();
    await expect(inspector.audit.getByTestId('audit-summary')).toContainText('0 failed');
    await expect(inspector.auditCheck('audit.session-without-auth-rejected')).toContainText('Pass');
    for (const id of ['audit.unsupported-version-rejected', 'audit.mcp-method-mismatch-rejected']) {
      await expect(inspector.auditCheck(id), id).toContainText('Skipped');
      await expect(inspector.auditCheck(id), id).toContainText(
        'Not applicable: the server speaks 2025-11-25',
      );
    }
  });
});

test.describe('x-mcp-header: tool arguments mirrored into Mcp-Param headers', () => {
  test('get_forecast runs with Mcp-Param-Region; lookup_account is excluded with its reason and never called', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await fetch(`${servers.demo.adminUrl}/calls/clear`, { method: 'POST' });
    await connect(inspector, scenarioOf(servers.demo.scenarios, 'x-mcp-header').mcpUrl);

    // The server refuses a call whose Mcp-Param-Region is missing or differs (400 -32020).
    const result = await inspector.runTool('get_forecast', { region: 'us-west1' });
    await expect(result).toContainText('Forecast for us-west1');
    await expect(result).toContainText('Mcp-Param-Region: us-west1');

    const excluded = inspector.tool('lookup_account');
    await expect(excluded).toContainText('Excluded (invalid x-mcp-header)');
    await expect(excluded).toContainText(
      'x-mcp-header "Account Id" at account is not an HTTP field-name token',
    );
    await expect(excluded.getByRole('button')).toHaveCount(0);
    await expect(inspector.tools.getByRole('heading', { level: 2 })).toContainText('1 excluded');

    await inspector.stepButton('Tools').click();
    const mirroring = inspector.stepDetail.locator('[data-check-id="tools.header-mirroring"]');
    await expect(mirroring).toContainText('Warning');
    await expect(mirroring).toContainText('lookup_account');

    const calls = await toolCalls(servers.demo.adminUrl);
    expect(calls).toContain('get_forecast');
    expect(calls).not.toContain('lookup_account');
  });
});
