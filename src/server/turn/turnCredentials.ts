import { createHmac } from 'node:crypto';
import type { IceServer } from '../../shared/index.ts';

export interface TurnCredentialRequest {
  /** coturn's static-auth-secret. */
  secret: string;
  ttlSeconds: number;
  /** Who the credential is for; ends up in coturn's logs, so an opaque id, not a name. */
  userId: string;
  urls: string[];
  now?: number;
}

/**
 * TURN REST API credentials (draft-uberti-behave-turn-rest, coturn `use-auth-secret`):
 * username `<expiry unix seconds>:<user id>`, password base64(HMAC-SHA1(secret, username)).
 * coturn recomputes the HMAC and refuses an expired timestamp; the secret never leaves the server.
 */
export function issueTurnCredentials(request: TurnCredentialRequest): { iceServers: IceServer[]; expiresAt: number } {
  const now = request.now ?? Date.now();
  const expirySeconds = Math.floor(now / 1000) + request.ttlSeconds;
  const username = `${expirySeconds}:${request.userId.replace(/:/g, '_')}`;
  const credential = createHmac('sha1', request.secret).update(username).digest('base64');
  return { iceServers: [{ urls: request.urls, username, credential }], expiresAt: expirySeconds * 1000 };
}
