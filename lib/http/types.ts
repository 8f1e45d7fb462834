/** The one fetch signature every protocol module receives. Only lib/http/traced-fetch calls the global fetch. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** A recorded HTTP request/response pair, already redacted (redaction happens when recording). */
export interface Exchange {
  id: string;
  /** Which flow step made the request. */
  stepId: string;
  /** Why the request was made, e.g. "RFC 9728 §3 — path-aware well-known URL". */
  purpose?: string;
  startedAt: number;
  durationMs: number;
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    /** The request body was cut for display. */
    truncated?: boolean;
  };
  response?: {
    status: number;
    statusText: string;
    headers: Record<string, string>;
    /** Body as text, capped for display; JSON pretty-printed. */
    body?: string;
    /** Bytes received (before display cap). */
    size: number;
    truncated: boolean;
  };
  /** Network-level failure: timeout, refused, blocked by the outbound guard, too large. */
  error?: { code: string; message: string };
}

export interface ExchangeSink {
  record(exchange: Exchange): void;
}
