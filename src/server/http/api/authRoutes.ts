import { loginRequestSchema, type MeResponse } from '../../../shared/index.ts';
import type { SessionRecord, UserRecord } from '../../store/types.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { SESSION_COOKIE, sessionCookieOptions } from '../sessionCookie.ts';
import { clientInfo, type ApiContext } from './context.ts';
import { iso, userView } from './views.ts';

const signedIn = { config: { roles: ['admin', 'operator', 'auditor'] as const } };

async function me(ctx: ApiContext, user: UserRecord, session: SessionRecord): Promise<MeResponse> {
  const now = Date.now();
  const grants = user.role === 'operator' ? (await ctx.store.grants.ofUser(user.id)).filter((g) => g.expiresAt === null || g.expiresAt > now) : [];
  return {
    user: userView(user),
    session: { expiresAt: new Date(session.expiresAt).toISOString(), idleTimeoutSeconds: ctx.auth.policy.idleSeconds },
    grants: grants.map((g) => ({ pattern: g.pattern, expiresAt: iso(g.expiresAt) })),
  };
}

export function registerAuthRoutes(api: ApiApp, ctx: ApiContext): void {
  api.post('/auth/login', { schema: { body: loginRequestSchema } }, async (request, reply) => {
    const result = await ctx.auth.login(request.body.username, request.body.password, clientInfo(request));
    if (!result.ok) return sendError(reply, result.error.code, result.error.message, result.retryAfterSeconds);
    reply.setCookie(SESSION_COOKIE, result.token, sessionCookieOptions(ctx.auth.policy.lifetimeSeconds));
    return me(ctx, result.user, result.session);
  });

  api.post('/auth/logout', signedIn, async (request, reply) => {
    await ctx.auth.logout(request.principal, clientInfo(request));
    await ctx.access.recheck();
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(0));
    return {};
  });

  api.get('/auth/me', signedIn, async (request, reply) => {
    const session = await ctx.store.sessions.byId(request.principal.sessionId);
    const user = await ctx.store.users.byId(request.principal.userId);
    // The role check just read both; only a change between the two reads can remove them.
    if (!session || !user) return sendError(reply, 'SESSION_REVOKED');
    return me(ctx, user, session);
  });
}
