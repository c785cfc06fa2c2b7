/**
 * Named cameras: what an admin says of the camera of a zone (name, where it is, what it shows, its
 * group) and what the gateway last saw of it (when it last came or went, with which key). A zone
 * has one camera at a time, so the zone is the camera's identity; its name defaults to the label
 * of the camera key that last published it (or the IP camera's name).
 */
import { z } from 'zod';
import { zoneIdSchema } from './zoneId.ts';

const text = (max: number) => z.string().trim().max(max).transform((value) => (value === '' ? null : value)).nullable();

export const CAMERA_GROUP_MAX_LENGTH = 40;

export const cameraProfileSchema = z.strictObject({
  /** Shown on tiles and in the directory; null: the publishing key's label. */
  name: text(80).default(null),
  location: text(120).default(null),
  description: text(500).default(null),
  /** A directory filter (a district, a site); null: the zone's first word (CBD for CBD-TRAFFIC-01). */
  group: text(CAMERA_GROUP_MAX_LENGTH).default(null),
  latitude: z.number().min(-90).max(90).nullable().default(null),
  longitude: z.number().min(-180).max(180).nullable().default(null),
}).refine((p) => (p.latitude === null) === (p.longitude === null), { message: 'latitude and longitude go together', path: ['longitude'] });
export type CameraProfileRequest = z.input<typeof cameraProfileSchema>;
export type CameraDetails = z.output<typeof cameraProfileSchema>;

export const cameraProfileParamSchema = z.strictObject({ zone: zoneIdSchema });

/** What the directory carries of a zone's camera, to everyone who may watch the zone. */
export interface CameraInfo extends CameraDetails {
  /** The name to show: the admin's, else the last publishing key's label; null when neither exists. */
  displayName: string | null;
  /** When a camera last started or stopped publishing the zone; null: never seen. */
  lastSeenAt: string | null;
  /** The key that last published the zone has been revoked since: it will not come back with it. */
  keyRevoked: boolean;
}

/** GET /api/camera-profiles (admins): every named or seen camera. */
export interface CameraProfileView extends CameraInfo {
  zone: string;
  /** The label of the key that last published the zone. */
  keyLabel: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
  /** Privacy masks: polygons in picture coordinates (0–1) the camera node blacks out before encoding. */
  masks: [number, number][][];
  /** The zone is an IP camera the gateway pulls: its masks are burned in by the gateway's ffmpeg, which then decodes and re-encodes it. */
  ipCamera: boolean;
  /** Its evidence is recorded: the camera keeps a ring buffer for clips (a browser camera through the relay). */
  record: boolean;
  /** The detector's settings (the defaults unless an admin set them). */
  detection: { threshold: number; minArea: number; motionZones: [number, number][][]; ignoreZones: [number, number][][] };
}

/** The group a zone's camera is filtered under: the admin's, or the zone's first word. */
export const groupOf = (zone: string, group: string | null | undefined): string => group ?? zone.split('-')[0] ?? zone;
