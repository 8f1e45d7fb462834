import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from './inspector-process';

/**
 * A real redis-server (Debian's package) on a port chosen at run time, for the tests that need one:
 * no persistence, so a restart is a Redis that lost every key. REDIS_SERVER overrides the binary.
 */
export interface RedisProcess {
  url: string;
  port: number;
  /** Kills it (SIGKILL: a crash, not a shutdown) and waits for the exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerPath(): string | undefined {
  const candidates = [process.env.REDIS_SERVER, '/usr/bin/redis-server', '/usr/local/bin/redis-server'];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
}

/** Starts redis-server and resolves once it accepts connections (or rejects with its last output). */
function launch(binary: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-500);
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const probe = () => {
      if (child.exitCode !== null)
        return reject(new Error(`redis-server exited (code ${child.exitCode}): ${output}`));
      if (Date.now() > deadline)
        return reject(new Error(`redis-server did not listen on ${port} in 10 s: ${output}`));
      const socket = createConnection(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(child);
      });
      socket.once('error', () => {
        socket.destroy();
        setTimeout(probe, 25);
      });
    };
    probe();
  });
}

async function end(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function startRedis(): Promise<RedisProcess> {
  const binary = redisServerPath();
  if (!binary) {
    throw new Error(
      'redis-server is not installed. Install Debian’s package (apt-get install -y redis-server) or set REDIS_SERVER.',
    );
  }
  const port = await freePort();
  let child = await launch(binary, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => end(child, 'SIGKILL'),
    async restart() {
      await end(child, 'SIGKILL');
      child = await launch(binary, port);
    },
    stop: () => end(child, 'SIGTERM'),
  };
}
