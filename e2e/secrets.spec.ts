import { expect, test } from './fixtures';

test('no raw access or refresh token reaches the browser (pages, JSON, server-action payloads, cookies)', async ({
  inspectorPage: inspector,
  servers,
  context,
}) => {
  const bodies: string[] = [];
  inspector.page.on('response', async (response) => {
    const type = response.request().resourceType();
    if (['document', 'fetch', 'xhr', 'script', 'other'].includes(type)) {
      try {
        bodies.push(
          `${response.url()}\n${JSON.stringify(await response.allHeaders())}\n${await response.text()}`,
        );
      } catch {
        // redirects have no body
      }
    }
  });

  await inspector.open();
  await inspector.startWalkthrough(servers.demo.mcpUrl);
  await inspector.authorizeAtDemo();
  await inspector.expectConnected();
  await inspector.runTool('whoami');
  await inspector.page.reload();
  await inspector.expectConnected();
  await inspector.showView('Token');
  await expect(inspector.page.getByTestId('redacted-access-token')).toContainText('…');

  const issued = (await (await fetch(`${servers.demo.adminUrl}/issued-tokens`)).json()) as {
    accessTokens: string[];
    refreshTokens: string[];
  };
  const secrets = [...issued.accessTokens, ...issued.refreshTokens];
  expect(secrets.length).toBeGreaterThanOrEqual(2);

  const storage = await inspector.page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  const cookies = JSON.stringify(await context.cookies());
  const everything = [...bodies, storage, cookies].join('\n');
  expect(bodies.length).toBeGreaterThan(3);
  for (const secret of secrets) {
    // The whole value, and for JWTs the signature alone (a value split across lines would still leak it).
    expect(everything).not.toContain(secret);
    const signature = secret.split('.')[2];
    if (signature) expect(everything).not.toContain(signature);
  }
});
