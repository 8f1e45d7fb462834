import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';

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
    return 'The tool has no annotations, so nothing says it is read-only (readOnlyHint defaults to false). The inspector runs only tools annotated readOnlyHint: true.';
  }
  if (a.readOnlyHint === false) {
    return `The server annotates it readOnlyHint: false${a.destructiveHint === false ? ' (not destructive, but it may still change data)' : ''}. The inspector runs only read-only tools.`;
  }
  return 'Its annotations do not include readOnlyHint (which defaults to false). The inspector runs only tools annotated readOnlyHint: true.';
}

export function toToolView(tool: Tool): ToolView {
  const refusal = readOnlyRefusal(tool);
  return {
    name: tool.name,
    ...(tool.title
      ? { title: tool.title }
      : tool.annotations?.title
        ? { title: tool.annotations.title }
        : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema as Record<string, unknown>,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema as Record<string, unknown> } : {}),
    readOnly: refusal === undefined,
    annotations: { ...(tool.annotations ?? {}) },
    ...(refusal ? { refusal } : {}),
  };
}

/**
 * Lists every page of tools (cursor pagination), with a page cap against a server that never ends.
 * @see MCP 2025-11-25 §Tools (Listing Tools); §Pagination
 */
export async function listAllTools(
  client: Client,
  maxPages = 20,
  timeoutMs = MCP_REQUEST_TIMEOUT_MS,
): Promise<{ tools: Tool[]; pages: number; truncated: boolean }> {
  const tools: Tool[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await client.listTools(cursor ? { cursor } : undefined, { timeout: timeoutMs });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < maxPages);
  return { tools, pages, truncated: Boolean(cursor) };
}

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
        return { type: 'unknown', raw: item };
    }
  });
  return {
    isError: result.isError === true,
    content,
    ...(result.structuredContent !== undefined ? { structuredContent: result.structuredContent } : {}),
  };
}
