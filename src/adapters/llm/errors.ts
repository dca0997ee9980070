import { LlmError } from '../../domain/ports/llm.js';

/** Maps an SDK error (both SDKs share the same shape) to an LlmError. */
export function toLlmError(err: unknown, provider: string): LlmError {
  if (err instanceof LlmError) return err;
  const e = err as { name?: string; status?: number; message?: string; headers?: Headers | Record<string, string> };
  const name = e?.name ?? '';
  const message = `${provider}: ${e?.message ?? String(err)}`.slice(0, 300);
  if (name === 'APIUserAbortError' || name === 'AbortError') return new LlmError(message, 'aborted');
  if (name === 'APIConnectionTimeoutError') return new LlmError(message, 'timeout');
  if (name === 'APIConnectionError') return new LlmError(message, 'network');
  const status = typeof e?.status === 'number' ? e.status : undefined;
  if (status === 429) {
    let retry: string | null | undefined;
    const h = e.headers;
    if (h && typeof (h as Headers).get === 'function') retry = (h as Headers).get('retry-after');
    else if (h) retry = (h as Record<string, string>)['retry-after'];
    const secs = retry ? Number(retry) : NaN;
    return new LlmError(message, 'rate_limited', 429, Number.isFinite(secs) ? secs * 1000 : undefined);
  }
  if (status !== undefined && status >= 500) return new LlmError(message, 'server', status);
  if (status !== undefined) return new LlmError(message, 'client', status);
  return new LlmError(message, 'network');
}
