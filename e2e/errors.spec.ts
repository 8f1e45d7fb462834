import { freePort } from '../scripts/inspector-process';
import { expect, test } from './fixtures';

test.describe('clear errors for bad targets', () => {
  test('an unreachable URL names the URL and what to check', async ({ inspectorPage: inspector }) => {
    const closed = `http://127.0.0.1:${await freePort()}/mcp`;
    await inspector.open();
    await inspector.startWalkthrough(closed);
    const alert = inspector.page.getByRole('alert').first();
    await expect(alert).toContainText(/could not (connect|reach)|refused|unreachable/i);
    await expect(alert).toContainText(closed.replace('/mcp', ''));
    await expect(inspector.stepButton('Unauthenticated probe')).toContainText('Failed');
  });

  test('a URL that is not an MCP server says so', async ({ inspectorPage: inspector, servers }) => {
    await inspector.open();
    // The inspector's own home page: HTML, 200, no MCP.
    await inspector.startWalkthrough(`${servers.inspector.url}/`);
    await expect(inspector.page.getByRole('alert').first()).toContainText(
      /does not look like an MCP server/i,
    );
  });

  test('text that is not a URL is refused before anything is sent', async ({ inspectorPage: inspector }) => {
    await inspector.open();
    await inspector.startWalkthrough('not a url');
    await expect(inspector.form.getByRole('alert')).toContainText('That is not a URL');
    await expect(inspector.doctor).toHaveCount(0);
  });

  test('a replayed authorization response is refused with a clear page', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await inspector.open();
    await inspector.startWalkthrough(servers.demo.mcpUrl);
    let callbackUrl = '';
    inspector.page.on('request', (r) => {
      if (r.url().includes('/api/oauth/callback')) callbackUrl = r.url();
    });
    await inspector.authorizeAtDemo();
    await inspector.expectConnected();
    expect(callbackUrl).toContain('code=');

    const response = await inspector.page.goto(callbackUrl);
    expect(response?.status()).toBe(400);
    await expect(inspector.page.getByRole('heading', { name: /already used/ })).toBeVisible();
    // The server keeps serving, and the session is intact.
    await inspector.page.getByRole('link', { name: 'Back to the inspector' }).click();
    await inspector.expectConnected();
  });

  test('an authorization error without state shows the server’s error and the missing state, not a forgery', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await inspector.open();
    await inspector.startWalkthrough(servers.demo.mcpUrl);
    await expect(inspector.page.getByRole('button', { name: 'Authorize', exact: true })).toBeVisible();
    const origin = new URL(inspector.page.url()).origin;
    await inspector.page.goto(
      `${origin}/api/oauth/callback?error=access_denied&error_description=${encodeURIComponent('The user said no')}`,
    );
    await expect(inspector.page.getByText(/access_denied/).first()).toBeVisible();
    await expect(inspector.page.getByText(/no state, although the request sent one/).first()).toBeVisible();
    await expect(inspector.page.getByText(/another request|forged/)).toHaveCount(0);
  });
});
