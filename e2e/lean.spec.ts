import { expect, test } from './fixtures';
import { InspectorPage } from './pages/inspector-page';

/**
 * Lean server actions in the production build: the session cookie is set on the first page load, so
 * Start sets none and Next.js does not re-render the page into its answer; actions answer with what
 * changed; exchanges arrive collapsed and load, from this browser's session only, when opened.
 */

/** A React Server Components tree of the root layout: what a re-render after an action carries. */
const RENDERED_PAGE = /\["\$","html",/;

test('the first page load sets the session cookie, so Start answers alone: no Set-Cookie, no page', async ({
  inspectorPage: inspector,
  servers,
}) => {
  await inspector.open();
  const [cookie] = await inspector.page.context().cookies();
  expect(cookie).toMatchObject({ name: 'inspector_sid', httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const start = await inspector.actionResponse(servers.demo.mcpUrl, () =>
    inspector.startWalkthrough(servers.demo.mcpUrl),
  );
  await expect(inspector.page.getByRole('button', { name: 'Authorize', exact: true })).toBeVisible();
  expect(start.headers['set-cookie']).toBeUndefined();
  expect(start.body).not.toMatch(RENDERED_PAGE);
  expect(start.body).toContain('"full"');
  expect(Buffer.byteLength(start.body), 'startAction answer').toBeLessThanOrEqual(25 * 1024);
  // The cookie the page load set is the session's: Start stored its walkthrough under it.
  expect((await inspector.page.context().cookies())[0]?.value).toBe(cookie?.value);
});

test('a tool call answers with what changed, under 5 KB; an opened exchange loads its bodies', async ({
  inspectorPage: inspector,
  servers,
}) => {
  await inspector.connectToDemo(servers.demo.mcpUrl);

  const call = await inspector.actionResponse('whoami', async () => {
    await expect(await inspector.runTool('whoami')).toContainText('sub: demo');
  });
  expect(call.body).not.toContain('"full"');
  expect(call.body).not.toMatch(RENDERED_PAGE);
  expect(Buffer.byteLength(call.body), 'tool call answer').toBeLessThanOrEqual(5 * 1024);

  await inspector.showView('Walkthrough');
  const { item, response } = await inspector.openExchange('Protected resource metadata');
  expect(response.status()).toBe(200);
  await expect(item.getByText('Request', { exact: true })).toBeVisible();
  await expect(item).toContainText('content-type: application/json');
  await expect(item.getByRole('button', { name: 'Copy as curl (redacted)' })).toBeVisible();
});

test('an exchange that is not this browser’s walkthrough’s is a 404 with a sentence, shown where it was opened', async ({
  inspectorPage: inspector,
  servers,
}) => {
  await inspector.startUntilConsent(servers.demo.mcpUrl);
  const unknown = await inspector.page.request.get(`${inspector.baseUrl}/api/exchange/probe.999.1?at=0`);
  expect(unknown.status()).toBe(404);
  expect((await unknown.json()).error_description).toMatch(
    /^This browser’s walkthrough has no such exchange/,
  );

  // Another browser (without this session's cookie) cannot open this session's exchanges.
  const { item, response } = await inspector.openExchange('Unauthenticated probe');
  expect(response.status()).toBe(200);
  const path = new URL(response.url()).pathname + new URL(response.url()).search;
  const other = await inspector.page.context().browser()!.newContext();
  expect((await other.request.get(`${inspector.baseUrl}${path}`)).status()).toBe(404);
  await other.close();

  // A second tab starts a new walkthrough: the first tab's rows are from the old one, and one opened
  // now says so instead of showing the new walkthrough's exchange under the old row.
  const second = new InspectorPage(await inspector.page.context().newPage(), inspector.baseUrl);
  await second.startUntilConsent(servers.demo.mcpUrl);
  expect(await item.getAttribute('open')).not.toBeNull();
  const stale = await inspector.openExchange('Protected resource metadata');
  expect(stale.response.status()).toBe(404);
  await expect(stale.item.getByRole('alert')).toContainText(
    'This exchange could not be loaded. This browser’s walkthrough has no such exchange',
  );
  await expect(stale.item.getByRole('button', { name: 'Try again' })).toBeVisible();
});
