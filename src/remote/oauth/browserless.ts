import type { FetchLike } from '@modelcontextprotocol/client';

/** Most redirects followed before giving up. */
const MAX_REDIRECTS = 20;

/**
 * The browser step without a browser (conformance client, tests): GETs the authorization URL and follows redirects
 * with a cookie jar (authorization servers keep the interaction in cookies) until a redirect points at
 * `redirectUri`; that final URL is handed to `deliver` — the same callback handling the URI handler uses — and never
 * fetched or logged.
 */
export async function followAuthorization(
  authorizationUrl: string,
  redirectUri: string,
  deliver: (callbackUrl: string) => void | Promise<void>,
  fetchFn: FetchLike = (input, init) => globalThis.fetch(input, init),
): Promise<void> {
  const jar = new Map<string, string>();
  const target = new URL(redirectUri);
  let url = authorizationUrl;
  for (let i = 0; i < MAX_REDIRECTS; i++) {
    if (isRedirectTarget(new URL(url), target)) { await deliver(url); return; }
    const headers = new Headers();
    if (jar.size) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetchFn(url, { redirect: 'manual', headers });
    for (const c of getSetCookies(response.headers)) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      if (eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = response.headers.get('location');
    await response.body?.cancel().catch(() => undefined);
    if (response.status < 300 || response.status >= 400 || !location) {
      throw new Error(`the authorization page answered HTTP ${response.status} without redirecting back`);
    }
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects during authorization');
}

function isRedirectTarget(url: URL, target: URL): boolean {
  return url.protocol === target.protocol && url.hostname === target.hostname && url.port === target.port && url.pathname === target.pathname;
}

function getSetCookies(headers: Headers): string[] {
  const h = headers as Headers & { getSetCookie?: () => string[] };
  if (typeof h.getSetCookie === 'function') return h.getSetCookie();
  const one = headers.get('set-cookie');
  return one ? [one] : [];
}
