import { randomBytes } from 'node:crypto';
import {
  isErrorCode,
  Limits,
  protocolError,
  type Ack,
  type IceCandidate,
  type PeerId,
  type ProtocolError,
  type ServerToClientEvents,
  type ZoneId,
} from '../../../shared/index.ts';
import type { LiveAccess, LiveConnection } from '../../access/LiveAccess.ts';
import type { ActivityAudit } from '../../audit/ActivityAudit.ts';
import type { TokenPrincipal } from '../../auth/Principal.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Participant } from '../../zones/Participant.ts';
import type { ZonePresence } from '../../zones/ZonePresence.ts';

/** What a session needs from the gateway; the same for every session. */
export interface MediaSessionContext {
  presence: ZonePresence;
  access: LiveAccess;
  activity: ActivityAudit;
  logger: Logger;
  /** How long a POST waits for the relay's answer (MEDIA_TIMEOUT after). */
  answerTimeoutMs: number;
  /** Called once when the session closes, for the endpoint's table of sessions. */
  onClosed(session: HttpMediaSession): void;
}

/** `whep`: a player watching through the relay; `whip`: an encoder publishing into it. */
export type MediaSessionKind = 'whep' | 'whip';

type Message<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];
type State = 'negotiating' | 'live' | 'closed';

/**
 * One WHEP or WHIP session: to the zone registry a participant like a socket (a viewer, or a
 * camera) that brought its own offer, so the relay answers it; to LiveAccess a live connection
 * whose token is re-checked, so revoking or expiring the token cuts it. Its messages to the relay
 * go through the registry's routes, with the token's right to the zone checked on each, exactly
 * as the socket handlers do.
 */
export class HttpMediaSession implements Participant, LiveConnection {
  readonly id: string;
  /** The secret part of the session's URL. */
  readonly sessionId = randomBytes(16).toString('base64url');
  readonly ownOffer: string;
  #state: State = 'negotiating';
  /** The pairing with the relay: learnt from its answer (WHEP) or its viewer:joined (WHIP). */
  #peerId: PeerId | null = null;
  #candidates = 0;
  #settle: ((answer: Ack<{ sdp: string }>) => void) | null = null;
  readonly #answer: Promise<Ack<{ sdp: string }>>;
  readonly #logger: Logger;

  constructor(
    readonly kind: MediaSessionKind,
    readonly zone: ZoneId,
    readonly principal: TokenPrincipal,
    offer: string,
    readonly address: string,
    readonly userAgent: string,
    private readonly ctx: MediaSessionContext,
  ) {
    this.id = `${kind}:${this.sessionId}`;
    this.ownOffer = offer;
    this.#answer = new Promise((resolve) => (this.#settle = resolve));
    this.#logger = ctx.logger.child({ session: this.sessionId.slice(0, 8), kind, zone, token: principal.tokenId });
  }

  get path(): string {
    return `/${this.kind}/${this.zone}/${this.sessionId}`;
  }

  get closed(): boolean {
    return this.#state === 'closed';
  }

  /**
   * Watches (WHEP) or publishes (WHIP) the zone, audited before it takes effect, and resolves with
   * the relay's answer; any refusal, the camera leaving meanwhile, or the timeout closes the session.
   */
  async start(): Promise<Ack<{ sdp: string }>> {
    this.ctx.access.register(this);
    const started = this.kind === 'whep' ? await this.#watch() : await this.#publish();
    if (!started.ok) {
      await this.close('disconnected', started.error.code);
      return started;
    }
    const timer = setTimeout(() => this.#settleWith({ ok: false, error: protocolError('MEDIA_TIMEOUT') }), this.ctx.answerTimeoutMs);
    const answer = await this.#answer;
    clearTimeout(timer);
    if (!answer.ok) {
      await this.close('disconnected', answer.error.code);
      return answer;
    }
    this.#logger.info({ peer: this.#peerId }, 'media session live');
    return answer;
  }

  /**
   * Trickled candidates of the client (RFC 8840 fragment, already parsed) to the relay; `end`:
   * its gathering is complete. Refused past the candidate budget of one description.
   */
  async trickle(candidates: readonly IceCandidate[], end: boolean): Promise<Ack> {
    if (this.#state !== 'live' || this.#peerId === null) return { ok: false, error: protocolError('PEER_UNKNOWN', 'The session is not live.') };
    if (this.#candidates + candidates.length > Limits.maxCandidatesPerDescription) return { ok: false, error: protocolError('CANDIDATE_LIMIT') };
    this.#candidates += candidates.length;
    for (const candidate of [...candidates, ...(end ? [null] : [])]) {
      const sent = await this.#toRelay('signal:candidate', { peerId: this.#peerId, zone: this.zone, candidate });
      if (!sent.ok) return sent;
    }
    return { ok: true };
  }

  /**
   * Ends the session, idempotently: leaves the zone (the relay closes the pairing; the trail gets
   * view.ended or publish.ended with `reason`), and stops being watched by live access.
   */
  async close(reason: 'requested' | 'access_revoked' | 'disconnected', why: string): Promise<void> {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    // A POST still waiting hears why (a revoked token, a relay that went away…).
    this.#settleWith({ ok: false, error: isErrorCode(why) ? protocolError(why) : protocolError('NOT_FOUND', 'The session closed.') });
    this.ctx.access.unregister(this);
    this.ctx.onClosed(this);
    try {
      if (reason === 'requested' && this.kind === 'whep') await this.ctx.presence.unwatch(this, this.zone);
      else if (reason === 'requested') await this.ctx.presence.unpublish(this, this.zone);
      else if (reason === 'access_revoked' && this.kind === 'whep') await this.ctx.presence.unwatch(this, this.zone, 'access_revoked');
      // Whatever is left (a publish cut by its token, a view never started): released as a disconnect.
      await this.ctx.presence.leave(this);
    } catch (error) {
      this.#logger.error({ err: error }, 'leaving the zone failed');
    }
    this.ctx.activity.forget(this);
    this.#logger.info({ reason, why }, 'media session closed');
  }

  // ------------------------------------------------------------ Participant: what the registry says

  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
    const message = args[0];
    switch (event) {
      case 'signal:answer': {
        const { peerId, sdp } = message as Message<'signal:answer'>;
        if (this.#state === 'negotiating' && (this.kind === 'whep' || peerId === this.#peerId)) {
          this.#peerId = peerId;
          this.#state = 'live';
          this.#settleWith({ ok: true, sdp });
        } else if (this.#state === 'live') {
          // The relay was set up again (its worker restarted): an HTTP client cannot take a
          // second answer, so the session ends and the client starts a new one.
          void this.close('disconnected', 'relay_reset');
        }
        return;
      }
      case 'viewer:joined': {
        // WHIP: the relay, as the zone's viewer, is paired with this encoder; our offer goes to it.
        const { peerId } = message as Message<'viewer:joined'>;
        if (this.#state === 'negotiating' && this.#peerId === null) {
          this.#peerId = peerId;
          void this.#toRelay('signal:offer', { peerId, zone: this.zone, sdp: this.ownOffer }).then((sent) => {
            if (!sent.ok) this.#settleWith(sent);
          });
        } else if (this.#state === 'live') void this.close('disconnected', 'relay_reset');
        return;
      }
      case 'viewer:left': {
        const { peerId } = message as Message<'viewer:left'>;
        if (peerId === this.#peerId) void this.close('disconnected', 'relay_left');
        return;
      }
      case 'zone:state': {
        // WHEP: the camera left. A player cannot be sent the next camera's answer: it ends.
        const { state } = message as Message<'zone:state'>;
        if (state !== 'waiting') return;
        if (this.#state === 'negotiating') this.#settleWith({ ok: false, error: protocolError('ZONE_OFFLINE') });
        else void this.close('disconnected', 'camera_left');
        return;
      }
      default:
        // Directory deltas, audience counts and the like are for consoles and camera pages.
        return;
    }
  }

  /** Replaced by another connection of the same camera: never happens (each WHIP session has its own resume token). */
  evict(reason: string): void {
    void this.close('disconnected', reason);
  }

  // ------------------------------------------------------------ LiveConnection: what access control says

  watchedZones(): readonly ZoneId[] {
    return this.kind === 'whep' && this.#state !== 'closed' ? [this.zone] : [];
  }

  end(error: ProtocolError): void {
    void this.close(this.kind === 'whep' ? 'access_revoked' : 'disconnected', error.code);
  }

  cutView(_zone: ZoneId, error: ProtocolError): void {
    void this.close('access_revoked', error.code);
  }

  refreshDirectory(): void {
    // A player has no directory.
  }

  // ------------------------------------------------------------ internals

  async #watch(): Promise<Ack> {
    const { presence, activity } = this.ctx;
    await activity.started('view', this.zone, this, 'relay');
    const result = await presence.watch(this, this.zone);
    if (!result.ok) {
      await activity.notStarted('view', this.zone, this, result.error);
      return result;
    }
    // The camera left between the check and the watch: nothing will answer.
    return result.state === 'live' ? { ok: true } : { ok: false, error: protocolError('ZONE_OFFLINE') };
  }

  async #publish(): Promise<Ack> {
    const { presence, activity } = this.ctx;
    // Each session is its own camera: nobody else can present this token and take the zone over.
    const resumeToken = randomBytes(32).toString('base64url');
    const check = await presence.publishCheck(this, this.zone, resumeToken);
    if (check !== null && check !== 'already') return { ok: false, error: check };
    await activity.started('publish', this.zone, this);
    const result = await presence.publish(this, this.zone, resumeToken);
    if (!result.ok) {
      await activity.notStarted('publish', this.zone, this, result.error);
      return result;
    }
    return { ok: true };
  }

  /** A message to the relay's end of our pairing, checked like every relayed socket message. */
  async #toRelay<E extends 'signal:offer' | 'signal:candidate'>(event: E, message: Message<E>): Promise<Ack> {
    const route = await this.ctx.presence.route(this, message.peerId);
    if (!route.ok) return route;
    const allowed = this.kind === 'whep'
      ? this.ctx.access.mayWatch(this.principal, route.zone)
      : this.ctx.access.mayPublish(this.principal, route.zone);
    if (!allowed) {
      const error = protocolError('ZONE_FORBIDDEN');
      this.ctx.activity.denied('signal.denied', this, route.zone, error, { event });
      return { ok: false, error };
    }
    (route.target.send as (event: E, message: Message<E>) => void)(event, { ...message, zone: route.zone });
    return { ok: true };
  }

  #settleWith(answer: Ack<{ sdp: string }>): void {
    const settle = this.#settle;
    this.#settle = null;
    settle?.(answer);
  }
}
