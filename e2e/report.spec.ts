import { writeFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { InspectorPage } from './pages/inspector-page';

test.describe('reports for tickets', () => {
  test('a connected walkthrough downloads as a redacted report that a colleague opens read-only', async ({
    inspectorPage: inspector,
    servers,
    browser,
  }) => {
    await inspector.connectToDemo(servers.demo.mcpUrl);
    await expect(await inspector.runTool('whoami')).toContainText('demo');

    const { json, text, fileName } = await inspector.downloadReport();
    expect(fileName).toMatch(/^mcp-auth-report-127\.0\.0\.1_\d+-\d{4}-\d{2}-\d{2}\.json$/);
    expect(json).toMatchObject({ format: 'mcp-auth-inspector-report', version: 1 });
    expect(text).toContain(servers.demo.mcpUrl);
    const issued = (await (await fetch(`${servers.demo.adminUrl}/issued-tokens`)).json()) as {
      accessTokens: string[];
      refreshTokens: string[];
    };
    for (const secret of [...issued.accessTokens, ...issued.refreshTokens]) {
      expect(text).not.toContain(secret);
      const signature = secret.split('.')[2];
      if (signature) expect(text).not.toContain(signature);
    }

    // A colleague, in another browser with no session: the report opens without the server's help.
    const colleagueContext = await browser.newContext();
    const colleague = new InspectorPage(await colleagueContext.newPage(), inspector.baseUrl);
    await colleague.open();
    await colleague.openReport({ name: fileName, mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect(colleague.page.getByText('Viewing a report')).toBeVisible();
    await expect(colleague.stepButton('Tools')).toContainText('Passed');
    await expect(colleague.doctor.getByTestId('count-fail')).toContainText('0 failed');
    await expect(colleague.tool('whoami').getByRole('button', { name: 'Run whoami' })).toBeDisabled();
    await expect(colleague.page.getByRole('button', { name: 'Run access audit' })).toHaveCount(0);
    await colleague.page.getByRole('button', { name: 'Close report' }).click();
    await expect(colleague.doctor).toHaveCount(0);
    await colleagueContext.close();
  });

  test('the HTML report opens offline with scripts off, holds every exchange and no secret', async ({
    inspectorPage: inspector,
    servers,
    browser,
  }) => {
    await inspector.connectToDemo(servers.demo.mcpUrl);
    await expect(await inspector.runTool('whoami')).toContainText('demo');
    const { json } = await inspector.downloadReport();
    const html = await inspector.downloadHtmlReport();
    expect(html.fileName).toMatch(/^mcp-auth-report-127\.0\.0\.1_\d+-\d{4}-\d{2}-\d{2}\.html$/);

    // The secret scan of the JSON report, on the HTML report.
    const issued = (await (await fetch(`${servers.demo.adminUrl}/issued-tokens`)).json()) as {
      accessTokens: string[];
      refreshTokens: string[];
    };
    expect(issued.accessTokens.length).toBeGreaterThan(0);
    for (const secret of [...issued.accessTokens, ...issued.refreshTokens]) {
      expect(html.text).not.toContain(secret);
      const signature = secret.split('.')[2];
      if (signature) expect(html.text).not.toContain(signature);
    }

    // Offline, scripts off: every request but the file itself would be refused, and none is made.
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    // Saved under its own name, as the colleague's browser would: the .html tells Chromium what it is.
    const file = test.info().outputPath(html.fileName);
    await writeFile(file, html.text);
    await page.goto(`file://${file}`);
    await expect(page.getByRole('heading', { level: 1 })).toContainText(servers.demo.mcpUrl);
    await expect(page.getByRole('heading', { name: /^Doctor: ✓ Connected/ })).toBeVisible();
    const view = json.view as { steps: Array<{ exchanges: Array<{ id: string }> }> };
    const ids = view.steps.flatMap((s) => s.exchanges.map((e) => e.id));
    const diagram = page.getByRole('group', { name: /^Sequence diagram: \d+ exchanges/ });
    await expect(diagram).toBeVisible();
    await expect(diagram.locator('[data-arrow="request"]')).toHaveCount(ids.length);
    await expect(page.locator('section.exchange')).toHaveCount(ids.length);
    // An arrow is a link to its exchange's section, followed without scripts.
    const first = ids[0]!;
    await diagram.locator(`a[href="#exchange-${first}"]`).click();
    await expect(page).toHaveURL(new RegExp(`#exchange-${first.replace(/\./g, '\\.')}$`));
    await expect(page.locator(`[id="exchange-${first}"]`)).toBeInViewport();
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    await context.close();
  });

  test('a file that is not a report is refused with what is wrong', async ({ inspectorPage: inspector }) => {
    await inspector.open();
    await inspector.openReport({
      name: 'notes.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"a":1}'),
    });
    await expect(inspector.page.getByRole('region', { name: 'Reports' }).getByRole('alert')).toContainText(
      'not an MCP Auth Inspector report',
    );
    await inspector.openReport({
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{'),
    });
    await expect(inspector.page.getByRole('region', { name: 'Reports' }).getByRole('alert')).toContainText(
      'broken.json is not JSON',
    );
    await expect(inspector.doctor).toHaveCount(0);
  });
});
