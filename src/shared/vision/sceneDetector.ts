/**
 * Motion and tamper detection over down-scaled luma planes (e.g. 160×90), one implementation for
 * every camera node: the browser camera page's worker and the gateway's or an edge node's copy of
 * an IP camera. Pure: frames in, states and events out, no clock but the frames' own timestamps.
 *
 * - Motion: pixels whose luma differs from a running background by more than `threshold`, counted
 *   inside the motion zones and outside the ignore zones (a mask); motion starts when they cover
 *   `minArea` of the watched picture for `startFrames` frames in a row and ends after `endMs` quiet.
 * - Tamper, each held for its time before it is said, and said once until it clears:
 *   covered (dark, or flat: a hand, a bag, paint), moved (the picture differs from the long-term
 *   reference almost everywhere, and stays so), defocused (sharpness far below the reference's),
 *   frozen (frames identical for `frozenMs` while the stream says it is live).
 */

import { motionMask, type MaskPolygon } from './maskFill.ts';

/** The picture every detector looks at, whatever the camera's resolution: enough for a person at 30 m, cheap at 5 frames a second. */
export const DETECTOR_WIDTH = 160;
export const DETECTOR_HEIGHT = 90;

export interface LumaFrame {
  readonly width: number;
  readonly height: number;
  /** One byte per pixel, rows `width` bytes apart. */
  readonly luma: Uint8Array;
  /** When it was captured, ms (any monotonic origin). */
  readonly at: number;
}

export interface DetectorSettings {
  /** Luma difference (0–255) that counts a pixel as changed. */
  readonly threshold: number;
  /** Fraction of the watched picture that must change for motion. */
  readonly minArea: number;
  readonly startFrames: number;
  readonly endMs: number;
  /** How fast the background follows the picture (0–1 per frame). */
  readonly learnRate: number;
  /** Mean luma below this, or spread below `flatSpread`, is a covered lens. */
  readonly darkLuma: number;
  readonly flatSpread: number;
  readonly coveredMs: number;
  /** Fraction of pixels changed against the reference that means the camera was turned. */
  readonly movedArea: number;
  readonly movedMs: number;
  /** Sharpness below this fraction of the reference's is defocus (or spray). */
  readonly blurRatio: number;
  readonly blurMs: number;
  /** Mean absolute change below this (0–255) between frames is a frozen picture. */
  readonly frozenChange: number;
  readonly frozenMs: number;
}

export const DEFAULT_DETECTOR: DetectorSettings = {
  threshold: 25, minArea: 0.005, startFrames: 2, endMs: 2_000, learnRate: 0.05,
  darkLuma: 18, flatSpread: 6, coveredMs: 2_000,
  movedArea: 0.6, movedMs: 3_000,
  blurRatio: 0.35, blurMs: 3_000,
  frozenChange: 0.05, frozenMs: 10_000,
};

export type TamperKind = 'covered' | 'moved' | 'defocused' | 'frozen';
export const TAMPER_KINDS: readonly TamperKind[] = ['covered', 'moved', 'defocused', 'frozen'];

export type DetectorEvent =
  | { readonly type: 'motion.started' | 'motion.ended'; readonly at: number; readonly score: number }
  | { readonly type: `tamper.${TamperKind}` | `tamper.${TamperKind}.cleared`; readonly at: number; readonly score: number };

export interface DetectorState {
  readonly motion: boolean;
  /** Fraction of the watched picture changed in the last frame. */
  readonly area: number;
  readonly tamper: ReadonlySet<TamperKind>;
}

/** Per-condition timing: since when it holds, and whether it was said. */
interface Held {
  since: number | null;
  said: boolean;
}

export class SceneDetector {
  readonly #settings: DetectorSettings;
  /** 1 where motion counts (inside motion zones, outside ignore zones); null: everywhere. */
  readonly #mask: Uint8Array | null;
  readonly #watched: number;
  #background: Float32Array | null = null;
  /** The scene as it normally is: slow to follow, so a turned camera stands out against it. */
  #reference: Float32Array | null = null;
  #referenceSharpness = 0;
  #previous: Uint8Array | null = null;
  #motion = false;
  #changedRun = 0;
  #lastMotionAt = 0;
  #area = 0;
  readonly #held: Record<TamperKind, Held> = { covered: { since: null, said: false }, moved: { since: null, said: false }, defocused: { since: null, said: false }, frozen: { since: null, said: false } };

  constructor(readonly width: number, readonly height: number, settings: Partial<DetectorSettings> = {}, mask: Uint8Array | null = null) {
    this.#settings = { ...DEFAULT_DETECTOR, ...settings };
    if (mask && mask.length !== width * height) throw new RangeError(`a mask of ${width}×${height} has ${width * height} bytes, not ${mask.length}`);
    this.#mask = mask;
    this.#watched = mask ? mask.reduce((sum, v) => sum + (v ? 1 : 0), 0) : width * height;
  }

  get state(): DetectorState {
    return { motion: this.#motion, area: this.#area, tamper: new Set(TAMPER_KINDS.filter((k) => this.#held[k].said)) };
  }

  /** Takes the next frame; returns what started or ended with it. */
  push(frame: LumaFrame): DetectorEvent[] {
    if (frame.width !== this.width || frame.height !== this.height) throw new RangeError(`a ${frame.width}×${frame.height} frame for a ${this.width}×${this.height} detector`);
    const { luma, at } = frame;
    const s = this.#settings;
    const events: DetectorEvent[] = [];
    if (!this.#background || !this.#reference) {
      this.#background = Float32Array.from(luma);
      this.#reference = Float32Array.from(luma);
      this.#referenceSharpness = sharpness(frame);
      this.#previous = luma.slice();
      return events;
    }
    const background = this.#background;
    const reference = this.#reference;
    const previous = this.#previous!;
    const n = luma.length;
    let changed = 0;
    let referenceChanged = 0;
    let frameChange = 0;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      const v = luma[i]!;
      sum += v;
      sumSquares += v * v;
      frameChange += Math.abs(v - previous[i]!);
      if (Math.abs(v - reference[i]!) > s.threshold) referenceChanged += 1;
      if ((!this.#mask || this.#mask[i]) && Math.abs(v - background[i]!) > s.threshold) changed += 1;
      background[i] = background[i]! + s.learnRate * (v - background[i]!);
    }
    const mean = sum / n;
    const spread = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));
    const sharp = sharpness(frame);
    this.#previous = luma.slice();

    // Motion, with hysteresis: a few frames to start, a quiet spell to end.
    const area = this.#watched > 0 ? changed / this.#watched : 0;
    this.#area = area;
    const covered = mean < s.darkLuma || spread < s.flatSpread;
    if (area >= s.minArea && !covered) {
      this.#changedRun += 1;
      this.#lastMotionAt = at;
      if (!this.#motion && this.#changedRun >= s.startFrames) {
        this.#motion = true;
        events.push({ type: 'motion.started', at, score: round(area) });
      }
    } else {
      this.#changedRun = 0;
      if (this.#motion && at - this.#lastMotionAt >= s.endMs) {
        this.#motion = false;
        events.push({ type: 'motion.ended', at, score: round(area) });
      }
    }

    // Tamper: each condition held for its time, said once, cleared when it goes.
    const movedArea = referenceChanged / n;
    const conditions: Record<TamperKind, [holds: boolean, forMs: number, score: number]> = {
      covered: [covered, s.coveredMs, round(mean)],
      moved: [!covered && movedArea >= s.movedArea, s.movedMs, round(movedArea)],
      defocused: [!covered && this.#referenceSharpness > 0 && sharp < s.blurRatio * this.#referenceSharpness, s.blurMs, round(sharp / (this.#referenceSharpness || 1))],
      frozen: [frameChange / n < s.frozenChange, s.frozenMs, round(frameChange / n)],
    };
    for (const kind of TAMPER_KINDS) {
      const [holds, forMs, score] = conditions[kind];
      const held = this.#held[kind];
      if (holds) {
        held.since ??= at;
        if (!held.said && at - held.since >= forMs) {
          held.said = true;
          events.push({ type: `tamper.${kind}`, at, score });
        }
      } else {
        if (held.said) events.push({ type: `tamper.${kind}.cleared`, at, score });
        held.since = null;
        held.said = false;
      }
    }

    // The reference follows slowly, and not while the scene is off (a covered, turned or blurred
    // camera must not become the new normal); a turn that was said is the new normal from then on.
    const tampered = covered || this.#held.defocused.since !== null || this.#held.moved.since !== null;
    if (this.#held.moved.said) {
      this.#reference = Float32Array.from(luma);
      this.#referenceSharpness = sharp;
    } else if (!tampered && !this.#motion) {
      const rate = s.learnRate / 10;
      for (let i = 0; i < n; i++) reference[i] = reference[i]! + rate * (luma[i]! - reference[i]!);
      this.#referenceSharpness += rate * (sharp - this.#referenceSharpness);
    }
    return events;
  }
}

/**
 * Gradient energy (the mean squared horizontal and vertical difference, Tenengrad-like): a blur
 * spreads an edge over several pixels, which keeps its total rise but divides its energy, so this
 * falls with defocus where a mean absolute gradient would not.
 */
export function sharpness({ width, height, luma }: LumaFrame): number {
  let total = 0;
  for (let y = 0; y < height - 1; y++) {
    const row = y * width;
    for (let x = 0; x < width - 1; x++) {
      const v = luma[row + x]!;
      const dx = v - luma[row + x + 1]!;
      const dy = v - luma[row + width + x]!;
      total += dx * dx + dy * dy;
    }
  }
  return total / Math.max(1, (width - 1) * (height - 1));
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * The luma plane a detector reads, from a camera's Y plane (an I420 frame's first plane, rows
 * `stride` bytes apart): each output pixel the mean of the 2×2 pixels at the centre of its box.
 * Reading four bytes of each 8×8 box (1280×720 to 160×90) instead of all 64 is what keeps this
 * under a millisecond; the detector's running background takes care of the noise a full box
 * average would have smoothed.
 */
export function downscaleLuma(source: Uint8Array, width: number, height: number, stride: number, outWidth: number, outHeight: number, into = new Uint8Array(outWidth * outHeight)): Uint8Array {
  const columns = new Uint32Array(outWidth);
  for (let x = 0; x < outWidth; x++) columns[x] = Math.min(width - 2, Math.max(0, Math.floor(((x + 0.5) * width) / outWidth) - 1));
  for (let y = 0; y < outHeight; y++) {
    const top = Math.min(height - 2, Math.max(0, Math.floor(((y + 0.5) * height) / outHeight) - 1)) * stride;
    const bottom = top + stride;
    const row = y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const c = columns[x]!;
      into[row + x] = (source[top + c]! + source[top + c + 1]! + source[bottom + c]! + source[bottom + c + 1]! + 2) >> 2;
    }
  }
  return into;
}

/**
 * A zone's detector at DETECTOR_WIDTH×DETECTOR_HEIGHT, as the gateway (an IP camera) and an edge
 * node make it from the zone's settings: its threshold and minimum area, and where to look.
 */
export function zoneDetector(settings: Partial<DetectorSettings> & { motionZones: readonly MaskPolygon[]; ignoreZones: readonly MaskPolygon[] }): SceneDetector {
  const { motionZones, ignoreZones, ...tuning } = settings;
  return new SceneDetector(DETECTOR_WIDTH, DETECTOR_HEIGHT, tuning, motionMask(motionZones, ignoreZones, DETECTOR_WIDTH, DETECTOR_HEIGHT));
}
