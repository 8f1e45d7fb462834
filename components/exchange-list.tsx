'use client';

import { type SyntheticEvent, useEffect, useRef, useState } from 'react';
import type { AnyExchange } from '@/lib/flow/view';
import type { Exchange } from '@/lib/http/types';
import { toCurl } from './curl';
import { formatBytes, formatDuration } from './format';

/**
 * `openId`: an exchange chosen in the sequence diagram or the timeline: opened, scrolled to, focused.
 * Live exchanges arrive collapsed; each one's headers and bodies load when it is first opened.
 */
export function ExchangeList({ exchanges, openId }: { exchanges: AnyExchange[]; openId?: string | null }) {
  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    if (!openId) return;
    const item = list.current?.querySelector<HTMLDetailsElement>(`[data-exchange="${CSS.escape(openId)}"]`);
    if (!item) return;
    item.open = true;
    item.scrollIntoView({ block: 'start' });
    item.querySelector('summary')?.focus({ preventScroll: true });
  }, [openId]);
  return (
    <ul ref={list} className="flex flex-col gap-2">
      {exchanges.map((exchange) => (
        // Ids count per walkthrough: with the start time, a new walkthrough's exchange is a new item.
        <li key={`${exchange.id}@${exchange.startedAt}`} id={`exchange-${exchange.id}`}>
          <ExchangeItem exchange={exchange} />
        </li>
      ))}
    </ul>
  );
}

type Loaded = { exchange: Exchange } | { problem: string } | 'loading' | null;

/** This session's exchange in full (GET /api/exchange/<id>), or the sentence saying why not. */
async function fetchExchange({ id, startedAt }: AnyExchange): Promise<Exclude<Loaded, 'loading' | null>> {
  try {
    const url = `/api/exchange/${encodeURIComponent(id)}?at=${startedAt}`;
    const response = await fetch(url, { cache: 'no-store' });
    const json = await response.json();
    if (response.ok) return { exchange: json as Exchange };
    return {
      problem: (json as { error_description?: string }).error_description ?? `HTTP ${response.status}`,
    };
  } catch {
    return {
      problem: 'The inspector’s server did not answer. Check that it is still running, then try again.',
    };
  }
}

function statusClass(exchange: AnyExchange): string {
  if (exchange.error) return 'text-fail';
  const status = exchange.response?.status ?? 0;
  if (status >= 500) return 'text-fail';
  if (status >= 400) return 'text-warn';
  return 'text-pass';
}

function ExchangeItem({ exchange }: { exchange: AnyExchange }) {
  const [loaded, setLoaded] = useState<Loaded>(null);
  const full =
    'collapsed' in exchange
      ? loaded && typeof loaded === 'object' && 'exchange' in loaded
        ? loaded.exchange
        : undefined
      : exchange;
  const { request, response } = exchange;
  async function load() {
    setLoaded('loading');
    setLoaded(await fetchExchange(exchange));
  }
  function onToggle(event: SyntheticEvent<HTMLDetailsElement>) {
    if (event.currentTarget.open && !full && loaded === null) void load();
  }
  return (
    <details data-exchange={exchange.id} onToggle={onToggle} className="group rounded-md border border-line">
      <summary className="flex cursor-pointer flex-wrap items-center gap-x-3 gap-y-1 px-3 py-2 font-mono text-xs">
        <span className="font-semibold">{request.method}</span>
        <span className="min-w-0 flex-1 break-all">{request.url}</span>
        <span className={`font-semibold ${statusClass(exchange)}`}>
          {exchange.error ? exchange.error.code : `${response?.status} ${response?.statusText ?? ''}`}
        </span>
        <span className="text-muted">{formatDuration(exchange.durationMs)}</span>
        {exchange.purpose ? <span className="w-full font-sans text-muted">{exchange.purpose}</span> : null}
      </summary>
      <div className="flex flex-col gap-3 border-t border-line p-3">
        {exchange.error ? <p className="text-sm text-fail">{exchange.error.message}</p> : null}
        {full ? (
          <ExchangeBody exchange={full} />
        ) : loaded && typeof loaded === 'object' && 'problem' in loaded ? (
          <p role="alert" className="text-sm text-fail">
            This exchange could not be loaded. {loaded.problem}{' '}
            <button type="button" onClick={() => void load()} className="underline">
              Try again
            </button>
          </p>
        ) : (
          <p role="status" className="text-sm text-muted">
            Loading the headers and bodies…
          </p>
        )}
      </div>
    </details>
  );
}

/** An exchange opened in full: the redacted curl copy, the request and the response. */
function ExchangeBody({ exchange }: { exchange: Exchange }) {
  const [copied, setCopied] = useState(false);
  const { request, response } = exchange;
  async function copy() {
    await navigator.clipboard.writeText(toCurl(exchange));
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <>
      <div className="flex justify-end">
        <button
          type="button"
          onClick={() => void copy()}
          className="rounded-md border border-line px-2 py-1 text-xs"
        >
          {copied ? 'Copied' : 'Copy as curl (redacted)'}
        </button>
      </div>
      <Message title="Request" headers={request.headers} body={request.body} />
      {response ? (
        <Message
          title={`Response · ${response.status} · ${formatBytes(response.size)}${response.truncated ? ' (body truncated)' : ''}`}
          headers={response.headers}
          body={response.body}
        />
      ) : null}
    </>
  );
}

function Message({
  title,
  headers,
  body,
}: {
  title: string;
  headers: Record<string, string>;
  body?: string;
}) {
  const names = Object.keys(headers);
  return (
    <div>
      <p className="mb-1 text-xs font-semibold">{title}</p>
      <pre className="max-h-[28rem] overflow-auto whitespace-pre-wrap break-all rounded-md bg-code p-3 font-mono text-xs">
        {names.map((n) => `${n}: ${headers[n]}`).join('\n')}
        {body ? `\n\n${body}` : ''}
      </pre>
    </div>
  );
}
