import type { IceServer } from '../../shared/index.ts';
import { issueTurnCredentials } from '../turn/turnCredentials.ts';

export interface IceConfig {
  iceServers: readonly IceServer[];
  turn?: { urls: string[]; secret: string; ttlSeconds: number };
}

export interface IceOffer {
  iceServers: IceServer[];
  iceServersExpireAt: number | null;
}

/**
 * ICE servers come from configuration and reach clients only after authentication; with coturn's
 * shared secret each connection gets its own short-lived TURN credentials, never the secret.
 */
export function iceServersFor(config: IceConfig, userId: string, now = Date.now()): IceOffer {
  const iceServers = config.iceServers.map((s) => ({ ...s }));
  if (!config.turn) return { iceServers, iceServersExpireAt: null };
  const turn = issueTurnCredentials({ secret: config.turn.secret, ttlSeconds: config.turn.ttlSeconds, userId, urls: config.turn.urls, now });
  return { iceServers: [...iceServers, ...turn.iceServers], iceServersExpireAt: turn.expiresAt };
}

/** Fresh credentials go out when this share of the lifetime has passed, well before expiry. */
export const TURN_RENEW_AT = 0.75;
/** Never renew more often than this, whatever the configured lifetime. */
const MIN_RENEWAL_MS = 1_000;

/** Where renewal timers live: a Connection (they die with it), on its clock. */
export interface RenewalTimers {
  readonly clock: { now(): number };
  setTimeout(run: () => void, delayMs: number): unknown;
}

/**
 * Keeps a connection's TURN credentials fresh: at TURN_RENEW_AT of each lifetime, `issue()` makes
 * new ones and `push()` sends them (`ice:servers`). Without TURN (`expiresAt` null) nothing runs.
 */
export function renewTurnCredentials(timers: RenewalTimers, expiresAt: number | null, issue: () => IceOffer, push: (offer: IceOffer) => void): void {
  if (expiresAt === null) return;
  timers.setTimeout(() => {
    const fresh = issue();
    push(fresh);
    renewTurnCredentials(timers, fresh.iceServersExpireAt, issue, push);
  }, Math.max(MIN_RENEWAL_MS, (expiresAt - timers.clock.now()) * TURN_RENEW_AT));
}
