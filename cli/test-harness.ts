/**
 * What the CLI tests against the bundled demo share: a scripted user's browser and a run of the CLI
 * with its output captured. Test support only; the CLI itself never imports it.
 */
import { afterAll, beforeAll } from 'vitest';
import { type DemoHandle, type DemoScenario, startDemo } from '../demo/index';
import { browseAuthorization } from '../lib/flow/testing/browser';
import { runCli } from './run';

/** A browser that signs in and consents, then follows the redirect to the CLI's loopback listener. */
export async function actAsBrowser(url: string): Promise<boolean> {
  const redirectUri = new URL(url).searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error(`no redirect_uri in ${url}`);
  void browseAuthorization(url, redirectUri).then((callback) => fetch(callback));
  return true;
}

/** Runs the CLI in this process with `openBrowser` playing the user, and returns its exit code and output. */
export async function runCapturing(argv: string[], openBrowser = actAsBrowser) {
  const out = { stdout: '', stderr: '' };
  const code = await runCli(
    argv,
    {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
    { openBrowser, env: {} },
  );
  return { code, ...out };
}

/**
 * The bundled demo for one test file: started before its tests, closed after them. `demo()` is the
 * running handle, `scenario(id)` one of its scenarios (a typo fails loudly).
 */
export function demoForThisFile(): { demo: () => DemoHandle; scenario: (id: string) => DemoScenario } {
  let handle: DemoHandle | undefined;
  beforeAll(async () => {
    handle = await startDemo();
  });
  afterAll(async () => {
    await handle?.close();
  });
  const demo = () => {
    if (!handle) throw new Error('the demo is not running (demoForThisFile() outside a test file?)');
    return handle;
  };
  return {
    demo,
    scenario: (id) => {
      const found = demo().scenarios.find((s) => s.id === id);
      if (!found) throw new Error(`no demo scenario ${id}`);
      return found;
    },
  };
}
