import { isJsonRpc, jsonRpcMessageIn } from '../../mcp/jsonrpc';
import type { DiscoveryMode } from '../types';

/** Reads a body as text without ever throwing (a broken body is reported as empty). */
export async function readText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

/** The first JSON-RPC 2.0 message in a JSON or text/event-stream body, if there is one. */
export function firstJsonRpcMessage(
  body: string,
  contentType: string | null,
): Record<string, unknown> | undefined {
  const message = jsonRpcMessageIn(body, contentType);
  return isJsonRpc(message) ? message : undefined;
}

export function listOr(items: string[], empty = '(none)'): string {
  return items.length ? items.join(', ') : empty;
}

/**
 * Probes discovery candidates: all at once in `matrix` mode, or one by one in the given (spec) order,
 * stopping at the first usable answer, in `client` mode. Candidates never requested come back in
 * `skipped`, so the report can say why.
 */
export async function probeCandidates<C, P>(
  candidates: readonly C[],
  probe: (candidate: C) => Promise<P>,
  usable: (probed: P) => boolean,
  mode: DiscoveryMode = 'matrix',
): Promise<{ probed: P[]; skipped: C[] }> {
  if (mode === 'matrix') return { probed: await Promise.all(candidates.map(probe)), skipped: [] };
  const probed: P[] = [];
  for (const [i, candidate] of candidates.entries()) {
    const result = await probe(candidate);
    probed.push(result);
    if (usable(result)) return { probed, skipped: candidates.slice(i + 1) };
  }
  return { probed, skipped: [] };
}
