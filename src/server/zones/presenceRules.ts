import { Limits, protocolError, type PeerCloseReason, type ProtocolError, type ZoneId } from '../../shared/index.ts';
import type { EndReason } from './ZonePresence.ts';

/** Refusals of zone presence, worded once whichever implementation (memory or Redis) answers. */
export const presenceRefusal = {
  alreadyPublishing: (current: string) => protocolError('ALREADY_PUBLISHING', `This connection already publishes ${current}.`),
  zoneBusy: (zone: ZoneId) => protocolError('ZONE_BUSY', `Zone ${zone} already has a live camera.`),
  watchLimit: () => protocolError('WATCH_LIMIT', `At most ${Limits.maxWatchedZones} zones can be watched at once.`),
  notPublishing: (zone: ZoneId) => protocolError('NOT_PUBLISHING', `This connection does not publish ${zone}.`),
  notWatching: (zone: ZoneId) => protocolError('NOT_WATCHING', `This connection does not watch ${zone}.`),
} as const;

/**
 * A connection's own side of publishCheck: `'already'` when it publishes this zone, a refusal
 * when it publishes another, `null` to go on to the zone's holder (ZONE_BUSY unless its token).
 */
export function ownPublishRule(current: ZoneId | undefined, zone: ZoneId): ProtocolError | 'already' | null {
  if (current === undefined) return null;
  return current === zone ? 'already' : presenceRefusal.alreadyPublishing(current);
}

/** watchCheck: `'already'` when watching, WATCH_LIMIT at the limit, else `null` for a new view. */
export function watchRule(watched: ReadonlySet<ZoneId> | undefined, zone: ZoneId): ProtocolError | 'already' | null {
  if (watched?.has(zone)) return 'already';
  if ((watched?.size ?? 0) >= Limits.maxWatchedZones) return presenceRefusal.watchLimit();
  return null;
}

/** What a camera is told when one of its views ends for `reason`. */
export function peerCloseReasonFor(reason: EndReason): PeerCloseReason {
  return reason === 'access_revoked' ? 'access_revoked' : 'viewer_left';
}
