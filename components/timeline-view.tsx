'use client';

import { useMemo } from 'react';
import { buildTimeline } from '@/lib/picture/timeline';
import { useInspector } from './inspector-provider';
import { TracePicture } from './trace-picture';

/** The exchanges against time: what ran in parallel, what was slow. */
export function TimelineView() {
  const view = useInspector((s) => s.view);
  const picture = useMemo(() => (view ? buildTimeline(view) : null), [view]);
  if (!view || !picture) return null;
  return (
    <section aria-labelledby="timeline-heading" className="flex flex-col gap-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="timeline-heading" className="font-semibold">
          Timeline
        </h2>
        <p className="text-xs text-muted">
          One bar per exchange, from sent to answered. Idle time longer than a second is cut out and labelled.
        </p>
      </div>
      {picture.controls.length === 0 ? (
        <p className="text-sm text-muted">No requests yet.</p>
      ) : (
        <TracePicture picture={picture} controlsLabel="Exchanges in the timeline" />
      )}
    </section>
  );
}
