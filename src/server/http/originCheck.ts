import type { AuditTrail } from '../audit/AuditTrail.ts';
import { isOriginAllowed } from '../signalling/originPolicy.ts';
import type { GatewayApp } from './GatewayApp.ts';
import { sendError } from './replyError.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * WHEP and WHIP: authenticated by a bearer token the client sends itself, never by a cookie, so
 * a foreign page gains nothing from the browser's credentials there; players and encoders send
 * whatever Origin they like (or none). The path is already canonical when this runs.
 */
const BEARER_ONLY = /^\/(?:whep|whip)\/[^/]+(?:\/[^/]+)?$/;

/**
 * A browser's Origin header must be ours (or configured) on every state-changing request to any
 * path, not only the API's, so that no spelling of a path can slip past it. Registered on the
 * root instance, after the canonical-path check.
 */
export function registerOriginCheck(app: GatewayApp, audit: AuditTrail, allowedOrigins: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (BEARER_ONLY.test(request.url.split('?')[0]!)) return;
    if (isOriginAllowed(request.raw, allowedOrigins)) return;
    // A failed write is logged by the trail's own error handler; the refusal stands either way.
    await audit.recordAnonymous({
      kind: 'api.denied', actor: null, actorRole: null, zone: null, address: request.ip,
      userAgent: String(request.headers['user-agent'] ?? ''), outcome: 'denied',
      detail: { code: 'ORIGIN_FORBIDDEN', origin: String(request.headers.origin ?? ''), path: request.url.split('?')[0] },
    });
    return sendError(reply, 'ORIGIN_FORBIDDEN');
  });
}
