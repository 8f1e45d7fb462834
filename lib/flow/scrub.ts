/**
 * The last scrub before anything leaves the server: every browser-bound value (the view a server
 * action sends, a tool result, the report file) passes through the session's live secrets. Records
 * were redacted when recorded and scrubbed when their step finished; this also covers text the
 * engine keeps outside records (the flow's error, a resumed tool result), so "no secret reaches the
 * browser" holds whatever a server sends and wherever the engine puts it.
 */
import { MAX_REDACT_DEPTH, Redactor } from '../http/redact';
import type { Exchange } from '../http/types';
import type { FlowState } from './state';
import type { FlowSecrets, StepRecord } from './types';
import { collapseExchange, type ExchangeSummary, type FlowView, type LiveView, toView } from './view';

/**
 * The secrets that must never be shown. `state` and `nonce` are not among them: they travel through
 * the browser in the authorization URL by design.
 */
export function liveSecrets(secrets: FlowSecrets): string[] {
  return [
    secrets.accessToken,
    secrets.refreshToken,
    secrets.idToken,
    secrets.clientSecret,
    secrets.registrationAccessToken,
    secrets.authorizationCode,
    secrets.codeVerifier,
  ].filter((v): v is string => typeof v === 'string');
}

/** `value` with every live secret, in any of its encoded forms, replaced by its redacted form. */
export function scrubForBrowser<T>(value: T, secrets: FlowSecrets): T {
  return new Redactor(liveSecrets(secrets)).deep(value);
}

/** How deep the scrub of a whole view walks (a view nests a few levels above the documents it holds). */
const VIEW_DEPTH = 4 * MAX_REDACT_DEPTH;

/** Where a view holds its steps (view.steps[i]) and their exchanges (view.steps[i].exchanges[j]). */
const STEP_DEPTH = 2;
const EXCHANGE_DEPTH = 4;

/** The view of a flow as the browser may receive it. */
export function browserView(state: FlowState): FlowView {
  return new Redactor(liveSecrets(state.secrets)).deep(toView(state), VIEW_DEPTH);
}

/** Each recorded exchange's collapsed, scrubbed form, made once per set of live secrets. */
const summaries = new WeakMap<Exchange, { secrets: string; summary: ExchangeSummary }>();
/** Each step record as the live page shows it, made once per set of live secrets. */
const liveSteps = new WeakMap<StepRecord, { secrets: string; step: LiveStep }>();
/** The listed tools as shown, made once per list and set of live secrets. */
const liveTools = new WeakMap<object, { secrets: string; tools: FlowView['tools'] }>();

type LiveStep = LiveView['steps'][number];

/**
 * What the live page receives: `collapseView(browserView(state))`, exactly, computed without walking
 * every recorded exchange and finished step again on every action. A step record and its exchanges
 * are immutable once the step has finished (the session cache freezes them: lib/session/opened.ts),
 * so what the page is shown of each is kept with it and made again only when the session's live
 * secrets change. An action on a long session then scrubs and collapses only what it changed.
 */
export function liveView(state: FlowState): LiveView {
  const secrets = liveSecrets(state.secrets);
  const key = secrets.join('\n');
  let redactor: Redactor | undefined;
  const scrub = <T>(value: T, depth: number): T => {
    redactor ??= new Redactor(secrets);
    return redactor.deep(value, depth);
  };
  const summaryOf = (exchange: Exchange): ExchangeSummary => {
    const known = summaries.get(exchange);
    if (known?.secrets === key) return known.summary;
    const summary = freezeSummary(collapseExchange(scrub(exchange, VIEW_DEPTH - EXCHANGE_DEPTH)));
    summaries.set(exchange, { secrets: key, summary });
    return summary;
  };
  const stepOf = (record: StepRecord): LiveStep => {
    const known = liveSteps.get(record);
    if (known?.secrets === key) return known.step;
    const meta = scrub({ ...record, exchanges: [] }, VIEW_DEPTH - STEP_DEPTH);
    const step: LiveStep = Object.freeze({
      ...meta,
      exchanges: Object.freeze(record.exchanges.map(summaryOf)) as ExchangeSummary[],
    });
    liveSteps.set(record, { secrets: key, step });
    return step;
  };
  const view = toView(state);
  // Everything else is small: scrubbed as browserView scrubs it, with the steps and tools put back.
  const live = scrub({ ...view, steps: [], tools: [] }, VIEW_DEPTH) as unknown as LiveView;
  live.steps = view.steps.map(stepOf);
  const known = liveTools.get(view.tools);
  if (known?.secrets === key) live.tools = known.tools;
  else {
    live.tools = scrub(view.tools, VIEW_DEPTH - 1);
    liveTools.set(view.tools, { secrets: key, tools: live.tools });
  }
  return live;
}

/** A summary is shared by every later answer (and fingerprinted once): nothing may change it. */
function freezeSummary(summary: ExchangeSummary): ExchangeSummary {
  Object.freeze(summary.request);
  if (summary.response) Object.freeze(summary.response);
  if (summary.error) Object.freeze(summary.error);
  return Object.freeze(summary);
}

/**
 * One recorded exchange as the browser may receive it, scrubbed exactly as in `browserView` (the same
 * live secrets over the same redacted record); undefined when the flow has none with that id sent at
 * `startedAt` (ids count per walkthrough: a page from an earlier walkthrough must not get this one's).
 */
export function browserExchange(state: FlowState, id: string, startedAt: number): Exchange | undefined {
  const exchange = state.records.flatMap((r) => r.exchanges).find((x) => x.id === id);
  return exchange?.startedAt === startedAt ? scrubForBrowser(exchange, state.secrets) : undefined;
}
