import { expect, test } from './fixtures';
import { SessionsPage } from './pages/sessions-page';

/** Flips a demo switch directly (the demo's admin API answers loopback callers only). */
async function demoAdmin(adminUrl: string, path: string, body: unknown = {}) {
  const response = await fetch(`${adminUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function issuedAccessTokens(adminUrl: string): Promise<string[]> {
  const response = await fetch(`${adminUrl}/issued-tokens`);
  return ((await response.json()) as { accessTokens: string[] }).accessTokens;
}

test.describe('honest sessions against the bundled demo', () => {
  test.afterEach(async ({ servers }) => {
    await demoAdmin(servers.demo.adminUrl, '/reset');
  });

  test('an expired access token is refreshed without the user noticing, except in the trace', async ({
    inspectorPage,
    servers,
  }) => {
    const inspector = SessionsPage.from(inspectorPage);
    await inspector.connectToDemo(servers.demo.mcpUrl);
    await inspector.showView('Token');
    await expect(inspector.tokenPanel.getByTestId('refresh-token-state')).toHaveText('held (server-side)');

    // The demo switch goes through the inspector's server to the demo's admin API.
    await inspector.demoSwitch('Expire tokens now');
    const result = await inspector.runTool('echo', { message: 'still here after expiry' });
    await expect(result).toContainText('still here after expiry');
    await expect(result).not.toContainText('failed');
    await inspector.expectConnected();
    await expect(inspector.reconnectBanner).toHaveCount(0);

    // Only the trace and the token panel tell.
    await inspector.showView('Token');
    await expect(inspector.tokenPanel.getByTestId('refresh-token-state')).toHaveText(
      'held (server-side) · refreshed 1 time, rotated',
    );
    await expect(inspector.tokenPanel.locator('[data-check-id="token.refresh-rotation"]')).toContainText(
      'Pass',
    );
    await inspector.showStep('Token exchange');
    await expect(inspector.stepDetail).toContainText(
      'RFC 6749 §6 — refresh: the MCP server rejected the access token',
    );
    await expect(inspector.stepDetail.locator('[data-check-id="token.refresh"]')).toContainText('Pass');
  });

  test('a revoked grant: the Reconnect banner, one click, and the same call succeeds', async ({
    inspectorPage,
    servers,
  }) => {
    const inspector = SessionsPage.from(inspectorPage);
    await inspector.connectToDemo(servers.demo.mcpUrl);
    await demoAdmin(servers.demo.adminUrl, '/revoke-all');

    await inspector.runTool('echo', { message: 'the call that was interrupted' });
    await expect(inspector.reconnectBanner.getByRole('heading')).toHaveText(/Access was revoked/);
    await expect(inspector.reconnectBanner).toContainText('The access token has been revoked');
    await expect(inspector.reconnectBanner).toContainText('invalid_grant');
    await expect(inspector.reconnectBanner).toContainText('runs echo again');

    await inspector.reconnect();
    await inspector.expectConnected();
    await expect(inspector.outcome).toContainText('Signed in again and ran echo again');
    await expect(inspector.tool('echo').getByRole('region', { name: 'Result of echo' })).toContainText(
      'the call that was interrupted',
    );
    await expect(inspector.reconnectBanner).toHaveCount(0);
  });

  test('step-up: a 403 insufficient_scope, re-authorize with more scopes, and the call succeeds', async ({
    inspectorPage,
    servers,
  }) => {
    const inspector = SessionsPage.from(inspectorPage);
    await inspector.connectToDemo(servers.demo.mcpUrl);
    await inspector.demoSwitch('Require mcp:admin for search_notes');

    const denied = await inspector.runTool('search_notes', { query: 'launch' });
    await expect(denied).toContainText('insufficient_scope');
    await expect(inspector.stepUpBanner).toContainText('search_notes needs the scope mcp:admin');
    await expect(inspector.stepUpBanner).toContainText('mcp:read mcp:admin');
    await inspector.expectConnected();

    await inspector.reauthorizeWithMoreScopes();
    await inspector.expectConnected();
    await expect(
      inspector.tool('search_notes').getByRole('region', { name: 'Result of search_notes' }),
    ).toContainText('of demo match "launch"');
    await inspector.showView('Token');
    await expect(inspector.tokenPanel.getByTestId('granted-scopes')).toContainText('mcp:admin');
    await expect(inspector.stepUpBanner).toHaveCount(0);
  });

  test('disconnect revokes at the authorization server: the MCP server rejects the old token', async ({
    inspectorPage,
    servers,
  }) => {
    const inspector = SessionsPage.from(inspectorPage);
    const before = new Set(await issuedAccessTokens(servers.demo.adminUrl));
    await inspector.connectToDemo(servers.demo.mcpUrl);
    const ours = (await issuedAccessTokens(servers.demo.adminUrl)).filter((t) => !before.has(t));
    expect(ours).toHaveLength(1);

    await inspector.disconnect();
    // oidc-provider cannot revoke JWT access tokens (unsupported_token_type); revoking the refresh
    // token ends the grant, and with it the access token.
    await expect(inspector.outcome).toContainText('accepted the revocation of the refresh token');
    await expect(inspector.tokenPanel).toHaveCount(0);
    await inspector.showStep('Token exchange');
    await expect(inspector.stepDetail).toContainText('RFC 7009 §2.1 — revoke the refresh token');
    await expect(inspector.stepDetail.locator('[data-check-id="token.revocation"]')).toContainText('Pass');

    // The next MCP request with the old token is rejected.
    const response = await fetch(servers.demo.mcpUrl, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ours[0]}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('The access token has been revoked');

    // And the same client can sign in again.
    await inspector.reconnect();
    await inspector.expectConnected();
  });

  test('the audience test against an authorization server that refuses unknown resources: a pass, and the session is kept', async ({
    inspectorPage,
    servers,
  }) => {
    // The tenant authorization server knows only its own resources: invalid_target, no sign-in page.
    const scenario = servers.demo.scenarios.find((s) => s.id === 'issuer-path-oidc-only');
    if (!scenario) throw new Error('no issuer-path-oidc-only scenario');
    const inspector = SessionsPage.from(inspectorPage);
    await inspector.connectToDemo(scenario.mcpUrl);
    await inspector.runAudit();
    await inspector.audit.getByRole('button', { name: 'Test audience…' }).click();
    const dialog = inspector.page.getByRole('dialog', { name: /test the audience check/ });
    // The authorization server answers at once (no page of its own): wait for the way back.
    const back = inspector.page.waitForResponse((r) => r.url().includes('/api/oauth/callback'));
    await dialog.getByRole('button', { name: 'Sign in and test' }).click();
    await back;
    await inspector.page.waitForURL(`${inspector.baseUrl}/`);
    await inspector.page.waitForLoadState('load');
    await inspector.expectConnected();
    await inspector.showView('Audit');
    await expect(inspector.auditCheck('audit.audience-as-restricted')).toContainText('Pass');
    await expect(inspector.auditCheck('audit.audience-as-restricted')).toContainText('invalid_target');
    await expect(inspector.auditCheck('audit.audience-restricted')).toContainText(
      'Not testable with this authorization server',
    );
    await expect(inspector.page.getByText(/register the resource/i)).toHaveCount(0);
    // The same session goes on: a tool still runs without signing in again.
    await expect(await inspector.runTool('whoami')).toContainText('demo');
  });

  test('the access audit passes on the demo, audience and revocation included (after asking)', async ({
    inspectorPage,
    servers,
  }) => {
    const inspector = SessionsPage.from(inspectorPage);
    await inspector.connectToDemo(servers.demo.mcpUrl);
    await inspector.runAudit();
    await expect(inspector.audit.getByTestId('audit-summary')).toContainText('0 failed');
    for (const id of [
      'audit.non-read-only-never-called',
      'audit.invalid-token-401',
      'audit.query-token-rejected',
      'audit.error-no-leak',
      'audit.unsupported-version-rejected',
      'audit.mcp-method-mismatch-rejected',
    ]) {
      await expect(inspector.auditCheck(id), id).toContainText('Pass');
    }
    await expect(inspector.auditCheck('audit.mcp-method-mismatch-rejected')).toContainText(
      '400 HeaderMismatch (-32020)',
    );
    // The default server speaks 2026-07-28 only: no Mcp-Session-Id, so nothing to misuse (the legacy
    // server's session is audited below).
    await expect(inspector.auditCheck('audit.session-without-auth-rejected')).toContainText('Skipped');
    await expect(inspector.auditCheck('audit.session-without-auth-rejected')).toContainText(
      'Not applicable: stateless server',
    );
    await expect(inspector.auditCheck('audit.read-only-annotations')).toContainText('delete_note');
    await expect(inspector.auditCheck('audit.revoked-token-rejected')).toContainText('Not tested yet');
    await expect(inspector.auditCheck('audit.audience-restricted')).toContainText('Not tested yet');

    await inspector.testAudience();
    await expect(inspector.auditCheck('audit.audience-restricted')).toContainText('Pass');
    await expect(inspector.auditCheck('audit.audience-restricted')).toContainText(
      'mcp-auth-inspector-audit-audience got 401',
    );

    // Cancel leaves everything as it was.
    await inspector.audit.getByRole('button', { name: 'Test revocation…' }).click();
    await inspector.page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await inspector.expectConnected();

    await inspector.testRevocation();
    await expect(inspector.auditCheck('audit.revoked-token-rejected')).toContainText('Pass');
    await expect(inspector.audit.getByTestId('audit-summary')).toContainText('0 failed');
    await inspector.reconnect();
    await inspector.expectConnected();
  });

  // Each break row against the server where it can show: sessions exist on the legacy wire only.
  for (const [row, id, message, scenarioId = 'default'] of [
    ['query-token', 'audit.query-token-rejected', 'accepted a token from the URL query'],
    [
      'session-without-auth',
      'audit.session-without-auth-rejected',
      'treats the session as a credential',
      'legacy-2025-11-25',
    ],
    ['leak-internals', 'audit.error-no-leak', 'internal host name “notes-db.internal.corp”'],
    [
      'bad-403',
      'audit.insufficient-scope-challenge',
      'lack WWW-Authenticate: Bearer error="insufficient_scope"',
    ],
    [
      'no-revocation-check',
      'audit.revoked-token-rejected',
      'still accepted the access token after it was revoked',
    ],
    [
      'no-audience-check',
      'audit.audience-restricted',
      'accepted a token issued for another resource (audience not checked)',
    ],
    [
      'no-header-check',
      'audit.mcp-method-mismatch-rejected',
      'Mcp-Method header (tools/call) contradicts its body (tools/list)',
    ],
  ] as const) {
    test(`the access audit fails the ${row} row with the right message`, async ({
      inspectorPage,
      servers,
    }) => {
      const inspector = SessionsPage.from(inspectorPage);
      const scenario = servers.demo.scenarios.find((s) => s.id === scenarioId);
      await inspector.connectToDemo(scenario?.mcpUrl ?? servers.demo.mcpUrl);
      if (row === 'no-header-check') {
        // Through the page's demo switches, as a user would.
        await inspector.breakDemoRow('Ignore Mcp-Method/Mcp-Name headers that contradict the body');
      } else {
        await demoAdmin(servers.demo.adminUrl, '/break', { row, on: true });
      }
      if (row === 'bad-403') {
        await demoAdmin(servers.demo.adminUrl, '/require-scope', { tool: 'whoami', scope: 'mcp:admin' });
        await inspector.runTool('whoami');
      }
      await inspector.runAudit();
      if (row === 'no-audience-check') await inspector.testAudience();
      if (row === 'no-revocation-check') await inspector.testRevocation();
      const check = inspector.auditCheck(id);
      await expect(check).toContainText('Fail');
      await expect(check).toContainText(message);
      await expect(inspector.audit.getByTestId('audit-summary')).toContainText('1 failed');
    });
  }
});
