import { ExternalLink, safeHttpUrl } from './external-link';

/** Renders a step's findings: scalars as a list, arrays of records as a table, the rest as JSON. Always text. */
export function FactsView({ facts }: { facts: Record<string, unknown> }) {
  const entries = Object.entries(facts).filter(([, v]) => v !== undefined && v !== null);
  const scalars = entries.filter(([, v]) => typeof v !== 'object');
  const tables = entries.filter(([, v]) => isRecordArray(v)) as Array<[string, Record<string, unknown>[]]>;
  const others = entries.filter(([, v]) => typeof v === 'object' && !isRecordArray(v));

  return (
    <div className="flex flex-col gap-4 text-sm">
      {scalars.length > 0 ? (
        <dl className="grid grid-cols-[minmax(8rem,auto)_minmax(0,1fr)] gap-x-4 gap-y-1">
          {scalars.map(([k, v]) => (
            <div key={k} className="contents">
              <dt className="text-muted">{humanize(k)}</dt>
              <dd className="break-all font-mono">
                {safeHttpUrl(v) ? <ExternalLink href={String(v)} /> : String(v)}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {tables.map(([k, rows]) => (
        <div key={k} className="overflow-x-auto">
          <p className="mb-1 font-medium">{humanize(k)}</p>
          <table aria-label={humanize(k)} className="w-full border-collapse text-left text-xs">
            <thead>
              <tr className="border-b border-line">
                {columns(rows).map((c) => (
                  <th key={c} scope="col" className="px-2 py-1 font-medium text-muted">
                    {humanize(c)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
                <tr key={i} className="border-b border-line last:border-0">
                  {columns(rows).map((c) => (
                    <td key={c} className="break-all px-2 py-1 align-top font-mono">
                      {cell(row[c])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {others.map(([k, v]) => (
        <details key={k}>
          <summary className="cursor-pointer font-medium">{humanize(k)}</summary>
          <pre className="mt-1 max-h-96 overflow-auto rounded-md bg-code p-3 font-mono text-xs">
            {JSON.stringify(v, null, 2)}
          </pre>
        </details>
      ))}
    </div>
  );
}

function isRecordArray(v: unknown): v is Record<string, unknown>[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((x) => x !== null && typeof x === 'object' && !Array.isArray(x))
  );
}

function columns(rows: Record<string, unknown>[]): string[] {
  return [...new Set(rows.flatMap((r) => Object.keys(r)))];
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function humanize(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}
