import { gzipSync } from 'node:zlib';
import { expect, test } from './fixtures';

/**
 * The start page's JavaScript, as Chromium downloads it from the production build (`next start`): every
 * script the first load fetches, gzip-compressed here (level 9) so the figure does not depend on how the
 * server compresses. Panels the start page does not show load when first needed and are not counted.
 */
const BUDGET_BYTES = 140_000;

test('the start page loads at most 140 KB of JavaScript (gzip)', async ({ inspectorPage: inspector }) => {
  const scripts = new Map<string, number>();
  const pending: Array<Promise<void>> = [];
  inspector.page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    pending.push(
      response
        .body()
        .then((body) => {
          scripts.set(response.url(), gzipSync(body, { level: 9 }).length);
        })
        .catch(() => undefined),
    );
  });
  await inspector.open();
  await inspector.page.waitForLoadState('networkidle');
  await Promise.all(pending);

  const total = [...scripts.values()].reduce((a, b) => a + b, 0);
  const lines = [...scripts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([url, bytes]) => `${(bytes / 1000).toFixed(1).padStart(7)} KB  ${new URL(url).pathname}`);
  const summary = `start page JS: ${(total / 1000).toFixed(1)} KB gzip in ${scripts.size} scripts (budget ${BUDGET_BYTES / 1000} KB)`;
  console.log(`${summary}\n${lines.join('\n')}`);
  test.info().annotations.push({ type: 'js-gzip-bytes', description: String(total) });

  expect(scripts.size).toBeGreaterThan(0);
  expect(total, `${summary}\n${lines.join('\n')}`).toBeLessThanOrEqual(BUDGET_BYTES);
});
