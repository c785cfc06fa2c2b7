import { isZoneId, protocolError, type Ack, type ZoneId } from '../../../shared/index.ts';

/** Zone fields pass the schema as plain strings so that a malformed one gets ZONE_INVALID, not PAYLOAD_INVALID. */
export function withZone<T extends object>(zone: string, run: (zone: ZoneId) => Ack<T> | Promise<Ack<T>>): Ack<T> | Promise<Ack<T>> {
  if (!isZoneId(zone)) return { ok: false, error: protocolError('ZONE_INVALID') };
  return run(zone);
}
