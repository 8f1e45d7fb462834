/** Plain HTML pages of the demo authorization server: login, consent and errors. */
import { escapeHtml } from '../http';

const STYLE = `
:root { color-scheme: light dark; --bg: #f6f7f9; --card: #fff; --fg: #1b1f24; --muted: #5b6470; --line: #d8dde3;
  --accent: #4f46e5; --accent-fg: #fff; --danger: #b42318; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1115; --card: #171a21; --fg: #e6e8eb; --muted: #9aa3ad;
  --line: #2c313a; --accent: #818cf8; --accent-fg: #0f1115; --danger: #f97066; } }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: var(--bg); color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { width: min(420px, calc(100vw - 32px)); background: var(--card); border: 1px solid var(--line);
  border-radius: 12px; padding: 28px; }
h1 { font-size: 20px; margin: 0 0 4px; }
p { margin: 8px 0; }
.muted { color: var(--muted); font-size: 13px; }
.hint { background: color-mix(in srgb, var(--accent) 12%, transparent); border-radius: 8px; padding: 8px 12px; }
.error { color: var(--danger); font-weight: 600; }
label { display: block; margin: 14px 0 4px; font-weight: 600; }
input { width: 100%; padding: 9px 11px; border: 1px solid var(--line); border-radius: 8px; background: transparent;
  color: inherit; font: inherit; }
button { font: inherit; font-weight: 600; padding: 9px 18px; border-radius: 8px; border: 1px solid var(--line);
  background: transparent; color: inherit; cursor: pointer; }
button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
.actions { display: flex; gap: 10px; margin-top: 20px; }
.actions form { margin: 0; }
dl { margin: 16px 0 0; display: grid; grid-template-columns: max-content 1fr; gap: 6px 14px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
ul { margin: 0; padding-left: 18px; }
`;

export const PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>`;
}

export const SCOPE_DESCRIPTIONS: Record<string, string> = {
  'mcp:read': 'List tools and run read-only tools',
  'mcp:tools': 'Run tools that change data',
  'mcp:admin': 'Administer the MCP server',
  openid: 'Confirm your identity',
  offline_access: 'Stay connected while you are away',
  profile: 'Read your name',
};

export function loginPage(options: {
  action: string;
  issuer: string;
  clientName: string;
  error?: string;
  username?: string;
}): string {
  return layout(
    'Sign in – demo authorization server',
    `<h1>Sign in</h1>
<p class="muted">Demo authorization server <code>${escapeHtml(options.issuer)}</code></p>
<p><strong>${escapeHtml(options.clientName)}</strong> wants to connect to an MCP server on your behalf.</p>
<p class="hint">Username: demo, Password: demo</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${escapeHtml(options.action)}" autocomplete="off">
  <label for="username">Username</label>
  <input id="username" name="username" required autofocus value="${escapeHtml(options.username ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" required>
  <div class="actions"><button class="primary" type="submit">Sign in</button></div>
</form>
<p class="muted">A second account, alex / alex, has its own notes.</p>`,
  );
}

export function consentPage(options: {
  confirmAction: string;
  abortAction: string;
  issuer: string;
  account: string;
  clientName: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  resources: string[];
}): string {
  const scopes = options.scopes.length
    ? `<ul>${options.scopes
        .map(
          (s) =>
            `<li><code>${escapeHtml(s)}</code>${SCOPE_DESCRIPTIONS[s] ? ` – ${escapeHtml(SCOPE_DESCRIPTIONS[s])}` : ''}</li>`,
        )
        .join('')}</ul>`
    : '<span class="muted">(no scopes)</span>';
  const resources = options.resources.length
    ? options.resources.map((r) => `<code>${escapeHtml(r)}</code>`).join('<br>')
    : '<span class="muted">(none)</span>';
  return layout(
    'Authorize access – demo authorization server',
    `<h1>Authorize ${escapeHtml(options.clientName)}?</h1>
<p class="muted">Signed in as <strong>${escapeHtml(options.account)}</strong> at <code>${escapeHtml(options.issuer)}</code></p>
<dl>
  <dt>Client</dt><dd>${escapeHtml(options.clientName)}<br><code>${escapeHtml(options.clientId)}</code></dd>
  <dt>Scopes</dt><dd>${scopes}</dd>
  <dt>Resource</dt><dd>${resources}</dd>
  <dt>Returns to</dt><dd><code>${escapeHtml(options.redirectUri)}</code></dd>
</dl>
<div class="actions">
  <form method="post" action="${escapeHtml(options.confirmAction)}"><button class="primary" type="submit">Authorize</button></form>
  <form method="post" action="${escapeHtml(options.abortAction)}"><button type="submit">Deny</button></form>
</div>`,
  );
}

/** `form` is oidc-provider's hidden logout form (id `op.logoutForm`, carrying its xsrf token). */
export function logoutPage(options: { form: string; issuer: string }): string {
  return layout(
    'Sign out – demo authorization server',
    `<h1>Sign out?</h1>
<p class="muted">Demo authorization server <code>${escapeHtml(options.issuer)}</code></p>
<p>Signing out lets you sign in again as another account (demo or alex).</p>
${options.form}
<div class="actions">
  <button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
  <button type="submit" form="op.logoutForm">Stay signed in</button>
</div>`,
  );
}

export function signedOutPage(options: { issuer: string }): string {
  return layout(
    'Signed out – demo authorization server',
    `<h1>Signed out</h1>
<p class="muted">Demo authorization server <code>${escapeHtml(options.issuer)}</code></p>
<p>You can close this page.</p>`,
  );
}

export function errorPage(options: { error: string; description?: string }): string {
  return layout(
    'Error – demo authorization server',
    `<h1>Something went wrong</h1>
<p class="error"><code>${escapeHtml(options.error)}</code></p>
${options.description ? `<p>${escapeHtml(options.description)}</p>` : ''}
<p class="muted">The request was not sent back to the client.</p>`,
  );
}
