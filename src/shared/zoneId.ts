import { z } from 'zod';

/** Longest zone identifier we accept; long enough for `DISTRICT-STREET-CAMERA-NN` schemes. */
export const ZONE_ID_MAX_LENGTH = 64;

/** Upper-case words of letters and digits joined by single hyphens. */
export const ZONE_ID_PATTERN = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;

export const zoneIdSchema = z
  .string()
  .max(ZONE_ID_MAX_LENGTH)
  .regex(ZONE_ID_PATTERN);

export type ZoneId = z.infer<typeof zoneIdSchema>;

/**
 * True when `value` is a well-formed zone identifier.
 * @example isZoneId('CBD-TRAFFIC-01') // true
 * @example isZoneId('cbd traffic') // false
 */
export function isZoneId(value: unknown): value is ZoneId {
  return zoneIdSchema.safeParse(value).success;
}

/**
 * Normalises what a person typed into the canonical form (trimmed, upper-case).
 * The result still has to pass {@link isZoneId}.
 * @example normaliseZoneInput(' cbd-traffic-01 ') // 'CBD-TRAFFIC-01'
 */
export function normaliseZoneInput(typed: string): string {
  return typed.trim().toUpperCase();
}

/** A zone field of an event: any string reaches the handler, which answers ZONE_INVALID (not PAYLOAD_INVALID) when malformed. */
export const zoneFieldSchema = z.string().max(1024);
