import { loginRequestSchema, type MeResponse } from '../../../shared/index.ts';
import type { SessionRecord, UserRecord } from '../../store/types.ts';
import type { GatewayApp } from '../GatewayApp.ts';
import { SESSION_COOKIE, sessionCookieOptions } from '../sessionCookie.ts';
import { clientInfo, parseOr, requireRole, sendError, type ApiContext } from './context.ts';
import { userView } from './views.ts';

function me(ctx: ApiContext, user: UserRecord, session: SessionRecord): MeResponse {
  return {
    user: userView(user),
    session: { expiresAt: new Date(session.expiresAt).toISOString(), idleTimeoutSeconds: ctx.auth.policy.idleSeconds },
  };
}

export function registerAuthRoutes(app: GatewayApp, ctx: ApiContext): void {
  app.post('/api/auth/login', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const body = parseOr(loginRequestSchema, request.body, reply);
    if (!body) return reply;
    const result = await ctx.auth.login(body.username, body.password, clientInfo(request));
    if (!result.ok) return sendError(reply, result.error.code, result.error.message, result.retryAfterSeconds);
    reply.setCookie(SESSION_COOKIE, result.token, sessionCookieOptions(ctx.auth.policy.lifetimeSeconds));
    return me(ctx, result.user, result.session);
  });

  app.post('/api/auth/logout', { preHandler: requireRole(ctx, ['admin', 'operator', 'auditor']) }, async (request, reply) => {
    await ctx.auth.logout(request.principal!, clientInfo(request));
    await ctx.access.recheck();
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(0));
    return {};
  });

  app.get('/api/auth/me', { preHandler: requireRole(ctx, ['admin', 'operator', 'auditor']) }, async (request) => {
    const session = (await ctx.store.sessions.byId(request.principal!.sessionId))!;
    const user = (await ctx.store.users.byId(request.principal!.userId))!;
    return me(ctx, user, session);
  });
}
