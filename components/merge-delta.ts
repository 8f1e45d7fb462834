'use client';

import { viewAction } from '@/app/actions';
import { applyViewUpdate, type HeldView, type ViewUpdate } from '@/lib/contract/view-update';

/**
 * The live view after a delta. One that no longer fits what the page holds (two actions were in
 * flight) is never merged by guesswork: the page asks for the view in full instead.
 */
export async function mergeDelta(live: HeldView, update: ViewUpdate): Promise<HeldView> {
  try {
    return applyViewUpdate(live, update);
  } catch {
    const answer = await viewAction(null);
    if (!answer.ok) throw new Error(answer.error);
    return applyViewUpdate(live, answer.value.update);
  }
}
