/**
 * `npm run screenshot`: drives the built inspector through the demo walkthrough in Chromium and saves
 * screenshots (light and dark) for the README, and for looking at what a user sees.
 */
import { chromium } from '@playwright/test';
import { startDemo } from '../demo/index';
import { chromiumLaunchOptions } from '../e2e/chromium';
import { freePort, startInspector } from './inspector-process';

const out = process.argv[2] ?? 'docs';

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
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
      await page.goto(inspector.url);
      await page.getByRole('button', { name: 'Inspect the demo server' }).click();
      await page.getByRole('button', { name: 'Authorize', exact: true }).click();
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill('demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Authorize', exact: true }).click();
      await page.waitForURL(`${inspector.url}/`);
      await page.getByRole('heading', { name: /Connected/ }).waitFor();
      await page
        .getByRole('navigation', { name: 'Steps' })
        .getByRole('button', { name: /Protected resource metadata/ })
        .click();
      await page.locator('details').filter({ hasText: 'GET' }).first().locator('summary').click();
      // The walkthrough itself, from the doctor strip down.
      await page.getByRole('region', { name: 'Doctor summary' }).evaluate((el) => el.scrollIntoView());
      await page.screenshot({ path: `${out}/screenshot${scheme === 'dark' ? '-dark' : ''}.png` });
      const tool = page.getByRole('article', { name: 'Tool get_logo' });
      await tool.getByRole('button', { name: 'Run get_logo' }).click();
      await tool.getByRole('region', { name: 'Result of get_logo' }).waitFor();
      await page.screenshot({
        path: `${out}/full-page${scheme === 'dark' ? '-dark' : ''}.png`,
        fullPage: true,
      });
      // A tool that asks back before it answers (2026-07-28 input required): the form in its card.
      const temperature = page.getByRole('article', { name: 'Tool get_temperature' });
      await temperature.getByLabel('City').fill('Berlin');
      await temperature.getByRole('button', { name: 'Run get_temperature' }).click();
      await temperature
        .getByRole('region', { name: 'get_temperature asks for input before it answers' })
        .waitFor();
      await temperature.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: `${out}/input-required${scheme === 'dark' ? '-dark' : ''}.png` });
      // The top of the connected page: the banner says which MCP revision the server speaks.
      await page.evaluate(() => window.scrollTo(0, 0));
      await page
        .getByRole('region', { name: 'Outcome' })
        .evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: `${out}/connected${scheme === 'dark' ? '-dark' : ''}.png` });
      await page.close();
    }
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
