/**
 * `npm run screenshot`: drives the built inspector through the demo in Chromium at 1400×900 and saves
 * the README's screenshots (and dark variants): the start page, the consent page, the connected page
 * (tools view, and the sequence diagram), the timeline, a failing scenario and its diagram.
 */
import { chromium, type Page } from '@playwright/test';
import { startDemo } from '../demo/index';
import { chromiumLaunchOptions } from '../e2e/chromium';
import { freePort, startInspector } from './inspector-process';

const out = process.argv[2] ?? 'docs';
const viewport = { width: 1400, height: 900 };

async function signIn(page: Page, baseUrl: string, shot?: string) {
  await page.getByRole('button', { name: 'Authorize', exact: true }).click();
  await page.getByLabel('Username').fill('demo');
  await page.getByLabel('Password').fill('demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Authorize', exact: true }).waitFor();
  if (shot) await page.screenshot({ path: shot });
  await page.getByRole('button', { name: 'Authorize', exact: true }).click();
  await page.waitForURL(`${baseUrl}/`);
  await page.getByRole('heading', { name: /Connected/ }).waitFor();
}

async function main() {
  const demo = await startDemo();
  const inspector = await startInspector({
    port: await freePort(),
    quiet: true,
    env: {
      INSPECTOR_DEMO: JSON.stringify({
        mcpUrl: demo.mcpUrl,
        adminUrl: demo.adminUrl,
        scenarios: demo.scenarios,
      }),
    },
  });
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    for (const scheme of ['light', 'dark'] as const) {
      const suffix = scheme === 'dark' ? '-dark' : '';
      const page = await browser.newPage({ viewport, colorScheme: scheme });
      await page.goto(inspector.url);
      await page.getByRole('button', { name: 'Inspect the demo server' }).waitFor();
      await page.screenshot({ path: `${out}/start${suffix}.png` });

      await page.getByRole('button', { name: 'Inspect the demo server' }).click();
      await signIn(page, inspector.url, `${out}/consent${suffix}.png`);
      // Connected: the page follows the flow to the tools; the doctor, banner, steps and views fit.
      const tool = page.getByRole('article', { name: 'Tool echo' });
      await tool.getByLabel('message', { exact: false }).first().fill('hello from the README');
      await tool.getByRole('button', { name: 'Run echo' }).click();
      await tool.getByRole('region', { name: 'Result of echo' }).waitFor();
      await page.screenshot({ path: `${out}/connected${suffix}.png` });

      await page.getByRole('tab', { name: 'Sequence' }).click();
      await page.getByRole('img', { name: /^Sequence diagram/ }).waitFor();
      await page.screenshot({ path: `${out}/sequence${suffix}.png` });
      // The whole diagram, beyond the fold.
      await page
        .getByRole('region', { name: 'Sequence diagram' })
        .screenshot({ path: `${out}/sequence-diagram${suffix}.png` });
      await page.getByRole('tab', { name: 'Timeline' }).click();
      await page.getByRole('img', { name: /^Timeline/ }).waitFor();
      await page.screenshot({ path: `${out}/timeline${suffix}.png` });
      await page.close();
    }

    // A failing scenario: the doctor spells out the rule, the diagram marks the exchange that proves it.
    const failing = demo.scenarios.find((s) => s.id === 'issuer-mismatch');
    if (!failing) throw new Error('the demo has no issuer-mismatch scenario');
    const page = await browser.newPage({ viewport });
    await page.goto(inspector.url);
    await page.getByRole('button', { name: `Try scenario: ${failing.title}` }).click();
    await page.getByRole('region', { name: 'Outcome' }).getByRole('alert').first().waitFor();
    await page.screenshot({ path: `${out}/failing.png` });
    await page.getByRole('tab', { name: 'Sequence' }).click();
    const diagram = page.getByRole('img', { name: /^Sequence diagram/ });
    await diagram.waitFor();
    await diagram.locator('.pic-fail').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${out}/failing-sequence.png` });
    await page.close();
    console.log(`Screenshots written to ${out}/`);
  } finally {
    await browser.close();
    await inspector.stop();
    await demo.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
