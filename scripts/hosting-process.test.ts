import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpsGet,
  NGINX,
  type NginxProcess,
  PROXY_SETTINGS,
  selfSignedCert,
  startNginx,
} from './hosting-process';
import { freePort, ROOT } from './inspector-process';

const run = promisify(execFile);

/** The app's source files (tests left out: a name only a test mentions is not read by the app). */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !e.name.includes('.test.') ? [path] : [];
  });
}

/** Two plain HTTP servers standing in for the instances: each answers with its own name. */
async function backend(name: string): Promise<{ server: Server; port: number }> {
  const port = await freePort();
  const server = createServer((_, res) => res.end(name));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, port };
}

describe('nginx as the hosting harness configures it', () => {
  let dir: string;
  let nginx: NginxProcess;
  const backends: Array<{ server: Server; port: number }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hosting-nginx-test-'));
    backends.push(await backend('a'), await backend('b'));
    nginx = await startNginx({
      dir,
      port: await freePort(),
      upstreams: backends.map((b) => `127.0.0.1:${b.port}`),
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    for (const b of backends) b.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves TLS with its own certificate, alternates strictly, and names the upstream', async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await httpsGet(`${nginx.url}/`, nginx.ca));
    const bodies = answers.map((a) => a?.body);
    expect(bodies[0]).not.toBe(bodies[1]);
    expect(bodies.slice(2)).toEqual(bodies.slice(0, 2));
    for (const a of answers) {
      const served = backends[a?.body === 'a' ? 0 : 1];
      expect(a?.upstream).toBe(`127.0.0.1:${served?.port}`);
    }
  });

  it('skips a dead upstream (connection refused) instead of failing the request', async () => {
    await new Promise<void>((resolve) => backends[0]?.server.close(() => resolve()));
    backends[0]?.server.closeAllConnections();
    for (let i = 0; i < 4; i++) {
      const answer = await httpsGet(`${nginx.url}/`, nginx.ca);
      expect(answer?.status).toBe(200);
      expect(answer?.body).toBe('b');
    }
  });

  it('is refused by a client that trusts another certificate', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'hosting-cert-test-'));
    try {
      const { cert } = await selfSignedCert(otherDir);
      expect(await httpsGet(`${nginx.url}/`, readFileSync(cert, 'utf8'))).toBe(undefined);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});

describe('the deploy files', () => {
  it('deploy/nginx.conf is valid nginx (upstream names and paths swapped for this machine)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'hosting-deploy-test-'));
    try {
      const { cert, key } = await selfSignedCert(work);
      const config = readFileSync(join(ROOT, 'deploy', 'nginx.conf'), 'utf8')
        .replaceAll('/tmp/', `${work}/`)
        // The test's stdio may be a socket nginx cannot open; in the container they are the log.
        .replace(/\/dev\/std(out|err)/g, `${work}/std$1.log`)
        .replace(/inspector-\d:3000/g, '127.0.0.1:9')
        .replace('/etc/nginx/inspector-proxy.conf', PROXY_SETTINGS)
        .replace('/etc/nginx/certs/tls.crt', cert)
        .replace('/etc/nginx/certs/tls.key', key)
        .replace('listen 443 ssl;', `listen 127.0.0.1:${await freePort()} ssl;`);
      expect(config).not.toMatch(/inspector-\d|\/etc\/nginx/);
      const file = join(work, 'nginx.conf');
      writeFileSync(file, config);
      const checked = await run(NGINX, ['-t', '-c', file, '-p', work, '-e', join(work, 'error.log')]);
      expect(checked.stderr).toContain('test is successful');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('compose.yaml and the Dockerfile name only variables the app reads', () => {
    const readers = sources(join(ROOT, 'lib'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const file of ['deploy/compose.yaml', 'Dockerfile']) {
      const named = new Set(readFileSync(join(ROOT, file), 'utf8').match(/INSPECTOR_[A-Z_]+/g));
      expect(named.size, file).toBeGreaterThan(file === 'Dockerfile' ? -1 : 4);
      for (const name of named) expect(readers, `${name} in ${file}`).toContain(name);
    }
  });
});
