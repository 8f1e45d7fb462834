/**
 * The demo MCP server's tools, registered on one McpServer (v2 SDK) per request on the 2026-07-28 wire and
 * per session on the 2025-11-25 wire. The same factory serves both eras; the only tool that behaves
 * differently is `get_temperature`, which asks back through an `input_required` result (MRTR) on 2026-07-28
 * and falls back to a default unit on 2025-era connections.
 */
import { randomBytes } from 'node:crypto';
import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createRequestStateCodec,
  type InputRequiredResult,
  inputRequired,
  inputResponse,
  McpServer,
  type RequestStateCodec,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { DemoState } from '../state';
import { ANONYMOUS, type Identity } from './auth';
import { LOGO_PNG_BASE64, LOGO_SIZE } from './logo';
import { NOTE_TAGS } from './notes';

/** An expected failure whose message is safe to show to the caller. */
class ToolError extends Error {
  override name = 'ToolError';
}

function identityOf(ctx: ServerContext): Identity {
  return (ctx.http?.authInfo?.extra?.identity as Identity | undefined) ?? ANONYMOUS;
}

function text(value: string): CallToolResult['content'][number] {
  return { type: 'text', text: value };
}

type ToolResult = CallToolResult | InputRequiredResult;

/**
 * Runs a tool body and turns a thrown error into an `isError` result. With the `leak-internals` row broken,
 * the result carries what a careless server leaks: the stack trace with file paths, and internal hosts.
 */
async function run(state: DemoState, body: () => ToolResult | Promise<ToolResult>): Promise<ToolResult> {
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

export interface McpServerOptions {
  scenario: string;
  state: DemoState;
  /** The protocol era this instance serves: 2026-07-28 (`modern`) or 2025-11-25 and older (`legacy`). */
  era: 'modern' | 'legacy';
  /** `get_temperature`, the tool that asks back (MRTR on 2026-07-28). */
  temperature?: boolean;
  /** `get_forecast` (a valid `x-mcp-header`) and `lookup_account` (an invalid one). */
  mcpHeaders?: boolean;
  /** Protocol versions this instance accepts; the SDK's defaults when left out. */
  supportedProtocolVersions?: string[];
}

export function createMcpServer(options: McpServerOptions): McpServer {
  const { state } = options;
  const readOnly = ['echo', 'add_numbers', 'search_notes', 'get_logo', 'whoami'];
  if (options.temperature) readOnly.push('get_temperature');
  if (options.mcpHeaders) readOnly.push('get_forecast', 'lookup_account');
  const codec = temperatureStateCodec(options.scenario);
  const server = new McpServer(
    { name: 'mcp-auth-inspector-demo', title: 'MCP Auth Inspector demo server', version: '1.0.0' },
    {
      capabilities: { tools: {} },
      instructions:
        `Demo MCP server (scenario "${options.scenario}"). Tools: ${readOnly.join(', ')} (read-only) and ` +
        'delete_note (destructive).',
      ...(options.supportedProtocolVersions
        ? { supportedProtocolVersions: options.supportedProtocolVersions }
        : {}),
      // requestState round-trips through the client: only HMAC-sealed state minted here for this caller
      // and this scenario is accepted (anything else is answered -32602 by the SDK before the tool runs).
      requestState: { verify: codec.verify },
    },
  );

  server.registerTool(
    'echo',
    {
      title: 'Echo',
      description: 'Sends the message back, optionally in upper case.',
      inputSchema: z.object({
        message: z.string().describe('The text to send back.'),
        uppercase: z.boolean().optional().describe('Return the message in upper case.'),
      }),
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
      inputSchema: z.object({
        a: z.number().describe('The first number.'),
        b: z.number().describe('The second number.'),
      }),
      outputSchema: z.object({ sum: z.number().describe('a + b') }),
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
      inputSchema: z.object({
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
      }),
      outputSchema: z.object({
        query: z.string().describe('The query as received.'),
        total: z.number().int().describe('How many notes matched before the limit.'),
        notes: z.array(noteSchema).describe('The matching notes, at most `limit`.'),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ query, limit, tags, filters, sort }, ctx) =>
      run(state, () => {
        const { sub } = identityOf(ctx);
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
      outputSchema: z.object({
        sub: z.string().describe('Subject (account id).'),
        scopes: z.array(z.string()).describe('Granted scopes.'),
        audience: z.array(z.string()).describe('The token audience (aud).'),
        clientId: z.string().nullable().describe('The OAuth client the token was issued to.'),
        issuer: z.string().nullable().describe('The authorization server that issued the token.'),
        expiresAt: z.string().nullable().describe('Expiry time (ISO 8601).'),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async (ctx) =>
      run(state, () => {
        const who = identityOf(ctx);
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
      inputSchema: z.object({ id: z.string().min(1).describe('Id of the note to delete, e.g. "n-103".') }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ id }, ctx) =>
      run(state, () => {
        const { sub } = identityOf(ctx);
        const removed = state.notes.delete(sub, id);
        if (!removed) throw new ToolError(`No note with id "${id}" in the account ${sub}.`);
        return { content: [text(`Deleted note ${removed.id} (${removed.title}).`)] };
      }),
  );

  if (options.temperature) registerTemperature(server, options, codec);
  if (options.mcpHeaders) registerHeaderTools(server, state);
  return server;
}

// --- get_temperature: a question back to the user (MRTR, SEP-2322) -----------------------------------

export const TEMPERATURE_UNITS = ['celsius', 'fahrenheit'] as const;
type TemperatureUnit = (typeof TEMPERATURE_UNITS)[number];
/** The key of the one input request `get_temperature` sends; the client answers under the same key. */
export const UNIT_INPUT_KEY = 'unit';
const DEFAULT_UNIT: TemperatureUnit = 'celsius';

/** What `get_temperature` keeps in `requestState` between the question and the retry. */
interface TemperatureState {
  tool: 'get_temperature';
  city: string;
}

/**
 * One HMAC key per process (a single process serves every round), one codec per scenario. The state is
 * bound to the caller (token subject) and the scenario, and lives ten minutes, so it cannot be replayed by
 * another account, on another demo server, or much later.
 */
const stateKey = randomBytes(32);
const codecs = new Map<string, RequestStateCodec<TemperatureState>>();
function temperatureStateCodec(scenario: string): RequestStateCodec<TemperatureState> {
  let codec = codecs.get(scenario);
  if (!codec) {
    codec = createRequestStateCodec<TemperatureState>({
      key: stateKey,
      ttlSeconds: 600,
      bind: (ctx) => `${scenario}\0${identityOf(ctx).sub}\0${ctx.mcpReq.method}`,
    });
    codecs.set(scenario, codec);
  }
  return codec;
}

/** Whether the client declared form elicitation in this request's `_meta` (an empty object means form). */
function canElicitForm(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as ClientCapabilities | undefined;
  const elicitation = capabilities?.elicitation as Record<string, unknown> | undefined;
  if (!elicitation) return false;
  return Object.keys(elicitation).length === 0 || elicitation.form !== undefined;
}

/** A made-up but stable reading per city, in tenths of a degree Celsius. */
function readingFor(city: string): number {
  let hash = 0;
  for (const char of city.trim().toLowerCase()) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 100_003;
  return (hash % 350) - 50;
}

function temperatureResult(city: string, unit: TemperatureUnit, note?: string): CallToolResult {
  const celsius = readingFor(city) / 10;
  const temperature = unit === 'celsius' ? celsius : Math.round(((celsius * 9) / 5) * 10 + 320) / 10;
  const symbol = unit === 'celsius' ? '°C' : '°F';
  return {
    content: [text(`It is ${temperature} ${symbol} in ${city}.${note ? ` ${note}` : ''}`)],
    structuredContent: { city, unit, temperature },
  };
}

function registerTemperature(
  server: McpServer,
  options: McpServerOptions,
  codec: RequestStateCodec<TemperatureState>,
): void {
  const { state } = options;
  server.registerTool(
    'get_temperature',
    {
      title: 'Get temperature',
      description:
        'The current temperature in a city. Without a unit the server asks which one (2026-07-28: an ' +
        'input_required result with an elicitation form; older protocol versions get Celsius).',
      inputSchema: z.object({
        city: z.string().min(1).describe('The city, e.g. "Berlin".'),
        unit: z
          .enum(TEMPERATURE_UNITS)
          .optional()
          .describe('celsius or fahrenheit; leave it out to be asked.'),
      }),
      outputSchema: z.object({
        city: z.string().describe('The city as received.'),
        unit: z.enum(TEMPERATURE_UNITS).describe('The unit of `temperature`.'),
        temperature: z.number().describe('The temperature in `unit`.'),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ city, unit }, ctx) =>
      run(state, async () => {
        if (unit) return temperatureResult(city, unit);
        // 2025-era connections have no input_required vocabulary (and the SDK's legacy shim would turn the
        // question into a server-to-client request); the demo keeps those simple and answers in Celsius.
        if (options.era === 'legacy') {
          return temperatureResult(city, DEFAULT_UNIT, '(No unit given: Celsius by default.)');
        }
        // A server must not send an input request the client did not declare support for.
        if (!canElicitForm(ctx)) {
          return temperatureResult(
            city,
            DEFAULT_UNIT,
            '(No unit given and the client declared no form elicitation, so the server could not ask: Celsius by default.)',
          );
        }
        const saved = ctx.mcpReq.requestState<TemperatureState>();
        if (saved && saved.city === city) {
          const answer = inputResponse(ctx.mcpReq.inputResponses, UNIT_INPUT_KEY);
          if (answer.kind === 'elicit' && answer.action !== 'accept') {
            return {
              isError: true,
              content: [
                text(
                  `You ${answer.action === 'decline' ? 'declined' : 'cancelled'} the question "Which unit?", ` +
                    `so no temperature was looked up for ${city}.`,
                ),
              ],
            };
          }
          const chosen = answer.kind === 'elicit' ? answer.content?.unit : undefined;
          if (TEMPERATURE_UNITS.includes(chosen as TemperatureUnit)) {
            return temperatureResult(city, chosen as TemperatureUnit);
          }
          // No usable answer: ask again (the spec's SHOULD, rather than an error).
        }
        return inputRequired({
          inputRequests: {
            [UNIT_INPUT_KEY]: inputRequired.elicit({
              mode: 'form',
              message: `Which unit? (temperature in ${city})`,
              requestedSchema: {
                type: 'object',
                properties: {
                  unit: {
                    type: 'string',
                    title: 'Unit',
                    description: 'The unit for the temperature.',
                    enum: [...TEMPERATURE_UNITS],
                    default: DEFAULT_UNIT,
                  },
                },
                required: ['unit'],
              },
            }),
          },
          requestState: await codec.mint({ tool: 'get_temperature', city }, ctx),
        });
      }),
  );
}

// --- x-mcp-header (SEP-2243): tool parameters mirrored into Mcp-Param-* headers ------------------------

function registerHeaderTools(server: McpServer, state: DemoState): void {
  server.registerTool(
    'get_forecast',
    {
      title: 'Get forecast',
      description:
        'A weather forecast for a region. `region` carries x-mcp-header "Region": clients must send it as ' +
        'the Mcp-Param-Region header too, and the server rejects a call whose header is missing or differs.',
      inputSchema: z.object({
        region: z.string().min(1).meta({
          description: 'The region, e.g. "us-west1". Mirrored into the Mcp-Param-Region header.',
          'x-mcp-header': 'Region',
        }),
        days: z.number().int().min(1).max(7).default(3).describe('How many days (1-7).'),
      }),
      outputSchema: z.object({
        region: z.string().describe('The region from the arguments.'),
        days: z.number().int().describe('How many days the forecast covers.'),
        header: z.string().nullable().describe('The Mcp-Param-Region header as received.'),
        forecast: z.array(z.string()).describe('One line per day.'),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ region, days }, ctx) =>
      run(state, () => {
        const header = ctx.http?.req?.headers.get('mcp-param-region') ?? null;
        const base = readingFor(region) / 10;
        const forecast = Array.from(
          { length: days },
          (_, day) => `day ${day + 1}: ${Math.round((base + day * 0.7) * 10) / 10} °C`,
        );
        return {
          content: [
            text(
              `Forecast for ${region} (${days} day${days === 1 ? '' : 's'}; Mcp-Param-Region: ` +
                `${header ?? '(not sent)'}):\n${forecast.join('\n')}`,
            ),
          ],
          structuredContent: { region, days, header, forecast },
        };
      }),
  );

  server.registerTool(
    'lookup_account',
    {
      title: 'Look up account',
      description:
        'Deliberately broken: `account` declares x-mcp-header "Account Id", which is not an HTTP token ' +
        '(it contains a space), so conforming Streamable HTTP clients must leave this tool out of tools/list.',
      inputSchema: z.object({
        account: z.string().min(1).meta({
          description: 'An account id.',
          'x-mcp-header': 'Account Id',
        }),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    async ({ account }) =>
      run(state, () => ({ content: [text(`Account ${account}: no such account in the demo.`)] })),
  );
}
