import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';

/**
 * The connected page fits a 1400×900 screen: the doctor strip, the connected banner, every step and the
 * view switcher are on screen without scrolling, and the tools begin above the fold. The keyboard
 * order follows the layout: the steps, then the view switcher, then the view.
 */
test.use({ viewport: { width: 1400, height: 900 } });

async function within(locator: Locator, bottom: number) {
  const box = await locator.boundingBox();
  expect(box, String(locator)).not.toBeNull();
  expect(box!.y + box!.height, `${locator} ends at ${box!.y + box!.height}px`).toBeLessThanOrEqual(bottom);
}

test('connected at 1400×900: doctor, banner, steps and views on one screen, tools above the fold', async ({
  inspectorPage: inspector,
  servers,
}) => {
  await inspector.connectToDemo(servers.demo.mcpUrl);
  await expect(inspector.viewTab('Tools')).toHaveAttribute('aria-selected', 'true');
  expect(await inspector.page.evaluate(() => window.scrollY)).toBe(0);

  await within(inspector.doctor, 900);
  await within(inspector.page.getByRole('region', { name: 'Outcome' }), 900);
  await within(inspector.steps, 900);
  await within(inspector.page.getByRole('tablist', { name: 'Views of this walkthrough' }), 900);
  // The first tool card starts on screen, and so does the audit's tab.
  const firstTool = inspector.tool('echo');
  const top = (await firstTool.boundingBox())!.y;
  expect(top).toBeLessThan(900);
  await within(inspector.viewTab('Audit'), 900);

  // Keyboard: from the last step, Tab reaches the selected view's tab, then the view itself.
  await inspector.stepButton('Tools').focus();
  await inspector.page.keyboard.press('Tab');
  await expect(inspector.viewTab('Tools')).toBeFocused();
  await inspector.page.keyboard.press('ArrowRight');
  await expect(inspector.viewTab('Token')).toBeFocused();
  await expect(inspector.viewTab('Token')).toHaveAttribute('aria-selected', 'true');
  await expect(inspector.page.getByRole('region', { name: 'Access token' })).toBeVisible();
  await inspector.page.keyboard.press('Tab');
  const focusedInPanel = await inspector.page.evaluate(
    () => document.getElementById('view-panel')?.contains(document.activeElement) ?? false,
  );
  expect(focusedInPanel).toBe(true);
});

test('guided mode explains each step in the walkthrough view, whatever view was open', async ({
  inspectorPage: inspector,
  servers,
}) => {
  await inspector.open();
  await inspector.startWalkthrough(servers.demo.mcpUrl, 'guided');
  await expect(inspector.stepDetail.getByRole('heading', { name: 'Unauthenticated probe' })).toBeVisible();
  await inspector.showView('Sequence');
  await expect(
    inspector.page.getByRole('img', { name: /^Sequence diagram: 1 exchange between/ }),
  ).toBeVisible();
  await inspector.next();
  await expect(inspector.viewTab('Walkthrough')).toHaveAttribute('aria-selected', 'true');
  await expect(
    inspector.stepDetail.getByRole('heading', { name: 'Protected resource metadata' }),
  ).toBeVisible();
  await expect(inspector.stepDetail).toContainText('RFC 9728');
  // The diagram grew with the step.
  await inspector.showView('Sequence');
  await expect(inspector.page.getByRole('img', { name: /^Sequence diagram: [3-9] exchanges/ })).toBeVisible();
});
