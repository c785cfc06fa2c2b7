import { posix } from 'node:path';
import { sendError } from './replyError.ts';
import type { GatewayApp } from './GatewayApp.ts';

/**
 * The one spelling of a path every check and route works on: percent-decoded once, dot segments
 * and repeated slashes resolved, each segment re-encoded. Null when the path cannot be decoded
 * (a broken escape, a NUL byte).
 * @example canonicalPath('/%61dmin.html') // '/admin.html'
 * @example canonicalPath('/x/../api//users') // '/api/users'
 */
export function canonicalPath(rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return null;
  return posix.normalize(decoded).split('/').map(encodeURIComponent).join('/');
}

/**
 * Runs before everything else: a request whose path is not in its canonical spelling is sent to
 * that spelling (GET, HEAD) or refused, so the page guard, the API's checks and the routes all see
 * the same path that the router and the static files would resolve. Without this, `/%61pi/users`
 * reached the API route while a check on the raw URL saw no `/api/` in it.
 */
export function registerCanonicalPaths(app: GatewayApp): void {
  app.addHook('onRequest', async (request, reply) => {
    const raw = request.raw.url ?? '/';
    const queryAt = raw.indexOf('?');
    const path = queryAt === -1 ? raw : raw.slice(0, queryAt);
    const canonical = canonicalPath(path);
    if (canonical === path) return;
    if (canonical === null) return sendError(reply, 'PAYLOAD_INVALID', 'The request path is not a valid URL path.');
    reply.header('Cache-Control', 'no-store');
    if (request.method === 'GET' || request.method === 'HEAD') {
      return reply.redirect(`${canonical}${queryAt === -1 ? '' : raw.slice(queryAt)}`, 301);
    }
    return sendError(reply, 'PAYLOAD_INVALID', `Send this request to ${canonical}.`);
  });
}
