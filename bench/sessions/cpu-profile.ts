/**
 * `npx tsx bench/sessions/cpu-profile.ts <file.cpuprofile>`: where the inspector process spent its CPU
 * during a bench run (BENCH_CPU_PROFILE=<dir> npm run bench:sessions). Self time is summed per source:
 * a package under node_modules (by name), Node's own code, or the app's bundled chunks.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A readable name for where a function lives. */
function sourceOf({ url, functionName }: ProfileNode['callFrame']): string {
  if (!url) return functionName.startsWith('(') ? functionName : `(native ${functionName || 'code'})`;
  if (url.startsWith('node:')) return url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes('/.next/')) return `app chunk ${url.split('/').pop()}`;
  return url.replace(/^file:\/\//, '');
}

const file = process.argv[2];
if (!file) throw new Error('usage: cpu-profile.ts <file.cpuprofile>');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const bySource = new Map<string, number>();
const byFunction = new Map<string, number>();
const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
let all = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  const node = byId.get(id);
  if (!node) return;
  const source = sourceOf(node.callFrame);
  add(bySource, source, dt);
  add(byFunction, `${node.callFrame.functionName || '(anonymous)'}  [${source}]`, dt);
  all += dt;
});
const busy = all - (bySource.get('(idle)') ?? 0);
console.log(`profile ${(all / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(1)} s`);
function table(title: string, map: Map<string, number>, rows: number) {
  console.log(`\n${title}`);
  for (const [key, us] of [...map]
    .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, rows)) {
    console.log(
      `${((100 * us) / busy).toFixed(1).padStart(5)} %  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${key}`,
    );
  }
}
table('busy time by source (self time)', bySource, 12);
table('busy time by function (self time)', byFunction, 25);
