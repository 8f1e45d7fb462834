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
