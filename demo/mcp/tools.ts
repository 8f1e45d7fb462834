/** The demo MCP server's tools, registered on one McpServer per session. */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { DemoState } from '../state';
import { ANONYMOUS, type Identity } from './auth';
import { LOGO_PNG_BASE64, LOGO_SIZE } from './logo';
import { NOTE_TAGS } from './notes';

/** An expected failure whose message is safe to show to the caller. */
class ToolError extends Error {
  override name = 'ToolError';
}

function identityOf(extra: { authInfo?: { extra?: Record<string, unknown> } }): Identity {
  return (extra.authInfo?.extra?.identity as Identity | undefined) ?? ANONYMOUS;
}

function text(value: string): CallToolResult['content'][number] {
  return { type: 'text', text: value };
}

/**
 * Runs a tool body and turns a thrown error into an `isError` result. With the `leak-internals` row broken,
 * the result carries what a careless server leaks: the stack trace with file paths, and internal hosts.
 */
async function run(
  state: DemoState,
  body: () => CallToolResult | Promise<CallToolResult>,
): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    if (state.isBroken('leak-internals')) {
      return {
        isError: true,
        content: [
          text(
            `${err.stack ?? err.message}\n` +
              'upstream: notes-db.internal.corp:5432 (10.20.30.40), ' +
              `service=notes-api@${process.version} pid=${process.pid}`,
          ),
        ],
      };
    }
    return {
      isError: true,
      content: [text(err instanceof ToolError ? err.message : 'The tool failed. Try again later.')],
    };
  }
}

export function createMcpServer(options: { scenario: string; state: DemoState }): McpServer {
  const { state } = options;
  const server = new McpServer(
    { name: 'mcp-auth-inspector-demo', title: 'MCP Auth Inspector demo server', version: '1.0.0' },
    {
      capabilities: { tools: {} },
      instructions:
        `Demo MCP server (scenario "${options.scenario}"). Tools: echo, add_numbers, search_notes, get_logo, ` +
        'whoami (read-only) and delete_note (destructive).',
    },
  );

  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Sends the message back, optionally in upper case.',
      inputSchema: {
        message: z.string().describe('The text to send back.'),
        uppercase: z.boolean().optional().describe('Return the message in upper case.'),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ message, uppercase }) =>
      run(state, () => ({ content: [text(uppercase ? message.toUpperCase() : message)] })),
  );

  server.registerTool(
    'add_numbers',
    {
      title: 'Add numbers',
      description: 'Adds two numbers and returns the sum as text and as structured content.',
      inputSchema: {
        a: z.number().describe('The first number.'),
        b: z.number().describe('The second number.'),
      },
      outputSchema: { sum: z.number().describe('a + b') },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ a, b }) =>
      run(state, () => {
        const sum = a + b;
        if (!Number.isFinite(sum)) throw new ToolError(`The sum of ${a} and ${b} is not a finite number.`);
        return { content: [text(`${a} + ${b} = ${sum}`)], structuredContent: { sum } };
      }),
  );

  const noteSchema = z.object({
    id: z.string(),
    title: z.string(),
    snippet: z.string(),
    tags: z.array(z.enum(NOTE_TAGS)),
    owner: z.string(),
    archived: z.boolean(),
    updatedAt: z.string(),
  });

  server.registerTool(
    'search_notes',
    {
      title: 'Search notes',
      description: 'Searches the notes of the signed-in account. Never returns notes of other accounts.',
      inputSchema: {
        query: z
          .string()
          .min(1)
          .describe('Words to look for in titles, bodies and tags; "*" matches every note.'),
        limit: z
          .number()
          .int()
          .min(1)
          .max(20)
          .default(5)
          .describe('Maximum number of notes to return (1-20).'),
        tags: z
          .array(z.enum(NOTE_TAGS))
          .optional()
          .describe('Only return notes carrying at least one of these tags.'),
        filters: z
          .object({
            owner: z
              .string()
              .optional()
              .describe('Account whose notes to search. Only the signed-in account is allowed.'),
            archived: z
              .boolean()
              .optional()
              .describe('true: only archived notes; false: only active notes; leave out for both.'),
          })
          .optional()
          .describe('Extra filters.'),
        sort: z
          .enum(['relevance', 'newest', 'oldest'])
          .default('relevance')
          .describe('Order of the results: best match first, newest first or oldest first.'),
      },
      outputSchema: {
        query: z.string().describe('The query as received.'),
        total: z.number().int().describe('How many notes matched before the limit.'),
        notes: z.array(noteSchema).describe('The matching notes, at most `limit`.'),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ query, limit, tags, filters, sort }, extra) =>
      run(state, () => {
        const { sub } = identityOf(extra);
        if (filters?.owner !== undefined && filters.owner !== sub) {
          throw new ToolError(`Access denied: you can only search the notes of your own account (${sub}).`);
        }
        const { hits, total } = state.notes.search({
          owner: sub,
          query,
          limit,
          tags,
          archived: filters?.archived,
          sort,
        });
        const notes = hits.map(({ score: _score, ...note }) => note);
        const summary =
          total === 0
            ? `No notes of ${sub} match "${query}".`
            : `${total} note${total === 1 ? '' : 's'} of ${sub} match "${query}"` +
              `${notes.length < total ? ` (showing ${notes.length})` : ''}:\n` +
              notes.map((note) => `- ${note.id} ${note.title}`).join('\n');
        return { content: [text(summary)], structuredContent: { query, total, notes } };
      }),
  );

  server.registerTool(
    'get_logo',
    {
      title: 'Get logo',
      description: 'Returns the demo logo as a PNG image with a caption.',
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async () =>
      run(state, () => ({
        content: [
          { type: 'image', data: LOGO_PNG_BASE64, mimeType: 'image/png' },
          text(`The demo logo: a white key on an indigo tile (${LOGO_SIZE}x${LOGO_SIZE} PNG).`),
        ],
      })),
  );

  server.registerTool(
    'whoami',
    {
      title: 'Who am I',
      description: 'Describes the access token of this request: subject, scopes and audience.',
      outputSchema: {
        sub: z.string().describe('Subject (account id).'),
        scopes: z.array(z.string()).describe('Granted scopes.'),
        audience: z.array(z.string()).describe('The token audience (aud).'),
        clientId: z.string().nullable().describe('The OAuth client the token was issued to.'),
        issuer: z.string().nullable().describe('The authorization server that issued the token.'),
        expiresAt: z.string().nullable().describe('Expiry time (ISO 8601).'),
      },
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (extra) =>
      run(state, () => {
        const who = identityOf(extra);
        const structured = {
          sub: who.sub,
          scopes: who.scopes,
          audience: who.audience,
          clientId: who.clientId,
          issuer: who.issuer,
          expiresAt: who.expiresAt === null ? null : new Date(who.expiresAt * 1000).toISOString(),
        };
        return {
          content: [
            text(
              `sub: ${structured.sub}\nscopes: ${structured.scopes.join(' ') || '(none)'}\n` +
                `audience: ${structured.audience.join(' ') || '(none)'}`,
            ),
          ],
          structuredContent: structured,
        };
      }),
  );

  server.registerTool(
    'delete_note',
    {
      title: 'Delete note',
      description: 'Deletes one of your notes. Destructive: an inspector must never call this on its own.',
      inputSchema: { id: z.string().min(1).describe('Id of the note to delete, e.g. "n-103".') },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ id }, extra) =>
      run(state, () => {
        const { sub } = identityOf(extra);
        const removed = state.notes.delete(sub, id);
        if (!removed) throw new ToolError(`No note with id "${id}" in the account ${sub}.`);
        return { content: [text(`Deleted note ${removed.id} (${removed.title}).`)] };
      }),
  );

  return server;
}
