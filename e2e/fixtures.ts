import { test as base, expect } from '@playwright/test';
import { type DemoHandle, startDemo } from '../demo/index';
import { freePort, type InspectorProcess, startInspector } from '../scripts/inspector-process';
import { InspectorPage } from './pages/inspector-page';

interface Servers {
  demo: DemoHandle;
  inspector: InspectorProcess;
}

/** One demo and one built inspector per worker; every test gets a fresh browser context (a fresh session). */
export const test = base.extend<{ inspectorPage: InspectorPage }, { servers: Servers }>({
  servers: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      const demo = await startDemo({ host: '127.0.0.1' });
      const inspector = await startInspector({
        port: await freePort(),
        quiet: !process.env.E2E_VERBOSE,
        env: {
          INSPECTOR_DEMO: JSON.stringify({
            mcpUrl: demo.mcpUrl,
            adminUrl: demo.adminUrl,
            scenarios: demo.scenarios,
          }),
          INSPECTOR_SESSION_SECRET: 'e2e-secret-0123456789-abcdefghijklmnop',
        },
      });
      await use({ demo, inspector });
      await inspector.stop();
      await demo.close();
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  inspectorPage: async ({ page, servers }, use) => {
    await use(new InspectorPage(page, servers.inspector.url));
  },
});

export { expect };
