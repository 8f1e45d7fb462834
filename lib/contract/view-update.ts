import type { StepId } from '../flow/types';
import type { ExchangeSummary, LiveView, StepView } from '../flow/view';

/**
 * How an action's answer updates the live view without resending all of it. The server hashes each
 * part of the view it sends (the head, each step's own fields, each step's list of exchange ids, each
 * exchange) and the client keeps those fingerprints beside the view. With every action the client
 * sends them back (`Held`); the server answers with the parts whose fingerprint differs and names the
 * rest. The client never computes a fingerprint, so what it holds and what it says it holds cannot
 * drift apart; when it holds nothing (or says something the server cannot use), it gets the full view.
 */

/** Part key → fingerprint: `h` (the view without steps), `s:<step>`, `e:<step>` (its exchange ids), `x:<exchange>`. */
export type Held = Record<string, string>;

export type ViewHead = Omit<LiveView, 'steps'>;
export type StepMeta = Omit<StepView<ExchangeSummary>, 'exchanges'>;

/** A step the client holds unchanged (its id), or what changed in it. */
export type StepPatch =
  | StepId
  | {
      id: StepId;
      /** The step's own fields, when they changed. */
      meta?: StepMeta;
      /** The step's exchanges when the list changed: held ones by id, new or changed ones in full. */
      exchanges?: Array<string | ExchangeSummary>;
    };

/**
 * What the client sends with an action: the fingerprints it holds, and the revision they came with.
 * An update names the revision it was computed against, so one computed against an older holding
 * (two actions in flight from one page) is never merged into a newer one.
 */
export interface Holding {
  rev: string;
  held: Held;
}

export type ViewUpdate =
  | { full: LiveView | null; fp: Held; rev: string }
  | {
      /** The revision of the holding this update applies to. */
      base: string;
      rev: string;
      /** The view without steps, when it changed. */
      head?: ViewHead;
      steps: StepPatch[];
      /** Fingerprints of the parts sent here; the others keep the ones the client holds. */
      fp: Held;
    };

/** The live view with the fingerprints of its parts, as the store keeps it. */
export interface HeldView extends Holding {
  view: LiveView | null;
}

export class ViewOutOfStep extends Error {
  override name = 'ViewOutOfStep';
}

/** Applies an update to what the client holds; throws ViewOutOfStep when it names a part the client lacks. */
export function applyViewUpdate(prev: HeldView, update: ViewUpdate): HeldView {
  if ('full' in update) return { view: update.full, held: update.fp, rev: update.rev };
  const old = prev.view;
  if (!old || update.base !== prev.rev) {
    throw new ViewOutOfStep('An update arrived for a view this page no longer holds.');
  }
  const { steps: oldSteps, ...oldHead } = old;
  const stepsById = new Map(oldSteps.map((s) => [s.id, s]));
  const exchangesById = new Map(oldSteps.flatMap((s) => s.exchanges.map((x) => [x.id, x] as const)));
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new ViewOutOfStep(`The server named ${what}, which this page does not hold.`);
    return value;
  };
  const steps = update.steps.map((patch): StepView<ExchangeSummary> => {
    if (typeof patch === 'string') return need(stepsById.get(patch), `step ${patch}`);
    const before = () => need(stepsById.get(patch.id), `step ${patch.id}`);
    const meta: StepMeta = patch.meta ?? withoutExchanges(before());
    const exchanges = patch.exchanges
      ? patch.exchanges.map((x) => (typeof x === 'string' ? need(exchangesById.get(x), `exchange ${x}`) : x))
      : before().exchanges;
    return { ...meta, exchanges };
  });
  const view: LiveView = { ...(update.head ?? oldHead), steps };
  return { view, held: heldFor(view, { ...prev.held, ...update.fp }), rev: update.rev };
}

function withoutExchanges({ exchanges: _, ...meta }: StepView<ExchangeSummary>): StepMeta {
  return meta;
}

/** The fingerprints of exactly the parts `view` has, taken from `known`. */
function heldFor(view: LiveView, known: Held): Held {
  const keys = [
    'h',
    ...view.steps.flatMap((s) => [`s:${s.id}`, `e:${s.id}`, ...s.exchanges.map((x) => `x:${x.id}`)]),
  ];
  const held: Held = {};
  for (const key of keys) {
    const fp = known[key];
    if (fp === undefined) throw new ViewOutOfStep(`No fingerprint for ${key}.`);
    held[key] = fp;
  }
  return held;
}

/** The view a full update carries; undefined for a delta (callers that hold nothing always get full ones). */
export function fullView(update: ViewUpdate): LiveView | null | undefined {
  return 'full' in update ? update.full : undefined;
}
