/** `application/json; charset=utf-8` → `application/json`; absent → ''. */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Content types whose bodies are text worth showing. */
export function isTextual(contentType: string | null | undefined): boolean {
  const type = mediaType(contentType);
  return (
    type.startsWith('text/') ||
    /[/+](json|xml)$/.test(type) ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded'
  );
}

/** Server-sent events, as MCP Streamable HTTP uses for streamed responses and the GET stream. */
export function isEventStream(contentType: string | null | undefined): boolean {
  return mediaType(contentType) === 'text/event-stream';
}

/** Text whose lines are server-sent-event fields, whatever the content type says. */
export function looksLikeEventStream(text: string): boolean {
  return /^(?:data|event|id|retry):/m.test(text) && /^data:/m.test(text);
}

/**
 * The data of each event in a text/event-stream body, its `data:` lines joined with "\n" as the SSE
 * spec joins them (one leading space dropped, CR before LF ignored). Events without data are skipped.
 * @see HTML Living Standard §9.2.6 Interpreting an event stream
 */
export function eventStreamData(text: string): string[] {
  const events: string[] = [];
  let data: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') {
      if (data.length) events.push(data.join('\n'));
      data = [];
    } else if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, ''));
    }
  }
  if (data.length) events.push(data.join('\n'));
  return events;
}
