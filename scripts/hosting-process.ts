import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type InspectorProcess, ROOT, startInspector } from './inspector-process';
import { type RedisProcess, startRedis } from './redis-process';

/**
 * The hosted shape on one machine, for tests: Redis, two built inspectors sharing the secret list and
 * the store, and nginx in front (TLS, round robin, no stickiness). Every process is started here on
 * ports chosen at run time and stopped by its PID; `stop()` is safe to call after a failure.
 */

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
/** The response header nginx adds so a test can tell which instance answered. */
export const UPSTREAM_HEADER = 'x-inspector-upstream';
/** The proxy settings the compose stack deploys; the harness includes the same file. */
export const PROXY_SETTINGS = join(ROOT, 'deploy', 'inspector-proxy.conf');

const run = promisify(execFile);

/** Children still running; killed when the test process exits, however it exits, so none outlive it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

async function waitFor(what: string, ready: () => Promise<boolean>, child: ChildProcess, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${what} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready.`,
      );
    }
    if (await ready()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} was not ready within ${ms / 1000} s.`);
}

/** Ends a child by its PID: SIGTERM (or the given signal), SIGKILL after `graceMs`; resolves once it has exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

/** A self-signed certificate for 127.0.0.1 (P-256), made with openssl for this run only: the paths of its two PEM files in `dir`. */
export async function selfSignedCert(dir: string): Promise<{ cert: string; key: string }> {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { cert, key };
}

/**
 * nginx's configuration for the hosted shape: TLS in front of the instances, with the proxy settings
 * of deploy/inspector-proxy.conf (round robin, dead instance skipped, a header naming the upstream).
 * One process (`master_process off`) so the test's SIGTERM to its PID leaves no worker behind, and one
 * round-robin counter, so consecutive requests alternate strictly.
 */
export function nginxConfig(options: {
  dir: string;
  port: number;
  upstreams: string[];
  cert: string;
  key: string;
}): string {
  const { dir } = options;
  const servers = options.upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join('\n');
  return `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log ${join(dir, 'access.log')};
  client_body_temp_path ${join(dir, 'client_body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream inspector {
${servers}
  }
  server {
    listen 127.0.0.1:${options.port} ssl;
    ssl_certificate ${options.cert};
    ssl_certificate_key ${options.key};
    client_max_body_size 1m;
    location / {
      include ${PROXY_SETTINGS};
    }
  }
}
`;
}

export interface NginxProcess {
  port: number;
  url: string;
  child: ChildProcess;
  /** The certificate nginx serves, for clients that check it. */
  ca: string;
  stop(): Promise<void>;
}

/** nginx on `port` (chosen before the instances start, since their public URL names it), with a fresh certificate. */
export async function startNginx(options: {
  dir: string;
  port: number;
  upstreams: string[];
}): Promise<NginxProcess> {
  const { dir, port } = options;
  const { cert, key } = await selfSignedCert(dir);
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, nginxConfig({ dir, port, upstreams: options.upstreams, cert, key }));
  const child = track(
    spawn(NGINX, ['-c', file, '-p', dir, '-e', join(dir, 'error.log')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  child.once('error', () => undefined);
  const ca = readFileSync(cert, 'utf8');
  const url = `https://127.0.0.1:${port}`;
  try {
    await waitFor('nginx', async () => (await httpsGet(`${url}/api/health`, ca)) !== undefined, child);
  } catch (error) {
    await stopChild(child);
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return { port, url, child, ca, stop: () => stopChild(child) };
}

export interface HttpsAnswer {
  status: number;
  upstream?: string;
  body: string;
}

/** A GET over TLS trusting only `ca` (Node's fetch cannot take a CA per request). Undefined when nothing answered. */
export function httpsGet(url: string, ca: string): Promise<HttpsAnswer | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { ca, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => {
        const upstream = res.headers[UPSTREAM_HEADER];
        resolve({
          status: res.statusCode ?? 0,
          upstream: typeof upstream === 'string' ? upstream : undefined,
          body,
        });
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

export interface HostingOptions {
  /** Environment for both instances (the demo, allowed hosts, limits); the stack adds the shared parts. */
  env: Record<string, string | undefined>;
  /**
   * The session secret list (first seals, all open): one for both instances, or one per instance, as
   * in the middle of a rolling rotation.
   */
  secrets: string | [string, string];
  quiet?: boolean;
}

/** The running stack. Instances are numbered 0 and 1; `upstream(i)` is how nginx names instance i. */
export interface Hosting {
  url: string;
  ca: string;
  redis: RedisProcess;
  nginx: NginxProcess;
  instances: Array<InspectorProcess | undefined>;
  upstream(i: number): string;
  /** Which instance an upstream header names (-1: none of them). */
  instanceOf(upstream: string | undefined | null): number;
  /** SIGKILL one instance: no clean shutdown, as when a machine dies. */
  killInstance(i: number): Promise<void>;
  /** Starts instance i again on its port (after a kill). */
  startInstance(i: number): Promise<void>;
  /** SIGKILL Redis: the store is gone until `startRedisAgain()`. */
  killRedis(): Promise<void>;
  /**
   * Starts Redis again on the same port, empty (no persistence), as after a crash; resolves once every
   * live instance's /api/health answers 200 again.
   */
  startRedisAgain(): Promise<void>;
  /**
   * Makes the proxy send the next request to instance i: nginx's round robin alternates strictly (one
   * process, one counter), so health probes are sent until one lands on i and the next on the other.
   * Tests still assert the upstream header of the request that matters; this only makes it land where
   * they expect.
   */
  steerNextTo(i: number): Promise<void>;
  stop(): Promise<void>;
}

async function waitForHealthy(url: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const response = await fetch(`${url}/api/health`).catch(() => undefined);
    if (response?.ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/api/health did not answer 200 within ${ms / 1000} s of Redis coming back.`);
}

/** Starts Redis, two instances and nginx; on any failure stops what did start, then throws. */
export async function startHosting(options: HostingOptions): Promise<Hosting> {
  const dir = mkdtempSync(join(tmpdir(), 'inspector-hosting-'));
  const ports = [await freePort(), await freePort()];
  const nginxPort = await freePort();
  const publicUrl = `https://127.0.0.1:${nginxPort}`;
  const started: {
    redis?: RedisProcess;
    nginx?: NginxProcess;
    instances: Array<InspectorProcess | undefined>;
  } = { instances: [undefined, undefined] };

  const startOne = async (i: number) => {
    const instance = await startInspector({
      port: ports[i] as number,
      quiet: options.quiet,
      env: {
        ...options.env,
        INSPECTOR_MODE: 'hosted',
        INSPECTOR_PUBLIC_URL: publicUrl,
        INSPECTOR_SESSION_SECRET: typeof options.secrets === 'string' ? options.secrets : options.secrets[i],
        INSPECTOR_REDIS_URL: started.redis?.url,
      },
    });
    track(instance.child);
    started.instances[i] = instance;
  };

  const stop = async () => {
    await Promise.all([
      started.nginx?.stop(),
      ...started.instances.map((p) => p?.stop()),
      started.redis?.stop(),
    ]);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    started.redis = await startRedis();
    await Promise.all([startOne(0), startOne(1)]);
    started.nginx = await startNginx({ dir, port: nginxPort, upstreams: ports.map((p) => `127.0.0.1:${p}`) });
  } catch (error) {
    await stop();
    throw error;
  }
  const { redis, nginx } = started as Required<typeof started>;
  const upstream = (i: number) => `127.0.0.1:${ports[i]}`;
  const hosting: Hosting = {
    url: publicUrl,
    ca: nginx.ca,
    redis,
    nginx,
    instances: started.instances,
    upstream,
    instanceOf: (header) => ports.findIndex((_, i) => header?.split(', ').at(-1) === upstream(i)),
    killInstance: async (i) => {
      const instance = started.instances[i];
      if (instance) await stopChild(instance.child, 'SIGKILL');
      started.instances[i] = undefined;
    },
    startInstance: (i) => startOne(i),
    killRedis: () => redis.kill(),
    startRedisAgain: async () => {
      await redis.restart();
      // Each instance's client reconnects with a backoff: wait until every live one says it is back.
      await Promise.all(started.instances.map((instance) => instance && waitForHealthy(instance.url)));
    },
    steerNextTo: async (i) => {
      // Instance i must be seen in the rotation first: an instance that just came back is left out
      // by nginx until its fail_timeout has passed.
      let last = -2;
      const deadline = Date.now() + 8000;
      while (Date.now() < deadline) {
        const served = hosting.instanceOf((await httpsGet(`${publicUrl}/api/health`, nginx.ca))?.upstream);
        if (last === i && served === 1 - i) return;
        // The same instance twice running: nginx is leaving the other out for now, so wait.
        if (served === last) await new Promise((r) => setTimeout(r, 100));
        last = served;
      }
      throw new Error(`nginx did not send requests to instance ${i} within 8 s.`);
    },
    stop,
  };
  return hosting;
}
