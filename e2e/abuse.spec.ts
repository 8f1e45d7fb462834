import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test as base, expect } from '@playwright/test';
import { actionIds, actionResult } from '../bench/sessions/flight';
import { freePort, ROOT, startInspector } from '../scripts/inspector-process';
import { InspectorPage } from './pages/inspector-page';

/**
 * Issue 10's unclear errors and its limits, as a person meets them: one sentence per problem with
 * the URL, and a sentence (with HTTP 429 and Retry-After underneath) when they click too often.
 */
base('the URL messages and the rate limit read as sentences a person can act on', async ({ browser }) => {
  const inspector = await startInspector({
    port: await freePort(),
    quiet: true,
    env: {
      INSPECTOR_SESSION_SECRET: 'abuse-e2e-secret-0123456789-abcdefghijklmn',
      INSPECTOR_RATE_ACTIONS: '5',
    },
  });
  const context = await browser.newContext();
  try {
    const page = new InspectorPage(await context.newPage(), inspector.url);
    const limited: Array<{ status: number; retryAfter: string | null }> = [];
    page.page.on('response', (response) => {
      if (response.status() === 429)
        limited.push({ status: 429, retryAfter: response.headers()['retry-after'] ?? null });
    });
    await page.open();
    const alert = page.form.getByRole('alert');

    await page.startWalkthrough('   ');
    await expect(alert).toHaveText('Enter the URL of an MCP server, e.g. https://mcp.example.com/mcp.');

    await page.startWalkthrough(`https://mcp.example.com/${'a'.repeat(3_000)}`);
    await expect(alert).toHaveText(
      'That URL is 3,024 characters long; the inspector accepts server URLs of up to 2,048 characters.',
    );

    // A request too large to read at all is refused before its body is: a sentence, HTTP 413.
    await page.startWalkthrough(`https://mcp.example.com/${'a'.repeat(300_000)}`);
    await expect(alert).toHaveText(
      /^Too large a request: 29\d KB, and the inspector takes at most 256 KB per action\. Shorten what you entered \(a server URL is at most 2,048 characters\) and try again\.$/,
    );

    // Five actions a minute from this client (three used above): the next clicks are refused with a sentence.
    for (let i = 0; i < 4 && limited.length === 0; i++) {
      await page.startWalkthrough('ftp://mcp.example.com/');
      await expect(alert).not.toHaveText('');
    }
    await expect(alert).toHaveText(
      /^Too many requests from your address: the inspector takes at most 5 actions a minute from one client\. Wait \d+ seconds?, then try again\.$/,
    );
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]?.retryAfter)).toBeGreaterThan(0);
  } finally {
    await context.close();
    await inspector.stop();
  }
});

base('hosted mode refuses plain http with a hint about https, not about loopback', async () => {
  const PUBLIC_URL = 'https://inspector.example';
  const inspector = await startInspector({
    port: await freePort(),
    quiet: true,
    env: {
      INSPECTOR_MODE: 'hosted',
      INSPECTOR_SESSION_SECRET: 'abuse-e2e-secret-0123456789-abcdefghijklmn',
      INSPECTOR_PUBLIC_URL: PUBLIC_URL,
    },
  });
  try {
    const startId = actionIds(ROOT).startAction ?? '';
    const res = await fetch(`${inspector.url}/`, {
      method: 'POST',
      headers: {
        'next-action': startId,
        'content-type': 'text/plain;charset=UTF-8',
        accept: 'text/x-component',
        origin: PUBLIC_URL,
        'x-forwarded-host': new URL(PUBLIC_URL).host,
        'x-forwarded-proto': 'https',
      },
      body: JSON.stringify([{ serverUrl: 'http://127.0.0.1:3000/mcp', mode: 'run-all' }]),
    });
    expect(res.status).toBe(200);
    const result = actionResult(Buffer.from(await res.arrayBuffer())) as {
      ok: boolean;
      // Start always answers with the full view (lib/contract/view-update).
      value?: { update: { full: { step: string; error?: { message: string; hint?: string } } } };
    };
    const error = result.value?.update.full.error;
    expect(error?.message).toMatch(/only makes https:\/\/ requests/);
    expect(error?.hint).toMatch(/^The hosted inspector only sends requests over https:\/\//);
    expect(error?.hint).not.toMatch(/loopback/);
  } finally {
    await inspector.stop();
  }
});

base(
  'at the global cap on concurrent outbound work an action gets HTTP 429 with Retry-After and the sentence',
  async () => {
    // A server that answers after a second: the first Start holds the only outbound slot meanwhile.
    const slow = createServer((_req, res) => {
      setTimeout(() => {
        res.writeHead(404);
        res.end();
      }, 1_000);
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const { port } = slow.address() as AddressInfo;
    const inspector = await startInspector({
      port: await freePort(),
      quiet: true,
      env: {
        INSPECTOR_SESSION_SECRET: 'abuse-e2e-secret-0123456789-abcdefghijklmn',
        INSPECTOR_MAX_CONCURRENT_OUTBOUND: '1',
      },
    });
    try {
      const startId = actionIds(ROOT).startAction ?? '';
      const start = () =>
        fetch(`${inspector.url}/`, {
          method: 'POST',
          headers: {
            'next-action': startId,
            'content-type': 'text/plain;charset=UTF-8',
            accept: 'text/x-component',
            origin: inspector.url,
          },
          body: JSON.stringify([{ serverUrl: `http://127.0.0.1:${port}/mcp`, mode: 'guided' }]),
        });
      const first = start();
      await new Promise((r) => setTimeout(r, 300));
      const second = await start();
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await second.text()).toBe(
        'The inspector is busy: it is already contacting other servers for 1 operation, its limit. Try again in a few seconds.',
      );
      expect((await first).status).toBe(200);
      // The slot is free again once the first is done.
      expect((await start()).status).toBe(200);
    } finally {
      await inspector.stop();
      slow.close();
    }
  },
);
