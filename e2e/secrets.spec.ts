import { expect, test } from './fixtures';

test('no raw access or refresh token reaches the browser (pages, JSON, server-action payloads, cookies, reports)', async ({
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

  await inspector.connectToDemo(servers.demo.mcpUrl);
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

  // Both reports a user can download, JSON and offline HTML.
  const reports = [(await inspector.downloadReport()).text, (await inspector.downloadHtmlReport()).text];
  const storage = await inspector.page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  const cookies = JSON.stringify(await context.cookies());
  const everything = [...bodies, ...reports, storage, cookies].join('\n');
  expect(bodies.length).toBeGreaterThan(3);
  for (const secret of secrets) {
    // The whole value, and for JWTs the signature alone (a value split across lines would still leak it).
    expect(everything).not.toContain(secret);
    const signature = secret.split('.')[2];
    if (signature) expect(everything).not.toContain(signature);
  }
});

/**
 * The four leak paths of issue 10 against hostile servers on loopback, end to end: a token response
 * labelled text/event-stream with a member nested 20,000 levels deep and the tokens echoed in headers,
 * a registration answer with a client secret labelled form-urlencoded, and a tool that echoes the
 * bearer token it received (raw, base64, URL-encoded). Every byte the browser receives (documents,
 * flight payloads, action answers, headers, storage, cookies) and the downloaded report are scanned
 * for every secret in each of its forms.
 */
test('hostile servers cannot get a secret onto the page or into the report', async ({
  inspectorPage: inspector,
  context,
}) => {
  const { relayThrough, startHostileWorld, answer } = await import('../lib/flow/testing/hostile-world');
  const { findSecrets } = await import('../lib/flow/testing/secret-scan');
  const w = await startHostileWorld();
  const secrets = new Set<string>(['cs-e2e-canary-5b0c1e7f93a2', 'rat-e2e-canary-a41d09c7e38f']);
  const keep = (...values: unknown[]) => {
    for (const v of values) if (typeof v === 'string' && v.length >= 8) secrets.add(v);
  };
  try {
    w.routes.set('/evil-as/authorize', (req, res) => {
      const back = w.evil.authorize(`${w.origin}${req.url}`);
      keep(back.searchParams.get('code'));
      res.writeHead(302, { location: back.href });
      res.end();
    });
    w.routes.set(
      '/evil-as/register',
      relayThrough(
        () => w.evil,
        (a) => ({
          ...a,
          headers: { ...a.headers, 'content-type': 'application/x-www-form-urlencoded' },
          body: JSON.stringify({
            ...(JSON.parse(a.body) as object),
            client_secret: 'cs-e2e-canary-5b0c1e7f93a2',
            registration_access_token: 'rat-e2e-canary-a41d09c7e38f',
          }),
        }),
      ),
    );
    w.routes.set(
      '/evil-as/token',
      relayThrough(
        () => w.evil,
        (a, req) => {
          const sent = new URLSearchParams(req.body);
          keep(sent.get('code'), sent.get('code_verifier'));
          const tokens = JSON.parse(a.body) as { access_token: string; refresh_token: string };
          keep(tokens.access_token, tokens.refresh_token);
          const depth = 20_000;
          const deep = `${'{"a":'.repeat(depth)}"${tokens.refresh_token}"${'}'.repeat(depth)}`;
          return {
            ...a,
            headers: {
              ...a.headers,
              'content-type': 'text/event-stream',
              'x-echo': tokens.access_token,
              'x-echo-b64': Buffer.from(tokens.refresh_token).toString('base64'),
            },
            body: `${a.body.slice(0, -1)},"extra":${deep}}`,
          };
        },
      ),
    );
    w.mcp.set('tools/call', (message, res, req) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
      keep(token);
      answer(res, message, {
        content: [
          { type: 'text', text: `You sent ${token}` },
          { type: 'text', text: Buffer.from(token).toString('base64url') },
          { type: 'text', text: encodeURIComponent(`t=${token}`) },
        ],
        structuredContent: { echo: token },
      });
    });

    const bodies: string[] = [];
    inspector.page.on('response', async (response) => {
      try {
        bodies.push(
          `${response.url()}\n${JSON.stringify(await response.allHeaders())}\n${await response.text()}`,
        );
      } catch {
        // redirects have no body
      }
    });
    await inspector.open();
    await inspector.page.getByLabel('Judge against spec').selectOption('2025-11-25');
    await inspector.startWalkthrough(w.evil.mcpUrl);
    await inspector.page.getByRole('button', { name: 'Authorize', exact: true }).click();
    await inspector.page.waitForURL(`${inspector.baseUrl}/`);
    await inspector.expectConnected();
    const result = await inspector.runTool('get_time');
    await expect(result).toContainText('You sent');
    await inspector.page.reload();
    await inspector.expectConnected();
    const report = await inspector.downloadReport();
    const htmlReport = await inspector.downloadHtmlReport();

    const storage = await inspector.page.evaluate(() =>
      JSON.stringify({ ...localStorage, ...sessionStorage }),
    );
    const everything = [
      ...bodies,
      report.text,
      htmlReport.text,
      storage,
      JSON.stringify(await context.cookies()),
    ].join('\n');
    // client secret, registration token, code, verifier, access and refresh token (the bearer is the access token)
    expect(secrets.size).toBe(6);
    const found = findSecrets(everything, secrets);
    expect(found).toEqual([]);
  } finally {
    await w.close();
  }
});
