/** Runs once when the server starts: refuse to start on a configuration that is unsafe or wrong. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { config, ConfigError } = await import('./lib/server/config');
  try {
    config();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`[inspector] Configuration error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
