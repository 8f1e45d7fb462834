/**
 * The sentence of a request the inspector's server refused before any action ran (429 from
 * proxy.ts: too many requests from this address). Next.js rejects the action with that text when
 * the answer is `text/plain`; any other failure is not ours to quote.
 */
export function serverRefusal(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return /^Too many (?:requests|walkthrough steps) from your address: /.test(error.message)
    ? error.message
    : undefined;
}
