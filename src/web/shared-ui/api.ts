import type { ApiErrorBody, ProtocolError } from '../../shared/index.ts';

export type ApiResult<T> = { ok: true; data: T } | { ok: false; error: ProtocolError & { retryAfterSeconds?: number }; status: number };

/**
 * Calls the gateway's JSON API on our own origin; the session cookie goes along by itself.
 * Never throws: a network failure is an error value like any refusal.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    return { ok: false, status: 0, error: { code: 'INTERNAL', message: 'The gateway could not be reached; check the connection.' } };
  }
  const payload = (await response.json().catch(() => null)) as (T & Partial<ApiErrorBody>) | null;
  if (response.ok && payload) return { ok: true, data: payload };
  const error = payload?.error ?? { code: 'INTERNAL' as const, message: `The gateway answered ${response.status}.` };
  return { ok: false, status: response.status, error };
}

/** Where the login page sends someone back to: only a path on this site. */
export function loginUrl(next = window.location.pathname): string {
  return `/login.html?next=${encodeURIComponent(next)}`;
}
