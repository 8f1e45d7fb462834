import { Inspector } from '@/components/inspector';
import { config } from '@/lib/server/config';
import { currentLiveSnapshot } from '@/lib/server/inspector';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const snapshot = await currentLiveSnapshot();
  const { demo, mode } = config();
  return <Inspector initial={snapshot} demo={demo ?? null} hosted={mode === 'hosted'} />;
}
