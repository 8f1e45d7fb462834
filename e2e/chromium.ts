import type { LaunchOptions } from '@playwright/test';

/**
 * Debian's Chromium by default (CHROMIUM_PATH overrides, e.g. Playwright's own browser), with the flags
 * this machine needs: no sandbox as root, and no background networking (the network is closed).
 */
export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
