/**
 * An `httpClient` for twilio-node that sends every REST request to another base
 * URL (the simulator, or a recording proxy) while keeping the library's own
 * request building, auth and error handling.
 *
 * Why not the domain override: twilio-node rewrites host names for edges and
 * regions (`getHostname` splits on the last two labels), which mangles hosts such
 * as `127.0.0.1` or `sim.local`. Rewriting `opts.uri` after the library built it
 * leaves the path (`/2010-04-01/Accounts/AC…/Calls.json`) untouched.
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as ResponseModule from 'twilio/lib/http/response.js';

/** Replaces scheme, host and port of `uri` with those of `baseUrl` (a path prefix on `baseUrl` is kept). */
export function rewriteUri(uri: string, baseUrl: string): string {
  const target = new URL(uri);
  const base = new URL(baseUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  return `${base.protocol}//${base.host}${prefix}${target.pathname}${target.search}`;
}

/**
 * A twilio.RequestClient whose requests go to `baseUrl` instead of
 * api.twilio.com. `timeoutMs` bounds each request (twilio-node's default is 30 s).
 */
export class RedirectingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly baseUrl: string,
    opts: { timeoutMs?: number } = {},
  ) {
    super({ timeout: opts.timeoutMs ?? 10_000, keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<ResponseModule.default<TData>> {
    return super.request<TData>({ ...opts, uri: rewriteUri(opts.uri, this.baseUrl) });
  }
}
