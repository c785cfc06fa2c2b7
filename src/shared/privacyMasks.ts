/**
 * Privacy masks: areas of a camera's picture (a window, a private garden) that no one may see.
 * Polygons in picture coordinates (0–1 from the top-left, so they hold at any resolution),
 * filled black into every frame at the camera node before the encoder sees it: no viewer,
 * snapshot, thumbnail, relay or recording ever receives those pixels.
 */
import { z } from 'zod';
import { zoneFieldSchema } from './zoneId.ts';

export const MAX_MASKS = 16;
const MAX_POINTS = 32;

export const maskPolygonSchema = z.array(z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)])).min(3).max(MAX_POINTS);
export type MaskPolygon = z.infer<typeof maskPolygonSchema>;

export const privacyMasksSchema = z.strictObject({ masks: z.array(maskPolygonSchema).max(MAX_MASKS) });
export type PrivacyMasks = z.infer<typeof privacyMasksSchema>;

/**
 * How a zone's detector looks: the change that counts a pixel, the share of the watched picture
 * that is motion, and where to look (motion zones; none: everywhere) and not (ignore zones: a
 * road's traffic, a flag, a tree).
 */
export const detectionSettingsSchema = z.strictObject({
  threshold: z.number().int().min(5).max(120).default(25),
  minArea: z.number().min(0.0005).max(0.5).default(0.005),
  motionZones: z.array(maskPolygonSchema).max(MAX_MASKS).default([]),
  ignoreZones: z.array(maskPolygonSchema).max(MAX_MASKS).default([]),
});
export type DetectionSettings = z.output<typeof detectionSettingsSchema>;
export const DEFAULT_DETECTION: DetectionSettings = detectionSettingsSchema.parse({});

/** A camera node asks for its zone's settings (masks, detection) before it publishes, so its first frame is already masked. */
export const cameraSettingsRequestSchema = z.strictObject({ zone: zoneFieldSchema });

/** What a camera node is told of its zone. */
export interface CameraSettings {
  masks: MaskPolygon[];
  detection: DetectionSettings;
  /**
   * The zone's evidence is recorded: the gateway keeps a ring buffer of its stream, so a camera
   * node's video goes through the relay (one more hop) even with no viewer.
   */
  record: boolean;
}

export { fillMasked, maskSpans, motionMask, type PlaneLayout } from './vision/maskFill.ts';
