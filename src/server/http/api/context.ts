import type { EdgeCameraReports } from '../../cameras/EdgeCameraReports.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountRole, ErrorCode } from '../../../shared/index.ts';
import type { LiveAccess } from '../../access/LiveAccess.ts';
import type { AuditTrail } from '../../audit/AuditTrail.ts';
import type { AccountLocks } from '../../auth/AccountLocks.ts';
import type { Accounts, Actor } from '../../auth/Accounts.ts';
import type { AuthService, ClientInfo } from '../../auth/AuthService.ts';
import type { CameraKeys } from '../../auth/CameraKeys.ts';
import type { MediaTokens } from '../../auth/MediaTokens.ts';
import type { CameraCatalogue } from '../../cameras/CameraCatalogue.ts';
import type { CameraSources } from '../../cameras/CameraSources.ts';
import type { Thumbnails } from '../../cameras/Thumbnails.ts';
import type { IpCameras } from '../../cameras/IpCameras.ts';
import type { Principal } from '../../auth/Principal.ts';
import type { Store } from '../../store/types.ts';
import type { SceneEvents } from '../../events/SceneEvents.ts';
import type { Evidence } from '../../evidence/Evidence.ts';
import type { ApiApp } from '../GatewayApp.ts';
import { sendError } from '../replyError.ts';
import { readSessionToken } from '../sessionCookie.ts';

/** What the API routes need; built once by the gateway. */
export interface ApiContext {
  store: Store;
  auth: AuthService;
  cameraKeys: CameraKeys;
  access: LiveAccess;
  audit: AuditTrail;
  accounts: Accounts;
  /** Accounts locked by failed sign-ins, and unlocking them. */
  accountLocks: AccountLocks;
  /** WHEP viewer and WHIP publisher tokens. */
  mediaTokens: MediaTokens;
  /** IP cameras: their records, and the ingests this gateway runs. */
  cameras: { sources: CameraSources; running: IpCameras; edge: EdgeCameraReports; catalogue: CameraCatalogue; thumbnails: Thumbnails };
  /** Motion and tamper events and their snapshots. */
  sceneEvents: SceneEvents;
  /** Evidence clips: cut, listed, played, downloaded, held. */
  evidence: Evidence;
}

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person: readable on routes whose config names `roles`, a TypeError elsewhere. */
    principal: UserPrincipal;
  }
  interface FastifyContextConfig {
    /** Who may call the route; absent on the one public route (login). */
    roles?: readonly AccountRole[];
  }
}

export const clientInfo = (request: FastifyRequest): ClientInfo => ({
  address: request.ip,
  userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
});

const signedIn = Symbol('vigil.principal');
type WithPrincipal = FastifyRequest & { [signedIn]: UserPrincipal | null };

/**
 * `request.principal`, set by the role check. Reading it where no role was checked is a bug in
 * the route, not something a client can cause: it throws rather than hand out an empty principal.
 */
export function decoratePrincipal(api: ApiApp): void {
  api.decorateRequest(signedIn, null);
  api.decorateRequest('principal', {
    getter(this: FastifyRequest) {
      const principal = (this as WithPrincipal)[signedIn];
      if (!principal) throw new TypeError(`request.principal read on ${this.routeOptions.url}, a route that names no roles`);
      return principal;
    },
    setter(this: FastifyRequest, principal: UserPrincipal) {
      (this as WithPrincipal)[signedIn] = principal;
    },
  });
}

/**
 * The role check, before the body is validated (a stranger learns nothing of a route's schema):
 * a route naming `roles` admits only a live session of one of them. Refusals are audited.
 */
export function roleCheck(ctx: ApiContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const roles = request.routeOptions.config.roles;
    if (!roles) return;
    const result = await ctx.auth.authenticate(readSessionToken(request.headers.cookie));
    const client = clientInfo(request);
    const deny = async (code: ErrorCode, actor: string | null, actorRole: string | null) => {
      const draft = {
        kind: 'api.denied' as const, actor, actorRole, zone: null, ...client, outcome: 'denied' as const,
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
export function actorOf(request: FastifyRequest): Actor & { zone: null } {
  const { username, role } = request.principal;
  return { actor: username, actorRole: role, zone: null, ...clientInfo(request) };
}
