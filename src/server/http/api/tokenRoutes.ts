import { createMediaTokenSchema, idParamSchema, type MediaTokenView } from '../../../shared/index.ts';
import type { MediaTokenRecord } from '../../store/types.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { actorOf, type ApiContext } from './context.ts';
import { iso } from './views.ts';

const admin = { config: { roles: ['admin'] as const } };

/** Never the token or its hash. */
export const mediaTokenView = (t: MediaTokenRecord): MediaTokenView => ({
  id: t.id, kind: t.kind, label: t.label, zonePattern: t.zonePattern, prefix: t.prefix, expiresAt: iso(t.expiresAt)!,
  createdAt: iso(t.createdAt)!, createdBy: t.createdBy, revokedAt: iso(t.revokedAt), lastUsedAt: iso(t.lastUsedAt),
});

/**
 * WHEP viewer and WHIP publisher tokens: admins only. The rules live in MediaTokens (shared with
 * the CLI); a revocation is re-checked against this gateway's live sessions at once, so the
 * session it held is cut without waiting for the poll.
 */
export function registerTokenRoutes(api: ApiApp, ctx: ApiContext): void {
  api.get('/tokens', admin, async () => ({ tokens: (await ctx.store.mediaTokens.list()).map(mediaTokenView) }));

  api.post('/tokens', { ...admin, schema: { body: createMediaTokenSchema } }, async (request, reply) => {
    const created = await ctx.mediaTokens.create(actorOf(request), { ...request.body, expiresAt: Date.parse(request.body.expiresAt) });
    if (!created.ok) return sendError(reply, created.error.code, created.error.message);
    return reply.code(201).send({ token: mediaTokenView(created.value.token), secret: created.value.secret });
  });

  api.delete('/tokens/:id', { ...admin, schema: { params: idParamSchema } }, async (request, reply) => {
    const token = await ctx.store.mediaTokens.byId(request.params.id);
    if (!token) return sendError(reply, 'NOT_FOUND', 'No such token.');
    const revoked = await ctx.mediaTokens.revoke(actorOf(request), token);
    if (!revoked.ok) return sendError(reply, revoked.error.code, revoked.error.message);
    await ctx.access.recheck();
    return { token: mediaTokenView(revoked.value) };
  });
}
