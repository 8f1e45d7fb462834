import type { FlowErrorInfo } from '@/lib/flow/types';

/** What failed, expected vs actual, and what to do next. */
export function ErrorCallout({ error }: { error: FlowErrorInfo }) {
  return (
    <div role="alert" className="rounded-lg border border-fail/50 bg-fail/5 p-4 text-sm">
      <p className="font-semibold text-fail">
        <span aria-hidden="true">✕ </span>
        {error.message}
      </p>
      {error.expected !== undefined || error.actual !== undefined ? (
        <dl className="mt-2 grid grid-cols-[6rem_minmax(0,1fr)] gap-x-3 gap-y-1">
          {error.expected !== undefined ? (
            <>
              <dt className="text-muted">Expected</dt>
              <dd className="break-all font-mono">{error.expected}</dd>
            </>
          ) : null}
          {error.actual !== undefined ? (
            <>
              <dt className="text-muted">Actual</dt>
              <dd className="break-all font-mono">{error.actual}</dd>
            </>
          ) : null}
        </dl>
      ) : null}
      {error.hint ? <p className="mt-2">What to do: {error.hint}</p> : null}
      <p className="mt-2 text-xs text-muted">
        <code className="font-mono">{error.code}</code>
        {error.specRef ? ` · ${error.specRef}` : ''}
      </p>
    </div>
  );
}
