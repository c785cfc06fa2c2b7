/**
 * Camera control (PTZ) from the console: what an operator whose grant has the `control` right
 * may ask of an ONVIF camera's zone. A continuous move lasts `PTZ_TIMING.moveMs` at the camera
 * unless it is asked again, so a console that vanishes mid-move cannot leave a camera turning.
 */
import { z } from 'zod';
import { onvifTokenSchema } from './cameraSources.ts';
import { zoneFieldSchema } from './zoneId.ts';

/** A speed on one axis: -1 (left, down, wide) to 1 (right, up, tele); 0 stands still. */
const axisSchema = z.number().min(-1).max(1).default(0);

export const ptzMoveSchema = z.strictObject({ zone: zoneFieldSchema, pan: axisSchema, tilt: axisSchema, zoom: axisSchema })
  .refine((m) => m.pan !== 0 || m.tilt !== 0 || m.zoom !== 0, 'a move needs a speed on some axis (to stand still, send ptz:stop)');
export const ptzPresetSchema = z.strictObject({ zone: zoneFieldSchema, preset: onvifTokenSchema });

export type PtzMove = z.infer<typeof ptzMoveSchema>;

export interface PtzPreset {
  token: string;
  name: string;
}

export const PTZ_TIMING = {
  /** How long the camera keeps one continuous move going by itself (its ONVIF Timeout). */
  moveMs: 1_500,
  /** How often a console repeats a move while the operator holds it. */
  repeatMs: 500,
} as const;
