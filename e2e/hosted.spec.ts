import { test as base, expect } from '@playwright/test';
import { actionIds, actionResult } from '../bench/sessions/flight';
import { freePort, ROOT, startInspector } from '../scripts/inspector-process';
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
  test('starts with its configuration, sends the security headers, checks Origin, and refuses internal targets', async ({
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

      // The page itself renders in Chromium under the hosted CSP without a violation.
      const page = await context.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await new InspectorPage(page, hosted.url).open();
      expect(violations).toEqual([]);

      // Hosted, the app sits at PUBLIC_URL behind a TLS proxy. A browser here cannot send that Origin
      // (Chromium does not let it be rewritten), so the start action is sent as the browser behind
      // the proxy would send it, and its answer read from the Flight payload.
      const ids = actionIds(ROOT);
      const start = async (serverUrl: string) => {
        const res = await fetch(`${hosted.url}/`, {
          method: 'POST',
          headers: {
            'next-action': ids.startAction ?? '',
            'content-type': 'text/plain;charset=UTF-8',
            accept: 'text/x-component',
            origin: PUBLIC_URL,
            'x-forwarded-host': new URL(PUBLIC_URL).host,
            'x-forwarded-proto': 'https',
          },
          body: JSON.stringify([{ serverUrl, mode: 'run-all' }]),
        });
        expect(res.status).toBe(200);
        const result = actionResult(Buffer.from(await res.arrayBuffer())) as {
          ok: boolean;
          // Start always answers with the full view (lib/contract/view-update).
          value?: {
            update: {
              full: { step: string; failedStep?: string; error?: { code: string; message: string } };
            };
          };
        };
        expect(result.ok).toBe(true);
        return result.value!.update.full;
      };
      const port = new URL(servers.demo.mcpUrl).port;
      const cases: Array<[string, RegExp]> = [
        [servers.demo.mcpUrl, /https/i],
        [`https://127.0.0.1:${port}/mcp`, /loopback/],
        [`https://[::ffff:127.0.0.1]:${port}/mcp`, /loopback/],
        ['https://169.254.169.254/latest/meta-data/', /cloud metadata/],
        ['https://10.1.2.3/mcp', /private/],
      ];
      for (const [target, reason] of cases) {
        const view = await start(target);
        expect(view.step, target).toBe('failed');
        expect(view.failedStep).toBe('probe');
        expect(view.error?.message, target).toMatch(reason);
      }
    } finally {
      await context.close();
      await hosted.stop();
    }
  });
});
