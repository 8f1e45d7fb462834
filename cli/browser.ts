import { spawn } from 'node:child_process';

/** Opens a URL in the user's browser; resolves false when no opener could be started. */
export type OpenBrowser = (url: string) => Promise<boolean>;

/**
 * The platform's opener: `$BROWSER` when set (a command that takes the URL as its argument), else
 * `open` on macOS, `cmd /c start` on Windows, `xdg-open` elsewhere. The URL is always printed too,
 * so a missing opener only costs a copy and paste.
 */
export function openSystemBrowser(
  env: Record<string, string | undefined> = process.env,
  platform = process.platform,
): OpenBrowser {
  return (url) => {
    const [command, args] = env.BROWSER
      ? [env.BROWSER, [url]]
      : platform === 'darwin'
        ? ['open', [url]]
        : platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
          : ['xdg-open', [url]];
    return new Promise<boolean>((resolve) => {
      try {
        const child = spawn(command, args, { stdio: 'ignore', detached: true });
        child.once('error', () => resolve(false));
        child.once('spawn', () => {
          child.unref();
          resolve(true);
        });
      } catch {
        resolve(false);
      }
    });
  };
}
