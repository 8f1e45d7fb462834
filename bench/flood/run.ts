/**
 * `npm run bench:flood`: a flood of anonymous requests beside one signed-in session, over HTTP.
 *
 * Starts the bundled demo and the built inspector (`next start`, local mode) on loopback, signs one
 * browser in at the demo (cookie jar, login and consent forms, callback), then sends BENCH_FLOOD
 * (default 20,000) anonymous requests, BENCH_CONCURRENCY (default 64) at a time, as issue 10 found
 * them: setModeAction POSTs without a cookie from a few addresses, Start with a 900 KB server URL,
 * and Start with a real (unreachable) URL from many addresses, each of which makes an anonymous
 * session. Addresses are given in X-Forwarded-For, as the proxy in front of a hosted inspector
 * would. The inspector runs in local mode (the demo is on loopback) with hosted mode's default
 * per-client budgets (120 actions, 30 outbound a minute) and INSPECTOR_MAX_ANONYMOUS_SESSIONS=
 * BENCH_ANONYMOUS_CAP (default 1,000), so the store is under pressure within the run.
 *
 * Reports the answers by kind (429 with Retry-After, refusals with a sentence, other), the
 * inspector's RSS (sampled every 100 ms: start, peak, end), and whether the signed-in session still
 * runs a tool as its user afterwards; writes bench/flood/RESULTS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo } from '../../demo/index';
import { browseAuthorization, CookieJar } from '../../lib/flow/testing/browser';
import { buildIsStale, freePort, ROOT, startInspector } from '../../scripts/inspector-process';
import { actionResult } from '../sessions/flight';

const FLOOD = Number(process.env.BENCH_FLOOD ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ANONYMOUS_CAP = Number(process.env.BENCH_ANONYMOUS_CAP ?? 1_000);
const USER_ADDRESS = '198.51.100.1';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function actionIds(): Record<string, string> {
  const manifest = JSON.parse(
    readFileSync(join(ROOT, '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { exportedName?: string }> };
  const ids: Record<string, string> = {};
  for (const [id, entry] of Object.entries(manifest.node))
    if (entry.exportedName) ids[entry.exportedName] = id;
  return ids;
}

interface Answer {
  status: number;
  retryAfter: string | null;
  /** The action's result when it answered one (200), else the response text. */
  result?: Result<unknown>;
  text?: string;
}

async function post(
  inspector: string,
  id: string,
  args: unknown[],
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(new URL('/', inspector), {
    method: 'POST',
    headers: {
      'next-action': id,
      'content-type': 'text/plain;charset=UTF-8',
      accept: 'text/x-component',
      origin: inspector,
      ...headers,
    },
    body: JSON.stringify(args),
  });
  const body = Buffer.from(await res.arrayBuffer());
  const answer: Answer = { status: res.status, retryAfter: res.headers.get('retry-after') };
  if (res.status === 200 && res.headers.get('content-type')?.startsWith('text/x-component')) {
    answer.result = actionResult(body) as Result<unknown>;
  } else {
    answer.text = body.toString('utf8').slice(0, 300);
  }
  return answer;
}

/** VmRSS of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** The kind of anonymous request number `i`, and the address it comes from. */
function floodRequest(i: number): { kind: 'setMode' | 'huge-url' | 'start'; address: string } {
  if (i % 200 === 0) return { kind: 'huge-url', address: `203.0.113.${(i / 200) % 250}` };
  if (i % 6 === 1) return { kind: 'start', address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
  return { kind: 'setMode', address: `192.0.2.${i % 40}` };
}

async function main() {
  if (buildIsStale()) {
    console.error(
      'The build is missing or older than the sources: run `npm run build` first (under the build lock).',
    );
    process.exit(2);
  }
  const demo = await startDemo({ host: '127.0.0.1', log: () => {} });
  const inspector = await startInspector({
    port: await freePort(),
    quiet: true,
    env: {
      INSPECTOR_SESSION_SECRET: 'bench-flood-secret-0123456789-abcdefghijklmn',
      INSPECTOR_MAX_ANONYMOUS_SESSIONS: String(ANONYMOUS_CAP),
      // Hosted mode's per-client budgets (local mode has none by default).
      INSPECTOR_RATE_ACTIONS: '120',
      INSPECTOR_RATE_OUTBOUND: '30',
      INSPECTOR_DEMO: JSON.stringify({
        mcpUrl: demo.mcpUrl,
        adminUrl: demo.adminUrl,
        scenarios: demo.scenarios,
      }),
    },
  });
  const pid = inspector.child.pid ?? 0;
  const ids = actionIds();
  const samples: number[] = [rssMb(pid)];
  const sampler = setInterval(() => samples.push(rssMb(pid)), 100);
  const started = performance.now();
  try {
    // The user: signs in at the demo with a cookie jar, from an address of its own.
    const jar = new CookieJar();
    const userAction = async (name: string, ...args: unknown[]) => {
      const url = new URL('/', inspector.url);
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'next-action': ids[name] ?? '',
          'content-type': 'text/plain;charset=UTF-8',
          accept: 'text/x-component',
          origin: inspector.url,
          cookie: jar.header(url),
          'x-forwarded-for': USER_ADDRESS,
        },
        body: JSON.stringify(args),
      });
      jar.store(url, res.headers.getSetCookie());
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status} ${await res.text()}`);
      return actionResult(Buffer.from(await res.arrayBuffer())) as Result<{
        update: { full?: { step: string; authorizationUrl?: string } };
        result?: { isError: boolean; structuredContent?: { sub?: string } };
      }>;
    };
    const start = await userAction('startAction', { serverUrl: demo.mcpUrl, mode: 'run-all' });
    // Start always answers with the full view (lib/contract/view-update).
    const authorizationUrl = start.ok ? start.value.update.full?.authorizationUrl : undefined;
    if (!authorizationUrl) throw new Error(`start: ${JSON.stringify(start)}`);
    const callback = await browseAuthorization(authorizationUrl, `${inspector.url}/api/oauth/callback`, {
      username: 'demo',
      password: 'demo',
      jar,
    });
    const back = await fetch(callback, {
      headers: { cookie: jar.header(callback), 'x-forwarded-for': USER_ADDRESS },
      redirect: 'manual',
    });
    jar.store(callback, back.headers.getSetCookie());
    await back.body?.cancel();
    const before = await userAction('runToolAction', 'whoami', {});
    if (!before.ok || before.value.result?.structuredContent?.sub !== 'demo') {
      throw new Error(`whoami before the flood: ${JSON.stringify(before)}`);
    }

    // The flood.
    const counts = new Map<string, number>();
    const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
    const examples = new Map<string, string>();
    let retryAfterMissing = 0;
    const hugeUrl = `https://mcp.example.com/${'a'.repeat(900_000)}`;
    let next = 0;
    /** RSS when each quarter of the flood had been sent: flat means bounded, rising means a leak. */
    const quarters: number[] = [];
    const worker = async () => {
      for (let i = next++; i < FLOOD; i = next++) {
        if (i > 0 && i % Math.ceil(FLOOD / 4) === 0) quarters.push(rssMb(pid));
        const { kind, address } = floodRequest(i);
        const headers = { 'x-forwarded-for': address };
        let answer: Answer;
        try {
          answer =
            kind === 'setMode'
              ? await post(inspector.url, ids.setModeAction ?? '', [i % 2 ? 'guided' : 'run-all'], headers)
              : await post(
                  inspector.url,
                  ids.startAction ?? '',
                  [{ serverUrl: kind === 'huge-url' ? hugeUrl : 'http://127.0.0.1:9/mcp', mode: 'guided' }],
                  headers,
                );
        } catch (error) {
          bump(`${kind}: network error`);
          examples.set(`${kind}: network error`, String(error));
          continue;
        }
        const key =
          answer.status === 429
            ? `${kind}: 429`
            : answer.result
              ? `${kind}: ${answer.result.ok ? 'ok' : 'refused'}`
              : `${kind}: HTTP ${answer.status}`;
        if (answer.status === 429 && !answer.retryAfter) retryAfterMissing++;
        bump(key);
        if (!examples.has(key)) {
          examples.set(key, answer.result && !answer.result.ok ? answer.result.error : (answer.text ?? ''));
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const floodSeconds = (performance.now() - started) / 1000;

    // The user again: the same cookie must still open the signed-in session and run a tool as demo.
    const after = await userAction('runToolAction', 'whoami', {});
    const survived = after.ok && after.value.result?.structuredContent?.sub === 'demo';
    clearInterval(sampler);
    samples.push(rssMb(pid));

    const total429 = [...counts].filter(([k]) => k.endsWith(': 429')).reduce((n, [, v]) => n + v, 0);
    const lines = [
      `Flood: ${FLOOD.toLocaleString('en-US')} anonymous requests, ${CONCURRENCY} at a time, in ${floodSeconds.toFixed(1)} s (setModeAction without a cookie from 40 addresses; Start with a 900 KB URL from 100; Start with a real URL, one address each, each making an anonymous session; anonymous cap ${ANONYMOUS_CAP.toLocaleString('en-US')})`,
      `Answers: ${[...counts]
        .sort()
        .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
        .join('; ')}`,
      `429s: ${total429.toLocaleString('en-US')}, ${retryAfterMissing} without Retry-After`,
      `Inspector RSS: ${samples[0]?.toFixed(0)} MB at start, peak ${Math.max(...samples).toFixed(0)} MB, ${samples.at(-1)?.toFixed(0)} MB at the end (${samples.length} samples); after each quarter of the flood: ${quarters.map((q) => `${q.toFixed(0)} MB`).join(', ')}`,
      `Signed-in session after the flood: ${survived ? 'survived (whoami ran as demo with the same cookie)' : `LOST: ${JSON.stringify(after).slice(0, 300)}`}`,
      '',
      'First answer of each kind:',
      ...[...examples].sort().map(([k, v]) => `- ${k}: ${v.replace(/\s+/g, ' ').slice(0, 200)}`),
    ];
    console.log(lines.join('\n'));
    writeFileSync(
      join(ROOT, 'bench', 'flood', 'RESULTS.md'),
      `# bench/flood — results\n\nRun ${new Date().toISOString().slice(0, 10)} on this machine (${process.platform}, Node ${process.version}, 2 cores), \`npm run bench:flood\`:\nthe built inspector (\`next start\`, local mode with hosted mode's default limits, except the anonymous-session cap) and the bundled demo on loopback.\n\n\`\`\`\n${lines.join('\n')}\n\`\`\`\n`,
    );
    if (!survived) process.exitCode = 1;
  } finally {
    clearInterval(sampler);
    await inspector.stop();
    await demo.close();
  }
}

await main();
