/**
 * CLI: `tsx demo/start.ts [--port N] [--host H]`. Prints one `DEMO_READY <json>` line on stdout once every
 * server listens, then logs requests to stderr. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startDemo } from './index';

// stdout carries exactly one line (DEMO_READY); anything a library prints goes to stderr with the logs.
for (const method of ['log', 'info', 'debug'] as const) console[method] = console.error;

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: { port: { type: 'string' }, host: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
})();

if (values.help) {
  process.stdout.write('Usage: tsx demo/start.ts [--port N] [--host H]\n');
  process.exit(0);
}

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`invalid --port ${values.port}`);

const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);

const started = performance.now();
const demo = await startDemo({ host: values.host, port, log }).catch((error: unknown) =>
  fail(`could not start: ${error instanceof Error ? error.message : String(error)}`),
);

const { mcpUrl, issuer, adminUrl, scenarios } = demo;
process.stdout.write(`DEMO_READY ${JSON.stringify({ mcpUrl, issuer, adminUrl, scenarios })}\n`);
log(
  `ready in ${Math.round(performance.now() - started)} ms: MCP ${mcpUrl}, issuer ${issuer}, admin ${adminUrl}`,
);
for (const scenario of scenarios) log(`  ${scenario.id.padEnd(22)} ${scenario.mcpUrl}`);
log('demo user: Username: demo, Password: demo');

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: shutting down`);
  const timer = setTimeout(() => process.exit(1), 5000);
  timer.unref();
  demo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
