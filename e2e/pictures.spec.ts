import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { InspectorPage } from './pages/inspector-page';

/**
 * The sequence diagram and the timeline are views of the recorded trace: one control (and one request
 * arrow, one response arrow) per recorded exchange, the browser's redirects besides, the failing
 * exchange marked in words, and each arrow opening its exchange.
 */

interface ReportView {
  step: string;
  options: { serverUrl: string };
  failedStep?: string;
  steps: Array<{
    id: string;
    exchanges: Array<{ id: string }>;
    checks: Array<{ id: string; status: string; exchangeIds: string[] }>;
  }>;
}

/** What the server recorded for this browser's walkthrough: the redacted JSON report's view. */
async function recorded(page: Page): Promise<ReportView> {
  const text = await page.evaluate(() => fetch('/api/report').then((r) => r.text()));
  return (JSON.parse(text) as { view: ReportView }).view;
}

const exchangeIds = (view: ReportView) => view.steps.flatMap((s) => s.exchanges.map((e) => e.id));

function diagram(inspector: InspectorPage) {
  const img = inspector.page.getByRole('img', { name: /^Sequence diagram/ });
  const controls = inspector.page
    .getByRole('group', { name: 'Exchanges in the sequence diagram' })
    .getByRole('button');
  return { img, controls };
}

/** The diagram matches the trace one to one: controls, request and response arrows per exchange. */
async function expectDiagramMatches(inspector: InspectorPage, view: ReportView, redirects: number) {
  await inspector.showView('Sequence');
  const { img, controls } = diagram(inspector);
  await expect(img).toBeVisible();
  const ids = exchangeIds(view);
  expect(ids.length).toBeGreaterThan(0);
  await expect(img.locator('[data-arrow="request"]')).toHaveCount(ids.length);
  await expect(img.locator('[data-arrow="response"]')).toHaveCount(ids.length);
  await expect(img.locator('[data-arrow="redirect"]')).toHaveCount(redirects);
  await expect(controls).toHaveCount(ids.length + redirects);
  const drawn = await controls.evaluateAll((els) =>
    els.map((el) => el.getAttribute('data-exchange-id')).filter((id): id is string => Boolean(id)),
  );
  expect(drawn.sort()).toEqual([...ids].sort());
}

test('connected: the diagram has an arrow per request and response, and Enter opens an exchange', async ({
  inspectorPage: inspector,
  servers,
}) => {
  await inspector.connectToDemo(servers.demo.mcpUrl);
  const view = await recorded(inspector.page);
  // To the authorization server and back: the hand-off, the redirect there, the redirect back, the callback.
  await expectDiagramMatches(inspector, view, 4);
  const { img, controls } = diagram(inspector);
  await expect(img).toHaveAttribute(
    'aria-label',
    /between Browser, Inspector, MCP server, Authorization server/,
  );

  // From the keyboard: Tab to the protected resource metadata request, Enter opens it in the walkthrough.
  const prm = inspector.page.getByRole('button', {
    name: 'GET /.well-known/oauth-protected-resource/mcp → 200',
    exact: true,
  });
  await controls.first().focus();
  for (let i = 0; i < 40 && !(await prm.evaluate((el) => el === document.activeElement)); i++) {
    await inspector.page.keyboard.press('Tab');
  }
  await expect(prm).toBeFocused();
  const prmId = await prm.getAttribute('data-exchange-id');
  await inspector.page.keyboard.press('Enter');
  await expect(inspector.viewTab('Walkthrough')).toHaveAttribute('aria-selected', 'true');
  await expect(
    inspector.stepDetail.getByRole('heading', { name: 'Protected resource metadata' }),
  ).toBeVisible();
  const opened = inspector.stepDetail.locator(`details[data-exchange="${prmId}"]`);
  await expect(opened).toHaveAttribute('open', '');
  await expect(opened.locator('summary')).toBeFocused();
  await expect(opened).toContainText('/.well-known/oauth-protected-resource/mcp');

  // The timeline: a bar per exchange, and a click opens it too.
  await inspector.showView('Timeline');
  const timeline = inspector.page.getByRole('img', { name: /^Timeline of/ });
  await expect(timeline.locator('[data-bar]')).toHaveCount(exchangeIds(view).length);
  await inspector.page
    .getByRole('group', { name: 'Exchanges in the timeline' })
    .getByRole('button', { name: 'POST /reg → 201' })
    .click();
  await expect(inspector.stepDetail.getByRole('heading', { name: 'Client registration' })).toBeVisible();
});

test('the diagram in the report viewer matches the report', async ({
  inspectorPage: inspector,
  servers,
  browser,
}) => {
  await inspector.connectToDemo(servers.demo.mcpUrl);
  const { text, fileName } = await inspector.downloadReport();
  const view = (JSON.parse(text) as { view: ReportView }).view;

  const context = await browser.newContext();
  const { InspectorPage } = await import('./pages/inspector-page');
  const colleague = new InspectorPage(await context.newPage(), inspector.baseUrl);
  await colleague.open();
  await colleague.openReport({ name: fileName, mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(colleague.page.getByText('Viewing a report')).toBeVisible();
  await expectDiagramMatches(colleague, view, 4);
  await context.close();
});

test('every failing demo scenario: arrows match the exchanges and the failing one says which check', async ({
  inspectorPage: inspector,
  servers,
}) => {
  const failing = servers.demo.scenarios.filter((s) => s.expect.outcome === 'failed');
  expect(failing.length).toBeGreaterThan(3);
  for (const scenario of failing) {
    if (scenario.expect.outcome !== 'failed') continue;
    await inspector.open();
    const tryIt = inspector.page.getByRole('button', { name: `Try scenario: ${scenario.title}` });
    // After the first scenario the list is folded (a walkthrough exists): open it.
    if (!(await tryIt.isVisible())) await inspector.page.getByText(/^Other scenarios/).click();
    await tryIt.click();
    // The page still shows the previous scenario until this one's answer arrives: wait for the
    // walkthrough of this scenario to settle (the server's record), not for whatever is on screen.
    const settled = async () => {
      const v = await recorded(inspector.page);
      // No walkthrough yet (the report route answers 404 until Start has saved one): not settled.
      return v?.options.serverUrl === scenario.mcpUrl ? v.step : 'elsewhere';
    };
    await expect.poll(settled, { timeout: 15_000 }).toMatch(/^(failed|awaiting-callback)$/);
    // Some fail only after the user signed in (at an enterprise IdP): sign in, and the diagram then
    // has the browser's four redirect arrows; the others fail before any browser is involved.
    const signedIn = (await settled()) === 'awaiting-callback';
    if (signedIn) {
      await inspector.authorizeAtDemo();
      await expect.poll(settled, { timeout: 15_000 }).toBe('failed');
    }
    await expect(
      inspector.page.getByRole('region', { name: 'Outcome' }).getByRole('alert').first(),
    ).toBeVisible();
    const view = await recorded(inspector.page);
    expect(view.step, scenario.id).toBe('failed');
    await expectDiagramMatches(inspector, view, signedIn ? 4 : 0);
    const stopping = view.steps
      .find((s) => s.id === view.failedStep)
      ?.checks.filter((c) => c.status === 'fail')
      .at(-1);
    expect(stopping?.id, scenario.id).toBe(scenario.expect.checkId);
    if (stopping?.exchangeIds.length) {
      const marked = diagram(inspector).img.locator(`[data-exchange-id="${stopping.exchangeIds[0]}"]`);
      await expect(marked.filter({ hasText: `✕ Failed ${stopping.id}` })).toHaveCount(1);
    }
  }
});
