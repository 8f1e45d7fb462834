/**
 * The first checks every metadata document gets: a 200 whose body is a JSON object. The problem
 * strings name what was wrong for the probe tables ("answered 200 but the body is not JSON").
 */
export type JsonObjectResult = { ok: true; doc: Record<string, unknown> } | { ok: false; problem: string };

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
  return { ok: true, doc: json as Record<string, unknown> };
}
