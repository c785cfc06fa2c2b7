import type { ServerToClientEvents } from '../../shared/index.ts';
import type { AnyPrincipal } from '../auth/Principal.ts';

/** A connected camera or operator as the zone registry sees it: an id and a way to reach it. */
export interface Participant {
  readonly id: string;
  /** Client address and user agent, for logs and the audit trail. */
  readonly address: string;
  readonly userAgent: string;
  /** Who the connection authenticated as (a WHEP/WHIP session: its token); absent only in registry unit tests. */
  readonly principal?: AnyPrincipal;
  /**
   * Its own SDP offer, for a WHEP player or a WHIP encoder: such a participant is reached only
   * through the media relay, which answers this offer instead of making one.
   */
  readonly ownOffer?: string;
  /** An IP camera whose video the relay takes as plain RTP from a local ffmpeg: it never offers. */
  readonly rtpIngest?: boolean;
  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** Ends the connection without inviting the client to reconnect (it was replaced). */
  evict(reason: string): void;
}

/** A camera that reaches its viewers only through the media relay: a WHIP encoder or an IP camera. */
export const publishesThroughRelay = (camera: Participant): boolean => camera.ownOffer !== undefined || camera.rtpIngest === true;
