import { Limits } from '../../shared/index.ts';

/** Client-side condition shown in the alert while Socket.IO reconnects by itself. */
export const CONNECTION_LOST = 'CONNECTION_LOST';
export const CONNECTION_LOST_MESSAGE = 'Connection to gateway lost — reconnecting…';

/**
 * What to tell a person about a refusal, by code (gateway codes and our TIMEOUT/NOT_CONNECTED).
 * Codes we have no wording for show the gateway's own message.
 * @example describeError('ZONE_BUSY', { zone: 'CBD-TRAFFIC-01' }) // 'Zone CBD-TRAFFIC-01 already has a live camera.'
 */
export function describeError(code: string, context: { zone?: string } = {}, serverMessage?: string): string {
  const zone = context.zone ?? 'this zone';
  switch (code) {
    case 'ZONE_BUSY':
      return `Zone ${zone} already has a live camera.`;
    case 'ZONE_INVALID':
      return `"${zone}" is not a valid zone identifier: use upper-case letters and digits in hyphen-separated words, e.g. CBD-TRAFFIC-01.`;
    case 'ALREADY_PUBLISHING':
      return 'This camera connection already publishes another zone; end that session first.';
    case 'WATCH_LIMIT':
      return `At most ${Limits.maxWatchedZones} zones can be on the wall at once; remove a tile first.`;
    case 'RATE_LIMITED':
      return serverMessage ?? 'The gateway is receiving too many requests from this page; try again in a moment.';
    case 'ORIGIN_FORBIDDEN':
      return 'The gateway refused this page: it was not loaded from an allowed origin.';
    case 'HANDSHAKE_INVALID':
    case 'ROLE_FORBIDDEN':
      return `The gateway refused this page's role (${code}). Reload the page.`;
    case 'ZONE_FORBIDDEN':
      return `You are not granted zone ${zone}; ask an administrator for access.`;
    case 'AUTH_REQUIRED':
      return 'You are not signed in (or this camera has no key).';
    case 'SESSION_EXPIRED':
      return 'Your session has expired; sign in again.';
    case 'SESSION_REVOKED':
      return 'Your session was ended (signed out, revoked by an administrator, or the account changed); sign in again.';
    case 'LOGIN_FAILED':
      return 'Unknown username or wrong password.';
    case 'KEY_INVALID':
      return 'The gateway does not know this camera key; check it or ask an administrator for a new one.';
    case 'KEY_REVOKED':
      return 'This camera key was revoked by an administrator; the camera stopped publishing.';
    case 'TIMEOUT':
      return 'The gateway did not answer in time; check the connection and try again.';
    case 'NOT_CONNECTED':
    case CONNECTION_LOST:
      return CONNECTION_LOST_MESSAGE;
    case 'INTERNAL':
      return 'The gateway failed unexpectedly; the request had no effect. Try again.';
    default:
      return serverMessage ?? `The gateway refused the request (${code}).`;
  }
}
