import type { Check } from '@/lib/flow/types';
import { StatusBadge } from './status-badge';

export function CheckList({ checks }: { checks: Check[] }) {
  return (
    <ul className="flex flex-col divide-y divide-line rounded-md border border-line">
      {checks.map((check) => (
        <li key={`${check.id}:${check.message}`} className="px-3 py-2 text-sm" data-check-id={check.id}>
          <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
            <StatusBadge status={check.status} />
            <span className="font-medium">{check.title}</span>
            <code className="font-mono text-xs text-muted">{check.id}</code>
          </div>
          <p className="mt-1">{check.message}</p>
          {check.expected !== undefined || check.actual !== undefined ? (
            <dl className="mt-1 grid grid-cols-[5.5rem_minmax(0,1fr)] gap-x-3 text-xs">
              {check.expected !== undefined ? (
                <>
                  <dt className="text-muted">Expected</dt>
                  <dd className="break-all font-mono">{check.expected}</dd>
                </>
              ) : null}
              {check.actual !== undefined ? (
                <>
                  <dt className="text-muted">Actual</dt>
                  <dd className="break-all font-mono">{check.actual}</dd>
                </>
              ) : null}
            </dl>
          ) : null}
          <p className="mt-1 text-xs text-muted">
            {check.specRef}
            {check.exchangeIds.length > 0 ? (
              <>
                {' · evidence: '}
                {check.exchangeIds.map((id, n) => (
                  <span key={id}>
                    {n > 0 ? ', ' : ''}
                    <a href={`#exchange-${id}`} className="underline">
                      {id}
                    </a>
                  </span>
                ))}
              </>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}
