/**
 * The server's half of lib/contract/view-update: fingerprints of the live view's parts, and the update
 * that brings a client holding `held` to `next`. Computed from the view the browser may receive
 * (already scrubbed and collapsed), never from flow state, so a fingerprint cannot carry a secret.
 */
import { createHash } from 'node:crypto';
import type { Held, Holding, StepPatch, ViewUpdate } from '../contract/view-update';
import type { LiveView } from './view';

/** 128 bits of SHA-256: a server that wanted to hide a change behind a collision would need a preimage. */
function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

/** Fingerprints of frozen exchange summaries (liveView shares them between answers): one hash each. */
const exchangePrints = new WeakMap<object, string>();

function exchangeFingerprint(x: LiveView['steps'][number]['exchanges'][number]): string {
  if (!Object.isFrozen(x)) return fingerprint(x);
  let known = exchangePrints.get(x);
  if (known === undefined) {
    known = fingerprint(x);
    exchangePrints.set(x, known);
  }
  return known;
}

/** Fingerprints of a frozen step's own fields and of its exchange list (liveView shares unchanged steps). */
const stepPrints = new WeakMap<object, { s: string; e: string }>();

function stepFingerprints(step: LiveView['steps'][number]): { s: string; e: string } {
  const known = stepPrints.get(step);
  if (known) return known;
  const { exchanges, ...meta } = step;
  const prints = { s: fingerprint(meta), e: fingerprint(exchanges.map((x) => x.id)) };
  if (Object.isFrozen(step) && Object.isFrozen(exchanges)) stepPrints.set(step, prints);
  return prints;
}

/** Every part of `view` with its fingerprint (keys as in `Held`). */
export function viewFingerprints(view: LiveView): Held {
  const { steps, ...head } = view;
  const held: Held = { h: fingerprint(head) };
  for (const step of steps) {
    const prints = stepFingerprints(step);
    held[`s:${step.id}`] = prints.s;
    held[`e:${step.id}`] = prints.e;
    for (const x of step.exchanges) held[`x:${x.id}`] = exchangeFingerprint(x);
  }
  return held;
}

/** The most parts a client may claim to hold; more is not a browser of ours. */
const MAX_HELD_PARTS = 2000;

/** The revision of a set of fingerprints: one fingerprint over all of them, in key order. */
export function revisionOf(held: Held): string {
  return fingerprint(Object.entries(held).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** `raw` as a holding when it has the shape the client sends; anything else counts as nothing held. */
export function parseHolding(raw: unknown): Holding | undefined {
  if (!isRecord(raw) || typeof raw.rev !== 'string' || raw.rev.length > 64 || !isRecord(raw.held)) {
    return undefined;
  }
  const entries = Object.entries(raw.held);
  if (entries.length > MAX_HELD_PARTS) return undefined;
  for (const [key, value] of entries) {
    if (key.length > 300 || typeof value !== 'string' || value.length > 64) return undefined;
  }
  return { rev: raw.rev, held: raw.held as Held };
}

/**
 * The update for a client holding `held`: the full view when it holds no view (or there is none now),
 * else only the parts whose fingerprints differ from what it holds.
 */
export function viewUpdate(holding: Holding | undefined, next: LiveView | null): ViewUpdate {
  if (!next) return { full: null, fp: {}, rev: revisionOf({}) };
  const fp = viewFingerprints(next);
  const rev = revisionOf(fp);
  const held = holding?.held;
  if (!holding || !held?.h) return { full: next, fp, rev };
  const { steps, ...head } = next;
  const sent: Held = {};
  const differs = (key: string) => {
    const changed = held[key] !== fp[key];
    if (changed) sent[key] = fp[key] as string;
    return changed;
  };
  const patches = steps.map(({ exchanges, ...meta }): StepPatch => {
    const metaChanged = differs(`s:${meta.id}`);
    const listChanged = differs(`e:${meta.id}`);
    const list = exchanges.map((x) => (differs(`x:${x.id}`) ? x : x.id));
    const exchangesChanged = listChanged || list.some((x) => typeof x !== 'string');
    if (!metaChanged && !exchangesChanged) return meta.id;
    return {
      id: meta.id,
      ...(metaChanged ? { meta } : {}),
      ...(exchangesChanged ? { exchanges: list } : {}),
    };
  });
  return { base: holding.rev, rev, ...(differs('h') ? { head } : {}), steps: patches, fp: sent };
}
