'use client';

import { useMemo } from 'react';
import { buildSequence } from '@/lib/picture/sequence';
import { useInspector } from './inspector-provider';
import { TracePicture } from './trace-picture';

/** The walkthrough as a conversation between the parties; it grows as the flow runs. */
export function SequenceDiagram() {
  const view = useInspector((s) => s.view);
  const model = useMemo(() => (view ? buildSequence(view) : null), [view]);
  if (!view || !model) return null;
  return (
    <section aria-labelledby="sequence-heading" className="flex flex-col gap-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="sequence-heading" className="font-semibold">
          Sequence diagram
        </h2>
        <p className="text-xs text-muted">
          Solid: requests · dashed: responses · blue: the browser’s redirects · red with ✕: what a failed
          check proves. Select an arrow (or Tab to it and press Enter) to open its exchange.
        </p>
      </div>
      {model.exchangeCount === 0 ? (
        <p className="text-sm text-muted">No requests yet.</p>
      ) : (
        <TracePicture picture={model} controlsLabel="Exchanges in the sequence diagram" />
      )}
    </section>
  );
}
