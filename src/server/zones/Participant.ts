import type { ServerToClientEvents } from '../../shared/index.ts';

/** A connected camera or operator as the zone registry sees it: an id and a way to reach it. */
export interface Participant {
  readonly id: string;
  /** Client address, kept for logs and (later) the audit trail. */
  readonly address: string;
  send<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): void;
  /** Ends the connection without inviting the client to reconnect (it was replaced). */
  evict(reason: string): void;
}
