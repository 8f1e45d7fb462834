import { Inspector } from '@/components/inspector';
import { config } from '@/lib/server/config';
import { currentLiveSnapshot } from '@/lib/server/inspector';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const snapshot = await currentLiveSnapshot();
  const { demo, mode } = config();
  // The scenarios' credentials (client secrets, private keys, the workload platform) stay server-side.
  const browserDemo = demo
    ? {
        ...demo,
        scenarios: demo.scenarios.map(({ preRegistered: _p, workload: _w, ...scenario }) => scenario),
      }
    : null;
  return <Inspector initial={snapshot} demo={browserDemo} hosted={mode === 'hosted'} />;
}
