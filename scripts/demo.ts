/**
 * `npm run demo`: builds the inspector if its sources changed, starts the bundled demo servers and the
 * inspector, and prints one line to open. Ctrl-C stops everything.
 */
import { spawn } from 'node:child_process';
import { startDemo } from '../demo/index';
import { buildInspector, buildIsStale, freePort, isPortFree, startInspector } from './inspector-process';

async function main() {
  const host = process.env.HOST ?? '127.0.0.1';
  const wanted = Number(process.env.PORT ?? 3000);
  const port = (await isPortFree(wanted, host)) ? wanted : await freePort(host);

  if (buildIsStale()) {
    console.error('[demo] Building the inspector (first run, or sources changed)…');
    await buildInspector();
  }
  const demo = await startDemo({ host });
  console.error(
    `[demo] Demo MCP server: ${demo.mcpUrl}  (authorization server: ${demo.issuer}; sign in as demo / demo)`,
  );
  const inspector = await startInspector({
    port,
    host,
    env: {
      INSPECTOR_DEMO: JSON.stringify({
        mcpUrl: demo.mcpUrl,
        adminUrl: demo.adminUrl,
        scenarios: demo.scenarios,
      }),
    },
  });
  console.log(`Inspector ready: ${inspector.url}`);

  if (process.stdout.isTTY && !process.env.CI && !process.env.NO_OPEN) {
    const opener =
      process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'start' : 'xdg-open';
    spawn(opener, [inspector.url], { stdio: 'ignore', detached: true, shell: process.platform === 'win32' })
      .on('error', () => undefined)
      .unref();
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled([inspector.stop(), demo.close()]);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  inspector.child.once('exit', (code) => {
    if (!stopping) {
      console.error(`[demo] The inspector stopped (code ${code}).`);
      void demo.close().then(() => process.exit(1));
    }
  });
}

main().catch((error) => {
  console.error(`[demo] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
