import {
  createGrantSchema,
  createKeySchema,
  createUserSchema,
  idParamSchema,
  updateUserSchema,
  type SessionView,
} from '../../../shared/index.ts';
import { hashPassword } from '../../auth/passwords.ts';
import type { GatewayApp } from '../GatewayApp.ts';
import { actorOf, parseOr, requireRole, sendError, type ApiContext } from './context.ts';
import { grantView, iso, keyView, userView } from './views.ts';

/**
 * People, grants, camera keys and sessions: admins only. Every change is written to the audit
 * trail before it takes effect, and live connections are re-checked right after, so a removed
 * grant or a revoked key bites at once.
 */
export function registerAdminRoutes(app: GatewayApp, ctx: ApiContext): void {
  const admin = { preHandler: requireRole(ctx, ['admin']) };
  const changed = async () => {
    await ctx.store.bumpChangeSeq();
    await ctx.access.recheck();
  };

  app.get('/api/users', admin, async () => ({ users: (await ctx.store.users.list()).map(userView) }));

  app.post('/api/users', admin, async (request, reply) => {
    const body = parseOr(createUserSchema, request.body, reply);
    if (!body) return reply;
    if (await ctx.store.users.byUsername(body.username)) return sendError(reply, 'CONFLICT', `The username ${body.username} is taken.`);
    await ctx.audit.record({ ...actorOf(request), kind: 'user.created', outcome: 'ok', detail: { user: body.username, role: body.role } });
    const user = await ctx.store.users.create({
      username: body.username, passwordHash: await hashPassword(body.password), role: body.role, disabled: false, createdAt: Date.now(),
    });
    return reply.code(201).send({ user: userView(user) });
  });

  app.patch('/api/users/:id', admin, async (request, reply) => {
    const params = parseOr(idParamSchema, request.params, reply);
    const body = params && parseOr(updateUserSchema, request.body, reply);
    if (!params || !body) return reply;
    const user = await ctx.store.users.byId(params.id);
    if (!user) return sendError(reply, 'NOT_FOUND', 'No such user.');
    const losesAdmin = user.role === 'admin' && !user.disabled && (body.disabled === true || (body.role !== undefined && body.role !== 'admin'));
    if (losesAdmin && (await ctx.store.users.countActiveAdmins()) <= 1) {
      return sendError(reply, 'CONFLICT', 'This is the last active admin; make another admin first.');
    }
    await ctx.audit.record({
      ...actorOf(request), kind: 'user.updated', outcome: 'ok',
      detail: { user: user.username, ...(body.role ? { role: body.role } : {}), ...(body.disabled !== undefined ? { disabled: body.disabled } : {}), passwordChanged: body.password !== undefined },
    });
    const updated = await ctx.store.users.update(user.id, {
      ...(body.password !== undefined ? { passwordHash: await hashPassword(body.password) } : {}),
      ...(body.role !== undefined ? { role: body.role } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
    });
    // A new password, a new role or a disabled account ends every session the account had.
    if (body.password !== undefined || body.role !== undefined || body.disabled === true) {
      const reason = body.disabled ? 'account_disabled' : body.password !== undefined ? 'password_changed' : 'role_changed';
      await ctx.store.sessions.revokeAllOfUser(user.id, Date.now(), reason);
    }
    await changed();
    return { user: userView(updated!) };
  });

  app.get('/api/grants', admin, async () => {
    const names = new Map((await ctx.store.users.list()).map((u) => [u.id, u.username]));
    return { grants: (await ctx.store.grants.list()).map((g) => grantView(g, names.get(g.userId) ?? '?')) };
  });

  app.post('/api/grants', admin, async (request, reply) => {
    const body = parseOr(createGrantSchema, request.body, reply);
    if (!body) return reply;
    const user = await ctx.store.users.byId(body.userId);
    if (!user) return sendError(reply, 'NOT_FOUND', 'No such user.');
    const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : null;
    if (expiresAt !== null && expiresAt <= Date.now()) return sendError(reply, 'PAYLOAD_INVALID', 'expiresAt: must be in the future');
    await ctx.audit.record({
      ...actorOf(request), kind: 'grant.created', outcome: 'ok', zone: body.pattern,
      detail: { user: user.username, pattern: body.pattern, expiresAt: iso(expiresAt) },
    });
    const grant = await ctx.store.grants.create({ userId: user.id, pattern: body.pattern, expiresAt, createdAt: Date.now(), createdBy: request.principal!.username });
    await changed();
    return reply.code(201).send({ grant: grantView(grant, user.username) });
  });

  app.delete('/api/grants/:id', admin, async (request, reply) => {
    const params = parseOr(idParamSchema, request.params, reply);
    if (!params) return reply;
    const grant = await ctx.store.grants.byId(params.id);
    if (!grant) return sendError(reply, 'NOT_FOUND', 'No such grant.');
    const user = await ctx.store.users.byId(grant.userId);
    await ctx.audit.record({
      ...actorOf(request), kind: 'grant.removed', outcome: 'ok', zone: grant.pattern, detail: { user: user?.username, pattern: grant.pattern },
    });
    await ctx.store.grants.remove(grant.id);
    await changed();
    return {};
  });

  app.get('/api/keys', admin, async () => ({ keys: (await ctx.store.keys.list()).map(keyView) }));

  app.post('/api/keys', admin, async (request, reply) => {
    const body = parseOr(createKeySchema, request.body, reply);
    if (!body) return reply;
    await ctx.audit.record({ ...actorOf(request), kind: 'key.created', outcome: 'ok', zone: body.zonePattern, detail: { label: body.label, zonePattern: body.zonePattern } });
    const { key, secret } = await ctx.cameraKeys.create(body.label, body.zonePattern, request.principal!.username);
    return reply.code(201).send({ key: keyView(key), secret });
  });

  app.delete('/api/keys/:id', admin, async (request, reply) => {
    const params = parseOr(idParamSchema, request.params, reply);
    if (!params) return reply;
    const key = await ctx.store.keys.byId(params.id);
    if (!key) return sendError(reply, 'NOT_FOUND', 'No such key.');
    if (key.revokedAt !== null) return sendError(reply, 'CONFLICT', 'The key is already revoked.');
    await ctx.audit.record({ ...actorOf(request), kind: 'key.revoked', outcome: 'ok', zone: key.zonePattern, detail: { key: key.id, label: key.label, prefix: key.prefix } });
    await ctx.store.keys.revoke(key.id, Date.now());
    await changed();
    return { key: keyView((await ctx.store.keys.byId(key.id))!) };
  });

  app.get('/api/sessions', admin, async (request) => {
    const users = new Map((await ctx.store.users.list()).map((u) => [u.id, u]));
    const sockets = ctx.access.socketsBySession();
    const sessions: SessionView[] = (await ctx.store.sessions.listActive(Date.now())).map((s) => ({
      id: s.id, userId: s.userId, username: users.get(s.userId)?.username ?? '?', role: users.get(s.userId)?.role ?? 'operator',
      address: s.address, userAgent: s.userAgent, createdAt: iso(s.createdAt)!, lastSeenAt: iso(s.lastSeenAt)!, expiresAt: iso(s.expiresAt)!,
      sockets: sockets.get(s.id) ?? 0, current: s.id === request.principal!.sessionId,
    }));
    return { sessions };
  });

  app.delete('/api/sessions/:id', admin, async (request, reply) => {
    const params = parseOr(idParamSchema, request.params, reply);
    if (!params) return reply;
    const session = await ctx.store.sessions.byId(params.id);
    if (!session || session.revokedAt !== null) return sendError(reply, 'NOT_FOUND', 'No such live session.');
    const user = await ctx.store.users.byId(session.userId);
    await ctx.audit.record({ ...actorOf(request), kind: 'session.revoked', outcome: 'ok', detail: { session: session.id, user: user?.username } });
    await ctx.store.sessions.revoke(session.id, Date.now(), 'revoked_by_admin');
    await changed();
    return {};
  });
}
