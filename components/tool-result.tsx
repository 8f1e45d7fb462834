import type { ToolCallView } from '@/lib/flow/tool-call';
import { ErrorCallout } from './error-callout';
import { formatDuration } from './format';

const SAFE_IMAGE = /^image\/(png|jpeg|gif|webp)$/;

/** A tool result by content type. Remote text is always rendered as text; images only as safe raster data URLs. */
export function ToolResult({ result }: { result: ToolCallView }) {
  return (
    <section className="flex flex-col gap-2" aria-label={`Result of ${result.tool}`}>
      <p className={`text-sm font-medium ${result.isError ? 'text-fail' : 'text-pass'}`}>
        <span aria-hidden="true">{result.isError ? '✕ ' : '✓ '}</span>
        {result.refused
          ? 'Not sent'
          : result.error && result.content.length === 0
            ? 'The call failed'
            : result.isError
              ? 'The tool reported an error'
              : 'Result'}
        <span className="ml-2 font-mono text-xs text-muted">{formatDuration(result.durationMs)}</span>
      </p>
      {result.error ? <ErrorCallout error={result.error} /> : null}
      {result.content.map((item, i) => {
        const key = `${result.tool}-${i}`;
        switch (item.type) {
          case 'text':
            return (
              <pre
                key={key}
                className="max-h-96 overflow-auto whitespace-pre-wrap break-words rounded-md bg-code p-3 font-mono text-xs"
              >
                {item.text}
              </pre>
            );
          case 'image':
            return SAFE_IMAGE.test(item.mimeType) ? (
              // biome-ignore lint/performance/noImgElement: a data URL from a tool result, not an app asset
              <img
                key={key}
                src={`data:${item.mimeType};base64,${item.data}`}
                alt={`Returned by ${result.tool} (${item.mimeType})`}
                className="max-h-64 max-w-full self-start rounded-md border border-line"
              />
            ) : (
              <p key={key} className="text-sm text-muted">
                An image of type <code className="font-mono">{item.mimeType}</code> (not displayed: only PNG,
                JPEG, GIF and WebP are shown).
              </p>
            );
          default:
            return (
              <pre key={key} className="max-h-96 overflow-auto rounded-md bg-code p-3 font-mono text-xs">
                {JSON.stringify(item, null, 2)}
              </pre>
            );
        }
      })}
      {result.structuredContent !== undefined ? (
        <details open>
          <summary className="cursor-pointer text-sm font-medium">Structured content</summary>
          <pre className="mt-1 max-h-96 overflow-auto rounded-md bg-code p-3 font-mono text-xs">
            {JSON.stringify(result.structuredContent, null, 2)}
          </pre>
        </details>
      ) : null}
    </section>
  );
}
