import { runCli } from './run';

/** Entry point used by bin/mcp-auth-inspector.mjs. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await runCli(argv, { stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    // An engine bug, not a verdict about the server: say so, and fail.
    process.stderr.write(`mcp-auth-inspector: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}
