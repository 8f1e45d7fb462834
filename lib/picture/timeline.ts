import { STEP_INFO } from '../flow/step-info';
import type { StepId } from '../flow/types';
import type { ShownView } from '../flow/view';
import { exchangeName, failingChecks, formatMs, orderedExchanges } from './sequence';
import { cut, esc, type Picture, type PictureControl } from './svg';

/**
 * The same exchanges against time (a waterfall): one bar per exchange from when it was sent to when it
 * was answered, so what ran in parallel and what was slow can be seen. Idle stretches longer than a
 * second (the user signing in, reading a paused step) are cut out and labelled, so they do not squash
 * the requests.
 */

const LABEL_W = 360;
const BAR_W = 560;
const ROW = 22;
const TOP = 34;
const GAP_W = 36;
const IDLE_MS = 1000;

interface Segment {
  /** Time range [from, to] drawn at [x, x + w]. */
  from: number;
  to: number;
  x: number;
  w: number;
}

export function buildTimeline(view: ShownView): Picture {
  const all = orderedExchanges(view);
  const marks = failingChecks(view);
  const spans = all.map((e) => ({ e, from: e.startedAt, to: e.startedAt + Math.max(e.durationMs, 0) }));

  // Busy stretches: overlapping or close spans merged; idle gaps between them are cut.
  const busy: Array<{ from: number; to: number }> = [];
  for (const s of [...spans].sort((a, b) => a.from - b.from)) {
    const last = busy.at(-1);
    if (last && s.from - last.to <= IDLE_MS) last.to = Math.max(last.to, s.to);
    else busy.push({ from: s.from, to: s.to });
  }
  const busyMs = busy.reduce((n, b) => n + Math.max(b.to - b.from, 1), 0);
  const gaps = Math.max(busy.length - 1, 0);
  const scale = (BAR_W - gaps * GAP_W) / Math.max(busyMs, 1);
  const segments: Segment[] = [];
  let cursor = LABEL_W;
  for (const b of busy) {
    const w = Math.max(b.to - b.from, 1) * scale;
    segments.push({ from: b.from, to: b.to, x: cursor, w });
    cursor += w + GAP_W;
  }
  const xAt = (t: number): number => {
    const seg = segments.find((s) => t >= s.from && t <= s.to) ?? segments.findLast((s) => t >= s.from);
    if (!seg) return LABEL_W;
    return seg.x + (Math.min(t, seg.to) - seg.from) * scale;
  };

  const t0 = busy[0]?.from ?? 0;
  const width = LABEL_W + BAR_W + 120;
  const height = TOP + all.length * ROW + 12;
  const parts: string[] = [];
  const controls: PictureControl[] = [];

  // Axis: the start of each busy stretch, and the cut idle time between them.
  segments.forEach((seg, i) => {
    parts.push(
      `<line class="pic-grid" x1="${seg.x}" y1="${TOP - 6}" x2="${seg.x}" y2="${height - 8}"/>`,
      `<text class="pic-muted" x="${seg.x + 2}" y="${TOP - 12}">+${esc(formatMs(seg.from - t0))}</text>`,
    );
    const next = segments[i + 1];
    if (next) {
      parts.push(
        `<rect class="pic-gap" x="${seg.x + seg.w + 4}" y="${TOP - 6}" width="${GAP_W - 8}" height="${height - TOP}" rx="3"/>`,
        `<text class="pic-sans pic-muted" x="${seg.x + seg.w + GAP_W / 2}" y="${height - 2}" text-anchor="middle">${esc(`${formatMs(next.from - seg.to)} idle`)}</text>`,
      );
    }
  });

  all.forEach((e, i) => {
    const y = TOP + i * ROW;
    const x1 = xAt(e.startedAt);
    const x2 = Math.max(xAt(e.startedAt + e.durationMs), x1 + 2);
    const failed = e.error ? e.error.code : marks.get(e.id);
    const name = exchangeName(e);
    parts.push(
      `<g data-bar="${esc(e.id)}">`,
      `<text x="4" y="${y + 14}">${esc(cut(name, 52))}</text>`,
      `<rect class="${failed ? 'pic-bar-fail' : 'pic-bar'}" x="${x1}" y="${y + 4}" width="${x2 - x1}" height="${ROW - 8}" rx="2"/>`,
      `<text class="pic-muted" x="${x2 + 6}" y="${y + 14}">${esc(formatMs(e.durationMs))}</text>`,
      failed
        ? `<text class="pic-sans pic-fail-word" x="${x2 + 64}" y="${y + 14}">${esc(`✕ ${e.error ? e.error.code : `Failed ${failed}`}`)}</text>`
        : '',
      '</g>',
    );
    controls.push({
      exchangeId: e.id,
      stepId: e.stepId,
      name,
      description: `${STEP_INFO[e.stepId as StepId]?.title ?? e.stepId}: sent at +${formatMs(e.startedAt - t0)}, ${formatMs(e.durationMs)}`,
      x: 0,
      y: y + 1,
      width: width,
      height: ROW - 2,
    });
  });

  return {
    width,
    height,
    title: `Timeline of ${all.length} ${all.length === 1 ? 'exchange' : 'exchanges'}${gaps ? `, ${gaps} idle ${gaps === 1 ? 'stretch' : 'stretches'} cut out` : ''}`,
    body: parts.join(''),
    controls,
  };
}
