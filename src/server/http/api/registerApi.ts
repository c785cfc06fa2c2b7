import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ApiApp, GatewayApp } from '../GatewayApp.ts';
import { replyWithCatalogueError, sendError } from '../replyError.ts';
import { registerAdminRoutes } from './adminRoutes.ts';
import { registerAuditRoutes } from './auditRoutes.ts';
import { registerAuthRoutes } from './authRoutes.ts';
import { registerCameraRoutes } from './cameraRoutes.ts';
import { registerCameraProfileRoutes } from './cameraProfileRoutes.ts';
import { registerLayoutRoutes } from './layoutRoutes.ts';
import { registerTokenRoutes } from './tokenRoutes.ts';
import { registerEventRoutes } from './eventRoutes.ts';
import { registerEvidenceRoutes } from './evidenceRoutes.ts';
import { decoratePrincipal, roleCheck, type ApiContext } from './context.ts';

/** A request without a body is validated as `{}`, so a schema names the missing field, not "expected object". */
const zodValidator: FastifySchemaCompiler<Parameters<typeof validatorCompiler>[0]['schema']> = (route) => {
  const validate = validatorCompiler(route);
  return (data) => validate(data ?? {});
};

/**
 * The JSON API, one encapsulated plugin under /api: its cookies, CORS, role check, schemas, error
 * and not-found answers apply to its routes and nothing else. Cross-site request forgery is
 * refused three ways: the session cookie is SameSite=Strict, a state-changing request must carry
 * JSON (a cross-site form cannot), and the root Origin check (originCheck.ts) runs before this.
 */
export async function registerApi(app: GatewayApp, ctx: ApiContext, allowedOrigins: readonly string[]): Promise<void> {
  await app.register(async (plugin: GatewayApp) => {
    const api: ApiApp = plugin.withTypeProvider();
    api.setValidatorCompiler(zodValidator);
    api.setErrorHandler(replyWithCatalogueError);
    await api.register(fastifyCookie);
    // Pages of the configured origins may call the API with credentials; no other origin gets a
    // CORS header (never a wildcard). Our own pages are same-origin and need none.
    const allowed = new Set(allowedOrigins.map((origin) => new URL(origin).origin));
    await api.register(fastifyCors, {
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type'],
      maxAge: 600,
    });
    decoratePrincipal(api);
    // Answers are per person: no cache keeps one, refusals included.
    api.addHook('onRequest', async (_request, reply) => { reply.header('Cache-Control', 'no-store'); });
    api.addHook('preValidation', roleCheck(ctx));
    api.setNotFoundHandler((_request, reply) => sendError(reply, 'NOT_FOUND', 'No such API route.'));
    // The static files' wildcard would otherwise take GET /api/<unknown> and answer in plain text.
    api.route({ method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], url: '/*', handler: (_request, reply) => reply.callNotFound() });
    registerAuthRoutes(api, ctx);
    registerAdminRoutes(api, ctx);
    registerAuditRoutes(api, ctx);
    registerTokenRoutes(api, ctx);
    registerCameraRoutes(api, ctx);
    registerLayoutRoutes(api, ctx);
    registerCameraProfileRoutes(api, ctx);
    registerEventRoutes(api, ctx);
    registerEvidenceRoutes(api, ctx);
  }, { prefix: '/api' });
}
