import 'server-only';

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

/**
 * A small standalone page for failures outside the app shell (the OAuth callback). Only fixed text
 * of ours goes in, escaped all the same; no script, so the strictest CSP applies.
 */
export function errorPage({
  status,
  title,
  message,
}: {
  status: number;
  title: string;
  message: string;
}): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · MCP Auth Inspector</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1b1c1e;background:#f7f7f5}
h1{font-size:1.35rem}a{color:#2f5bd3}@media(prefers-color-scheme:dark){body{color:#e7e7e4;background:#111214}a{color:#7c9dff}}</style></head>
<body><main><p>MCP Auth Inspector</p><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to the inspector</a></p></main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    },
  });
}
