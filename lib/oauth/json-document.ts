/**
 * The first checks every metadata document gets: a 200 whose body is a JSON object, no deeper than a
 * client can safely keep. The problem strings name what was wrong for the probe tables ("answered
 * 200 but the body is not JSON").
 */
export type JsonObjectResult = { ok: true; doc: Record<string, unknown> } | { ok: false; problem: string };

/**
 * How deep a document the inspector keeps. Real metadata is 3 or 4 levels deep; a document nested
 * thousands of levels would overflow the stack when the session is sealed or the page is rendered.
 */
export const MAX_DOCUMENT_DEPTH = 64;

/** True when `value` nests objects or arrays more than `max` levels deep. Iterative: any depth is safe. */
export function nestedDeeperThan(value: unknown, max: number = MAX_DOCUMENT_DEPTH): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { node, depth } = item;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

/** The sentence for a document nested too deep, for the probe tables and errors. */
export const TOO_DEEP_PROBLEM = `answered 200 but its JSON is nested more than ${MAX_DOCUMENT_DEPTH} levels deep, more than any metadata needs, so it was not read`;

export function parseJsonObjectResponse(status: number, body: string): JsonObjectResult {
  if (status !== 200) return { ok: false, problem: `answered HTTP ${status}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'answered 200 but the body is not JSON' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, problem: 'answered 200 but the body is not a JSON object' };
  }
  if (nestedDeeperThan(json)) return { ok: false, problem: TOO_DEEP_PROBLEM };
  return { ok: true, doc: json as Record<string, unknown> };
}
