import { STEP_INFO } from '../flow/step-info';
import type { Check, StepId } from '../flow/types';
import type { AnyExchange, ShownView } from '../flow/view';
import { cut, esc, type Picture, type PictureControl } from './svg';

/**
 * The walkthrough as a conversation between parties: a lane per party (Browser, Inspector, MCP server,
 * Authorization server, any other host contacted), an arrow per request and per response, the
 * browser's redirects to and from the authorization server, parallel requests in a "par" frame, and
 * the failing exchange marked by icon and word.
 */

export type LaneId = string;

export interface Lane {
  id: LaneId;
  title: string;
  host?: string;
  x: number;
}

export interface SequenceArrow {
  kind: 'request' | 'response' | 'redirect';
  from: LaneId;
  to: LaneId;
  label: string;
  detail: string;
  stepId: StepId;
  exchangeId?: string;
  /** A failed check (or a network error) this exchange proves: icon and word besides colour. */
  mark?: string;
  /** The exchange behind the check that stopped the flow (or a network error): drawn in red. */
  stop?: boolean;
}

export interface SequenceModel extends Picture {
  lanes: Lane[];
  arrows: SequenceArrow[];
  /** Recorded exchanges drawn (each with its request arrow, and a response arrow when one came). */
  exchangeCount: number;
}

const ROW = 30;
const STEP_ROW = 24;
const TOP = 64;
const LANE_GAP = 270;
const LEFT = 90;

const MCP = 'mcp';
const AS = 'as';
const BROWSER = 'browser';
const INSPECTOR = 'inspector';

const AS_STEPS = new Set<string>(['as-metadata', 'registration', 'authorize', 'callback', 'token']);

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function pathOf(url: string): { path: string; pathAndQuery: string } {
  try {
    const u = new URL(url);
    return { path: u.pathname, pathAndQuery: `${u.pathname}${u.search}` };
  } catch {
    return { path: url, pathAndQuery: url };
  }
}

export function formatMs(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** The accessible name of an exchange's arrow: "GET /.well-known/oauth-protected-resource/mcp → 200". */
export function exchangeName(exchange: AnyExchange): string {
  const outcome = exchange.error ? exchange.error.code : String(exchange.response?.status ?? '…');
  return `${exchange.request.method} ${pathOf(exchange.request.url).path} → ${outcome}`;
}

/** Every recorded exchange of a view, in the order it was sent. */
export function orderedExchanges(view: ShownView): AnyExchange[] {
  const order = new Map(view.steps.map((s, i) => [s.id as string, i]));
  return view.steps
    .flatMap((s) => s.exchanges)
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        a.e.startedAt - b.e.startedAt ||
        (order.get(a.e.stepId) ?? 0) - (order.get(b.e.stepId) ?? 0) ||
        a.i - b.i,
    )
    .map(({ e }) => e);
}

/** The check that stopped a failed flow: the failed step's last (most specific) failed check. */
export function stoppingCheck(view: ShownView): Check | undefined {
  if (view.step !== 'failed') return undefined;
  return view.steps
    .find((s) => s.id === view.failedStep)
    ?.checks.filter((c) => c.status === 'fail')
    .at(-1);
}

/**
 * Which failed check each exchange proves. The check that stopped the flow wins (it is the one the
 * doctor strip spells out); otherwise the first failed check naming the exchange.
 */
export function failingChecks(view: ShownView): Map<string, string> {
  const marks = new Map<string, string>();
  const stopping = stoppingCheck(view);
  for (const id of stopping?.exchangeIds ?? []) marks.set(id, stopping!.id);
  for (const step of view.steps)
    for (const check of step.checks)
      if (check.status === 'fail')
        for (const id of check.exchangeIds) if (!marks.has(id)) marks.set(id, check.id);
  return marks;
}

/** The browser's part: to the authorization server and back, once the authorization request exists. */
interface RedirectEvent {
  at: number;
  arrows: SequenceArrow[];
}

/** The URL the browser was sent to sign in, when the route has a browser part at all. */
function authorizationUrlOf(view: ShownView): string | undefined {
  const url = view.steps.find((s) => s.id === 'authorize')?.facts?.authorizationUrl;
  return typeof url === 'string' && url ? url : undefined;
}

/**
 * `signInLane`: where the browser signs in — the authorization server, or another host (an
 * enterprise IdP). Routes without a browser (client credentials, JWT bearer) have no redirects.
 */
function browserRedirects(view: ShownView, signInLane: LaneId): RedirectEvent[] {
  const authorize = view.steps.find((s) => s.id === 'authorize');
  const callback = view.steps.find((s) => s.id === 'callback');
  const url = authorizationUrlOf(view);
  if (!authorize || !url || authorize.status === 'pending' || authorize.startedAt === undefined) return [];
  const sentAt = authorize.startedAt + (authorize.durationMs ?? 0);
  const path = pathOf(url).path;
  const events: RedirectEvent[] = [
    {
      at: sentAt,
      arrows: [
        {
          kind: 'redirect',
          from: INSPECTOR,
          to: BROWSER,
          label: 'authorization URL (PKCE, state, resource)',
          detail: 'Authorize',
          stepId: 'authorize',
        },
      ],
    },
  ];
  if (!callback || callback.status === 'pending' || callback.startedAt === undefined) return events;
  const received = (callback.facts?.received ?? {}) as Record<string, unknown>;
  const error = typeof received.error === 'string' ? received.error : undefined;
  events[0]!.arrows.push({
    kind: 'redirect',
    from: BROWSER,
    to: signInLane,
    label: `GET ${path} (sign in, consent)`,
    detail: 'browser redirect',
    stepId: 'authorize',
  });
  events.push({
    at: callback.startedAt,
    arrows: [
      {
        kind: 'redirect',
        from: signInLane,
        to: BROWSER,
        label: error ? `302 → redirect_uri (error=${error})` : '302 → redirect_uri (code, state, iss)',
        detail: `after ${formatMs(callback.startedAt - sentAt)}`,
        stepId: 'callback',
        ...(error ? { mark: `✕ ${error}`, stop: true } : {}),
      },
      {
        kind: 'redirect',
        from: BROWSER,
        to: INSPECTOR,
        label: 'GET /api/oauth/callback',
        detail: 'browser redirect',
        stepId: 'callback',
        ...(callback.status === 'failed'
          ? {
              mark: `✕ Failed ${callback.checks.filter((c) => c.status === 'fail').at(-1)?.id ?? 'callback'}`,
            }
          : {}),
      },
    ],
  });
  return events;
}

interface Cluster {
  start: number;
  exchanges: AnyExchange[];
}

/** Requests whose time spans overlap were in flight together: they are drawn as parallel. */
function clusters(exchanges: AnyExchange[]): Cluster[] {
  const out: Array<Cluster & { end: number }> = [];
  for (const e of exchanges) {
    const end = e.startedAt + e.durationMs;
    const last = out.at(-1);
    if (
      last &&
      e.startedAt < last.end + (e.startedAt === last.start ? 1 : 0) &&
      e.stepId === last.exchanges[0]!.stepId
    ) {
      last.exchanges.push(e);
      last.end = Math.max(last.end, end);
    } else {
      out.push({ start: e.startedAt, end, exchanges: [e] });
    }
  }
  return out;
}

export function buildSequence(view: ShownView): SequenceModel {
  const mcpHost = hostOf(view.options.serverUrl);
  const asHost = hostOf(view.discovery.issuer);
  const all = orderedExchanges(view);

  const others: string[] = [];
  const laneOf = (e: AnyExchange): LaneId => {
    const host = hostOf(e.request.url);
    if (host === asHost && host !== mcpHost) return AS;
    if (host === mcpHost && host !== asHost) return MCP;
    if (host === mcpHost && host === asHost) return AS_STEPS.has(e.stepId) ? AS : MCP;
    if (!asHost && AS_STEPS.has(e.stepId) && e.stepId !== 'as-metadata') return AS;
    const key = `host:${host ?? e.request.url}`;
    if (!others.includes(key)) others.push(key);
    return key;
  };
  const laneIds = all.map(laneOf);
  const signInHost = hostOf(authorizationUrlOf(view));
  const signInLane: LaneId =
    signInHost && asHost && signInHost !== asHost && signInHost !== mcpHost ? `host:${signInHost}` : AS;
  if (signInLane !== AS && !others.includes(signInLane)) others.push(signInLane);
  const redirects = browserRedirects(view, signInLane);
  const usesAs = laneIds.includes(AS) || redirects.length > 1 || Boolean(asHost);

  const lanes: Lane[] = [];
  const addLane = (id: LaneId, title: string, host?: string) =>
    lanes.push({ id, title, ...(host ? { host } : {}), x: LEFT + lanes.length * LANE_GAP });
  addLane(BROWSER, 'Browser');
  addLane(INSPECTOR, 'Inspector', 'server side');
  addLane(MCP, 'MCP server', mcpHost);
  if (usesAs) addLane(AS, 'Authorization server', asHost);
  for (const key of others) addLane(key, 'Other host', key.slice(5));
  const x = new Map(lanes.map((l) => [l.id, l.x]));

  const marks = failingChecks(view);
  const stoppingId = stoppingCheck(view)?.id;
  const t0 = view.steps.find((s) => s.startedAt !== undefined)?.startedAt ?? all[0]?.startedAt ?? 0;

  // Rows in time order: clusters of exchanges and the browser's redirects, each under its step.
  type Item =
    | { at: number; kind: 'cluster'; cluster: Cluster }
    | { at: number; kind: 'redirect'; event: RedirectEvent };
  const items: Item[] = [
    ...clusters(all).map((cluster): Item => ({ at: cluster.start, kind: 'cluster', cluster })),
    ...redirects.map((event): Item => ({ at: event.at, kind: 'redirect', event })),
  ].sort((a, b) => a.at - b.at || (a.kind === 'redirect' ? -1 : 1));

  const arrows: SequenceArrow[] = [];
  const controls: PictureControl[] = [];
  const parts: string[] = [];
  const width = LEFT + (lanes.length - 1) * LANE_GAP + LEFT;
  let y = TOP;
  let currentStep: string | undefined;

  const stepHeader = (stepId: StepId) => {
    if (stepId === currentStep) return;
    currentStep = stepId;
    parts.push(
      `<rect class="pic-step" x="0" y="${y}" width="${width}" height="${STEP_ROW - 4}" rx="3"/>`,
      `<text class="pic-sans pic-muted" x="8" y="${y + 14}">${esc(STEP_INFO[stepId]?.title ?? stepId)}</text>`,
    );
    y += STEP_ROW;
  };

  const draw = (arrow: SequenceArrow, control?: Omit<PictureControl, 'x' | 'y' | 'width' | 'height'>) => {
    arrows.push(arrow);
    const x1 = x.get(arrow.from) ?? LEFT;
    const x2 = x.get(arrow.to) ?? LEFT;
    const right = x2 > x1;
    const lineY = y + ROW - 8;
    const head = right
      ? `${x2},${lineY} ${x2 - 8},${lineY - 4} ${x2 - 8},${lineY + 4}`
      : `${x2},${lineY} ${x2 + 8},${lineY - 4} ${x2 + 8},${lineY + 4}`;
    const labelX = Math.min(x1, x2) + 8;
    const cls = `pic-${arrow.kind}${arrow.stop ? ' pic-fail' : ''}`;
    // Nothing else is drawn on an arrow's row: its label may run past the lifelines to the right edge.
    const room =
      Math.floor((width - labelX - 12) / 6.6) - arrow.detail.length - (arrow.mark?.length ?? 0) - 4;
    const text = cut(arrow.label, Math.max(24, room));
    parts.push(
      `<g class="${cls}" data-arrow="${arrow.kind}"${arrow.exchangeId ? ` data-exchange-id="${esc(arrow.exchangeId)}"` : ''}>`,
      `<line class="pic-line" x1="${x1}" y1="${lineY}" x2="${right ? x2 - 7 : x2 + 7}" y2="${lineY}"/>`,
      `<polygon class="pic-head" points="${head}"/>`,
      `<text class="pic-halo" x="${labelX}" y="${lineY - 5}">${esc(text)} <tspan class="pic-muted">${esc(arrow.detail)}</tspan>${
        arrow.mark ? ` <tspan class="pic-sans pic-fail-word">${esc(arrow.mark)}</tspan>` : ''
      }</text>`,
      '</g>',
    );
    if (control)
      controls.push({
        ...control,
        x: Math.min(x1, x2) - 4,
        y: y + 2,
        width: Math.abs(x2 - x1) + 8,
        height: ROW - 2,
      });
    y += ROW;
  };

  for (const item of items) {
    if (item.kind === 'redirect') {
      for (const arrow of item.event.arrows) {
        stepHeader(arrow.stepId);
        draw(arrow, {
          stepId: arrow.stepId,
          name: `Browser redirect: ${arrow.label}`,
          description: `${STEP_INFO[arrow.stepId].title}: the browser, not the inspector, makes this request.`,
        });
      }
      continue;
    }
    const { exchanges } = item.cluster;
    stepHeader(exchanges[0]!.stepId as StepId);
    const parallel = exchanges.length > 1;
    const frameTop = y;
    if (parallel) y += 18;
    const ordered = parallel
      ? [...exchanges].sort((a, b) => a.startedAt + a.durationMs - (b.startedAt + b.durationMs))
      : exchanges;
    for (const e of exchanges) {
      const lane = laneIds[all.indexOf(e)]!;
      const { pathAndQuery } = pathOf(e.request.url);
      draw(
        {
          kind: 'request',
          from: INSPECTOR,
          to: lane,
          label: `${e.request.method} ${pathAndQuery}`,
          detail: `+${formatMs(e.startedAt - t0)}`,
          stepId: e.stepId as StepId,
          exchangeId: e.id,
        },
        {
          exchangeId: e.id,
          stepId: e.stepId,
          name: exchangeName(e),
          description: `${STEP_INFO[e.stepId as StepId]?.title ?? e.stepId}${e.purpose ? `: ${e.purpose}` : ''} (${formatMs(e.durationMs)})`,
        },
      );
      if (!parallel) drawResponse(e, lane);
    }
    if (parallel) for (const e of ordered) drawResponse(e, laneIds[all.indexOf(e)]!);
    if (parallel) {
      parts.push(
        `<rect class="pic-par" x="${LANE_GAP + LEFT - 30}" y="${frameTop + 2}" width="${width - LANE_GAP - LEFT - 10}" height="${y - frameTop}" rx="4"/>`,
        `<text class="pic-sans pic-muted" x="${LANE_GAP + LEFT - 24}" y="${frameTop + 14}">par · ${exchanges.length} requests in parallel</text>`,
      );
      y += 6;
    }
  }

  function drawResponse(e: AnyExchange, lane: LaneId) {
    const failed = marks.get(e.id);
    const stop = Boolean(e.error) || (failed !== undefined && failed === stoppingId);
    const mark = e.error
      ? `✕ ${e.error.code}`
      : failed
        ? `✕ Failed ${failed}${stop ? ' (the flow stopped here)' : ''}`
        : undefined;
    draw({
      kind: 'response',
      from: lane,
      to: INSPECTOR,
      label: e.error
        ? `no response: ${e.error.message}`
        : `${e.response?.status ?? ''} ${e.response?.statusText ?? ''}`.trim(),
      detail: formatMs(e.durationMs),
      stepId: e.stepId as StepId,
      exchangeId: e.id,
      ...(mark ? { mark } : {}),
      ...(stop ? { stop } : {}),
    });
  }

  const height = y + 16;
  const head: string[] = [];
  for (const lane of lanes) {
    head.push(
      `<line class="pic-life" x1="${lane.x}" y1="${TOP - 8}" x2="${lane.x}" y2="${height}"/>`,
      `<rect class="pic-lane-box" x="${lane.x - 84}" y="4" width="168" height="44" rx="6"/>`,
      `<text class="pic-sans" x="${lane.x}" y="22" text-anchor="middle" font-weight="600">${esc(lane.title)}</text>`,
      lane.host
        ? `<text class="pic-muted" x="${lane.x}" y="38" text-anchor="middle">${esc(cut(lane.host, 26))}</text>`
        : '',
    );
  }

  const failedCount = [...marks.keys()].length;
  const title = `Sequence diagram: ${all.length} ${all.length === 1 ? 'exchange' : 'exchanges'} between ${lanes.map((l) => l.title).join(', ')}${
    failedCount ? `; ${failedCount} marked as failing` : ''
  }`;
  return {
    width,
    height,
    title,
    body: head.join('') + parts.join(''),
    controls,
    lanes,
    arrows,
    exchangeCount: all.length,
  };
}
