import type { FastifyReply, FastifyRequest } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { isZoneId, Limits, protocolError, type AuditKind, type ErrorCode, type MediaTokenKind, type ProtocolError, type ZoneId } from '../../../shared/index.ts';
import type { LiveAccess } from '../../access/LiveAccess.ts';
import { ActivityAudit } from '../../audit/ActivityAudit.ts';
import type { AuditTrail } from '../../audit/AuditTrail.ts';
import type { MediaTokens } from '../../auth/MediaTokens.ts';
import type { TokenPrincipal } from '../../auth/Principal.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ZonePresence } from '../../zones/ZonePresence.ts';
import type { ApiApp, GatewayApp } from '../GatewayApp.ts';
import { replyWithCatalogueError, sendError } from '../replyError.ts';
import { HttpMediaSession, type MediaSessionKind } from './HttpMediaSession.ts';
import { FRAGMENT_TYPE, fragmentBodySchema, offerBodySchema, SDP_TYPE, sessionParamsSchema, zoneParamsSchema } from './mediaSchemas.ts';
import { iceUfragOf, offerProblem, parseTrickleFragment } from './sdp.ts';

export interface MediaEndpointsOptions {
  presence: ZonePresence;
  access: LiveAccess;
  audit: AuditTrail;
  tokens: MediaTokens;
  /** False when the gateway runs without the media relay (policy p2p): every POST is RELAY_DISABLED. */
  relayEnabled: boolean;
  /**
   * False in a cluster: a player's session lives on the node its POST reached while the zone's
   * relay lives on its camera's node, and the relay cannot reach an HTTP session on another node
   * yet. WHEP is then RELAY_DISABLED; WHIP (the encoder's node holds the relay) works.
   */
  playersEnabled?: boolean;
  logger: Logger;
  /** This gateway in live-activity rows ('' on a single box). */
  node?: string | undefined;
  /** How long a POST waits for the relay's answer. */
  answerTimeoutMs?: number;
}

export interface MediaEndpoints {
  /** Live sessions (for tests and metrics). */
  readonly sessions: ReadonlyMap<string, HttpMediaSession>;
  /** Ends every session (the gateway is stopping) and waits for their audit entries. */
  close(): Promise<void>;
}

/** What each endpoint admits: the token kind, the zone right and the audit kind of a refusal. */
const ENDPOINTS: Record<MediaSessionKind, { token: MediaTokenKind; denied: AuditKind; may: (access: LiveAccess, principal: TokenPrincipal, zone: ZoneId) => boolean }> = {
  whep: { token: 'viewer', denied: 'view.denied', may: (access, principal, zone) => access.mayWatch(principal, zone) },
  whip: { token: 'publisher', denied: 'publish.denied', may: (access, principal, zone) => access.mayPublish(principal, zone) },
};

/** The relay usually answers in well under a second; a worker that is starting needs a few. */
const ANSWER_TIMEOUT_MS = 10_000;

/** A refusal with the catalogue's status (and `Retry-After` when limited). */
function refuse(reply: FastifyReply, error: ProtocolError, retryAfterSeconds?: number): FastifyReply {
  return sendError(reply, error.code, error.message, retryAfterSeconds);
}

/**
 * WHEP (draft-ietf-wish-whep) and WHIP (RFC 9725) under `/whep/<zone>` and `/whip/<zone>`: a
 * player or an encoder POSTs its SDP offer with a bearer token and gets the media relay's answer
 * (201, `Location` of its session); PATCH trickles its candidates, DELETE ends it. One
 * encapsulated plugin: its SDP body parsers, bearer check and error answers apply to these routes
 * only. No cookie is ever read here, which is why the root Origin check lets these paths be.
 */
export async function registerMediaEndpoints(app: GatewayApp, options: MediaEndpointsOptions): Promise<MediaEndpoints> {
  const { presence, access, audit, tokens, logger } = options;
  const sessions = new Map<string, HttpMediaSession>();
  const activity = new ActivityAudit(audit, presence.events, logger, options.node);
  const principals = new WeakMap<FastifyRequest, TokenPrincipal>();
  const context = {
    presence, access, activity, logger, answerTimeoutMs: options.answerTimeoutMs ?? ANSWER_TIMEOUT_MS,
    onClosed: (session: HttpMediaSession) => sessions.delete(session.sessionId),
  };

  const client = (request: FastifyRequest) => ({ address: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512) });

  /** The bearer token, before the body is validated: a stranger learns nothing of the schemas. */
  const bearer = (kind: MediaTokenKind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const token = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const result = await tokens.authenticate(token, request.ip);
    const deny = async (code: ErrorCode, actor: string | null) => {
      const draft = {
        kind: 'api.denied' as const, actor, actorRole: actor === null ? null : `${kind}-token`, zone: null, ...client(request), outcome: 'denied' as const,
        detail: { code, method: request.method, path: request.routeOptions.url ?? '' },
      };
      await (actor === null ? audit.recordAnonymous(draft) : audit.record(draft));
    };
    if (!result.ok) {
      await deny(result.error.code, null);
      reply.header('WWW-Authenticate', `Bearer realm="vigil"${result.error.code === 'AUTH_REQUIRED' ? '' : ', error="invalid_token"'}`);
      return refuse(reply, result.error, result.retryAfterSeconds);
    }
    if (result.principal.tokenKind !== kind) {
      await deny('ROLE_FORBIDDEN', `token:${result.principal.label}`);
      return refuse(reply, protocolError('ROLE_FORBIDDEN', `A ${result.principal.tokenKind} token cannot be used here; ${kind === 'viewer' ? 'WHEP' : 'WHIP'} takes a ${kind} token.`));
    }
    principals.set(request, result.principal);
  };

  const principalOf = (request: FastifyRequest): TokenPrincipal => {
    const principal = principals.get(request);
    if (!principal) throw new TypeError(`no token principal on ${request.routeOptions.url}`);
    return principal;
  };

  /** The session a PATCH or DELETE names, only for the token that made it (anyone else: 404). */
  const sessionOf = (kind: MediaSessionKind, params: { zone: string; session: string }, request: FastifyRequest): HttpMediaSession | null => {
    const session = sessions.get(params.session);
    if (!session || session.kind !== kind || session.zone !== params.zone || session.principal.tokenId !== principalOf(request).tokenId) return null;
    return session;
  };

  await app.register(async (plugin: GatewayApp) => {
    const media: ApiApp = plugin.withTypeProvider();
    media.setValidatorCompiler(validatorCompiler);
    media.setErrorHandler(replyWithCatalogueError);
    // SDP bodies only: JSON, forms or anything else is 415 before a handler runs.
    media.removeAllContentTypeParsers();
    media.addContentTypeParser([SDP_TYPE, FRAGMENT_TYPE], { parseAs: 'string', bodyLimit: Limits.sdpMaxLength }, (_request, body, done) => done(null, body));
    media.addHook('onRequest', async (_request, reply) => { reply.header('Cache-Control', 'no-store'); });

    for (const kind of ['whep', 'whip'] as const) {
      const endpoint = ENDPOINTS[kind];
      const typed = (type: string) => async (request: FastifyRequest, reply: FastifyReply) => {
        const given = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        if (given !== type) return reply.code(415).send({ error: protocolError('PAYLOAD_INVALID', `The body must be ${type}.`) });
      };

      media.post(`/${kind}/:zone`, {
        onRequest: typed(SDP_TYPE),
        preValidation: bearer(endpoint.token),
        schema: { params: zoneParamsSchema, body: offerBodySchema },
      }, async (request, reply) => {
        const principal = principalOf(request);
        const zone = request.params.zone;
        if (!isZoneId(zone)) return refuse(reply, protocolError('ZONE_INVALID'));
        if (!options.relayEnabled) return refuse(reply, protocolError('RELAY_DISABLED'));
        if (kind === 'whep' && options.playersEnabled === false) {
          return refuse(reply, protocolError('RELAY_DISABLED', 'WHEP players are served by a single-node gateway; in a cluster, watch from the console.'));
        }
        const { address, userAgent } = client(request);
        const session = new HttpMediaSession(kind, zone, principal, request.body, address, userAgent, context);
        if (!endpoint.may(access, principal, zone)) {
          const error = protocolError('ZONE_FORBIDDEN', `This token covers ${principal.zonePattern}, not ${zone}.`);
          activity.denied(endpoint.denied, session, zone, error);
          // Each request is its own participant: nothing to count its later denials against.
          activity.forget(session);
          return refuse(reply, error);
        }
        const problem = offerProblem(request.body);
        if (problem) return refuse(reply, protocolError('PAYLOAD_INVALID', problem));
        if (kind === 'whep' && !(await presence.summary(zone))?.cameraOnline) return refuse(reply, protocolError('ZONE_OFFLINE', `Zone ${zone} has no live camera.`));
        sessions.set(session.sessionId, session);
        const answer = await session.start();
        if (!answer.ok) return refuse(reply, answer.error);
        return reply.code(201)
          .header('Location', session.path)
          .header('Accept-Patch', FRAGMENT_TYPE)
          .type(SDP_TYPE)
          .send(answer.sdp);
      });

      media.patch(`/${kind}/:zone/:session`, {
        onRequest: typed(FRAGMENT_TYPE),
        preValidation: bearer(endpoint.token),
        schema: { params: sessionParamsSchema, body: fragmentBodySchema },
      }, async (request, reply) => {
        const session = sessionOf(kind, request.params, request);
        if (!session) return refuse(reply, protocolError('NOT_FOUND', 'No such media session.'));
        const fragment = parseTrickleFragment(request.body);
        if (!fragment) return refuse(reply, protocolError('PAYLOAD_INVALID', 'A candidate line is too long.'));
        // RFC 9725 4.3.1: an ICE restart brings new credentials (and If-Match: *); trickle alone is served.
        const restart = request.headers['if-match'] === '*' || (fragment.ufrag !== null && fragment.ufrag !== iceUfragOf(session.ownOffer));
        if (restart) return refuse(reply, protocolError('ICE_RESTART_UNSUPPORTED'));
        const sent = await session.trickle(fragment.candidates, fragment.end);
        if (!sent.ok) return refuse(reply, sent.error);
        return reply.code(204).send();
      });

      media.delete(`/${kind}/:zone/:session`, {
        preValidation: bearer(endpoint.token),
        schema: { params: sessionParamsSchema },
      }, async (request, reply) => {
        const session = sessionOf(kind, request.params, request);
        if (!session) return refuse(reply, protocolError('NOT_FOUND', 'No such media session.'));
        await session.close('requested', 'deleted by the client');
        return reply.code(200).send();
      });
    }
  });

  return {
    sessions,
    async close() {
      await Promise.allSettled([...sessions.values()].map((session) => session.close('disconnected', 'gateway stopping')));
      await activity.drain();
      activity.close();
    },
  };
}
