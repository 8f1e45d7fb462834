import { expect, test } from './fixtures';
import { InspectorPage } from './pages/inspector-page';

test.describe('sessions are isolated', () => {
  test('two browsers connected at once each see their own account; a tampered cookie opens nothing', async ({
    browser,
    servers,
  }) => {
    const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
    try {
      const [demo, alex] = await Promise.all(
        contexts.map(async (c) => new InspectorPage(await c.newPage(), servers.inspector.url)),
      );
      if (!demo || !alex) throw new Error('two pages');
      await Promise.all([demo.open(), alex.open()]);
      await Promise.all([
        demo.startWalkthrough(servers.demo.mcpUrl),
        alex.startWalkthrough(servers.demo.mcpUrl),
      ]);
      await Promise.all([demo.authorizeAtDemo({ user: 'demo' }), alex.authorizeAtDemo({ user: 'alex' })]);
      await Promise.all([demo.expectConnected(), alex.expectConnected()]);

      const [mine, theirs] = await Promise.all([demo.runTool('whoami'), alex.runTool('whoami')]);
      await expect(mine).toContainText('sub: demo');
      await expect(theirs).toContainText('sub: alex');
      await expect(mine).not.toContainText('sub: alex');
      await expect(theirs).not.toContainText('sub: demo');

      // Someone who copies demo's session cookie and changes one character gets no session at all.
      const [sid] = (await contexts[0]!.cookies(servers.inspector.url)).filter(
        (c) => c.name === 'inspector_sid',
      );
      expect(sid?.httpOnly).toBe(true);
      expect(sid?.sameSite).toBe('Lax');
      const value = sid!.value;
      const tampered = `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
      await contexts[1]!.addCookies([{ ...sid!, value: tampered }]);
      await alex.page.reload();
      await expect(alex.serverUrl).toBeVisible();
      await expect(alex.page.getByRole('heading', { name: /Connected/ })).toHaveCount(0);
      await expect(alex.page.getByText('sub: demo')).toHaveCount(0);

      // The owner is unaffected.
      await demo.page.reload();
      await demo.expectConnected();
      await expect(await demo.runTool('whoami')).toContainText('sub: demo');
    } finally {
      await Promise.all(contexts.map((c) => c.close()));
    }
  });
});
