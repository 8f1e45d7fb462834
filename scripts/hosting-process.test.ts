import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  httpsGet,
  type NginxProcess,
  redisCommand,
  selfSignedCert,
  startNginx,
  startRedis,
} from './hosting-process';
import { freePort } from './inspector-process';

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

describe('redis-server as the hosting harness starts it', () => {
  it('answers, and after a kill and a start on the same port it is empty', async () => {
    const redis = await startRedis();
    try {
      expect(await redisCommand(redis.port, 'SET k v')).toBe('+OK');
      expect(await redisCommand(redis.port, 'DBSIZE')).toBe(':1');
      redis.child.kill('SIGKILL');
      await new Promise((r) => redis.child.once('exit', r));
      expect(await redisCommand(redis.port, 'PING')).toBe(undefined);
      Object.assign(redis, await startRedis(redis.port));
      expect(await redisCommand(redis.port, 'DBSIZE')).toBe(':0');
    } finally {
      await redis.stop();
    }
  });
});
