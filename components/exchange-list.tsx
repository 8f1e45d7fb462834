'use client';

import { useEffect, useRef, useState } from 'react';
import type { Exchange } from '@/lib/http/types';
import { toCurl } from './curl';
import { formatBytes, formatDuration } from './format';

/** `openId`: an exchange chosen in the sequence diagram or the timeline: opened, scrolled to, focused. */
export function ExchangeList({ exchanges, openId }: { exchanges: Exchange[]; openId?: string | null }) {
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
        <li key={exchange.id} id={`exchange-${exchange.id}`}>
          <ExchangeItem exchange={exchange} />
        </li>
      ))}
    </ul>
  );
}

function statusClass(exchange: Exchange): string {
  if (exchange.error) return 'text-fail';
  const status = exchange.response?.status ?? 0;
  if (status >= 500) return 'text-fail';
  if (status >= 400) return 'text-warn';
  return 'text-pass';
}

function ExchangeItem({ exchange }: { exchange: Exchange }) {
  const [copied, setCopied] = useState(false);
  const { request, response } = exchange;
  async function copy() {
    await navigator.clipboard.writeText(toCurl(exchange));
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }
  return (
    <details data-exchange={exchange.id} className="group rounded-md border border-line">
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
        <div className="flex justify-end">
          <button
            type="button"
            onClick={() => void copy()}
            className="rounded-md border border-line px-2 py-1 text-xs"
          >
            {copied ? 'Copied' : 'Copy as curl (redacted)'}
          </button>
        </div>
        {exchange.error ? <p className="text-sm text-fail">{exchange.error.message}</p> : null}
        <Message title="Request" headers={request.headers} body={request.body} />
        {response ? (
          <Message
            title={`Response · ${response.status} · ${formatBytes(response.size)}${response.truncated ? ' (body truncated)' : ''}`}
            headers={response.headers}
            body={response.body}
          />
        ) : null}
      </div>
    </details>
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
