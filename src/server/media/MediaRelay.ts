import type { Ack, IceCandidate, PeerId, ServerToClientEvents, ZoneId } from '../../shared/index.ts';
import type { Logger } from '../observability/logger.ts';
import type { Participant } from '../zones/Participant.ts';
import type { Route } from '../zones/ZonePresence.ts';
import type { RelayPlan } from '../zones/ZoneRegistry.ts';
import type { RelayWorkers } from './RelayWorkers.ts';

export type MediaPolicy = 'p2p' | 'relay' | 'auto';

export interface MediaRelayOptions {
  policy: MediaPolicy;
  p2pMaxViewers: number;
  workers: RelayWorkers;
  logger: Logger;
}

type Message<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/** The presence whose pairings the relay follows: the in-process ZoneRegistry, or RedisPresence in a cluster. */
export interface RelayHost {
  route(sender: Participant, peerId: PeerId): Ack<Route> | Promise<Ack<Route>>;
  /** The zone's relay lost its connections: pair the camera and every viewer with it again. */
  resetRelay(zone: ZoneId): void | Promise<void>;
}

/**
 * The media relay as the zone registry sees it: one participant per relayed zone that is the
 * camera's viewer and every viewer's camera. What the registry sends that participant becomes a
 * request to the zone's relay worker, and the worker's offers and answers go back through the
 * registry's routes, so access checks, audit and revocation are those of peer to peer.
 */
export class MediaRelay implements RelayPlan {
  readonly #options: MediaRelayOptions;
  #registry: RelayHost | null = null;
  readonly #participants = new Map<ZoneId, Participant>();
  /** Each zone's camera→relay pairing: when its connection fails, nothing else would set it up again. */
  readonly #ingests = new Map<PeerId, ZoneId>();
  /** Zones whose evidence the relay records, and into which ring buffer directory. */
  readonly #recording = new Map<ZoneId, string>();
  #pinned: (zone: ZoneId) => boolean = () => false;

  constructor(options: MediaRelayOptions) {
    this.#options = options;
    const pairAgain = (zone: ZoneId) => void (async () => this.#registry?.resetRelay(zone))()
      .catch((error: unknown) => options.logger.warn({ err: error, zone }, 'pairing the relay again failed'));
    options.workers.events.on('lost', (zones) => {
      for (const zone of zones) {
        options.logger.warn({ zone }, 'relay worker lost the zone: pairing again');
        pairAgain(zone);
        // Its recorder died with it: the restarted worker records into the same ring.
        const dir = this.#recording.get(zone);
        if (dir !== undefined) void this.record(zone, dir).catch((error: unknown) => options.logger.warn({ err: error, zone }, 'recording again failed'));
      }
    });
    options.workers.events.on('peer-state', (peerId, state) => {
      const zone = this.#ingests.get(peerId as PeerId);
      if (zone === undefined || state !== 'failed') return;
      this.#ingests.delete(peerId as PeerId);
      // A viewer's failed connection is restarted by the viewer (signal:restart); the camera's
      // connection to the relay has no viewer to do that: the zone is paired with the relay again.
      options.logger.warn({ zone, peer: peerId }, 'the camera\'s connection to the relay failed: pairing again');
      pairAgain(zone);
    });
  }

  /** The presence whose routes carry the relay's signalling (made after this plan). */
  attach(registry: RelayHost): void {
    this.#registry = registry;
  }

  /** A zone is relayed once it has more viewers than this (null: never), for presence kept in Redis. */
  get relayAbove(): number | null {
    const { policy, p2pMaxViewers } = this.#options;
    return policy === 'relay' ? 0 : policy === 'auto' ? p2pMaxViewers : null;
  }

  wanted(zone: ZoneId, viewers: number): boolean {
    const { policy, p2pMaxViewers } = this.#options;
    // One viewer short of the relay: its worker starts now, so a switch never waits for it.
    if (policy === 'auto' && viewers >= p2pMaxViewers) this.#options.workers.warm(zone);
    return policy === 'relay' || (policy === 'auto' && viewers > p2pMaxViewers);
  }

  /**
   * An IP camera's pairing with the relay (the camera's `viewer:joined`): the loopback ports its
   * ffmpeg sends RTP to. The registry closes the pairing as for any camera.
   */
  async ingest(zone: ZoneId, peerId: PeerId): Promise<{ port: number; rtcpPort: number }> {
    this.#ingests.set(peerId, zone);
    return this.#options.workers.request(zone, { op: 'ingest', zone, peerId });
  }

  /** `pinned(zone)`: the zone's evidence is recorded, so its camera goes through the relay even with no viewer. */
  pinWhen(pinned: (zone: ZoneId) => boolean): void {
    this.#pinned = pinned;
  }

  pinned(zone: ZoneId): boolean {
    return this.#pinned(zone);
  }

  /**
   * Keeps the zone's evidence ring buffer in `dir` from the camera's stream as the relay receives
   * it (null: stops). The zone's worker stays its own while it records, viewers or not.
   */
  async record(zone: ZoneId, dir: string | null): Promise<void> {
    if (dir === null) this.#recording.delete(zone);
    else this.#recording.set(zone, dir);
    await this.#options.workers.request(zone, { op: 'record', zone, dir });
    if (dir === null && !this.#participants.has(zone) && !this.#recording.has(zone)) this.#options.workers.release(zone);
  }

  participantFor(zone: ZoneId): Participant {
    let participant = this.#participants.get(zone);
    if (!participant) {
      participant = {
        id: `relay:${zone}`,
        address: 'relay',
        userAgent: 'vigil-relay',
        send: (event, ...args) => this.#receive(zone, event, args[0]),
        evict: () => undefined,
      };
      this.#participants.set(zone, participant);
    }
    return participant;
  }

  released(zone: ZoneId): void {
    this.#participants.delete(zone);
    // Its close requests are already queued on the worker; later ones may go to another (unless it records there).
    if (!this.#recording.has(zone)) this.#options.workers.release(zone);
  }

  /** What the registry tells the relay's participant, as worker requests. */
  #receive<E extends keyof ServerToClientEvents>(zone: ZoneId, event: E, message: unknown): void {
    const run = async (): Promise<void> => {
      switch (event) {
        case 'viewer:joined': {
          const { peerId } = message as Message<'viewer:joined'>;
          // A WHEP player made its offer already: the relay answers it; a console answers ours.
          const offer = (await this.#otherEnd(zone, peerId))?.ownOffer;
          if (offer !== undefined) {
            const { sdp } = await this.#options.workers.request(zone, { op: 'subscribe', zone, peerId, offer });
            await this.#toOtherEnd(zone, peerId, 'signal:answer', { peerId, sdp, zone });
            return;
          }
          const { sdp } = await this.#options.workers.request(zone, { op: 'subscribe', zone, peerId });
          await this.#toOtherEnd(zone, peerId, 'signal:offer', { peerId, sdp, zone, via: 'relay' });
          return;
        }
        case 'signal:offer': {
          const { peerId, sdp: offer } = message as Message<'signal:offer'>;
          this.#ingests.set(peerId, zone);
          const { sdp } = await this.#options.workers.request(zone, { op: 'publish', zone, peerId, sdp: offer });
          await this.#toOtherEnd(zone, peerId, 'signal:answer', { peerId, sdp, zone });
          return;
        }
        case 'signal:answer': {
          const { peerId, sdp } = message as Message<'signal:answer'>;
          await this.#options.workers.request(zone, { op: 'answer', peerId, sdp });
          return;
        }
        case 'signal:candidate': {
          const { peerId, candidate } = message as { peerId: PeerId; candidate: IceCandidate | null };
          await this.#options.workers.request(zone, { op: 'candidate', peerId, candidate });
          return;
        }
        case 'signal:restart': {
          const { peerId } = message as Message<'signal:restart'>;
          const { sdp } = await this.#options.workers.request(zone, { op: 'restart', peerId });
          await this.#toOtherEnd(zone, peerId, 'signal:offer', { peerId, sdp, zone, via: 'relay' });
          return;
        }
        case 'viewer:left': {
          const { peerId } = message as Message<'viewer:left'>;
          this.#ingests.delete(peerId);
          await this.#options.workers.request(zone, { op: 'close', peerId });
          return;
        }
        default:
          // zone:state and the like are for people: the relay follows the pairings alone.
          return;
      }
    };
    run().catch((error: unknown) => this.#options.logger.warn({ err: error, zone, event }, 'relay request failed'));
  }

  async #otherEnd(zone: ZoneId, peerId: PeerId): Promise<Participant | null> {
    const participant = this.#participants.get(zone);
    const route = participant ? await this.#registry?.route(participant, peerId) : undefined;
    return route?.ok ? route.target : null;
  }

  async #toOtherEnd<E extends 'signal:offer' | 'signal:answer'>(zone: ZoneId, peerId: PeerId, event: E, message: Message<E>): Promise<void> {
    const target = await this.#otherEnd(zone, peerId);
    if (target) {
      (target.send as (event: E, message: Message<E>) => void)(event, message);
      return;
    }
    // The pairing ended while the worker worked: its connection goes with it.
    await this.#options.workers.request(zone, { op: 'close', peerId });
  }
}
