import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CALLBACK_PATH = '/callback';

/** A loopback listener for the authorization response (RFC 8252 §7.3). */
export interface CallbackServer {
  /** `http://127.0.0.1:<port>/callback`: the redirect URI, port chosen by the OS at run time. */
  redirectUri: string;
  /** Resolves with the full callback URL the browser was sent to. */
  waitForCallback(signal?: AbortSignal): Promise<URL>;
  close(): Promise<void>;
}

const DONE_PAGE = `<!doctype html><meta charset="utf-8"><title>MCP Auth Inspector</title>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto">
<h1>Back in the terminal</h1><p>The inspector received the authorization response. You can close this tab.</p>`;

/**
 * Listens on 127.0.0.1 (the literal address, not "localhost", so no resolver can send the code
 * elsewhere; RFC 8252 §7.3, §8.3) on a free port. It takes one authorization response per
 * authorization: the first request to /callback settles the current wait, and a replay gets 409
 * until the next `waitForCallback` (a step-up or the audit's audience test signs in again).
 * Anything else gets 404, so a favicon fetch cannot settle it.
 */
export async function startCallbackServer(): Promise<CallbackServer> {
  let waiter: ((url: URL) => void) | undefined;
  /** A response that arrived before anyone waited for it. */
  let early: URL | undefined;
  /** Whether a response is expected: from the start, and again after each consumed one once waited for. */
  let open = true;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH || !open) {
      const replay = !open && url.pathname === CALLBACK_PATH;
      res.writeHead(replay ? 409 : 404, { 'content-type': 'text/plain' });
      res.end(replay ? 'This authorization response was already received.' : 'Not found');
      return;
    }
    open = false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(DONE_PAGE);
    if (waiter) {
      const resolve = waiter;
      waiter = undefined;
      resolve(url);
    } else early = url;
  });

  const next = (): Promise<URL> => {
    if (early) {
      const url = early;
      early = undefined;
      return Promise.resolve(url);
    }
    open = true;
    return new Promise<URL>((resolve) => {
      waiter = resolve;
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    waitForCallback(signal) {
      const received = next();
      if (!signal) return received;
      return new Promise<URL>((resolve, reject) => {
        const onAbort = () => reject(signal.reason ?? new Error('aborted'));
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        received.then((url) => {
          signal.removeEventListener('abort', onAbort);
          resolve(url);
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
