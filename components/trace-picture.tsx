'use client';

import type { KeyboardEvent } from 'react';
import type { StepId } from '@/lib/flow/types';
import { type Picture, pictureSvg } from '@/lib/picture/svg';
import { useInspector } from './inspector-provider';

/**
 * A picture of the trace (sequence diagram or timeline): the drawing as an image, and over it one
 * focusable control per exchange. Click or Enter opens the exchange in the step detail.
 */
export function TracePicture({ picture, controlsLabel }: { picture: Picture; controlsLabel: string }) {
  const openExchange = useInspector((s) => s.openExchange);
  const selectStep = useInspector((s) => s.selectStep);
  const open = (exchangeId: string | undefined, stepId: string) =>
    exchangeId ? openExchange(stepId as StepId, exchangeId) : selectStep(stepId as StepId);
  const onKey = (event: KeyboardEvent, exchangeId: string | undefined, stepId: string) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    open(exchangeId, stepId);
  };
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-panel p-3">
      <div className="grid w-max">
        {/* The drawing is the same markup the offline report holds; everything in it is escaped text. */}
        <div
          className="[grid-area:1/1]"
          // biome-ignore lint/security/noDangerouslySetInnerHtml: built by lib/picture from escaped strings
          dangerouslySetInnerHTML={{ __html: pictureSvg(picture) }}
        />
        {/* biome-ignore lint/a11y/useSemanticElements: an SVG layer cannot be a <fieldset> */}
        <svg
          className="pic pic-controls [grid-area:1/1]"
          width={picture.width}
          height={picture.height}
          viewBox={`0 0 ${picture.width} ${picture.height}`}
          role="group"
          aria-label={controlsLabel}
        >
          {picture.controls.map((c) => (
            // biome-ignore lint/a11y/useSemanticElements: an SVG area cannot be a <button>; it acts as one
            <g
              key={c.exchangeId ?? `${c.stepId}:${c.name}`}
              className="pic-control"
              role="button"
              tabIndex={0}
              aria-label={c.name}
              data-exchange-id={c.exchangeId}
              onClick={() => open(c.exchangeId, c.stepId)}
              onKeyDown={(e) => onKey(e, c.exchangeId, c.stepId)}
            >
              <title>{c.description}</title>
              <rect className="pic-hit" x={c.x} y={c.y} width={c.width} height={c.height} rx={4} />
            </g>
          ))}
        </svg>
      </div>
    </div>
  );
}
