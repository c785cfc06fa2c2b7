/**
 * Scene events: what a camera node's detector (src/shared/vision) saw, as the camera reports it,
 * the gateway stores and pushes it, operators acknowledge it and MQTT publishes it. The kinds
 * are defined here once; the detector's event types, the report schema, the store and the MQTT
 * topics are derived from them.
 */
import { z } from 'zod';
import { TAMPER_KINDS, type DetectorEvent, type TamperKind } from './vision/sceneDetector.ts';
import { Limits } from './limits.ts';
import { zoneFieldSchema, type ZoneId } from './zoneId.ts';

export { TAMPER_KINDS, type TamperKind, type DetectorEvent };

/** What an event is about: motion, or one way of tampering with the camera. */
export const SCENE_KINDS = ['motion', ...TAMPER_KINDS.map((k) => `tamper.${k}` as const)] as const;
export type SceneKind = (typeof SCENE_KINDS)[number];

/** The detector's events: each kind starts, and ends (`motion.ended`, `tamper.<kind>.cleared`). */
export const DETECTOR_EVENT_TYPES = [
  'motion.started', 'motion.ended',
  ...TAMPER_KINDS.flatMap((k) => [`tamper.${k}`, `tamper.${k}.cleared`] as const),
] as const satisfies readonly DetectorEvent['type'][];
export type DetectorEventType = (typeof DETECTOR_EVENT_TYPES)[number];

/** The kind a detector event is about, and whether it starts or ends it. */
export function sceneKindOf(type: DetectorEventType): { kind: SceneKind; ends: boolean } {
  if (type === 'motion.started' || type === 'motion.ended') return { kind: 'motion', ends: type === 'motion.ended' };
  const ends = type.endsWith('.cleared');
  return { kind: (ends ? type.slice(0, -'.cleared'.length) : type) as `tamper.${TamperKind}`, ends };
}

const base64Jpeg = z.string().max(Math.ceil(Limits.maxThumbnailBytes / 3) * 4).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/**
 * A camera node's detector said something about the zone it publishes. The gateway stamps the
 * time (a camera's clock is not trusted); `snapshot` is a small JPEG of the picture when it
 * started (the masked picture: masks are applied before the detector and the encoder see it).
 */
export const sceneReportSchema = z.strictObject({
  zone: zoneFieldSchema,
  type: z.enum(DETECTOR_EVENT_TYPES),
  /** Motion: the fraction of the watched picture that changed; tamper: the detector's measure. */
  score: z.number().min(0).max(1_000),
  snapshot: base64Jpeg.optional(),
});
export type SceneReport = z.infer<typeof sceneReportSchema>;

export const sceneEventRefSchema = z.strictObject({ id: z.number().int().positive() });
export const sceneAnnotationSchema = z.strictObject({
  id: z.number().int().positive(),
  note: z.string().trim().min(1).max(Limits.maxEventNoteLength),
});

/** A stored event: from its start to its end (null while it lasts), and what operators did with it. */
export interface SceneEvent {
  id: number;
  zone: ZoneId;
  kind: SceneKind;
  /** The camera's name when known (its admin-given name or its key's label). */
  camera: string | null;
  startedAt: string;
  endedAt: string | null;
  /** The highest score while it lasted. */
  score: number;
  hasSnapshot: boolean;
  acknowledgedBy: string | null;
  acknowledgedAt: string | null;
  note: string | null;
  /** The evidence clip saved for it (GET /api/evidence/:id/clip.mp4), once cut. */
  clipId: number | null;
}

/** How an event changed: MQTT's `vigil/events` `type` and the console's cue. */
export type SceneChange = 'new' | 'update' | 'end';

/** Words for a kind, for the console, the timeline and MQTT discovery names. */
export const SCENE_KIND_LABELS: Record<SceneKind, string> = {
  motion: 'Motion',
  'tamper.covered': 'Lens covered',
  'tamper.moved': 'Camera moved',
  'tamper.defocused': 'Picture blurred',
  'tamper.frozen': 'Picture frozen',
};
