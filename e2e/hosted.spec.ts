import { test as base, expect } from '@playwright/test';
import { freePort, startInspector } from '../scripts/inspector-process';
import { test } from './fixtures';
import { InspectorPage } from './pages/inspector-page';

const SECRET = 'hosted-e2e-secret-0123456789-abcdefghijklmnop';
const PUBLIC_URL = 'https://inspector.example';

/** Hosted mode refuses to start on an unsafe configuration: the process exits 1 and says why. */
base.describe('hosted mode configuration', () => {
  const refusals: Array<[string, Record<string, string>, RegExp]> = [
    [
      'no session secret',
      { INSPECTOR_PUBLIC_URL: PUBLIC_URL },
      /refuses to start without INSPECTOR_SESSION_SECRET/,
    ],
    [
      'no public URL',
      { INSPECTOR_SESSION_SECRET: SECRET },
      /needs INSPECTOR_PUBLIC_URL set to the app’s https origin/,
    ],
    [
      'a plain-http public URL',
      { INSPECTOR_SESSION_SECRET: SECRET, INSPECTOR_PUBLIC_URL: 'http://inspector.example' },
      /needs INSPECTOR_PUBLIC_URL set to the app’s https origin/,
    ],
    [
      'a short secret',
      { INSPECTOR_SESSION_SECRET: 'too-short', INSPECTOR_PUBLIC_URL: PUBLIC_URL },
      /at least 32 characters/,
    ],
  ];
  for (const [name, env, message] of refusals) {
    base(`next start refuses: ${name}`, async () => {
      const started = startInspector({
        port: await freePort(),
        quiet: true,
        env: { INSPECTOR_MODE: 'hosted', INSPECTOR_SESSION_SECRET: '', INSPECTOR_PUBLIC_URL: '', ...env },
      });
      await expect(started).rejects.toThrow(/exited \(code 1\)/);
      await expect(started).rejects.toThrow(message);
    });
  }
});

test.describe('hosted mode', () => {
  test('starts with its configuration, sends the security headers, checks Origin, and refuses loopback targets', async ({
    browser,
    servers,
  }) => {
    const hosted = await startInspector({
      port: await freePort(),
      quiet: true,
      env: { INSPECTOR_MODE: 'hosted', INSPECTOR_SESSION_SECRET: SECRET, INSPECTOR_PUBLIC_URL: PUBLIC_URL },
    });
    const context = await browser.newContext();
    try {
      const response = await fetch(`${hosted.url}/`);
      const headers = response.headers;
      expect(headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      expect(headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-/);
      expect(headers.get('referrer-policy')).toBe('no-referrer');
      expect(headers.get('x-content-type-options')).toBe('nosniff');

      // State-changing requests need the app's own Origin: a foreign one, or none, is refused.
      for (const origin of ['https://evil.example', hosted.url, undefined]) {
        const refused = await fetch(`${hosted.url}/`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain;charset=UTF-8', ...(origin ? { origin } : {}) },
          body: '[]',
        });
        expect(refused.status, `Origin ${origin}`).toBe(403);
        expect(await refused.text()).toContain('must come from its own pages');
      }

      // The browser reaches the app on loopback; hosted, it would be at PUBLIC_URL behind a TLS proxy,
      // so its Origin is rewritten to match.
      await context.route(`${hosted.url}/**`, (route) =>
        route.request().method() === 'POST'
          ? route.continue({ headers: { ...route.request().headers(), origin: PUBLIC_URL } })
          : route.continue(),
      );
      const page = new InspectorPage(await context.newPage(), hosted.url);
      await page.open();
      await page.startWalkthrough(servers.demo.mcpUrl);
      const alert = page.page.getByRole('alert').first();
      await expect(alert).toContainText(/loopback|https/i);
      await expect(page.stepButton('Unauthenticated probe')).toContainText('Failed');
    } finally {
      await context.close();
      await hosted.stop();
    }
  });
});
