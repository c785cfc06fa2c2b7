import type { IncomingMessage } from 'node:http';

/**
 * Browsers always send Origin on a WebSocket handshake, and the `cors` option only sets response
 * headers: it does not stop a foreign page from opening a socket. So the origin is checked here.
 * Requests with no Origin come from non-browser clients (edge nodes, tests) and are let through
 * to authentication.
 */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (parsed.host === req.headers.host) return true;
  return allowedOrigins.some((allowed) => new URL(allowed).origin === parsed.origin);
}
