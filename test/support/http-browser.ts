/**
 * A tiny browser for sign-in tests: fetch with a cookie jar (per host, path
 * scoped, expiry honoured) that follows redirects one hop at a time, like a
 * browser walking an OpenID Connect flow.
 *
 *   const b = new Browser();
 *   const page = await b.go(`${base}/api/auth/login`);        // ends on the IdP's login page
 *   const done = await b.submit(page, { sub: 'demo-admin' });  // posts the form, follows back
 */

interface StoredCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  expires?: number;
  httpOnly: boolean;
  sameSite?: string;
  secure: boolean;
}

export interface Page {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** Every URL visited on the way, first to last. */
  readonly trail: readonly string[];
}

function parseSetCookie(header: string, url: URL): StoredCookie | null {
  const [pair, ...attrs] = header.split(';');
  const eq = pair!.indexOf('=');
  if (eq < 1) return null;
  const c: StoredCookie = { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), host: url.host, path: '/', httpOnly: false, secure: false };
  let maxAge: number | undefined;
  for (const a of attrs) {
    const [k, ...v] = a.trim().split('=');
    const key = k!.toLowerCase();
    const val = v.join('=');
    if (key === 'path') c.path = val || '/';
    else if (key === 'expires') c.expires = Date.parse(val);
    else if (key === 'max-age') maxAge = Number(val);
    else if (key === 'httponly') c.httpOnly = true;
    else if (key === 'secure') c.secure = true;
    else if (key === 'samesite') c.sameSite = val.toLowerCase();
  }
  if (maxAge !== undefined) c.expires = Date.now() + maxAge * 1000;
  return c;
}

export class Browser {
  readonly cookies: StoredCookie[] = [];

  /** Cookies that would be sent to `url`. */
  cookieHeader(url: string | URL): string {
    const u = new URL(url);
    const now = Date.now();
    return this.cookies
      .filter((c) => c.host === u.host && (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)) && (c.expires === undefined || c.expires > now))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  cookie(name: string): StoredCookie | undefined {
    return this.cookies.find((c) => c.name === name && (c.expires === undefined || c.expires > Date.now()));
  }

  setCookie(name: string, value: string, host: string, path = '/'): void {
    this.store({ name, value, host, path, httpOnly: false, secure: false });
  }

  private store(c: StoredCookie): void {
    const i = this.cookies.findIndex((x) => x.name === c.name && x.host === c.host && x.path === c.path);
    if (i >= 0) this.cookies.splice(i, 1);
    if (c.expires === undefined || c.expires > Date.now()) this.cookies.push(c);
  }

  /** One request, no redirect following; stores cookies it sets. */
  async fetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(u);
    if (cookie && !headers.has('cookie')) headers.set('cookie', cookie);
    const res = await fetch(u, { ...init, headers, redirect: 'manual' });
    for (const h of res.headers.getSetCookie()) {
      const c = parseSetCookie(h, u);
      if (c) this.store(c);
    }
    return res;
  }

  /** Requests `url` and follows redirects (303/302 → GET) until a non-redirect answer. */
  async go(url: string | URL, init: RequestInit = {}, maxHops = 15): Promise<Page> {
    const trail: string[] = [];
    let current = new URL(url);
    let req: RequestInit = init;
    for (let hop = 0; hop < maxHops; hop++) {
      trail.push(current.href);
      const res = await this.fetch(current, req);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current);
        if (res.status !== 307 && res.status !== 308) req = {};
        continue;
      }
      return { url: current.href, status: res.status, headers: res.headers, body: await res.text(), trail };
    }
    throw new Error(`too many redirects: ${trail.join(' → ')}`);
  }

  /** Submits the first form on `page` (method POST) with these fields, following redirects. */
  async submit(page: Page, fields: Record<string, string>): Promise<Page> {
    const m = /<form[^>]*method="post"[^>]*action="([^"]+)"/i.exec(page.body) ?? /<form[^>]*action="([^"]+)"[^>]*method="post"/i.exec(page.body);
    if (!m) throw new Error(`no POST form on ${page.url}:\n${page.body.slice(0, 500)}`);
    const action = new URL(m[1]!.replace(/&amp;/g, '&'), page.url);
    return this.go(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
}
