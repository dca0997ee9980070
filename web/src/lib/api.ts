/**
 * Talking to the API: same-origin fetch with the session cookies, the CSRF
 * header on state-changing requests, and problem+json errors turned into ApiError.
 */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldProblem[] = [],
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function cookie(name: string): string | undefined {
  const m = document.cookie.split('; ').find((c) => c.startsWith(`${name}=`));
  return m ? decodeURIComponent(m.slice(name.length + 1)) : undefined;
}

let refreshing: Promise<boolean> | null = null;
/** One refresh at a time; true when a new access token was issued. */
function refresh(): Promise<boolean> {
  refreshing ??= fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin', headers: csrfHeaders() })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

function csrfHeaders(): Record<string, string> {
  const token = cookie('vsa_csrf');
  return token ? { 'x-csrf-token': token } : {};
}

export async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') Object.assign(headers, csrfHeaders());
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (res.status === 401 && !retried && !path.startsWith('/api/auth/')) {
    if (await refresh()) return api<T>(method, path, body, true);
  }
  if (!res.ok) {
    let p: { code?: string; detail?: string; errors?: FieldProblem[]; details?: Record<string, unknown> } = {};
    try {
      p = await res.json();
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, p.code ?? `http_${res.status}`, p.detail ?? res.statusText, p.errors ?? [], p.details ?? {});
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? res.json() : res.text()) as Promise<T>;
}

/** Map of field → message, for inline form errors. */
export function fieldErrors(err: unknown): Record<string, string> {
  if (!(err instanceof ApiError)) return {};
  return Object.fromEntries(err.errors.map((e) => [e.field, e.message]));
}
