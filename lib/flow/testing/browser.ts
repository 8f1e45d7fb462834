/**
 * A scripted browser for integration tests: follows the authorization URL with manual redirects and
 * a cookie jar, signs in on the demo's login page (Username/Password) and presses "Authorize" (or
 * "Deny") on its consent page, and stops at the redirect back to the inspector's callback.
 * It plays the user's browser, so it calls the network directly.
 */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; host: string; path: string }>();

  store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      let path = '/';
      let expired = false;
      for (const a of attributes) {
        const [k = '', v = ''] = a.split('=');
        if (k.toLowerCase() === 'path' && v.startsWith('/')) path = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const name = pair.slice(0, eq);
      const key = `${url.hostname} ${path} ${name}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value: pair.slice(eq + 1), host: url.hostname, path });
    }
  }

  header(url: URL): string {
    return [...this.cookies.values()]
      .filter(
        (c) =>
          c.host === url.hostname &&
          (c.path === '/' || url.pathname === c.path || url.pathname.startsWith(`${c.path}/`)),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

const actions = (html: string) =>
  [...html.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"/gi)].map((m) =>
    (m[1] ?? '').replaceAll('&amp;', '&'),
  );

export async function browseAuthorization(
  authorizationUrl: string,
  redirectUri: string,
  opts: { username?: string; password?: string; consent?: 'approve' | 'deny'; jar?: CookieJar } = {},
): Promise<URL> {
  const jar = opts.jar ?? new CookieJar();
  let url = new URL(authorizationUrl);
  let init: { method: string; body?: string } = { method: 'GET' };
  for (let hop = 0; hop < 25; hop++) {
    const headers: Record<string, string> = { cookie: jar.header(url) };
    if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    jar.store(url, res.headers.getSetCookie());
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? '', url);
      if (next.href.startsWith(redirectUri)) return next;
      url = next;
      init = { method: 'GET' };
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`HTTP ${res.status} at ${url.href}: ${html.slice(0, 300)}`);
    const forms = actions(html);
    if (/name="password"/.test(html)) {
      url = new URL(forms[0] ?? '', url);
      init = {
        method: 'POST',
        body: new URLSearchParams({
          username: opts.username ?? 'demo',
          password: opts.password ?? 'demo',
        }).toString(),
      };
    } else if (/>\s*Authorize\s*<\/button>/.test(html)) {
      url = new URL((opts.consent === 'deny' ? forms[1] : forms[0]) ?? '', url);
      init = { method: 'POST', body: '' };
    } else {
      throw new Error(`unexpected page at ${url.href}: ${html.replace(/<[^>]+>/g, ' ').slice(0, 300)}`);
    }
  }
  throw new Error('too many redirects');
}
