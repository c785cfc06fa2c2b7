import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import { protocolError } from '../../../shared/index.ts';
import { isOriginAllowed } from '../../signalling/originPolicy.ts';
import type { GatewayApp } from '../GatewayApp.ts';
import { registerAdminRoutes } from './adminRoutes.ts';
import { registerAuditRoutes } from './auditRoutes.ts';
import { registerAuthRoutes } from './authRoutes.ts';
import { sendError, type ApiContext } from './context.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The JSON API. Cross-site request forgery is refused three ways: the session cookie is
 * SameSite=Strict, a state-changing request must carry JSON (a cross-site form cannot), and a
 * browser's Origin header must be ours (or configured) — on every state-changing request to any
 * path, so no spelling of a path can slip past it.
 */
export async function registerApi(app: GatewayApp, ctx: ApiContext, allowedOrigins: readonly string[]): Promise<void> {
  await app.register(fastifyCookie);
  // Pages of the configured origins may call the API with credentials; no other origin gets a
  // CORS header (never a wildcard). Our own pages are same-origin and need none.
  const allowed = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
  await app.register(fastifyCors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['content-type'],
    maxAge: 600,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (SAFE_METHODS.has(request.method)) return;
    if (!isOriginAllowed(request.raw, allowedOrigins)) {
      await ctx.audit.recordAnonymous({
        kind: 'api.denied', actor: null, actorRole: null, zone: null, address: request.ip,
        userAgent: String(request.headers['user-agent'] ?? ''), outcome: 'denied',
        detail: { code: 'ORIGIN_FORBIDDEN', origin: String(request.headers.origin ?? ''), path: request.url.split('?')[0] },
      });
      return sendError(reply, 'ORIGIN_FORBIDDEN');
    }
  });
  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return sendError(reply, 'INTERNAL');
    }
    // Fastify's own refusals: malformed JSON, __proto__ keys, a body over the limit, a wrong content type.
    return reply.code(status).send({ error: protocolError('PAYLOAD_INVALID', error.message) });
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/api/')) return sendError(reply, 'NOT_FOUND', 'No such API route.');
    return reply.code(404).type('text/plain').send('Not found\n');
  });
  registerAuthRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerAuditRoutes(app, ctx);
}
