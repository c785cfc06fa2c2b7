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

/** A camera node asks for its zone's masks before it publishes, so its first frame is already masked. */
export const masksRequestSchema = z.strictObject({ zone: zoneFieldSchema });

export { fillMasked, maskSpans, type PlaneLayout } from './vision/maskFill.ts';
