import { expect, test } from './fixtures';

test.describe('the walkthrough against the bundled demo server', () => {
  test('run-all: from the URL to a tool result', async ({ inspectorPage: inspector, servers }) => {
    await inspector.open();
    await inspector.startWalkthrough(servers.demo.mcpUrl, 'run-all');

    // Runs by itself until consent is needed.
    await expect(inspector.page.getByRole('button', { name: 'Authorize', exact: true })).toBeVisible();
    for (const title of [
      'Unauthenticated probe',
      'Protected resource metadata',
      'Authorization server metadata',
      'Client registration',
      'Authorization request',
    ]) {
      await expect(inspector.stepButton(title)).not.toContainText('Pending');
    }
    await inspector.authorizeAtDemo();

    await inspector.expectConnected();
    await expect(inspector.doctor.getByTestId('count-fail')).toContainText('0 failed');
    const result = await inspector.runTool('echo', { message: 'hello from chromium' });
    await expect(result).toContainText('hello from chromium');
  });

  test('guided: pauses after each step and resumes after consent', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await inspector.open();
    await inspector.startWalkthrough(servers.demo.mcpUrl, 'guided');

    // One step per click: the probe ran, the next one waits for "Next".
    await expect(inspector.stepDetail.getByRole('heading', { name: 'Unauthenticated probe' })).toBeVisible();
    await expect(inspector.stepButton('Protected resource metadata')).toContainText('Pending');
    await expect(inspector.stepDetail).toContainText('401');

    for (const title of [
      'Protected resource metadata',
      'Authorization server metadata',
      'Client registration',
      'Authorization request',
    ]) {
      await inspector.next();
      await expect(inspector.stepDetail.getByRole('heading', { name: title })).toBeVisible();
    }
    await inspector.authorizeAtDemo();

    // Back from the authorization server: the callback was checked, the token exchange waits for "Next".
    await expect(inspector.stepButton('Authorization callback')).not.toContainText('Pending');
    await expect(inspector.stepButton('Token exchange')).toContainText('Pending');
    for (const title of ['Token exchange', 'MCP session', 'Tools']) {
      await inspector.next();
      await expect(inspector.stepDetail.getByRole('heading', { name: title })).toBeVisible();
    }
    await inspector.expectConnected();
    const result = await inspector.runTool('add_numbers', { a: '2', b: '40' });
    await expect(result).toContainText('42');
  });

  test('a tool that is not read-only is listed, refused, and never reaches the server', async ({
    inspectorPage: inspector,
    servers,
  }) => {
    await fetch(`${servers.demo.adminUrl}/calls/clear`, { method: 'POST' });
    await inspector.open();
    await inspector.startWalkthrough(servers.demo.mcpUrl, 'run-all');
    await inspector.authorizeAtDemo();
    await inspector.expectConnected();

    const card = inspector.tool('delete_note');
    await expect(card).toContainText('Not read-only');
    await expect(card).toContainText('Not run');
    await expect(card.getByRole('button', { name: /Run/ })).toHaveCount(0);

    // Wait for the result: the call log is read right after.
    await expect(await inspector.runTool('whoami')).toContainText('sub: demo');
    const calls = (await (await fetch(`${servers.demo.adminUrl}/calls`)).json()) as
      | { calls: Array<{ tool: string }> }
      | Array<{ tool: string }>;
    const list = Array.isArray(calls) ? calls : calls.calls;
    expect(list.map((c) => c.tool)).toContain('whoami');
    expect(list.map((c) => c.tool)).not.toContain('delete_note');
  });
});

test('the walkthrough works from the keyboard alone', async ({ inspectorPage: inspector, servers }) => {
  await inspector.open();
  await inspector.serverUrl.focus();
  await inspector.page.keyboard.type(servers.demo.mcpUrl);
  await inspector.page.keyboard.press('Enter');
  const authorize = inspector.page.getByRole('button', { name: 'Authorize', exact: true });
  await expect(authorize).toBeVisible();
  // Tab reaches the consent button, and Enter follows it to the authorization server.
  for (let i = 0; i < 60 && !(await authorize.evaluate((el) => el === document.activeElement)); i++) {
    await inspector.page.keyboard.press('Tab');
  }
  await expect(authorize).toBeFocused();
  await inspector.page.keyboard.press('Enter');
  await expect(inspector.page.getByLabel('Username')).toBeVisible();
});
