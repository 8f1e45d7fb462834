import { DEFAULT_LIMITS } from '../http/limits';
import { createTracedFetch, guardedFetch } from '../http/traced-fetch';
import type { FetchLike } from '../http/types';
import { buildPrmCandidates } from '../oauth/protected-resource';
import type { FlowContext } from './step-run';

/** What the prm step's record says when its well-known requests were sent early. */
export const PREFETCH_NOTE =
  'Run all sent the well-known metadata requests together with the probe, since they do not depend on its answer; each exchange’s duration is the wait that remained when this step began.';

export interface Prefetch {
  /** The context for the probe and prm steps: well-known PRM GETs are answered from the early requests. */
  ctx: FlowContext;
  /** URLs that were answered from the early requests (for the step's note). */
  used: Set<string>;
}

/**
 * Speculative discovery for "run all": the path-aware and root protected-resource-metadata URLs
 * depend only on the server URL, so they are requested at once, alongside the probe, instead of one
 * round trip later. Each goes through its own traced fetch with the same address policy and limits;
 * the prm step then takes the answer (and records the exchange) as if it had sent the request. A
 * request that failed early is simply sent again. Only in `matrix` discovery: a strict client must not
 * request a lower-priority URL before a higher-priority one failed. Never in guided mode, which shows
 * one step and its requests at a time.
 * @see RFC 9728 §3.1; MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements
 */
export function prefetchProtectedResourceMetadata(ctx: FlowContext, serverUrl: string): Prefetch {
  const base: FetchLike = ctx.fetch ?? guardedFetch(ctx.policy ?? { mode: 'hosted' });
  const early = createTracedFetch({
    stepId: 'prm',
    base,
    policy: ctx.policy,
    limits: { ...DEFAULT_LIMITS, ...definedLimits(ctx) },
    now: ctx.now,
  });
  const pending = new Map<string, Promise<Response | undefined>>();
  for (const { url } of buildPrmCandidates(serverUrl)) {
    pending.set(
      url,
      early(url, { method: 'GET', headers: { accept: 'application/json' }, redirect: 'manual' }).catch(
        () => undefined,
      ),
    );
  }
  const used = new Set<string>();
  const fetch: FetchLike = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const answer = method === 'GET' ? pending.get(url) : undefined;
    if (answer) {
      pending.delete(url);
      const response = await answer;
      if (response) {
        used.add(url);
        return response;
      }
    }
    return base(input, init);
  };
  return { ctx: { ...ctx, fetch }, used };
}

function definedLimits(ctx: FlowContext) {
  const { timeoutMs, maxBodyBytes, maxRedirects } = ctx.limits ?? {};
  return {
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(maxRedirects !== undefined ? { maxRedirects } : {}),
  };
}
