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
