/**
 * The sentence of a request the inspector's server refused before any action ran (proxy.ts: 429,
 * too many requests from this address; 413, too large a request). Next.js rejects the action with
 * that text when the answer is `text/plain`; any other failure is not ours to quote.
 */
export function serverRefusal(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return /^Too (?:many (?:requests|walkthrough steps) from your address|large a request): /.test(
    error.message,
  )
    ? error.message
    : undefined;
}
