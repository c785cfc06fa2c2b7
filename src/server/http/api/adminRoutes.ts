import {
  createGrantSchema,
  createKeySchema,
  createUserSchema,
  idParamSchema,
  updateUserSchema,
  type AdminUserView,
  type SessionView,
} from '../../../shared/index.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { actorOf, type ApiContext } from './context.ts';
import { grantView, iso, keyView, userView } from './views.ts';

const admin = { config: { roles: ['admin'] as const } };
const byId = { ...admin, schema: { params: idParamSchema } };

/**
 * People, grants, camera keys and sessions: admins only. The rules live in Accounts (shared with
 * the CLI); here each change is also re-checked against this gateway's live connections at once,
 * so a removed grant or a revoked key bites without waiting for the poll.
 */
export function registerAdminRoutes(api: ApiApp, ctx: ApiContext): void {
  const { accounts } = ctx;

  api.get('/users', admin, async (): Promise<{ users: AdminUserView[] }> => {
    const users = await ctx.store.users.list();
    const locks = await ctx.accountLocks.locked(users);
    return { users: users.map((u) => ({ ...userView(u), lockedUntil: iso(locks.get(u.username) ?? null) })) };
  });

  api.post('/users/:id/unlock', byId, async (request, reply) => {
    const user = await ctx.store.users.byId(request.params.id);
    if (!user) return sendError(reply, 'NOT_FOUND', 'No such user.');
    await ctx.accountLocks.unlock(actorOf(request), user);
    return { user: userView(user) };
  });

  api.post('/users', { ...admin, schema: { body: createUserSchema } }, async (request, reply) => {
    const created = await accounts.createUser(actorOf(request), request.body);
    if (!created.ok) return sendError(reply, created.error.code, created.error.message);
    return reply.code(201).send({ user: userView(created.value) });
  });

  api.patch('/users/:id', { ...byId, schema: { ...byId.schema, body: updateUserSchema } }, async (request, reply) => {
    const user = await ctx.store.users.byId(request.params.id);
    if (!user) return sendError(reply, 'NOT_FOUND', 'No such user.');
    const updated = await accounts.updateUser(actorOf(request), user, request.body);
    if (!updated.ok) return sendError(reply, updated.error.code, updated.error.message);
    await ctx.access.recheck();
    return { user: userView(updated.value) };
  });

  api.get('/grants', admin, async () => {
    const names = new Map((await ctx.store.users.list()).map((u) => [u.id, u.username]));
    return { grants: (await ctx.store.grants.list()).map((g) => grantView(g, names.get(g.userId) ?? '?')) };
  });

  api.post('/grants', { ...admin, schema: { body: createGrantSchema } }, async (request, reply) => {
    const user = await ctx.store.users.byId(request.body.userId);
    if (!user) return sendError(reply, 'NOT_FOUND', 'No such user.');
    const expiresAt = request.body.expiresAt ? Date.parse(request.body.expiresAt) : null;
    const granted = await accounts.grant(actorOf(request), user, request.body.pattern, expiresAt, request.body.control);
    if (!granted.ok) return sendError(reply, granted.error.code, granted.error.message);
    await ctx.access.recheck();
    return reply.code(201).send({ grant: grantView(granted.value, user.username) });
  });

  api.delete('/grants/:id', byId, async (request, reply) => {
    const grant = await ctx.store.grants.byId(request.params.id);
    if (!grant) return sendError(reply, 'NOT_FOUND', 'No such grant.');
    await accounts.removeGrant(actorOf(request), grant);
    await ctx.access.recheck();
    return {};
  });

  api.get('/keys', admin, async () => ({ keys: (await ctx.store.keys.list()).map(keyView) }));

  api.post('/keys', { ...admin, schema: { body: createKeySchema } }, async (request, reply) => {
    const { key, secret } = await accounts.createKey(actorOf(request), request.body.label, request.body.zonePattern);
    return reply.code(201).send({ key: keyView(key), secret });
  });

  api.delete('/keys/:id', byId, async (request, reply) => {
    const key = await ctx.store.keys.byId(request.params.id);
    if (!key) return sendError(reply, 'NOT_FOUND', 'No such key.');
    const revoked = await accounts.revokeKey(actorOf(request), key);
    if (!revoked.ok) return sendError(reply, revoked.error.code, revoked.error.message);
    await ctx.access.recheck();
    // The directory says "key revoked" of the cameras it last published.
    await ctx.cameras.catalogue.reload();
    return { key: keyView(revoked.value) };
  });

  api.get('/sessions', admin, async (request) => {
    const users = new Map((await ctx.store.users.list()).map((u) => [u.id, u]));
    const sockets = ctx.access.socketsBySession();
    const sessions: SessionView[] = (await ctx.store.sessions.listActive(Date.now())).map((s) => ({
      id: s.id, userId: s.userId, username: users.get(s.userId)?.username ?? '?', role: users.get(s.userId)?.role ?? 'operator',
      address: s.address, userAgent: s.userAgent, createdAt: iso(s.createdAt)!, lastSeenAt: iso(s.lastSeenAt)!, expiresAt: iso(s.expiresAt)!,
      sockets: sockets.get(s.id) ?? 0, current: s.id === request.principal.sessionId,
    }));
    return { sessions };
  });

  api.delete('/sessions/:id', byId, async (request, reply) => {
    const session = await ctx.store.sessions.byId(request.params.id);
    if (!session || session.revokedAt !== null) return sendError(reply, 'NOT_FOUND', 'No such live session.');
    const user = await ctx.store.users.byId(session.userId);
    await ctx.audit.record({ ...actorOf(request), kind: 'session.revoked', outcome: 'ok', detail: { session: session.id, user: user?.username } });
    await ctx.store.sessions.revoke(session.id, Date.now(), 'revoked_by_admin');
    await ctx.store.bumpChangeSeq();
    await ctx.access.recheck();
    return {};
  });
}
