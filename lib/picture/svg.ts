/**
 * What the sequence diagram and the timeline have in common: an SVG drawing (a string, so the page,
 * the report viewer and the offline HTML report show the same picture) and the controls laid over it,
 * one per exchange, that open the exchange in the page.
 */

/** A clickable area over the drawing: one per recorded exchange (and per browser redirect). */
export interface PictureControl {
  /** The exchange it opens; absent for a browser redirect (it opens its step). */
  exchangeId?: string;
  stepId: string;
  /** Accessible name, e.g. "GET /.well-known/oauth-protected-resource/mcp → 200". */
  name: string;
  /** Why the request was made and when: the description and the tooltip. */
  description: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Picture {
  width: number;
  height: number;
  /** Accessible name of the drawing (role="img"). */
  title: string;
  /** Inner SVG markup (no <svg> element), drawn with the `pic-*` classes of PICTURE_CSS. */
  body: string;
  controls: PictureControl[];
}

/** Escapes text for SVG/HTML text content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Cuts text to `max` characters with an ellipsis (the full text stays in names and tooltips). */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A whole `<svg>` element for a picture. `link` makes every control a link (the offline report jumps
 * to the exchange's section without scripts); without it the drawing is an image and the page lays its
 * own controls over it.
 */
export function pictureSvg(picture: Picture, options: { link?: (c: PictureControl) => string } = {}): string {
  const links = options.link
    ? picture.controls
        .map((c) => {
          const href = options.link?.(c);
          if (!href) return '';
          return `<a href="${esc(href)}" aria-label="${esc(c.name)}"><title>${esc(c.description)}</title><rect class="pic-hit" x="${c.x}" y="${c.y}" width="${c.width}" height="${c.height}" rx="4"/></a>`;
        })
        .join('')
    : '';
  const role = options.link ? 'role="group"' : 'role="img"';
  return `<svg xmlns="http://www.w3.org/2000/svg" class="pic" ${role} aria-label="${esc(picture.title)}" width="${picture.width}" height="${picture.height}" viewBox="0 0 ${picture.width} ${picture.height}">${picture.body}${links}</svg>`;
}

/**
 * The pictures' look, light and dark, from the page's colour variables (with the page's own values as
 * fallbacks, for the offline report). One stylesheet for the page and the report.
 */
export const PICTURE_CSS = `
.pic{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:11px;overflow:visible}
.pic text{fill:var(--fg,#1b1c1e)}
.pic .pic-muted{fill:var(--muted,#5d6168)}
.pic .pic-sans{font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
.pic .pic-lane-box{fill:var(--panel-2,#f1f1ee);stroke:var(--line,#dcdcd7)}
.pic .pic-life{stroke:var(--line,#dcdcd7);stroke-dasharray:4 4}
.pic .pic-step{fill:var(--panel-2,#f1f1ee)}
.pic .pic-line{stroke:var(--fg,#1b1c1e);stroke-width:1.25;fill:none}
.pic .pic-head{fill:var(--fg,#1b1c1e)}
.pic .pic-response .pic-line{stroke-dasharray:5 3}
.pic .pic-redirect .pic-line{stroke:var(--accent,#2f5bd3)}
.pic .pic-redirect .pic-head{fill:var(--accent,#2f5bd3)}
.pic .pic-fail .pic-line{stroke:var(--fail,#b3261e);stroke-width:2}
.pic .pic-fail .pic-head{fill:var(--fail,#b3261e)}
.pic .pic-fail-word{fill:var(--fail,#b3261e);font-weight:600}
.pic .pic-warn-word{fill:var(--warn,#8a5a00)}
.pic .pic-par{fill:none;stroke:var(--muted,#5d6168);stroke-dasharray:2 3}
.pic .pic-halo{paint-order:stroke;stroke:var(--panel,#ffffff);stroke-width:4px;stroke-linejoin:round}
.pic .pic-bar{fill:var(--accent,#2f5bd3);opacity:.75}
.pic .pic-bar-fail{fill:var(--fail,#b3261e);opacity:.9}
.pic .pic-grid{stroke:var(--line,#dcdcd7)}
.pic .pic-gap{fill:var(--panel-2,#f1f1ee)}
.pic .pic-hit{fill:transparent;stroke:none;cursor:pointer}
.pic a:hover .pic-hit,.pic a:focus .pic-hit,.pic-controls .pic-control:hover .pic-hit,.pic-controls .pic-control:focus-visible .pic-hit{fill:var(--accent,#2f5bd3);fill-opacity:.08;stroke:var(--accent,#2f5bd3);stroke-width:2}
.pic-controls .pic-control{outline:none}
`;
