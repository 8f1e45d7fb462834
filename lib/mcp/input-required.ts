/**
 * Input-required results (2026-07-28, SEP-2322): a server asks for more before it answers, and the
 * client repeats the call with the answers and the server's `requestState` echoed unchanged. The
 * inspector asks the person: a form for elicitation, a typed reply for sampling (it has no model),
 * and no roots.
 * @see MCP 2026-07-28 §Multi Round-Trip Requests; §Elicitation; §Sampling; §Roots
 */
import { cutDeepJson } from './tools';

/** At most this many rounds per call; a server that keeps asking is stopped with a clear error. */
export const MAX_INPUT_ROUNDS = 8;

/** One request of an input-required result, as the UI and the CLI show it. JSON-serialisable. */
export interface InputRequestView {
  /** The server's key for it in `inputRequests`; the answer goes under the same key. */
  key: string;
  kind: 'elicitation' | 'sampling' | 'roots' | 'unsupported';
  method: string;
  /** The elicitation message, or the last user message of a sampling request. */
  message?: string;
  /** Elicitation (form mode): the JSON Schema of the answer. */
  schema?: Record<string, unknown>;
  /** Why the inspector cannot answer it (URL-mode elicitation, an unknown method). */
  note?: string;
}

export type InputAnswer =
  | { action: 'accept'; content?: Record<string, unknown>; text?: string }
  | { action: 'decline' };

/** What the server sent, as something a person can answer. Unknown shapes are listed, not dropped. */
export function viewInputRequests(inputRequests: unknown): InputRequestView[] {
  if (!inputRequests || typeof inputRequests !== 'object' || Array.isArray(inputRequests)) return [];
  return Object.entries(inputRequests as Record<string, unknown>).map(([key, raw]): InputRequestView => {
    const req = (raw ?? {}) as { method?: unknown; params?: Record<string, unknown> };
    const method = typeof req.method === 'string' ? req.method : '(no method)';
    const params = req.params ?? {};
    if (method === 'elicitation/create') {
      const message = typeof params.message === 'string' ? params.message : undefined;
      if (params.mode === 'url') {
        return {
          key,
          kind: 'unsupported',
          method,
          ...(message ? { message } : {}),
          note: 'URL-mode elicitation sends the user to another site; the inspector declines it.',
        };
      }
      const schema = params.requestedSchema;
      return {
        key,
        kind: 'elicitation',
        method,
        ...(message ? { message } : {}),
        schema:
          schema && typeof schema === 'object' && !Array.isArray(schema)
            ? (cutDeepJson(schema).value as Record<string, unknown>)
            : { type: 'object', properties: {} },
      };
    }
    if (method === 'sampling/createMessage') {
      const messages = Array.isArray(params.messages) ? params.messages : [];
      const lastText = [...messages]
        .reverse()
        .map((m) => (m as { content?: { type?: unknown; text?: unknown } })?.content)
        .find((c) => c?.type === 'text' && typeof c.text === 'string')?.text as string | undefined;
      return {
        key,
        kind: 'sampling',
        method,
        ...(lastText ? { message: lastText } : {}),
        note: 'The server asks the client’s language model. The inspector has no model: type the reply yourself, or decline.',
      };
    }
    if (method === 'roots/list') {
      return { key, kind: 'roots', method, note: 'The inspector shares no roots; it answers with none.' };
    }
    return {
      key,
      kind: 'unsupported',
      method,
      note: `The inspector does not know ${method}; it is declined.`,
    };
  });
}

/**
 * The `inputResponses` for a retry. Without an answer a request is declined: elicitation with
 * `action: "decline"`, sampling left out (a CreateMessageResult cannot decline), roots answered empty.
 */
export function inputResponsesFor(
  requests: InputRequestView[],
  answers: Record<string, InputAnswer> | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const req of requests) {
    const answer = answers?.[req.key];
    switch (req.kind) {
      case 'elicitation':
        out[req.key] =
          answer?.action === 'accept'
            ? { action: 'accept', content: answer.content ?? {} }
            : { action: 'decline' };
        break;
      case 'sampling':
        if (answer?.action === 'accept' && typeof answer.text === 'string') {
          out[req.key] = {
            role: 'assistant',
            content: { type: 'text', text: answer.text },
            model: 'typed-by-the-user (MCP Auth Inspector has no model)',
            stopReason: 'endTurn',
          };
        }
        break;
      case 'roots':
        out[req.key] = { roots: [] };
        break;
      default:
        if (req.method === 'elicitation/create') out[req.key] = { action: 'decline' };
    }
  }
  return out;
}
