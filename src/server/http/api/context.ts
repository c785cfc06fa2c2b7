import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { errorCatalogue, protocolError, type AccountRole, type ErrorCode } from '../../../shared/index.ts';
import type { LiveAccess } from '../../access/LiveAccess.ts';
import type { AuditTrail } from '../../audit/AuditTrail.ts';
import type { AuthService, ClientInfo } from '../../auth/AuthService.ts';
import type { CameraKeys } from '../../auth/CameraKeys.ts';
import type { Principal } from '../../auth/Principal.ts';
import type { Store } from '../../store/types.ts';
import { readSessionToken } from '../sessionCookie.ts';

/** What the API routes need; built once by the gateway. */
export interface ApiContext {
  store: Store;
  auth: AuthService;
  cameraKeys: CameraKeys;
  access: LiveAccess;
  audit: AuditTrail;
}

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: UserPrincipal;
  }
}

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string, retryAfterSeconds?: number): FastifyReply {
  if (retryAfterSeconds !== undefined) reply.header('Retry-After', String(retryAfterSeconds));
  const error = { ...protocolError(code, message), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
  return reply.code(errorCatalogue[code].httpStatus).send({ error });
}

export const clientInfo = (request: FastifyRequest): ClientInfo => ({
  address: request.ip,
  userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
});

/** Parses with a zod schema; on failure answers PAYLOAD_INVALID naming the first bad field. */
export function parseOr<T extends z.ZodType>(schema: T, value: unknown, reply: FastifyReply): z.infer<T> | null {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? issue.path.map(String).join('.') : 'request';
  sendError(reply, 'PAYLOAD_INVALID', `${where}: ${issue?.message ?? 'invalid'}`);
  return null;
}

/**
 * A preHandler admitting only a live session of one of `roles`; it sets request.principal.
 * Refusals are audited. Per-user answers are never cached.
 */
export function requireRole(ctx: ApiContext, roles: readonly AccountRole[]) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store');
    const result = await ctx.auth.authenticate(readSessionToken(request.headers.cookie));
    const client = clientInfo(request);
    const deny = async (code: ErrorCode, actor: string | null, actorRole: string | null) => {
      const draft = {
        kind: 'api.denied', actor, actorRole, zone: null, ...client, outcome: 'denied' as const,
        detail: { code, method: request.method, path: request.routeOptions.url ?? request.url.split('?')[0] },
      };
      // Without a session nobody is behind the request: counted per address, not one row each.
      await (actor === null ? ctx.audit.recordAnonymous(draft) : ctx.audit.record(draft));
      return sendError(reply, code);
    };
    if (!result.ok) return deny(result.error.code, null, null);
    if (!roles.includes(result.principal.role)) return deny('ROLE_FORBIDDEN', result.principal.username, result.principal.role);
    request.principal = result.principal;
  };
}

/** The audit entry fields of the signed-in person making a request. */
export function actorOf(request: FastifyRequest) {
  const p = request.principal!;
  return { actor: p.username, actorRole: p.role, zone: null, ...clientInfo(request) };
}
