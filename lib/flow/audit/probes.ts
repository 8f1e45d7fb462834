/**
 * The audit's argument probes: read-only tools called with deliberately invalid arguments (left out,
 * wrong types, another account's data), so their errors can be searched for leaked internals.
 */
import { ProtocolError } from '@modelcontextprotocol/client';
import { httpStatusOf, type McpFailure } from '../../mcp/client';
import { MCP_REQUEST_TIMEOUT_MS, shapeToolResult, type ToolView } from '../../mcp/tools';
import type { Attempt, Connected } from '../access';
import { type LeakFinding, scanForLeaks } from '../leak-scanner';
import { type FlowContext, orderedRecord, StepRun, upsertRecord } from '../step-run';
import { attemptFailure, withMcpSession } from '../steps/mcp';
import type { FlowErrorInfo } from '../types';

/** Tools probed with invalid arguments, and probes per tool: bounded, so an audit stays a few dozen calls. */
const MAX_AUDITED_TOOLS = 8;

/** A string no real account has, for "another account" probes. */
export const OTHER_ACCOUNT = 'mcp-auth-inspector-audit-other-account';

const OWNER_LIKE =
  /^(?:owner|user(?:_?id|_?name)?|username|account(?:_?id)?|tenant(?:_?id)?|org(?:ani[sz]ation)?(?:_?id)?|workspace(?:_?id)?|team(?:_?id)?|customer(?:_?id)?|project(?:_?id)?|email)$/i;

export interface ErrorProbe {
  /** What is wrong with the arguments, for the trace. */
  label: string;
  args: Record<string, unknown>;
}

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : {};
const typeOf = (schema: Schema): string | undefined => {
  const t = schema.type;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === 'string' && x !== 'null');
  if (schema.properties) return 'object';
  return undefined;
};

/** A value of the wrong JSON type for the schema. */
function wrongType(schema: Schema): unknown {
  switch (typeOf(schema)) {
    case 'string':
      return 12345;
    case 'number':
    case 'integer':
      return 'not-a-number';
    case 'boolean':
      return 'not-a-boolean';
    case 'array':
      return 'not-an-array';
    case 'object':
      return 'not-an-object';
    default:
      return null;
  }
}

/**
 * Well-typed but hostile values: another account's name for owner-like fields, extreme numbers,
 * ids that do not exist. They reach the tool's own code, where careless error handling leaks.
 */
function hostile(schema: Schema, name: string, depth = 0): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0];
  switch (typeOf(schema)) {
    case 'string': {
      const value = OWNER_LIKE.test(name) ? OTHER_ACCOUNT : 'mcp-auth-inspector-audit-does-not-exist';
      return typeof schema.maxLength === 'number' ? value.slice(0, Math.max(1, schema.maxLength)) : value;
    }
    // The largest value the schema allows: it must pass validation to reach the tool's own code.
    case 'integer':
      return typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : Number.MAX_SAFE_INTEGER;
    case 'number':
      return typeof schema.maximum === 'number' ? schema.maximum : Number.MAX_VALUE;
    case 'boolean':
      return true;
    case 'array': {
      const items = asSchema(schema.items);
      return Array.isArray(items.enum) && items.enum.length ? [items.enum[0]] : [];
    }
    case 'object': {
      if (depth > 3) return {};
      const props = asSchema(schema.properties);
      return Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, hostile(asSchema(v), k, depth + 1)]),
      );
    }
    default:
      return 'mcp-auth-inspector-audit';
  }
}

/**
 * Deliberately invalid arguments for a read-only tool: required ones left out, wrong types, and
 * well-typed hostile values (another account, extreme numbers). Pure.
 * @see MCP 2025-11-25 §Tools (Error Handling)
 */
export function errorProbesFor(tool: Pick<ToolView, 'inputSchema'>): ErrorProbe[] {
  const schema = asSchema(tool.inputSchema);
  const props = asSchema(schema.properties);
  const names = Object.keys(props);
  const required = Array.isArray(schema.required) ? schema.required.filter((r) => typeof r === 'string') : [];
  const probes: ErrorProbe[] = [];
  if (required.length) probes.push({ label: 'required arguments left out', args: {} });
  if (names.length) {
    probes.push({
      label: 'every argument of the wrong type',
      args: Object.fromEntries(names.map((n) => [n, wrongType(asSchema(props[n]))])),
    });
    probes.push({
      label: 'another account’s data, extreme numbers, ids that do not exist',
      args: hostile(schema, '') as Record<string, unknown>,
    });
  } else if (schema.additionalProperties === false) {
    probes.push({ label: 'an argument the tool does not take', args: { 'mcp-auth-inspector-audit': true } });
  }
  return probes;
}

export interface ErrorProbeResult extends ErrorProbe {
  tool: string;
  /** tool-error: isError result; protocol-error: JSON-RPC error; result: it worked; forbidden: 403. */
  outcome: 'tool-error' | 'protocol-error' | 'result' | 'forbidden' | 'failed';
  text?: string;
  findings: LeakFinding[];
  exchangeIds: string[];
}

/** Lets exchanges of a just-finished stream land before they are attributed to a probe. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Calls read-only tools with invalid arguments on the stored MCP session; a 401 stops it (to refresh). */
export async function probeToolErrors(
  state: Connected,
  ctx: FlowContext,
): Promise<Attempt<ErrorProbeResult[]>> {
  const probes = state.tools
    .filter((t) => t.readOnly)
    .slice(0, MAX_AUDITED_TOOLS)
    .flatMap((t) => errorProbesFor(t).map((p) => ({ ...p, tool: t.name })));
  if (probes.length === 0) return { state, value: [] };
  const existing = state.records.find((r) => r.id === 'tools');
  const run = new StepRun('tools', ctx, state.secrets, state.seq, existing);
  const results: ErrorProbeResult[] = [];
  let mcp = state.mcp;
  let failure: McpFailure | undefined;
  let error: FlowErrorInfo | undefined;
  try {
    const r = await run.withinBudget(
      withMcpSession(run, state.options.serverUrl, state.secrets, state.mcp, async (client) => {
        results.length = 0; // a replaced session runs the probes again
        for (const probe of probes) {
          const before = run.record.exchanges.length;
          let outcome: ErrorProbeResult['outcome'];
          let text: string | undefined;
          try {
            const raw = await client.callTool(
              { name: probe.tool, arguments: probe.args },
              { timeout: MCP_REQUEST_TIMEOUT_MS },
            );
            const shaped = shapeToolResult(raw as Parameters<typeof shapeToolResult>[0]);
            outcome = shaped.isError ? 'tool-error' : 'result';
            if (shaped.isError) {
              text = shaped.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n');
            }
          } catch (err) {
            // 401 (refresh and retry) and 404 (session gone) end the pass; the caller handles them.
            const status = httpStatusOf(err);
            if (status === 401 || status === 404) throw err;
            if (status === 403) outcome = 'forbidden';
            else if (err instanceof ProtocolError) {
              outcome = 'protocol-error';
              text = err.message;
            } else {
              outcome = 'failed';
              text = (err as Error).message;
            }
          }
          await settle();
          results.push({
            ...probe,
            outcome,
            ...(text !== undefined ? { text } : {}),
            findings:
              text !== undefined && (outcome === 'tool-error' || outcome === 'protocol-error')
                ? scanForLeaks(text)
                : [],
            exchangeIds: run.record.exchanges.slice(before).map((e) => e.id),
          });
        }
      }),
    );
    mcp = r.mcp;
  } catch (err) {
    ({ failure, error } = attemptFailure(err, state.options.serverUrl));
  }
  const record = orderedRecord(run.finish({ status: existing?.status ?? 'passed' }));
  if (existing?.durationMs !== undefined) record.durationMs = existing.durationMs;
  return {
    state: { ...state, mcp, records: upsertRecord(state.records, record), seq: run.nextSeq },
    value: [...results],
    // A 401 matters (refresh, then reconnect); other failures leave the probes that ran to judge.
    ...(failure?.kind === 'unauthorized' ? { failure, ...(error ? { error } : {}) } : {}),
  };
}
