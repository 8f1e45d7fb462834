'use client';

import { useCallback } from 'react';
import type { Holding, InspectorAnswer } from '@/lib/contract';
import { useInspectorStore } from './inspector-provider';

/**
 * What every action sends and how its answer lands: `holding()` is what the page holds now, and
 * `apply()` puts an answer into it. A full view applies here; merging a delta loads its code when
 * first needed, so the start page (whose Start always answers with a full view) does not carry it.
 */
export function useAnswers() {
  const store = useInspectorStore();
  const holding = useCallback((): Holding => {
    const { rev, held } = store.getState().live;
    return { rev, held };
  }, [store]);
  const apply = useCallback(
    async ({ update, mode }: InspectorAnswer) => {
      const live =
        'full' in update
          ? { view: update.full, held: update.fp, rev: update.rev }
          : await (await import('./merge-delta')).mergeDelta(store.getState().live, update);
      store.getState().applyLive(live, mode);
    },
    [store],
  );
  return { holding, apply };
}
