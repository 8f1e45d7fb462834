import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import type { ExcludedTool, InspectorClient } from './client';

/**
 * Per JSON-RPC request. The traced fetch's own limit stops at the response headers for event
 * streams, so a server that never finishes a streamed answer is cut off here instead.
 */
export const MCP_REQUEST_TIMEOUT_MS = 30_000;

/** A listed tool as the UI shows it. JSON-serialisable. */
export interface ToolView {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /** `annotations.readOnlyHint === true`; only these can be run from the inspector. */
  readOnly: boolean;
  annotations: Record<string, unknown>;
  /** Why the tool will not be run, when it is not read-only. */
  refusal?: string;
  /** Its schemas or annotations nested deeper than MAX_JSON_DEPTH and were cut (see cutDeepJson). */
  cut?: boolean;
}

export type ToolContent =
  | { type: 'text'; text: string }
  | { type: 'image'; mimeType: string; data: string }
  | { type: 'audio'; mimeType: string; data: string }
  | { type: 'resource'; uri: string; mimeType?: string; text?: string; blobBytes?: number }
  | { type: 'resource_link'; uri: string; name: string; mimeType?: string; description?: string }
  | { type: 'unknown'; raw: unknown };

export interface ShapedToolResult {
  isError: boolean;
  content: ToolContent[];
  structuredContent?: unknown;
}

/**
 * Why a tool is not runnable. Annotations are hints from the server, but they are the only signal a
 * client has; anything other than an explicit `readOnlyHint: true` might change data.
 * @see MCP 2025-11-25 §Tools (Tool annotations: readOnlyHint defaults to false)
 */
export function readOnlyRefusal(tool: Pick<Tool, 'annotations'>): string | undefined {
  const a = tool.annotations;
  if (a?.readOnlyHint === true) return undefined;
  if (!a) {
    return 'The tool has no annotations, so nothing says it is read-only (readOnlyHint defaults to false).';
  }
  if (a.readOnlyHint === false) {
    return `The server annotates it readOnlyHint: false${a.destructiveHint === false ? ' (not destructive, but it may still change data)' : ''}.`;
  }
  return 'Its annotations do not include readOnlyHint (which defaults to false).';
}

/** Deeper JSON than this (schemas, structured results) is cut: it would overflow the stack when sealed or rendered. */
export const MAX_JSON_DEPTH = 32;
export const CUT_MARKER = `[cut by the inspector: nested more than ${MAX_JSON_DEPTH} levels deep]`;

/**
 * A copy of a JSON value with everything below `maxDepth` replaced by CUT_MARKER. Remote JSON is
 * untrusted: 5,000 nested objects fit in 25 KB and make JSON.stringify (session sealing, React)
 * throw "Maximum call stack size exceeded". The recursion here stops at `maxDepth`.
 */
export function cutDeepJson(value: unknown, maxDepth = MAX_JSON_DEPTH): { value: unknown; cut: boolean } {
  let cut = false;
  const walk = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (depth >= maxDepth) {
      cut = true;
      return CUT_MARKER;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  const result = walk(value, 0);
  return { value: result, cut };
}

export function toToolView(tool: Tool): ToolView {
  const refusal = readOnlyRefusal(tool);
  const input = cutDeepJson(tool.inputSchema);
  const output = tool.outputSchema ? cutDeepJson(tool.outputSchema) : undefined;
  const annotations = cutDeepJson(tool.annotations ?? {});
  const cut = input.cut || output?.cut || annotations.cut;
  return {
    name: tool.name,
    ...(tool.title
      ? { title: tool.title }
      : tool.annotations?.title
        ? { title: tool.annotations.title }
        : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: input.value as Record<string, unknown>,
    ...(output ? { outputSchema: output.value as Record<string, unknown> } : {}),
    readOnly: refusal === undefined,
    annotations: annotations.value as Record<string, unknown>,
    ...(refusal ? { refusal } : {}),
    ...(cut ? { cut: true } : {}),
  };
}

/**
 * Lists every page of tools (cursor pagination), with a page cap against a server that never ends.
 * @see MCP 2025-11-25 §Tools (Listing Tools); §Pagination
 */
export async function listAllTools(
  client: InspectorClient,
  maxPages = 20,
  timeoutMs = MCP_REQUEST_TIMEOUT_MS,
  maxTools = MAX_TOOLS,
): Promise<{ tools: Tool[]; pages: number; truncated: boolean; excluded: ExcludedTool[] }> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.listToolsPage(cursor, { timeout: timeoutMs });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < maxPages && tools.length < maxTools);
  const overCount = tools.length > maxTools;
  return {
    tools: tools.slice(0, maxTools),
    pages,
    truncated: Boolean(cursor) || overCount,
    excluded: [...client.excludedTools],
  };
}

/** Tools kept from one listing: each is held in the session and sent to the browser. */
export const MAX_TOOLS = 1000;

/** Reshapes a CallToolResult into plain JSON the browser renders by type. */
export function shapeToolResult(result: CallToolResult): ShapedToolResult {
  const content: ToolContent[] = (result.content ?? []).map((item): ToolContent => {
    switch (item.type) {
      case 'text':
        return { type: 'text', text: item.text };
      case 'image':
        return { type: 'image', mimeType: item.mimeType, data: item.data };
      case 'audio':
        return { type: 'audio', mimeType: item.mimeType, data: item.data };
      case 'resource': {
        const r = item.resource;
        return {
          type: 'resource',
          uri: r.uri,
          ...(r.mimeType ? { mimeType: r.mimeType } : {}),
          ...('text' in r && typeof r.text === 'string' ? { text: r.text } : {}),
          ...('blob' in r && typeof r.blob === 'string'
            ? { blobBytes: Math.floor((r.blob.length * 3) / 4) }
            : {}),
        };
      }
      case 'resource_link':
        return {
          type: 'resource_link',
          uri: item.uri,
          name: item.name,
          ...(item.mimeType ? { mimeType: item.mimeType } : {}),
          ...(item.description ? { description: item.description } : {}),
        };
      default:
        return { type: 'unknown', raw: cutDeepJson(item).value };
    }
  });
  return {
    isError: result.isError === true,
    content,
    ...(result.structuredContent !== undefined
      ? { structuredContent: cutDeepJson(result.structuredContent).value }
      : {}),
  };
}
