/**
 * SEP-2243 header mirroring, as a judge: why a tool's `x-mcp-header` declarations are invalid. The SDK
 * excludes such tools on its own; this says why, in words a server author can act on.
 * @see MCP 2026-07-28 §Streamable HTTP (Custom Headers from Tool Parameters, Schema Extension)
 */

/** RFC 9110 §5.6.2 tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const PRIMITIVE = new Set(['string', 'integer', 'boolean']);
/** Keywords whose subschemas are not statically reachable through `properties` alone. */
const NOT_REACHABLE = [
  'items',
  'prefixItems',
  'additionalProperties',
  'patternProperties',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'if',
  'then',
  'else',
  '$defs',
  'definitions',
  'dependentSchemas',
  'contains',
  'unevaluatedProperties',
  'unevaluatedItems',
  'propertyNames',
];
const MAX_WALK = 10_000;

/** Why the tool's input schema breaks the x-mcp-header rules; undefined when it does not. */
export function xMcpHeaderProblem(inputSchema: unknown): string | undefined {
  const seen = new Map<string, string>();
  let problem: string | undefined;
  let visited = 0;
  // Iterative walk: `reachable` says whether every step from the root was a `properties` key.
  const stack: Array<{ node: unknown; path: string; reachable: boolean }> = [
    { node: inputSchema, path: '', reachable: true },
  ];
  while (stack.length && !problem && visited++ < MAX_WALK) {
    const { node, path, reachable } = stack.pop()!;
    if (!node || typeof node !== 'object' || Array.isArray(node)) continue;
    const schema = node as Record<string, unknown>;
    if ('x-mcp-header' in schema) {
      const name = schema['x-mcp-header'];
      const at = path || '(root)';
      if (!reachable || !path) {
        problem = `x-mcp-header at ${at} is not reachable through properties alone (it sits under an array, composition, conditional or $ref keyword)`;
      } else if (typeof name !== 'string' || name === '') {
        problem = `x-mcp-header at ${at} is empty or not a string`;
      } else if (!TOKEN.test(name)) {
        problem = `x-mcp-header "${name}" at ${at} is not an HTTP field-name token`;
      } else if (seen.has(name.toLowerCase())) {
        problem = `x-mcp-header "${name}" at ${at} repeats the one at ${seen.get(name.toLowerCase())} (names are compared case-insensitively)`;
      } else if (typeof schema.type !== 'string' || !PRIMITIVE.has(schema.type)) {
        problem = `x-mcp-header "${name}" at ${at} is on a parameter of type ${JSON.stringify(schema.type ?? 'unspecified')}; only string, integer and boolean may be mirrored`;
      } else {
        seen.set(name.toLowerCase(), at);
      }
    }
    const properties = schema.properties;
    if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
      for (const [key, child] of Object.entries(properties)) {
        stack.push({ node: child, path: path ? `${path}.${key}` : key, reachable });
      }
    }
    for (const keyword of NOT_REACHABLE) {
      const sub = schema[keyword];
      const subs = Array.isArray(sub)
        ? sub
        : sub && typeof sub === 'object'
          ? keyword === '$defs' || keyword === 'definitions' || keyword === 'patternProperties'
            ? Object.values(sub)
            : [sub]
          : [];
      for (const child of subs)
        stack.push({ node: child, path: `${path || '(root)'}/${keyword}`, reachable: false });
    }
  }
  return problem;
}
